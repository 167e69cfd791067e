#!/usr/bin/env node
import { parseArgs } from 'node:util'
import { startExchangeSimulator } from './simulator.js'

const HELP = `tickerdata-simulator: the exchange simulator on 127.0.0.1 (Binance REST, archive, S3 listing, CoinGecko)

Usage: tickerdata-simulator [--port 8080] [--now 2025-03-01T00:00:00Z | --clock-offset-ms=-86400000] [--seed 1]

  --port             port to listen on (default 8080; 0 picks a free one)
  --now              freeze the simulated clock at this instant (default: the real clock)
  --clock-offset-ms  run the simulated clock this many ms from the real one (the runner's
                     TRADING_ALERTS_CLOCK_OFFSET_MS with the same number agrees with it)
  --seed             seed of the deterministic price paths (default 1)
`

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8080' },
    now: { type: 'string' },
    'clock-offset-ms': { type: 'string' },
    seed: { type: 'string', default: '1' },
    help: { type: 'boolean', short: 'h' },
  },
})

if (values.help === true) {
  process.stdout.write(HELP)
} else {
  const frozen = values.now === undefined ? undefined : Date.parse(values.now)
  if (frozen !== undefined && Number.isNaN(frozen)) {
    process.stderr.write(`--now: "${values.now}" is not a date; use e.g. 2025-03-01T00:00:00Z\n`)
    process.exit(2)
  }
  const offset = values['clock-offset-ms']
  if (offset !== undefined && (!/^-?\d+$/.test(offset) || frozen !== undefined)) {
    process.stderr.write(
      `--clock-offset-ms: "${offset}" is not a whole number of ms, or comes with --now\n`,
    )
    process.exit(2)
  }
  const now =
    frozen !== undefined
      ? () => frozen
      : offset !== undefined
        ? () => Date.now() + Number(offset)
        : undefined
  const sim = await startExchangeSimulator({
    port: Number(values.port),
    seed: Number(values.seed),
    ...(now === undefined ? {} : { now }),
  })
  process.stdout.write(
    [
      `exchange simulator listening on ${sim.url}`,
      `export BINANCE_API_URL=${sim.urls.binanceApiUrl}`,
      `export BINANCE_DATA_URL=${sim.urls.binanceDataUrl}`,
      `export BINANCE_LISTING_URL=${sim.urls.binanceListingUrl}`,
      `export COINGECKO_API_URL=${sim.urls.coingeckoApiUrl}`,
      `export ALPACA_API_URL=${sim.urls.alpacaApiUrl}`,
      `export ALPACA_TRADING_URL=${sim.urls.alpacaTradingUrl}`,
      `export US_UNIVERSE_URL=${sim.urls.usUniverseUrl}`,
      `export EASTMONEY_API_URL=${sim.urls.eastmoneyApiUrl}`,
      `export EASTMONEY_LIST_URL=${sim.urls.eastmoneyListUrl}`,
      '',
    ].join('\n'),
  )
  const stop = () => void sim.close().then(() => process.exit(0))
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
