import { existsSync, readFileSync } from 'node:fs'
import { parse as parseDotEnv } from 'dotenv'
import { isTimeframe, resolveIndicatorText } from '@trading-alerts/trading-alerts'
import { validate as validateCron } from 'node-cron'

/** The runner's configuration, from the environment (and `.env`). The ONLY reader of process.env. */
export interface Config {
  readonly databaseUrl: string | undefined
  readonly databaseSchema: string
  readonly dataDir: string
  readonly binanceApiUrl: string
  readonly binanceDataUrl: string
  readonly binanceListingUrl: string
  readonly coingeckoApiUrl: string
  readonly coingeckoApiKey: string | undefined
  readonly quoteAsset: string
  readonly topN: number
  readonly historyStart: string | undefined
  readonly concurrency: number
  readonly excludeCoins: readonly string[]
  readonly symbolsCron: string
  readonly historicalCron: string
  readonly incrementalCron: string
  /** Retries due webhook deliveries (evaluation itself follows every incremental run). */
  readonly alertsCron: string
  readonly httpTimeoutMs: number
  readonly maxBanWaitMs: number
  readonly shutdownDeadlineMs: number
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error'
  readonly indicatorTimeframes: readonly string[]
  readonly indicators: readonly string[]
  readonly alertMaxAttempts: number
  readonly webhookTimeoutMs: number
  /** For tests only: how far the runner's clock is shifted from the system clock (ms). */
  readonly clockOffsetMs: number
  /** Interface the HTTP API binds. */
  readonly apiHost: string
  /** Port of the HTTP API (0: a free one); null: API_PORT=off, the daemon serves no API. */
  readonly apiPort: number | null
  /** A token with the admin scope (API_TOKEN), besides the stored ones. */
  readonly apiToken: string | undefined
  /** Origins CORS allows; empty: CORS off. */
  readonly apiCorsOrigins: readonly string[]
}

/** Every problem with the environment, listed at once. */
export class ConfigError extends Error {
  override name = 'ConfigError'
  readonly problems: readonly string[]

  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.problems = problems
  }
}

type Env = Readonly<Record<string, string | undefined>>

/** A runner command or job, as `usedBy` names them. */
export type EnvScope =
  | 'symbols'
  | 'historical'
  | 'incremental'
  | 'indicators'
  | 'alerts'
  | 'start'
  | 'serve'
  | 'database'

/** One environment variable the runner reads. */
export interface EnvVar {
  readonly name: string
  /** The value used when it is unset or empty ('' = unset, described by `defaultText`). */
  readonly default: string
  /** How the default reads in help and docs, when it is not the value itself. */
  readonly defaultText?: string
  readonly meaning: string
  /**
   * What reads it: jobs by name, `start` (the daemon only), `serve` (the HTTP API: `runner serve`
   * and the daemon), `database` (every command that opens
   * the database). The daemon runs every job, so it reads every variable.
   */
  readonly usedBy: readonly EnvScope[]
}

const HTTP: readonly EnvScope[] = ['symbols', 'historical', 'incremental']

/**
 * THE table of the runner's environment variables: loadConfig takes its defaults from here and
 * every command's --help lists the rows its jobs use (the README's table follows it).
 */
