import type { ColumnType, Generated, Insertable, Selectable } from 'kysely'

/** A timestamptz column: read as Date, written as Date or ISO string. */
type Timestamp = ColumnType<Date, Date | string, Date | string>
/** A numeric column: exact decimal strings in and out (never floats). */
type Decimal = ColumnType<string, string | number, string | number>
type Json = ColumnType<unknown, string, string>

/** One tracked Binance pair. */
export interface SymbolTable {
  symbol: string
  base_asset: string
  quote_asset: string
  coingecko_id: string | null
  name: string | null
  market_cap_rank: number | null
  market_cap_usd: Decimal | null
  /** In the current top N (false once it drops out; its data is kept). */
  in_top_n: boolean
  /** Binance status (TRADING, BREAK, …); only TRADING pairs get new data. */
  status: string
  first_seen_at: Timestamp
  last_seen_at: Timestamp
  /** Close time of the newest closed candle stored with everything before it loaded. Never moves backwards. */
  last_updated_at: Timestamp | null
}

/** The day's top N as CoinGecko ranked it, every coin, with the mapped pair or none. */
export interface TopCoinSnapshotTable {
  day: ColumnType<string, string, string>
  coingecko_id: string
  rank: number | null
  coin_symbol: string
  name: string
  market_cap_usd: Decimal | null
  price_usd: Decimal | null
  volume_usd: Decimal | null
  /** The Binance pair tracked for this coin, or null. */
  pair: string | null
  /** Why no pair is tracked: an ExclusionReason ('stablecoin', 'not-on-binance', 'invalid-data', …). */
  excluded_reason: string | null
}

/** One 1-minute candle, exactly as Binance published it. */
export interface Tickerdata1mTable {
  symbol: string
  open_time: Timestamp
  open: Decimal
  high: Decimal
  low: Decimal
  close: Decimal
  volume: Decimal
  close_time: Timestamp
  quote_volume: Decimal
  trades: number
  taker_buy_base_volume: Decimal
  taker_buy_quote_volume: Decimal
}

/** An archive file the historical job loaded (or failed to load). */
export interface ArchiveFileTable {
  symbol: string
  interval: string
  period_kind: 'monthly' | 'daily'
  /** `YYYY-MM` or `YYYY-MM-DD` */
  period: string
  url: string
  /** sha256 of the loaded zip (pinned: a re-published file with another checksum replaces the rows). */
  sha256: string | null
  rows: number
  state: 'loaded' | 'failed'
  error: string | null
  attempts: number
  loaded_at: Timestamp
}

/** Minutes the exchange has no candles for (confirmed by REST), never asked for again. [start, end). */
export interface ExchangeGapTable {
  symbol: string
  start_time: Timestamp
  end_time: Timestamp
  detected_at: Timestamp
}

export type JobName = 'symbols' | 'historical' | 'incremental' | 'indicators' | 'alerts'
export type RunState = 'running' | 'succeeded' | 'failed' | 'interrupted'
export type TaskState = 'pending' | 'running' | 'succeeded' | 'failed' | 'interrupted' | 'skipped'
/** What a task is about: one symbol, the whole job (getSymbols), or one alert rule. */
export type TaskKind = 'symbol' | 'job' | 'rule'

export interface JobRunTable {
  id: Generated<number>
  job: JobName
  state: RunState
  started_at: Timestamp
  finished_at: Timestamp | null
  params: Json
  summary: Json | null
  error: string | null
  host: string | null
  /** The last time the run's tasks were seen making progress (throttled); set from start to finish. */
  last_progress_at: Timestamp | null
}

/** One self-contained unit of a run: (job, kind, key, params). */
export interface TaskRunTable {
  id: Generated<number>
  job_run_id: number
  job: JobName
  kind: TaskKind
  /** The symbol, the job's name or the rule's name, by `kind`. */
  key: string
  /** The symbol of a symbol task; null for the others. */
  symbol: string | null
  params: Json
  state: TaskState
  attempts: Generated<number>
  started_at: Timestamp | null
  finished_at: Timestamp | null
  rows_written: Generated<number>
  progress: Json | null
  error: string | null
  error_code: string | null
  /** The last time the task was seen making progress (throttled); set from start to finish. */
  last_progress_at: Timestamp | null
}

/** A bar of a higher timeframe, resampled exactly from the 1-minute candles. */
export interface CandleTable {
  symbol: string
  timeframe: string
  open_time: Timestamp
  open: Decimal
  high: Decimal
  low: Decimal
  close: Decimal
  volume: Decimal
  quote_volume: Decimal
  trades: ColumnType<number, number, number>
  taker_buy_base_volume: Decimal
  taker_buy_quote_volume: Decimal
  /** 1-minute candles the bar was built from; below `expected_minutes` the bar has holes. */
  minutes: number
  expected_minutes: number
}

