/**
 * The one writer of `tickerdata_1m` (through the COPY path of the write transaction,
 * `tx.replaceCandles`, called here only) and `candle` (the ONE resample SQL), and the ONE bar
 * reader the indicators, the alerts and test-rule use.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely'
import type { CandleBatch, WriteTransaction } from '../db/database.js'
import type { CandleBarRow, CandleRow, Database } from '../db/schema.js'
import {
  BUCKET_ORIGIN_MS,
  bucketStart,
  timeframeMs,
  type Timeframe,
} from '../indicators/timeframes.js'
import { closedBarsEnd } from '../indicators/resample.js'

/**
 * Replaces a symbol's candles in [start, end) by `batch.rows`, COPYed in (the hot path: no per-row
 * work is added here). Inside the caller's write transaction. Returns the rows written.
 */
export function writeCandles(tx: WriteTransaction, batch: CandleBatch): Promise<number> {
  return tx.replaceCandles(batch)
}

/** The first and last open time stored for a symbol in [start, end), or null. */
export async function storedCandleRange(
  db: Kysely<Database>,
  symbol: string,
  start: number,
  end: number,
): Promise<{ first: number | null; last: number | null }> {
  const stored = await db
    .selectFrom('tickerdata_1m')
    .select((eb) => [eb.fn.min('open_time').as('first'), eb.fn.max('open_time').as('last')])
    .where('symbol', '=', symbol)
    .where('open_time', '>=', new Date(start))
    .where('open_time', '<', new Date(end))
    .executeTakeFirst()
  const time = (t: Date | string | null | undefined) => (t == null ? null : new Date(t).getTime())
  return { first: time(stored?.first), last: time(stored?.last) }
}

/** The open time of a symbol's newest stored candle (before `before`, when given). */
export async function newestCandleOpen(
  db: Kysely<Database>,
  symbol: string,
  before?: number,
): Promise<number | undefined> {
  let query = db
    .selectFrom('tickerdata_1m')
    .select((eb) => eb.fn.max('open_time').as('last'))
    .where('symbol', '=', symbol)
  if (before !== undefined) query = query.where('open_time', '<', new Date(before))
  const newest = await query.executeTakeFirst()
  return newest?.last == null ? undefined : new Date(newest.last).getTime()
}

/** A symbol's 1-minute candles with from <= open_time < to, as stored (for the API). */
export function listCandles(
  db: Kysely<Database>,
  symbol: string,
  from: number,
  to: number,
  limit = 10_000,
): Promise<CandleRow[]> {
  return db
    .selectFrom('tickerdata_1m')
    .selectAll()
    .where('symbol', '=', symbol)
    .where('open_time', '>=', new Date(from))
    .where('open_time', '<', new Date(to))
    .orderBy('open_time')
    .limit(limit)
    .execute()
}

/** A symbol's stored bars of `timeframe` with from <= open_time < to (for the API). */
export function listBars(
  db: Kysely<Database>,
  symbol: string,
  timeframe: Timeframe,
  from: number,
  to: number,
  limit = 10_000,
): Promise<CandleBarRow[]> {
  return db
    .selectFrom('candle')
    .selectAll()
    .where('symbol', '=', symbol)
    .where('timeframe', '=', timeframe)
    .where('open_time', '>=', new Date(from))
    .where('open_time', '<', new Date(to))
    .orderBy('open_time')
    .limit(limit)
    .execute()
}

/**
 * THE resample: a symbol's 1-minute candles in [from, to) grouped into bars of `size` ms, exactly
 * and inside the database: open of the first minute, high max, low min, close of the last minute,
 * volumes, quote volumes and trades summed as numeric, `minutes` the candles found. Columns named
 * as in `candle`.
 */
