import { existsSync, readFileSync } from 'node:fs'
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

/** Reads KEY=VALUE lines of a .env file; values already in the environment win. */
export function readDotEnv(path: string, env: Record<string, string | undefined>): void {
  if (!existsSync(path)) return
  for (const raw of readFileSync(path, 'utf8').split(/\r?\n/)) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line)
    if (match === null) continue
    const key = match[1] ?? ''
    let value = match[2] ?? ''
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1)
    if (env[key] === undefined) env[key] = value
  }
}

/**
 * Validates the environment. Every invalid variable is named with what was wrong and an example of
 * a right value; all problems are reported together.
 *
 * @throws ConfigError
 */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = []
  const text = (name: string, fallback: string) => {
    const v = env[name]
    return v === undefined || v.trim() === '' ? fallback : v.trim()
  }
  const optional = (name: string) => {
    const v = env[name]
    return v === undefined || v.trim() === '' ? undefined : v.trim()
  }
  const url = (name: string, fallback: string, protocols: readonly string[], example: string) => {
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
  const int = (name: string, fallback: number, min: number, max: number, example: number) => {
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
  const cron = (name: string, fallback: string, example: string) => {
    const v = text(name, fallback)
    if (!validateCron(v))
      problems.push(`${name}: "${v}" is not a cron expression (example: ${name}="${example}")`)
    return v
  }

  const databaseUrl = optional('DATABASE_URL')
  if (databaseUrl !== undefined)
    url(
      'DATABASE_URL',
      databaseUrl,
      ['postgres:', 'postgresql:'],
      'postgres://user:password@localhost:5432/market',
    )
  const databaseSchema = text('DATABASE_SCHEMA', 'public')
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
  const quoteAsset = text('QUOTE_ASSET', 'USDT')
  if (!/^[A-Z0-9]{2,10}$/.test(quoteAsset)) {
    problems.push(
      `QUOTE_ASSET: "${quoteAsset}" is not an asset code in capitals (example: QUOTE_ASSET=USDT)`,
    )
  }
  const logLevel = text('LOG_LEVEL', 'info')
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

  const list = (name: string, fallback: string) =>
    text(name, fallback)
      .split(/,(?![^(]*\))/)
      .map((x) => x.trim())
      .filter((x) => x !== '')
  const indicatorTimeframes = list('INDICATOR_TIMEFRAMES', '1h')
  for (const tf of indicatorTimeframes) {
    if (!isTimeframe(tf)) {
      problems.push(
        `INDICATOR_TIMEFRAMES: "${tf}" is not a timeframe (1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 1w) (example: INDICATOR_TIMEFRAMES=15m,1h,4h,1d)`,
      )
    }
  }
  const indicators = list('INDICATORS', 'rsi(14),macd(12,26,9),bbands(20,2,2)')
  for (const i of indicators) {
    try {
      resolveIndicatorText(i)
    } catch (error) {
      problems.push(
        `INDICATORS: ${error instanceof Error ? error.message : String(error)} (example: INDICATORS="rsi(14),macd(12,26,9),ema(200)")`,
      )
    }
  }

  const config: Config = {
    databaseUrl,
    databaseSchema,
    dataDir: text('DATA_DIR', './.data/pglite'),
    binanceApiUrl: url(
      'BINANCE_API_URL',
      'https://api.binance.com',
      ['https:', 'http:'],
      'https://data-api.binance.vision',
    ),
    binanceDataUrl: url(
      'BINANCE_DATA_URL',
      'https://data.binance.vision',
      ['https:', 'http:'],
      'https://data.binance.vision',
    ),
    binanceListingUrl: url(
      'BINANCE_LISTING_URL',
      'https://s3-ap-northeast-1.amazonaws.com/data.binance.vision',
      ['https:', 'http:'],
      'https://s3-ap-northeast-1.amazonaws.com/data.binance.vision',
    ),
    coingeckoApiUrl: url(
      'COINGECKO_API_URL',
      'https://api.coingecko.com/api/v3',
      ['https:', 'http:'],
      'https://pro-api.coingecko.com/api/v3',
    ),
    coingeckoApiKey: optional('COINGECKO_API_KEY'),
    quoteAsset,
    topN: int('TOP_N', 100, 1, 1000, 100),
    historyStart,
    concurrency: int('CONCURRENCY', 4, 1, 64, 4),
    excludeCoins: text('EXCLUDE_COINS', '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    symbolsCron: cron('SYMBOLS_CRON', '5 0 * * *', '5 0 * * *'),
    historicalCron: cron('HISTORICAL_CRON', '35 0 * * *', '35 0 * * *'),
    incrementalCron: cron('INCREMENTAL_CRON', '*/5 * * * *', '*/5 * * * *'),
    alertsCron: cron('ALERTS_CRON', '*/15 * * * *', '*/15 * * * *'),
    httpTimeoutMs: int('HTTP_TIMEOUT_MS', 30_000, 100, 600_000, 30000),
    maxBanWaitMs: int('MAX_BAN_WAIT_MS', 300_000, 0, 86_400_000, 300000),
    shutdownDeadlineMs: int('SHUTDOWN_DEADLINE_MS', 30_000, 0, 600_000, 30000),
    logLevel: logLevel as Config['logLevel'],
    indicatorTimeframes,
    indicators,
    alertMaxAttempts: int('ALERT_MAX_ATTEMPTS', 8, 1, 100, 8),
    webhookTimeoutMs: int('WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000, 10000),
    clockOffsetMs,
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return config
}

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
