import { rmSync } from 'node:fs'
import { createApiToken, saveAlertRule } from '@trading-alerts/trading-alerts'
import type { ExchangeSimulator } from '@trading-alerts/tickerdata/testing'
import { createApp } from '../app.js'
import { DEMO_DATA_DIR, environment, isInteractive, loadConfig } from '../config.js'
import { consoleLogger } from '../logger.js'
import { alerts } from './alerts.js'
import { write } from './common.js'
import { oneShot } from './job.js'
import { status } from './status.js'

export { demoHelp as help } from './help.js'

/** The rule the demo saves (from the start of its history) so the dashboard has alerts to show. */
const DEMO_RULE = { name: 'rsi-oversold', rule: 'rsi(14) crosses below 30', timeframe: '1h' }

/** The first month the demo loads: last month. */
function demoHistoryStart(now: Date): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1))
    .toISOString()
    .slice(0, 7)
}

/**
 * The demo's settings: its embedded database, the clients pointed at `sim`, six coins, history
 * from last month. `runner serve --demo` uses them too, so a job started from its dashboard
 * behaves as the demo's.
 */
export function demoSettings(sim: ExchangeSimulator, now = new Date()): Record<string, string> {
  return {
    DATA_DIR: DEMO_DATA_DIR,
    BINANCE_API_URL: sim.urls.binanceApiUrl,
    BINANCE_DATA_URL: sim.urls.binanceDataUrl,
    BINANCE_LISTING_URL: sim.urls.binanceListingUrl,
    COINGECKO_API_URL: sim.urls.coingeckoApiUrl,
    TOP_N: '6',
    HISTORY_START: demoHistoryStart(now),
    CONCURRENCY: '4',
  }
}

/**
 * The port `serve --demo` answers on: API_PORT when it names one, else 8080 (the demo prints the
 * URL before the server exists, so a free port picked at random cannot be its).
 */
export function demoPort(): string {
  const port = environment().API_PORT ?? ''
  return /^[1-9]\d{0,4}$/.test(port) && Number(port) <= 65_535 ? port : '8080'
}

export async function run(): Promise<number> {
  const { startExchangeSimulator } = await import('@trading-alerts/tickerdata/testing')
  const sim = await startExchangeSimulator()
  rmSync(DEMO_DATA_DIR, { recursive: true, force: true })
  const settings = demoSettings(sim)
  const lastMonth = settings.HISTORY_START ?? ''
  const config = loadConfig(settings)
  const interactive = isInteractive()
  const logger = consoleLogger({ level: 'info', json: !interactive })
  write(
    `demo: exchange simulator on ${sim.url}; embedded database in ${DEMO_DATA_DIR}; history from ${lastMonth}`,
  )
  const app = await createApp(config, logger)
  let code = 0
  let token = ''
  try {
    for (const job of ['symbols', 'historical', 'incremental', 'indicators'] as const) {
      write(`\n== job ${job}`)
      code = Math.max(code, await oneShot(app, job, interactive))
    }
    const rule = 'rsi(14) crosses below 30'
    write(`\n== alerts test "${rule}" --symbol BTCUSDT --timeframe 1h`)
    code = Math.max(
      code,
      await alerts(app, ['alerts', 'test', rule], { symbol: ['BTCUSDT'], bars: '240' }),
    )
    // A saved rule, evaluated over the demo's history: the dashboard's alerts and chart markers.
    write(`\n== alerts add ${DEMO_RULE.name} "${DEMO_RULE.rule}" --timeframe 1h, then job alerts`)
    await saveAlertRule(
      app.database.db,
      { ...DEMO_RULE, from: `${lastMonth}-01T00:00:00.000Z` },
      app.clock,
    )
    code = Math.max(code, await oneShot(app, 'alerts', interactive))
    write('\n== status')
    await status(app, { gaps: false, json: false, limit: 10 })
    token = (await createApiToken(app.database.db, { name: 'demo', scope: 'admin' }, app.clock))
      .token
  } finally {
    await app.close()
    await sim.close()
  }
  write(
    `\nThe demo's database stays in ${DEMO_DATA_DIR} until the next demo. Next: "runner status --demo" (pnpm status --demo) lists these runs again; add --gaps, --alerts or a run id.`,
  )
  const port = demoPort()
  write(
    `\nThe dashboard on the demo's data (the token is an admin token of the demo's database, shown once):\n` +
      `  ${port === '8080' ? '' : `API_PORT=${port} `}pnpm serve --demo\n` +
      `  then open http://127.0.0.1:${port}/#token=${token}`,
  )
  return code
}