/** One output of one indicator at one bar (`name` like `rsi(14)` or `macd(12,26,9).histogram`). */
export interface IndicatorValueTable {
  symbol: string
  timeframe: string
  name: string
  open_time: Timestamp
  value: number
}

/** The streaming state of an indicator after the last bar it consumed. */
export interface IndicatorStateTable {
  symbol: string
  timeframe: string
  /** Canonical key without output, e.g. `macd(12,26,9)`. */
  indicator: string
  last_open_time: Timestamp
  bars: number
  /** The state version of the indicator's stream (the catalogue's `stateVersion`). */
  version: string
  state: Json
  updated_at: Timestamp
}

export type WebhookPresetName = 'json' | 'slack' | 'discord' | 'telegram'

export interface AlertRuleTable {
  id: Generated<number>
  name: string
  /** The rule in canonical form (see docs/alert-rules.md). */
  rule: string
  kind: 'bar' | 'market'
  /** Symbols the rule watches; `["*"]` for every tracked symbol. */
  symbols: Json
  timeframe: string
  enabled: Generated<boolean>
  webhook_url: string | null
  webhook_preset: Generated<WebhookPresetName>
  webhook_secret: string | null
  telegram_chat_id: string | null
  created_at: Timestamp
  /** Bars before this are never evaluated (a new rule does not fire on old history). */
  evaluate_from: Timestamp
}

export interface AlertCursorTable {
  rule_id: number
  symbol: string
  last_bar: Timestamp
}

export interface AlertEventTable {
  id: Generated<number>
  rule_id: number
  symbol: string
  timeframe: string
  bar_time: Timestamp
  fired_at: Timestamp
  values: Json
  text: string
}

export type DeliveryState = 'pending' | 'delivered' | 'dead'

export interface AlertDeliveryTable {
  id: Generated<number>
  event_id: number
  state: DeliveryState
  attempts: Generated<number>
  next_attempt_at: Timestamp
  last_status: number | null
  last_error: string | null
  delivered_at: Timestamp | null
}

export interface Database {
  symbol: SymbolTable
  top_coin_snapshot: TopCoinSnapshotTable
  tickerdata_1m: Tickerdata1mTable
  archive_file: ArchiveFileTable
  exchange_gap: ExchangeGapTable
  job_run: JobRunTable
  task_run: TaskRunTable
  candle: CandleTable
  indicator_value: IndicatorValueTable
  indicator_state: IndicatorStateTable
  alert_rule: AlertRuleTable
  alert_cursor: AlertCursorTable
  alert_event: AlertEventTable
  alert_delivery: AlertDeliveryTable
  api_token: ApiTokenTable
  event: EventTable
  task_log: TaskLogTable
}

export type SymbolRow = Selectable<SymbolTable>
export type NewSymbolRow = Insertable<SymbolTable>
export type CandleRow = Selectable<Tickerdata1mTable>
export type JobRunRow = Selectable<JobRunTable>
export type TaskRunRow = Selectable<TaskRunTable>
export type ArchiveFileRow = Selectable<ArchiveFileTable>
export type ExchangeGapRow = Selectable<ExchangeGapTable>
export type CandleBarRow = Selectable<CandleTable>
export type AlertRuleRow = Selectable<AlertRuleTable>
export type AlertEventRow = Selectable<AlertEventTable>
export type AlertDeliveryRow = Selectable<AlertDeliveryTable>
export type ApiTokenRow = Selectable<ApiTokenTable>

export type ApiTokenScope = 'read' | 'admin'

/** A token of the HTTP API; only the sha256 of the token is stored. */
export interface ApiTokenTable {
  id: Generated<number>
  name: string
  scope: ApiTokenScope
  /** sha256 of the token, hex. */
  hash: string
  created_at: Timestamp
  last_used_at: Timestamp | null
  revoked_at: Timestamp | null
}

export type EventType = 'run' | 'task' | 'candles' | 'alert'

/** One change pushed by GET /api/v1/stream, written by the triggers of migration 0007 at commit. */
export interface EventTable {
  id: Generated<number>
  type: EventType
  payload: Json
  created_at: Generated<Date>
}

export type EventRow = Selectable<EventTable>

export type TaskLogLevel = 'debug' | 'info' | 'warn' | 'error'

/** A log line of a task (its first 200 and last 300 are kept; see store/task-logs.ts). */
export interface TaskLogTable {
  task_run_id: number
  job_run_id: number
  /** The line's number in its task, from 0, counting the dropped lines too. */
  seq: number
  time: Timestamp
  level: TaskLogLevel
  message: string
  fields: Json
}
