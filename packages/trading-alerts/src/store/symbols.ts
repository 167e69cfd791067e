/**
 * The one writer of `symbol` (including `last_updated_at`, moved forward by the candle writers
 * through `advanceLastUpdated`) and `top_coin_snapshot`, and their reads.
 */
import { sql, type Insertable, type Kysely, type Selectable } from 'kysely'
import type { Database, NewSymbolRow, TopCoinSnapshotTable } from '../db/schema.js'

export type TopCoinSnapshotRow = Selectable<TopCoinSnapshotTable>
export type NewTopCoinSnapshotRow = Insertable<TopCoinSnapshotTable>

/** What getSymbols decided for a day: the pairs in the top N, and every top-N coin. */
export interface TopCoinsUpdate {
  readonly day: string
  readonly now: Date
  /** The pairs in the top N (upserted with in_top_n). */
  readonly inTop: readonly NewSymbolRow[]
  /** Binance's status of every listed pair, for the symbols leaving the top N. */
  readonly statusByPair: ReadonlyMap<string, string>
  /** The day's snapshot, replacing any earlier one of that day. */
  readonly snapshot: readonly NewTopCoinSnapshotRow[]
}

/**
 * Applies a getSymbols result (call it inside one write transaction): upserts the top-N pairs,
 * marks the others out of the top N with their Binance status (DELISTED when unlisted), and
 * replaces the day's snapshot. Returns the pairs new to the table and those leaving the top N.
 */
export async function applyTopCoins(
  db: Kysely<Database>,
  update: TopCoinsUpdate,
): Promise<{ added: string[]; dropped: string[] }> {
  const { now, day } = update
  const before = await db.selectFrom('symbol').select(['symbol', 'in_top_n']).execute()
  const known = new Set(before.map((r) => r.symbol))
  for (const row of update.inTop) {
    await db
      .insertInto('symbol')
      .values(row)
      .onConflict((oc) =>
        oc.column('symbol').doUpdateSet({
          coingecko_id: row.coingecko_id,
          name: row.name,
          market_cap_rank: row.market_cap_rank,
          market_cap_usd: row.market_cap_usd,
          in_top_n: true,
          status: row.status,
          last_seen_at: now,
        }),
      )
      .execute()
  }
  const current = new Set(update.inTop.map((r) => r.symbol))
  const dropped = before.filter((r) => r.in_top_n && !current.has(r.symbol)).map((r) => r.symbol)
  for (const r of before) {
    if (current.has(r.symbol)) continue
    await db
      .updateTable('symbol')
      .set({ in_top_n: false, status: update.statusByPair.get(r.symbol) ?? 'DELISTED' })
      .where('symbol', '=', r.symbol)
      .execute()
  }
  await db.deleteFrom('top_coin_snapshot').where('day', '=', day).execute()
  if (update.snapshot.length > 0) {
    await db
      .insertInto('top_coin_snapshot')
      .values([...update.snapshot])
      .execute()
  }
  await sql`select 1`.execute(db)
  return { added: [...current].filter((s) => !known.has(s)), dropped }
}

/** Moves `last_updated_at` forward to `closeTime`, never backwards. */
export async function advanceLastUpdated(
  db: Kysely<Database>,
  symbol: string,
  closeTime: number,
): Promise<void> {
  const at = new Date(closeTime)
  await db
    .updateTable('symbol')
    .set({ last_updated_at: at })
    .where('symbol', '=', symbol)
    .where((eb) => eb.or([eb('last_updated_at', 'is', null), eb('last_updated_at', '<', at)]))
    .execute()
}

/** A symbol's `last_updated_at` (null when never loaded or unknown). */
export async function lastUpdatedAt(db: Kysely<Database>, symbol: string): Promise<Date | null> {
  const row = await db
    .selectFrom('symbol')
    .select('last_updated_at')
    .where('symbol', '=', symbol)
    .executeTakeFirst()
  return row?.last_updated_at ?? null
}

/** Which loaded symbols (last_updated_at set) a job works on. */
export interface LoadedSymbolsFilter {
  /** Only those in the current top N. */
  readonly inTopN?: boolean
  /** Only TRADING pairs. */
  readonly trading?: boolean
  /** Only these symbols. */
  readonly only?: readonly string[] | undefined
  /** 'rank' (market cap rank, then symbol; the default) or 'symbol'. */
  readonly orderBy?: 'rank' | 'symbol'
}

