/** The one writer of `exchange_gap` and `archive_file`, and their reads. */
import type { Kysely } from 'kysely'
import type { ArchiveFileRow, Database, ExchangeGapRow } from '../db/schema.js'

/** A range of minutes [start, end) in epoch ms. */
export interface MinuteRange {
  readonly start: number
  readonly end: number
}

/** Records minutes the exchange has no candles for (never asked for again); known ones are kept. */
export async function recordExchangeGaps(
  db: Kysely<Database>,
  symbol: string,
  gaps: readonly MinuteRange[],
  detectedAt: Date,
): Promise<void> {
  for (const m of gaps) {
    await db
      .insertInto('exchange_gap')
      .values({
        symbol,
        start_time: new Date(m.start),
        end_time: new Date(m.end),
        detected_at: detectedAt,
      })
      .onConflict((oc) => oc.columns(['symbol', 'start_time']).doNothing())
      .execute()
  }
}

/** Whether an exchange gap starting at `start` is recorded for the symbol. */
export async function isKnownGap(
  db: Kysely<Database>,
  symbol: string,
  start: number,
): Promise<boolean> {
  const known = await db
    .selectFrom('exchange_gap')
    .select('start_time')
    .where('symbol', '=', symbol)
    .where('start_time', '=', new Date(start))
    .executeTakeFirst()
  return known !== undefined
}

/** The recorded exchange gaps (of one symbol, when given), by symbol and start. */
export function listExchangeGaps(
  db: Kysely<Database>,
  options: { readonly symbol?: string } = {},
): Promise<ExchangeGapRow[]> {
  let query = db.selectFrom('exchange_gap').selectAll()
  if (options.symbol !== undefined) query = query.where('symbol', '=', options.symbol)
  return query.orderBy('symbol').orderBy('start_time').execute()
}

/** An archive file's outcome, as the historical job records it. */
export interface ArchiveFileRecord {
  readonly symbol: string
  readonly interval: string
  /** `YYYY-MM` (monthly) or `YYYY-MM-DD` (daily). */
  readonly period: { readonly kind: 'monthly' | 'daily'; readonly period: string }
  readonly url: string
  readonly sha256: string | null
  readonly rows: number
  readonly state: 'loaded' | 'failed'
  readonly error: string | null
  readonly attempts: number
  readonly at: Date
}

/** Upserts an archive_file row (inside the file's transaction). */
export async function recordArchiveFile(db: Kysely<Database>, f: ArchiveFileRecord): Promise<void> {
  const values = {
    symbol: f.symbol,
    interval: f.interval,
    period_kind: f.period.kind,
    period: f.period.period,
    url: f.url,
    sha256: f.sha256,
    rows: f.rows,
    state: f.state,
    error: f.error,
    attempts: f.attempts,
    loaded_at: f.at,
  }
  await db
    .insertInto('archive_file')
    .values(values)
    .onConflict((oc) =>
      oc.columns(['symbol', 'interval', 'period_kind', 'period']).doUpdateSet({
        url: values.url,
        sha256: values.sha256,
        rows: values.rows,
        state: values.state,
        error: values.error,
        attempts: values.attempts,
        loaded_at: values.loaded_at,
      }),
    )
    .execute()
}

/** Removes the daily files of `month` (`YYYY-MM`): its monthly file supersedes them. */
export async function removeDailyFilesOf(
  db: Kysely<Database>,
  symbol: string,
  month: string,
): Promise<void> {
  await db
    .deleteFrom('archive_file')
    .where('symbol', '=', symbol)
    .where('period_kind', '=', 'daily')
    .where('period', 'like', `${month}-%`)
    .execute()
}

/** The archive files recorded for a symbol and interval. */
export function listArchiveFiles(
  db: Kysely<Database>,
  symbol: string,
  interval: string,
): Promise<ArchiveFileRow[]> {
  return db
    .selectFrom('archive_file')
    .selectAll()
    .where('symbol', '=', symbol)
    .where('interval', '=', interval)
    .execute()
}

/** The failed archive files (of one symbol, when given), by symbol and period. */
export function listFailedArchiveFiles(
  db: Kysely<Database>,
  options: { readonly symbol?: string } = {},
): Promise<ArchiveFileRow[]> {
  let query = db.selectFrom('archive_file').selectAll().where('state', '=', 'failed')
  if (options.symbol !== undefined) query = query.where('symbol', '=', options.symbol)
  return query.orderBy('symbol').orderBy('period').execute()
}

/**
 * The gaps of each symbol that has any, as GET /api/v1/gaps lists them: its recorded exchange gaps
 * plus its failed archive files.
 */
export async function gapCountsBySymbol(db: Kysely<Database>): Promise<Map<string, number>> {
  const [exchange, failed] = await Promise.all([
    db
      .selectFrom('exchange_gap')
      .select(['symbol', (eb) => eb.fn.countAll().as('n')])
      .groupBy('symbol')
      .execute(),
    db
      .selectFrom('archive_file')
      .select(['symbol', (eb) => eb.fn.countAll().as('n')])
      .where('state', '=', 'failed')
      .groupBy('symbol')
      .execute(),
  ])
  const out = new Map<string, number>()
  for (const r of [...exchange, ...failed])
    out.set(r.symbol, (out.get(r.symbol) ?? 0) + Number(r.n))
  return out
}