export const ENV_VARS = [
  {
    name: 'DATABASE_URL',
    default: '',
    defaultText: 'unset: the embedded database in DATA_DIR',
    meaning: 'postgres://… of a PostgreSQL server',
    usedBy: ['database'],
  },
  {
    name: 'DATA_DIR',
    default: './.data/pglite',
    meaning: 'folder of the embedded database (PGlite) when DATABASE_URL is unset',
    usedBy: ['database'],
  },
  {
    name: 'DATABASE_SCHEMA',
    default: 'public',
    meaning: 'schema of the tables (lower-case letters, digits, _)',
    usedBy: ['database'],
  },
  {
    name: 'LOG_LEVEL',
    default: 'info',
    meaning: 'debug, info, warn or error (stacks only at debug)',
    usedBy: ['database'],
  },
  {
    name: 'BINANCE_API_URL',
    default: 'https://api.binance.com',
    meaning: 'Binance REST base (https://data-api.binance.vision also works)',
    usedBy: HTTP,
  },
  {
    name: 'BINANCE_DATA_URL',
    default: 'https://data.binance.vision',
    meaning: 'base of the public archive (/data/spot/...)',
    usedBy: ['historical'],
  },
  {
    name: 'BINANCE_LISTING_URL',
    default: 'https://s3-ap-northeast-1.amazonaws.com/data.binance.vision',
    meaning: 'S3 XML listing of the archive',
    usedBy: ['historical'],
  },
  {
    name: 'COINGECKO_API_URL',
    default: 'https://api.coingecko.com/api/v3',
    meaning: 'CoinGecko base (https://pro-api.coingecko.com/api/v3 for a paid key)',
    usedBy: ['symbols'],
  },
  {
    name: 'COINGECKO_API_KEY',
    default: '',
    defaultText: 'unset',
    meaning: 'sent as x-cg-demo-api-key (x-cg-pro-api-key on the pro URL); never logged',
    usedBy: ['symbols'],
  },
  {
    name: 'QUOTE_ASSET',
    default: 'USDT',
    meaning: 'quote asset of the Binance pairs that are tracked',
    usedBy: ['symbols'],
  },
  {
    name: 'TOP_N',
    default: '100',
    meaning: 'how many coins by market cap the symbols job keeps',
    usedBy: ['symbols'],
  },
  {
    name: 'EXCLUDE_COINS',
    default: '',
    defaultText: 'empty',
    meaning: 'comma-separated CoinGecko ids or tickers never tracked (e.g. pepe,SHIB)',
    usedBy: ['symbols'],
  },
  {
    name: 'HISTORY_START',
    default: '',
    defaultText: '12 months before the current month',
    meaning: 'earliest month loaded (YYYY-MM, not after the current month, or "listing")',
    usedBy: ['historical'],
  },
  {
    name: 'CONCURRENCY',
    default: '4',
    meaning: 'symbols processed at once by a job',
    usedBy: ['symbols', 'historical', 'incremental', 'indicators', 'alerts'],
  },
  {
    name: 'HTTP_TIMEOUT_MS',
    default: '30000',
    meaning: 'timeout of one HTTP request to Binance or CoinGecko',
    usedBy: HTTP,
  },
  {
    name: 'MAX_BAN_WAIT_MS',
    default: '300000',
    meaning: 'longest IP ban (HTTP 418) to wait out; a longer one fails fast',
    usedBy: HTTP,
  },
  {
    name: 'INDICATOR_TIMEFRAMES',
    default: '1h',
    meaning: 'timeframes resampled and computed on, e.g. 15m,1h,4h,1d (1m … 1w)',
    usedBy: ['indicators'],
  },
  {
    name: 'INDICATORS',
    default: 'rsi(14),macd(12,26,9),bbands(20,2,2)',
    meaning: 'indicators stored for every symbol and timeframe (rules add their own)',
    usedBy: ['indicators'],
  },
  {
    name: 'ALERT_MAX_ATTEMPTS',
    default: '8',
    meaning: 'failed webhook attempts before a delivery is dead-lettered',
    usedBy: ['alerts'],
  },
  {
    name: 'WEBHOOK_TIMEOUT_MS',
    default: '10000',
    meaning: 'timeout of one webhook request',
    usedBy: ['alerts'],
  },
  {
    name: 'SYMBOLS_CRON',
    default: '5 0 * * *',
    meaning: 'daemon schedule of the symbols job, then historical (UTC cron)',
    usedBy: ['start'],
  },
  {
    name: 'HISTORICAL_CRON',
    default: '35 0 * * *',
    meaning: 'daemon schedule of historical',
    usedBy: ['start'],
  },
  {
    name: 'INCREMENTAL_CRON',
    default: '*/5 * * * *',
    meaning: 'daemon schedule of incremental, then indicators, then alerts',
    usedBy: ['start'],
  },
  {
    name: 'ALERTS_CRON',
    default: '*/15 * * * *',
    meaning: 'daemon schedule of the alerts job between incremental runs (webhook retries)',
    usedBy: ['start'],
  },
  {
    name: 'SHUTDOWN_DEADLINE_MS',
    default: '30000',
    meaning: 'on SIGINT/SIGTERM, how long running jobs may take to finish their file or batch',
    usedBy: ['start'],
  },
  {
    name: 'API_HOST',
    default: '127.0.0.1',
    meaning: 'interface the HTTP API binds; a non-loopback one needs a token (API_TOKEN or stored)',
    usedBy: ['serve'],
  },
  {
    name: 'API_PORT',
    default: '8080',
    meaning: 'port of the HTTP API; 0 picks a free one; "off": the daemon serves no API',
    usedBy: ['serve'],
  },
  {
    name: 'API_TOKEN',
    default: '',
    defaultText: 'unset',
    meaning: 'a token with the admin scope; more from "runner tokens create"; never logged',
    usedBy: ['serve'],
  },
  {
    name: 'API_CORS_ORIGINS',
    default: '',
    defaultText: 'empty: CORS off',
    meaning:
      'comma-separated origins allowed to call the API from a browser (https://dash.example)',
    usedBy: ['serve'],
  },
] as const satisfies readonly EnvVar[]

