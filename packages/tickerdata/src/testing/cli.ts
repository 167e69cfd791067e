import { parseArgs } from 'node:util'
import { startExchangeSimulator } from './simulator.js'

const USAGE =
  'Usage: tickerdata-simulator [--port 8080] [--now 2025-03-01T00:00:00Z | --clock-offset-ms=-86400000] [--seed 1]'

const HELP = `tickerdata-simulator: the exchange simulator on 127.0.0.1 (Binance REST, archive, S3 listing, CoinGecko)

${USAGE}

  --port             port to listen on (default 8080; 0 picks a free one)
  --now              freeze the simulated clock at this instant (default: the real clock)
  --clock-offset-ms  run the simulated clock this many ms from the real one (the runner's
                     TRADING_ALERTS_CLOCK_OFFSET_MS with the same number agrees with it)
  --seed             seed of the deterministic price paths (default 1)
  --help, -h         this text
`

/** A bad command line: the message is one line, shown above the usage. */
class CommandLineError extends Error {
  override readonly name = 'CommandLineError'
}

interface Options {
  readonly port: number
  readonly seed: number
  readonly now?: () => number
}

const WHOLE = /^-?\d+$/

function parseCommandLine(argv: readonly string[]): Options | 'help' {
  let values
  try {
    ;({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string', default: '8080' },
        now: { type: 'string' },
        'clock-offset-ms': { type: 'string' },
        seed: { type: 'string', default: '1' },
        help: { type: 'boolean', short: 'h' },
      },
    }))
  } catch (error) {
    // parseArgs' messages are one line plus, for some, a hint: keep the first line.
    const message = error instanceof Error ? error.message : String(error)
    throw new CommandLineError(message.split('\n')[0] ?? message)
  }
  if (values.help === true) return 'help'
  const port = Number(values.port)
  if (!WHOLE.test(values.port) || port < 0 || port > 65535) {
    throw new CommandLineError(`--port: "${values.port}" is not a port number (0 to 65535)`)
  }
  if (!WHOLE.test(values.seed)) {
    throw new CommandLineError(`--seed: "${values.seed}" is not a whole number`)
  }
  const offset = values['clock-offset-ms']
  if (values.now !== undefined && offset !== undefined) {
    throw new CommandLineError('--now and --clock-offset-ms cannot be used together')
  }
  const base = { port, seed: Number(values.seed) }
  if (values.now !== undefined) {
    const frozen = Date.parse(values.now)
    if (Number.isNaN(frozen)) {
      throw new CommandLineError(
        `--now: "${values.now}" is not a date; use e.g. 2025-03-01T00:00:00Z`,
      )
    }
    return { ...base, now: () => frozen }
  }
  if (offset !== undefined) {
    if (!WHOLE.test(offset)) {
      throw new CommandLineError(`--clock-offset-ms: "${offset}" is not a whole number of ms`)
    }
    return { ...base, now: () => Date.now() + Number(offset) }
  }
  return base
}

let options: Options | 'help'
try {
  options = parseCommandLine(process.argv.slice(2))
} catch (error) {
  if (!(error instanceof CommandLineError)) throw error
  process.stderr.write(
    `tickerdata-simulator: ${error.message}\n${USAGE}\nRun "tickerdata-simulator --help" for the options.\n`,
  )
  process.exit(2)
}

if (options === 'help') {
  process.stdout.write(HELP)
} else {
  const sim = await startExchangeSimulator(options)
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