/** The loaded symbols (those with `last_updated_at`) matching `filter`, with it. */
export async function listLoadedSymbols(
  db: Kysely<Database>,
  filter: LoadedSymbolsFilter = {},
): Promise<{ symbol: string; lastUpdatedAt: Date }[]> {
  let query = db
    .selectFrom('symbol')
    .select(['symbol', 'last_updated_at'])
    .where('last_updated_at', 'is not', null)
  if (filter.inTopN === true) query = query.where('in_top_n', '=', true)
  if (filter.trading === true) query = query.where('status', '=', 'TRADING')
  if (filter.only !== undefined) {
    query = query.where('symbol', 'in', filter.only.length > 0 ? [...filter.only] : [''])
  }
  query =
    filter.orderBy === 'symbol'
      ? query.orderBy('symbol')
      : query.orderBy('market_cap_rank').orderBy('symbol')
  const rows = await query.execute()
  return rows.map((r) => ({ symbol: r.symbol, lastUpdatedAt: r.last_updated_at as Date }))
}

/** Whether any symbol is tracked (in the top N and TRADING). */
export async function anySymbolTracked(db: Kysely<Database>): Promise<boolean> {
  const tracked = await db
    .selectFrom('symbol')
    .select('symbol')
    .where('in_top_n', '=', true)
    .where('status', '=', 'TRADING')
    .limit(1)
    .executeTakeFirst()
  return tracked !== undefined
}

/**
 * The historical job's selection (the seed's SQL): tracked TRADING symbols with no candle that
 * opens at or after `since`, plus every symbol with a recorded failed archive period, plus every
 * symbol whose last historical task did not succeed (stopped or killed mid-load: it has recent
 * rows, yet its history is incomplete). By market cap rank.
 */
export async function historicalCandidates(
  db: Kysely<Database>,
  since: Date,
  only?: readonly string[],
): Promise<string[]> {
  let query = db
    .selectFrom('symbol as s')
    .select('s.symbol')
    .where('s.in_top_n', '=', true)
    .where('s.status', '=', 'TRADING')
    .where((eb) =>
      eb.or([
        eb.not(
          eb.exists(
            eb
              .selectFrom('tickerdata_1m as t')
              .select(sql`1`.as('one'))
              .whereRef('t.symbol', '=', 's.symbol')
              .where('t.open_time', '>=', since),
          ),
        ),
        eb.exists(
          eb
            .selectFrom('archive_file as f')
            .select(sql`1`.as('one'))
            .whereRef('f.symbol', '=', 's.symbol')
            .where('f.state', '=', 'failed'),
        ),
        // A load that was stopped (killed, interrupted) has recent rows but is not complete.
        eb.exists(
          eb
            .selectFrom('task_run as t')
            .select(sql`1`.as('one'))
            .whereRef('t.symbol', '=', 's.symbol')
            .where('t.job', '=', 'historical')
            .where('t.state', '!=', 'succeeded')
            .where((inner) =>
              inner.not(
                inner.exists(
                  inner
                    .selectFrom('task_run as later')
                    .select(sql`1`.as('one'))
                    .whereRef('later.symbol', '=', 't.symbol')
                    .where('later.job', '=', 'historical')
                    .whereRef('later.id', '>', 't.id'),
                ),
              ),
            ),
        ),
      ]),
    )
    .orderBy('s.market_cap_rank')
    .orderBy('s.symbol')
  if (only !== undefined) query = query.where('s.symbol', 'in', only.length > 0 ? [...only] : [''])
  return (await query.execute()).map((r) => r.symbol)
}

/** Which of `names` are rows of the symbol table. */
export async function knownSymbols(
  db: Kysely<Database>,
  names: readonly string[],
): Promise<Set<string>> {
  if (names.length === 0) return new Set()
  const rows = await db.selectFrom('symbol').select('symbol').where('symbol', 'in', names).execute()
  return new Set(rows.map((r) => r.symbol))
}

/** The days with a top-N snapshot, oldest first (`YYYY-MM-DD`). */
export async function snapshotDays(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{
    day: string
  }>`select distinct day::text as day from top_coin_snapshot order by 1`.execute(db)
  return rows.map((r) => r.day)
}

