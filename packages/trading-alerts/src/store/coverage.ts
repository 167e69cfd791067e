/**
 * The read behind GET /api/v1/market/coverage: owner of no table; how complete and how recent each
 * symbol's 1-minute data is, from `symbol`, `tickerdata_1m` (the counts of `metrics.ts`) and the
 * gaps of `gaps.ts`.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import { gapCountsBySymbol } from './gaps.js'
import { symbolRowCounts, type SymbolRowCount } from './metrics.js'
import { listSymbols } from './symbols.js'

const MINUTE = 60_000

/** One symbol's coverage at a given "now". */
export interface SymbolCoverage {
  readonly symbol: string
  /** Open time of its oldest stored minute; null before any is stored. */
  readonly firstOpenTime: Date | null
  readonly lastUpdatedAt: Date | null
  /** Seconds from `lastUpdatedAt` to now (never negative); null before any data. */
  readonly lagSeconds: number | null
  /** The closed minutes from `firstOpenTime` to now (0 before any data). */
  readonly expectedMinutes: number
  /** The stored 1-minute candles (an exact count). */
  readonly storedMinutes: number
  /** `storedMinutes / expectedMinutes`, at most 1; null while nothing is expected. */
  readonly completeness: number | null
  /** Recorded exchange gaps plus failed archive files (the entries of GET /api/v1/gaps). */
  readonly gaps: number
}

/**
 * Every symbol's coverage at `now`, by symbol. `rowCounts` are `symbolRowCounts(db)` (counted here
 * when not given: an exact count over the candle table, so callers may cache it).
 */
export async function symbolCoverage(
  db: Kysely<Database>,
  now: Date,
  rowCounts?: readonly SymbolRowCount[],
): Promise<SymbolCoverage[]> {
  const [symbols, counts, gaps] = await Promise.all([
    listSymbols(db),
    rowCounts === undefined ? symbolRowCounts(db) : Promise.resolve(rowCounts),
    gapCountsBySymbol(db),
  ])
  const rows = new Map(counts.map((c) => [c.symbol, c.rows]))
  const t = now.getTime()
  return symbols.map((s) => {
    const stored = rows.get(s.symbol) ?? 0
    const expected =
      s.firstOpenTime === null
        ? 0
        : Math.max(0, Math.floor((t - s.firstOpenTime.getTime()) / MINUTE))
    return {
      symbol: s.symbol,
      firstOpenTime: s.firstOpenTime,
      lastUpdatedAt: s.lastUpdatedAt,
      lagSeconds:
        s.lastUpdatedAt === null ? null : Math.max(0, (t - s.lastUpdatedAt.getTime()) / 1000),
      expectedMinutes: expected,
      storedMinutes: stored,
      completeness: expected === 0 ? null : Math.min(1, stored / expected),
      gaps: gaps.get(s.symbol) ?? 0,
    }
  })
}
