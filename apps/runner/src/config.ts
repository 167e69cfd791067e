import { existsSync, readFileSync } from 'node:fs'
import { parse as parseDotEnv } from 'dotenv'
import { isTimeframe, resolveIndicatorText } from '@trading-alerts/trading-alerts'
import { validate as validateCron } from 'node-cron'
import { defaultOf, type EnvName } from './env-vars.js'

export {
  ENV_VARS,
  envHelp,
  envVarsOf,
  type EnvName,
  type EnvScope,
  type EnvVar,
} from './env-vars.js'

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

export { DEMO_DATA_DIR } from './names.js'

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
