import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import { BUCKET_ORIGIN_MS, bucketStart, timeframeMs, type Timeframe } from './timeframes.js'

/**
 * End (exclusive) of the closed bars of `timeframe` for a symbol whose candles are complete up to
 * `lastUpdatedAt` (the close time of the newest candle with everything before it loaded): bars
 * that end at or before it are closed and final.
 */
export function closedBarsEnd(lastUpdatedAt: Date, timeframe: Timeframe): number {
  return bucketStart(lastUpdatedAt.getTime() + 1, timeframe)
}

/**
 * Resamples the symbol's 1-minute candles in [from, to) into `candle` bars of `timeframe`, exactly
 * and inside the database: open of the first minute, high max, low min, close of the last minute,
 * volumes, quote volumes and trades summed as numeric; `minutes` counts the candles found, so a bar
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
  const origin = new Date(BUCKET_ORIGIN_MS)
  const result = await sql`
    insert into candle (symbol, timeframe, open_time, open, high, low, close, volume, quote_volume,
      trades, taker_buy_base_volume, taker_buy_quote_volume, minutes, expected_minutes)
    select ${symbol}, ${timeframe}, b,
      (array_agg(open order by open_time))[1], max(high), min(low),
      (array_agg(close order by open_time desc))[1],
      sum(volume), sum(quote_volume), sum(trades), sum(taker_buy_base_volume),
      sum(taker_buy_quote_volume), count(*), ${size / 60_000}
    from (
      select date_bin(${`${size / 1000} seconds`}::interval, open_time, ${origin}::timestamptz) as b,
        open_time, open, high, low, close, volume, quote_volume, trades, taker_buy_base_volume,
        taker_buy_quote_volume
      from tickerdata_1m
      where symbol = ${symbol} and open_time >= ${new Date(from)} and open_time < ${new Date(to)}
    ) m
    group by b
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
  const newest = await db
    .selectFrom('candle')
    .select((eb) => eb.fn.max('open_time').as('t'))
    .where('symbol', '=', symbol)
    .where('timeframe', '=', timeframe)
    .executeTakeFirst()
  if (newest?.t != null) return new Date(newest.t).getTime() + timeframeMs(timeframe)
  const first = await db
    .selectFrom('tickerdata_1m')
    .select('open_time')
    .where('symbol', '=', symbol)
    .orderBy('open_time')
    .limit(1)
    .executeTakeFirst()
  return first === undefined ? undefined : bucketStart(first.open_time.getTime(), timeframe)
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

/**
 * Reads up to `limit` bars of (symbol, timeframe) with after < open_time < before, as float64:
 * `1m` from tickerdata_1m, others from candle.
 */
export async function readBars(
  db: Kysely<Database>,
  symbol: string,
  timeframe: Timeframe,
  after: number,
  before: number,
  limit: number,
): Promise<BarColumns> {
  const table = timeframe === '1m' ? sql`tickerdata_1m` : sql`candle`
  const tf = timeframe === '1m' ? sql`` : sql`and timeframe = ${timeframe}`
  const result = await sql<{
    t: number
    o: number
    h: number
    l: number
    c: number
    v: number
  }>`
    select (extract(epoch from open_time) * 1000)::float8 as t, open::float8 as o,
      high::float8 as h, low::float8 as l, close::float8 as c, volume::float8 as v
    from ${table}
    where symbol = ${symbol} ${tf}
      and open_time > ${new Date(after)} and open_time < ${new Date(before)}
    order by open_time
    limit ${limit}
  `.execute(db)
  const n = result.rows.length
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
    const r = result.rows[i] as { t: number; o: number; h: number; l: number; c: number; v: number }
    cols.openTime[i] = Number(r.t)
    cols.open[i] = Number(r.o)
    cols.high[i] = Number(r.h)
    cols.low[i] = Number(r.l)
    cols.close[i] = Number(r.c)
    cols.volume[i] = Number(r.v)
  }
  return cols
}
