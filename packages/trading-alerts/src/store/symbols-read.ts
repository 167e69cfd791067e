import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/schema.js'

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