function resampled(symbol: string, size: number, from: number | undefined, to: number) {
  const lower = from === undefined ? sql`` : sql`and open_time >= ${new Date(from)}`
  return sql`
    select b as open_time,
      (array_agg(open order by open_time))[1] as open, max(high) as high, min(low) as low,
      (array_agg(close order by open_time desc))[1] as close,
      sum(volume) as volume, sum(quote_volume) as quote_volume, sum(trades) as trades,
      sum(taker_buy_base_volume) as taker_buy_base_volume,
      sum(taker_buy_quote_volume) as taker_buy_quote_volume, count(*) as minutes
    from (
      select date_bin(${`${size / 1000} seconds`}::interval, open_time,
          ${new Date(BUCKET_ORIGIN_MS)}::timestamptz) as b,
        open_time, open, high, low, close, volume, quote_volume, trades, taker_buy_base_volume,
        taker_buy_quote_volume
      from tickerdata_1m
      where symbol = ${symbol} ${lower} and open_time < ${new Date(to)}
    ) m
    group by b`
}

/**
 * Resamples the symbol's 1-minute candles in [from, to) into `candle` bars of `timeframe`; a bar
 * with holes is visible as `minutes < expected_minutes`. Existing bars are kept (closed bars are
 * final). Returns the bars written.
 */
export async function resampleCandles(
  db: Kysely<Database>,
  symbol: string,
  timeframe: Timeframe,
  from: number,
  to: number,
): Promise<number> {
  if (to <= from) return 0
  const size = timeframeMs(timeframe)
  const result = await sql`
    insert into candle (symbol, timeframe, open_time, open, high, low, close, volume, quote_volume,
      trades, taker_buy_base_volume, taker_buy_quote_volume, minutes, expected_minutes)
    select ${symbol}, ${timeframe}, r.open_time, r.open, r.high, r.low, r.close, r.volume,
      r.quote_volume, r.trades, r.taker_buy_base_volume, r.taker_buy_quote_volume, r.minutes,
      ${size / 60_000}
    from (${resampled(symbol, size, from, to)}) r
    on conflict (symbol, timeframe, open_time) do nothing
  `.execute(db)
  return Number(result.numAffectedRows ?? 0)
}

/** Where resampling of a symbol resumes: after its newest bar, or at its first candle's bar. */
export async function resampleStart(
  db: Kysely<Database>,
  symbol: string,
  timeframe: Timeframe,
): Promise<number | undefined> {
  const newest = await newestBarOpen(db, symbol, timeframe)
  if (newest !== undefined) return newest + timeframeMs(timeframe)
  const first = await db
    .selectFrom('tickerdata_1m')
    .select('open_time')
    .where('symbol', '=', symbol)
    .orderBy('open_time')
    .limit(1)
    .executeTakeFirst()
  return first === undefined ? undefined : bucketStart(first.open_time.getTime(), timeframe)
}

/** The open time of the newest stored bar of (symbol, timeframe) in `candle`. */
export async function newestBarOpen(
  db: Kysely<Database>,
  symbol: string,
  timeframe: Timeframe,
): Promise<number | undefined> {
  const newest = await db
    .selectFrom('candle')
    .select((eb) => eb.fn.max('open_time').as('t'))
    .where('symbol', '=', symbol)
    .where('timeframe', '=', timeframe)
    .executeTakeFirst()
  return newest?.t == null ? undefined : new Date(newest.t).getTime()
}

/** Bars as float64 columns, in time order. */
export interface BarColumns {
  readonly openTime: Float64Array
  readonly open: Float64Array
  readonly high: Float64Array
  readonly low: Float64Array
  readonly close: Float64Array
  readonly volume: Float64Array
  readonly length: number
}

interface BarRow {
  t: number
  o: number
  h: number
  l: number
  c: number
  v: number
}

/** The stored bars of (symbol, timeframe): `1m` in tickerdata_1m, the others in candle. */
function storedBars(symbol: string, timeframe: Timeframe): RawBuilder<unknown> {
  return timeframe === '1m'
    ? sql`tickerdata_1m where symbol = ${symbol}`
    : sql`candle where symbol = ${symbol} and timeframe = ${timeframe}`
}