/** One day's top-N snapshot (for the market rules and the API), by rank. */
export function topCoinSnapshot(db: Kysely<Database>, day: string): Promise<TopCoinSnapshotRow[]> {
  return db
    .selectFrom('top_coin_snapshot')
    .selectAll()
    .where('day', '=', day)
    .orderBy('rank')
    .orderBy('coingecko_id')
    .execute()
}

/** One symbol as readers (the HTTP API, dashboards) see it. */
export interface SymbolView {
  readonly symbol: string
  readonly baseAsset: string
  readonly quoteAsset: string
  readonly name: string | null
  readonly coingeckoId: string | null
  readonly marketCapRank: number | null
  readonly inTopN: boolean
  readonly status: string
  /** Open time of the oldest stored 1-minute candle, or null before any is loaded. */
  readonly firstOpenTime: Date | null
  readonly lastUpdatedAt: Date | null
}

/** Every symbol, by name, with its oldest stored minute (one primary-key probe per symbol). */
export async function listSymbols(db: Kysely<Database>): Promise<SymbolView[]> {
  const rows = await sql<{
    symbol: string
    base_asset: string
    quote_asset: string
    name: string | null
    coingecko_id: string | null
    market_cap_rank: number | null
    in_top_n: boolean
    status: string
    first_open_time: Date | null
    last_updated_at: Date | null
  }>`
    select s.symbol, s.base_asset, s.quote_asset, s.name, s.coingecko_id, s.market_cap_rank,
      s.in_top_n, s.status, s.last_updated_at,
      (select t.open_time from tickerdata_1m t where t.symbol = s.symbol
        order by t.open_time limit 1) as first_open_time
    from symbol s order by s.symbol
  `.execute(db)
  return rows.rows.map((r) => ({
    symbol: r.symbol,
    baseAsset: r.base_asset,
    quoteAsset: r.quote_asset,
    name: r.name,
    coingeckoId: r.coingecko_id,
    marketCapRank: r.market_cap_rank,
    inTopN: r.in_top_n,
    status: r.status,
    firstOpenTime: r.first_open_time === null ? null : new Date(r.first_open_time),
    lastUpdatedAt: r.last_updated_at === null ? null : new Date(r.last_updated_at),
  }))
}

/** One coin of a day's top-N snapshot. */
export interface TopCoinView {
  readonly rank: number | null
  readonly coingeckoId: string
  readonly coinSymbol: string
  readonly name: string
  readonly marketCapUsd: string | null
  readonly priceUsd: string | null
  readonly pair: string | null
  readonly excludedReason: string | null
}

/**
 * The top-N snapshot of `day` (`YYYY-MM-DD`), or of the latest day stored when `day` is
 * undefined; by rank (unranked last). Null when there is no snapshot for that day.
 */
export async function readTopSnapshot(
  db: Kysely<Database>,
  day?: string,
): Promise<{ day: string; data: TopCoinView[] } | null> {
  const chosen =
    day ??
    (
      await sql<{
        day: string | null
      }>`select to_char(max(day), 'YYYY-MM-DD') as day from top_coin_snapshot`.execute(db)
    ).rows[0]?.day ??
    null
  if (chosen === null) return null
  const rows = await db
    .selectFrom('top_coin_snapshot')
    .select([
      'rank',
      'coingecko_id',
      'coin_symbol',
      'name',
      'market_cap_usd',
      'price_usd',
      'pair',
      'excluded_reason',
    ])
    .where('day', '=', chosen)
    .orderBy(sql`rank asc nulls last`)
    .orderBy('coingecko_id')
    .execute()
  if (rows.length === 0) return null
  return {
    day: chosen,
    data: rows.map((r) => ({
      rank: r.rank,
      coingeckoId: r.coingecko_id,
      coinSymbol: r.coin_symbol,
      name: r.name,
      marketCapUsd: r.market_cap_usd,
      priceUsd: r.price_usd,
      pair: r.pair,
      excludedReason: r.excluded_reason,
    })),
  }
}

/** A row of the symbol table with its `last_updated_at`, or undefined for an unknown symbol. */
export async function findSymbol(
  db: Kysely<Database>,
  symbol: string,
): Promise<{ readonly lastUpdatedAt: Date | null } | undefined> {
  const row = await db
    .selectFrom('symbol')
    .select('last_updated_at')
    .where('symbol', '=', symbol)
    .executeTakeFirst()
  return row === undefined ? undefined : { lastUpdatedAt: row.last_updated_at }
}
