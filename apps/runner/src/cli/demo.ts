import { rmSync } from 'node:fs'
import { createApp } from '../app.js'
import { DEMO_DATA_DIR, isInteractive, loadConfig } from '../config.js'
import { consoleLogger } from '../logger.js'
import { alerts } from './alerts.js'
import { write } from './common.js'
import { oneShot } from './job.js'
import { status } from './status.js'

export { demoHelp as help } from './help.js'

export async function run(): Promise<number> {
  const { startExchangeSimulator } = await import('@trading-alerts/tickerdata/testing')
  const sim = await startExchangeSimulator()
  rmSync(DEMO_DATA_DIR, { recursive: true, force: true })
  const now = new Date()
  const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1))
    .toISOString()
    .slice(0, 7)
  const config = loadConfig({
    DATA_DIR: DEMO_DATA_DIR,
    BINANCE_API_URL: sim.urls.binanceApiUrl,
    BINANCE_DATA_URL: sim.urls.binanceDataUrl,
    BINANCE_LISTING_URL: sim.urls.binanceListingUrl,
    COINGECKO_API_URL: sim.urls.coingeckoApiUrl,
    TOP_N: '6',
    HISTORY_START: lastMonth,
    CONCURRENCY: '4',
  })
  const interactive = isInteractive()
  const logger = consoleLogger({ level: 'info', json: !interactive })
  write(
    `demo: exchange simulator on ${sim.url}; embedded database in ${DEMO_DATA_DIR}; history from ${lastMonth}`,
  )
  const app = await createApp(config, logger)
  let code = 0
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
    write('\n== status')
    await status(app, { gaps: false, json: false, limit: 10 })
  } finally {
    await app.close()
    await sim.close()
  }
  write(
    `\nThe demo's database stays in ${DEMO_DATA_DIR} until the next demo. Next: "runner status --demo" (pnpm status --demo) lists these runs again; add --gaps, --alerts or a run id.`,
  )
  return code
}