/** THE bar reader: bars of `source` matching `range`, as float64 columns in time order. */
async function selectBars(
  db: Kysely<Database>,
  source: RawBuilder<unknown>,
  range: RawBuilder<unknown>,
  newestFirst: boolean,
  limit: number | undefined,
): Promise<BarColumns> {
  const result = await sql<BarRow>`
    select (extract(epoch from open_time) * 1000)::float8 as t, open::float8 as o,
      high::float8 as h, low::float8 as l, close::float8 as c, volume::float8 as v
    from ${source} and ${range}
    order by open_time ${newestFirst ? sql`desc` : sql`asc`}
    ${limit === undefined ? sql`` : sql`limit ${limit}`}
  `.execute(db)
  const rows = newestFirst ? result.rows.reverse() : result.rows
  const n = rows.length
  const cols = {
    openTime: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
    length: n,
  }
  for (let i = 0; i < n; i++) {
    const r = rows[i] as BarRow
    cols.openTime[i] = Number(r.t)
    cols.open[i] = Number(r.o)
    cols.high[i] = Number(r.h)
    cols.low[i] = Number(r.l)
    cols.close[i] = Number(r.c)
    cols.volume[i] = Number(r.v)
  }
  return cols
}

/**
 * Reads up to `limit` bars of (symbol, timeframe) with after < open_time < before, as float64:
 * `1m` from tickerdata_1m, others from candle.
 */
export function readBars(
  db: Kysely<Database>,
  symbol: string,
  timeframe: Timeframe,
  after: number,
  before: number,
  limit?: number,
): Promise<BarColumns> {
  return selectBars(
    db,
    storedBars(symbol, timeframe),
    sql`open_time > ${new Date(after)} and open_time < ${new Date(before)}`,
    false,
    limit,
  )
}

/** The newest `count` stored bars of (symbol, timeframe) opening at or before `atOrBefore`. */
export function readBarsUpTo(
  db: Kysely<Database>,
  symbol: string,
  timeframe: Timeframe,
  atOrBefore: number,
  count: number,
): Promise<BarColumns> {
  return selectBars(
    db,
    storedBars(symbol, timeframe),
    sql`open_time <= ${new Date(atOrBefore)}`,
    true,
    count,
  )
}

/**
 * Every bar of `timeframe` a symbol's 1-minute candles before `before` make, resampled on the fly
 * (nothing written) by the same SQL as `resampleCandles`.
 */
export function readResampledBars(
  db: Kysely<Database>,
  symbol: string,
  timeframe: Timeframe,
  before: number,
): Promise<BarColumns> {
  const source = sql`(${resampled(symbol, timeframeMs(timeframe), undefined, before)}) r where true`
  return selectBars(db, source, sql`true`, false, undefined)
}

/** One bar of any timeframe as the API answers it: decimals as PostgreSQL's numeric text. */
export interface CandleBarView {
  readonly openTime: Date
  readonly open: string
  readonly high: string
  readonly low: string
  readonly close: string
  readonly volume: string
  readonly quoteVolume: string | null
  readonly trades: number | null
  readonly takerBuyBaseVolume: string | null
  readonly takerBuyQuoteVolume: string | null
  /** 1-minute candles the bar was built from; below `expectedMinutes` the bar has holes. */
  readonly minutes: number
  readonly expectedMinutes: number
}

/** Which bars `readCandleBars` reads: open times in [from, to), closed at `closedThrough`. */
export interface CandleBarQuery {
  /** Inclusive lower bound on the bar's open time (need not be on a bar boundary). */
  readonly from?: number | undefined
  /** Exclusive upper bound on the bar's open time (need not be on a bar boundary). */
  readonly to?: number | undefined
  /** The symbol's `last_updated_at`: a bar is closed when all its minutes are at or before it. */
  readonly closedThrough: number
  readonly limit: number
}

interface ResampledRow {
  open_time: Date | string
  open: string
  high: string
  low: string
  close: string
  volume: string
  quote_volume: string | null
  trades: string | number | null
  taker_buy_base_volume: string | null
  taker_buy_quote_volume: string | null
  minutes: string | number
}