export type EnvName = (typeof ENV_VARS)[number]['name']

/** The default of a variable, from ENV_VARS. */
function defaultOf(name: EnvName): string {
  return ENV_VARS.find((v) => v.name === name)?.default ?? ''
}

/** The variables a command or job reads (`start`: all of them), in table order. */
export function envVarsOf(scope: EnvScope): EnvVar[] {
  return ENV_VARS.filter(
    (v) =>
      scope === 'start' ||
      (v.usedBy as readonly EnvScope[]).some((u) => u === scope || u === 'database'),
  )
}

/** The rows of `envVarsOf(scope)` as help text: name, default, meaning. */
export function envHelp(scope: EnvScope): string {
  const vars = envVarsOf(scope)
  const width = Math.max(...vars.map((v) => v.name.length))
  return vars
    .map((v) => {
      const fallback = 'defaultText' in v ? v.defaultText : v.default
      return `  ${v.name.padEnd(width)}  ${v.meaning}\n  ${' '.repeat(width)}  default: ${fallback}`
    })
    .join('\n')
}

/**
 * Reads a .env file with dotenv's rules (`KEY=value # comment`, quotes keep `#`, `export KEY=`,
 * multi-line quoted values); values already in `env` win. A missing file is no error.
 */
export function readDotEnv(path: string, env: Record<string, string | undefined>): void {
  if (!existsSync(path)) return
  for (const [key, value] of Object.entries(parseDotEnv(readFileSync(path, 'utf8')))) {
    if (env[key] === undefined) env[key] = value
  }
}

/**
 * Validates the environment. Every invalid variable is named with what was wrong and an example of
 * a right value; all problems are reported together.
 *
 * @throws ConfigError
 */
