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
  /** Why no pair is tracked: 'stablecoin', 'wrapped', 'staked', 'exclude-list', 'not-on-binance', 'not-trading'. */
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
}

/** One self-contained unit of a run: (job, symbol, params). */
export interface TaskRunTable {
  id: Generated<number>
  job_run_id: number
  job: JobName
  symbol: string
  params: Json
  state: TaskState
  attempts: Generated<number>
  started_at: Timestamp | null
  finished_at: Timestamp | null
  rows_written: Generated<number>
  progress: Json | null
  error: string | null
  error_code: string | null
}

export interface Database {
  symbol: SymbolTable
  top_coin_snapshot: TopCoinSnapshotTable
  tickerdata_1m: Tickerdata1mTable
  archive_file: ArchiveFileTable
  exchange_gap: ExchangeGapTable
  job_run: JobRunTable
  task_run: TaskRunTable
}

export type SymbolRow = Selectable<SymbolTable>
export type NewSymbolRow = Insertable<SymbolTable>
export type CandleRow = Selectable<Tickerdata1mTable>
export type JobRunRow = Selectable<JobRunTable>
export type TaskRunRow = Selectable<TaskRunTable>
export type ArchiveFileRow = Selectable<ArchiveFileTable>
export type ExchangeGapRow = Selectable<ExchangeGapTable>
