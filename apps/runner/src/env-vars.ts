// The runner's environment variables as data, with no import: the commands' --help reads them
// without loading the libraries (start-up), and config.ts takes its defaults from them.

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
export function defaultOf(name: EnvName): string {
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