export function loadConfig(env: Env = process.env, options: { now?: () => Date } = {}): Config {
  const problems: string[] = []
  const text = (name: EnvName, fallback = defaultOf(name)) => {
    const v = env[name]
    return v === undefined || v.trim() === '' ? fallback : v.trim()
  }
  const optional = (name: string) => {
    const v = env[name]
    return v === undefined || v.trim() === '' ? undefined : v.trim()
  }
  const url = (
    name: EnvName,
    protocols: readonly string[],
    example: string,
    fallback = defaultOf(name),
  ) => {
    const v = text(name, fallback)
    try {
      const u = new URL(v)
      if (!protocols.includes(u.protocol)) throw new Error('protocol')
    } catch {
      problems.push(
        `${name}: "${v}" is not a ${protocols.join(' or ')} URL (example: ${name}=${example})`,
      )
    }
    return v.replace(/\/+$/, '')
  }
  const int = (name: EnvName, min: number, max: number) => {
    const fallback = Number(defaultOf(name))
    const example = fallback
    const v = optional(name)
    if (v === undefined) return fallback
    const n = Number(v)
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min || n > max) {
      problems.push(
        `${name}: "${v}" is not a whole number from ${min} to ${max} (example: ${name}=${example})`,
      )
      return fallback
    }
    return n
  }
  const cron = (name: EnvName) => {
    const example = defaultOf(name)
    const v = text(name)
    if (!validateCron(v))
      problems.push(`${name}: "${v}" is not a cron expression (example: ${name}="${example}")`)
    return v
  }

  const databaseUrl = optional('DATABASE_URL')
  if (databaseUrl !== undefined)
    url(
      'DATABASE_URL',
      ['postgres:', 'postgresql:'],
      'postgres://user:password@localhost:5432/market',
      databaseUrl,
    )
  const databaseSchema = text('DATABASE_SCHEMA')
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(databaseSchema) || databaseSchema.startsWith('pg_')) {
    problems.push(
      `DATABASE_SCHEMA: "${databaseSchema}" is not a schema name of lower-case letters, digits and _ (example: DATABASE_SCHEMA=market)`,
    )
  }
  const historyStart = optional('HISTORY_START')
  if (historyStart !== undefined && historyStart !== 'listing') {
    const m = /^(\d{4})-(\d{2})$/.exec(historyStart)
    if (m === null || Number(m[2]) < 1 || Number(m[2]) > 12) {
      problems.push(
        `HISTORY_START: "${historyStart}" is not a month YYYY-MM or "listing" (example: HISTORY_START=2024-01)`,
      )
    }
  }
  const quoteAsset = text('QUOTE_ASSET')
  if (!/^[A-Z0-9]{2,10}$/.test(quoteAsset)) {
    problems.push(
      `QUOTE_ASSET: "${quoteAsset}" is not an asset code in capitals (example: QUOTE_ASSET=USDT)`,
    )
  }
  const logLevel = text('LOG_LEVEL')
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    problems.push(
      `LOG_LEVEL: "${logLevel}" is not one of debug, info, warn, error (example: LOG_LEVEL=info)`,
    )
  }

  // For tests only (not a user setting): TRADING_ALERTS_CLOCK_OFFSET_MS shifts the runner's clock
  // by that many ms from the system clock. The shifted clock still runs, so a job lasting seconds
  // sees seconds pass (a frozen clock would stall ban waits and show every run as 0 s). An offset
  // rather than a start instant: every process given the same offset reads the same time to the
  // millisecond (two daemons, the runner and a test's exchange simulator started with
  // `now: () => Date.now() + offset`), whenever each of them started. The clients' `now` (closed
  // candles, ban bookkeeping) and every job follow it; cron schedules and the request-weight
  // windows stay on the system clock, as the exchange's own limiter windows do.
  const clockOffset = optional('TRADING_ALERTS_CLOCK_OFFSET_MS')
  let clockOffsetMs = 0
  if (clockOffset !== undefined) {
    clockOffsetMs = Number(clockOffset)
    if (!/^-?\d+$/.test(clockOffset) || !Number.isSafeInteger(clockOffsetMs)) {
      problems.push(
        `TRADING_ALERTS_CLOCK_OFFSET_MS: "${clockOffset}" is not a whole number of milliseconds (example: TRADING_ALERTS_CLOCK_OFFSET_MS=-86400000)`,
      )
      clockOffsetMs = 0
    }
  }
  // A month after the current one (by the runner's clock) has no closed candle to load.
  if (historyStart !== undefined && /^\d{4}-(0[1-9]|1[0-2])$/.test(historyStart)) {
    const now = options.now?.() ?? new Date(Date.now() + clockOffsetMs)
    const month = now.toISOString().slice(0, 7)
    if (historyStart > month) {
      problems.push(
        `HISTORY_START: "${historyStart}" is after the current month ${month}: nothing there to load (example: HISTORY_START=${month}, or a month before it)`,
      )
    }
  }

  const list = (name: EnvName) =>
    text(name)
      .split(/,(?![^(]*\))/)
      .map((x) => x.trim())
      .filter((x) => x !== '')
  const indicatorTimeframes = list('INDICATOR_TIMEFRAMES')
  for (const tf of indicatorTimeframes) {
    if (!isTimeframe(tf)) {
      problems.push(
        `INDICATOR_TIMEFRAMES: "${tf}" is not a timeframe (1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 1w) (example: INDICATOR_TIMEFRAMES=15m,1h,4h,1d)`,
      )
    }
  }
  const indicators = list('INDICATORS')
  for (const i of indicators) {
    try {
      resolveIndicatorText(i)
    } catch (error) {
      problems.push(
        `INDICATORS: ${error instanceof Error ? error.message : String(error)} (example: INDICATORS="rsi(14),macd(12,26,9),ema(200)")`,
      )
    }
  }

  const apiHost = text('API_HOST')
  if (!/^[\w.:-]+$/.test(apiHost))
    problems.push(
      `API_HOST: "${apiHost}" is not a host name or IP address (example: API_HOST=0.0.0.0)`,
    )
  const apiPortText = text('API_PORT')
  let apiPort: number | null = Number(defaultOf('API_PORT'))
  if (apiPortText === 'off') apiPort = null
  else if (/^\d+$/.test(apiPortText) && Number(apiPortText) <= 65_535) apiPort = Number(apiPortText)
  else
    problems.push(
      `API_PORT: "${apiPortText}" is not a port from 0 to 65535 or "off" (example: API_PORT=8080)`,
    )
  const apiCorsOrigins = text('API_CORS_ORIGINS')
    .split(',')
    .map((s) => s.trim().replace(/\/+$/, ''))
    .filter((s) => s !== '')
  for (const origin of apiCorsOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin))
      problems.push(
        `API_CORS_ORIGINS: "${origin}" is not an origin (example: API_CORS_ORIGINS=https://dash.example)`,
      )
  }

  const config: Config = {
    databaseUrl,
    databaseSchema,
    dataDir: text('DATA_DIR'),
    binanceApiUrl: url('BINANCE_API_URL', ['https:', 'http:'], 'https://data-api.binance.vision'),
    binanceDataUrl: url('BINANCE_DATA_URL', ['https:', 'http:'], 'https://data.binance.vision'),
    binanceListingUrl: url(
      'BINANCE_LISTING_URL',
      ['https:', 'http:'],
      'https://s3-ap-northeast-1.amazonaws.com/data.binance.vision',
    ),
    coingeckoApiUrl: url(
      'COINGECKO_API_URL',
      ['https:', 'http:'],
      'https://pro-api.coingecko.com/api/v3',
    ),
    coingeckoApiKey: optional('COINGECKO_API_KEY'),
    quoteAsset,
    topN: int('TOP_N', 1, 1000),
    historyStart,
    concurrency: int('CONCURRENCY', 1, 64),
    excludeCoins: text('EXCLUDE_COINS')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    symbolsCron: cron('SYMBOLS_CRON'),
    historicalCron: cron('HISTORICAL_CRON'),
    incrementalCron: cron('INCREMENTAL_CRON'),
    alertsCron: cron('ALERTS_CRON'),
    httpTimeoutMs: int('HTTP_TIMEOUT_MS', 100, 600_000),
    maxBanWaitMs: int('MAX_BAN_WAIT_MS', 0, 86_400_000),
    shutdownDeadlineMs: int('SHUTDOWN_DEADLINE_MS', 0, 600_000),
    logLevel: logLevel as Config['logLevel'],
    indicatorTimeframes,
    indicators,
    alertMaxAttempts: int('ALERT_MAX_ATTEMPTS', 1, 100),
    webhookTimeoutMs: int('WEBHOOK_TIMEOUT_MS', 100, 120_000),
    clockOffsetMs,
    apiHost,
    apiPort,
    apiToken: optional('API_TOKEN'),
    apiCorsOrigins,
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return config
}

/** Where `runner demo` keeps its embedded database (wiped at each demo); `status --demo` reads it. */
export const DEMO_DATA_DIR = './.data/demo'

/** The process environment with `.env` from the working directory merged in (env wins). */
export function environment(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env }
  readDotEnv('.env', env)
  return env
}

/** Whether stdout is an interactive terminal (progress display) or not (JSON-line logs). */
export function isInteractive(): boolean {
  return process.stdout.isTTY && process.env.CI === undefined
}