/** The bars' SELECT of `readCandleBars` (undefined when the range holds no closed bar). */
function barSource(symbol: string, timeframe: Timeframe, query: CandleBarQuery) {
  const size = timeframeMs(timeframe)
  const ceil = (ms: number) => {
    const b = bucketStart(ms, timeframe)
    return b === ms ? ms : b + size
  }
  // Bars opening before `to` are made of minutes before ceil(to); closed ones of minutes before
  // the bucket holding the minute after `closedThrough`.
  let end = closedBarsEnd(new Date(query.closedThrough), timeframe)
  if (query.to !== undefined) end = Math.min(end, ceil(query.to))
  const start = query.from === undefined ? undefined : ceil(query.from)
  if (start !== undefined && end <= start) return undefined
  // 1m bars are the stored candles: read them straight (the same values the grouping gives, a
  // bar of one minute each).
  return size === 60_000
    ? sql`
        select open_time, open, high, low, close, volume, quote_volume, trades,
          taker_buy_base_volume, taker_buy_quote_volume, 1 as minutes
        from tickerdata_1m
        where symbol = ${symbol}
          ${start === undefined ? sql`` : sql`and open_time >= ${new Date(start)}`}
          and open_time < ${new Date(end)}`
    : resampled(symbol, size, start, end)
}

/**
 * The bars of `readCandleBars` as CSV lines, formatted by the database (ISO 8601 open time, the
 * decimals' own text, empty fields for nulls) in the order `openTime, open, high, low, close,
 * volume, quoteVolume, trades, takerBuyBaseVolume, takerBuyQuoteVolume, minutes,
 * expectedMinutes`, with each line's open time in ms for the next batch's keyset. Formatting in
 * SQL rather than in JavaScript is what brings an export near `psql \copy` (see the API's
 * BENCHMARKS.md).
 */
export async function readCandleCsvLines(
  db: Kysely<Database>,
  symbol: string,
  timeframe: Timeframe,
  query: CandleBarQuery,
): Promise<{ readonly lines: string[]; readonly lastOpenMs: number | undefined }> {
  const source = barSource(symbol, timeframe, query)
  if (source === undefined) return { lines: [], lastOpenMs: undefined }
  const expected = timeframeMs(timeframe) / 60_000
  const result = await sql<{ line: string; ms: string | number }>`
    select concat_ws(',',
        to_char(open_time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        open, high, low, close, volume, coalesce(quote_volume::text, ''),
        coalesce(trades::text, ''), coalesce(taker_buy_base_volume::text, ''),
        coalesce(taker_buy_quote_volume::text, ''), minutes, ${expected}::int) as line,
      floor(extract(epoch from open_time) * 1000) as ms
    from (${source}) r
    order by open_time limit ${query.limit}
  `.execute(db)
  const last = result.rows[result.rows.length - 1]
  return {
    lines: result.rows.map((r) => r.line),
    lastOpenMs: last === undefined ? undefined : Number(last.ms),
  }
}

/**
 * Up to `limit` closed bars of `timeframe` of a symbol, oldest first, resampled on the fly from
 * tickerdata_1m by THE resample (the same SQL `resampleCandles` stores), whether or not `candle`
 * holds them; `1m` is the stored candles themselves. A period without any minute has no bar.
 */
export async function readCandleBars(
  db: Kysely<Database>,
  symbol: string,
  timeframe: Timeframe,
  query: CandleBarQuery,
): Promise<CandleBarView[]> {
  const size = timeframeMs(timeframe)
  const source = barSource(symbol, timeframe, query)
  if (source === undefined) return []
  const result = await sql<ResampledRow>`
    select * from (${source}) r
    order by open_time limit ${query.limit}
  `.execute(db)
  return result.rows.map((r) => ({
    openTime: new Date(r.open_time),
    open: r.open,
    high: r.high,
    low: r.low,
    close: r.close,
    volume: r.volume,
    quoteVolume: r.quote_volume,
    trades: r.trades == null ? null : Number(r.trades),
    takerBuyBaseVolume: r.taker_buy_base_volume,
    takerBuyQuoteVolume: r.taker_buy_quote_volume,
    minutes: Number(r.minutes),
    expectedMinutes: size / 60_000,
  }))
}
