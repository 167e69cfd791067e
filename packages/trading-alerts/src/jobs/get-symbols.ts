import type { CoingeckoAPI, CoinMarket, RejectedCoin } from '@trading-alerts/tickerdata'
import { applyTopCoins } from '../store/symbols.js'
import { runJobTasks, startJobRun } from './run-bookkeeping.js'
import {
  DEFAULT_EXCLUDED_CATEGORIES,
  mapTopCoinsToPairs,
  type ExclusionReason,
  type MappedCoin,
} from './symbols-plan.js'
import { withRunWarnings } from './run-warnings.js'
import type { CommonJobOptions, JobDeps, JobResult } from './types.js'

export interface GetSymbolsDeps extends JobDeps {
  readonly coingecko: CoingeckoAPI
}

export interface GetSymbolsOptions extends CommonJobOptions {
  /** How many coins by market cap to keep; default 100. */
  readonly topN?: number
  /** Quote asset of the tracked pairs; default 'USDT'. */
  readonly quoteAsset?: string
  /** CoinGecko categories never tracked (category → reason); default DEFAULT_EXCLUDED_CATEGORIES. */
  readonly excludedCategories?: Readonly<Record<string, ExclusionReason>>
  /** CoinGecko ids or tickers never tracked. */
  readonly excludeList?: readonly string[]
}

export interface GetSymbolsResult extends JobResult {
  readonly coins: readonly MappedCoin[]
  readonly added: readonly string[]
  readonly dropped: readonly string[]
}

/**
 * getSymbols: CoinGecko's top N by market cap, mapped to the Binance pairs exchangeInfo lists;
 * upserts `symbol` (in_top_n, status) and writes the day's `top_coin_snapshot` of every top-N
 * coin, with its pair or the reason it has none — all in one transaction.
 */
export async function getSymbols(
  deps: GetSymbolsDeps,
  options: GetSymbolsOptions = {},
): Promise<GetSymbolsResult> {
  const { database, binance, coingecko, clock, logger } = deps
  const topN = options.topN ?? 100
  const quoteAsset = options.quoteAsset ?? 'USDT'
  const categories = options.excludedCategories ?? DEFAULT_EXCLUDED_CATEGORIES
  const signal = options.signal === undefined ? {} : { signal: options.signal }
  const params = { topN, quoteAsset, excludeList: options.excludeList ?? [] }
  const run = await startJobRun(database.db, 'symbols', params, clock, options.host)
  let found: { coins: MappedCoin[]; added: string[]; dropped: string[] } | undefined
  let warnings: string[] = []

  // The whole job is one task (kind 'job'), on the scaffold every job runs on.
  const result = await runJobTasks(deps, run, options, {
    items: [params],
    taskOf: () => ({ kind: 'job', key: 'symbols', params }),
    work: async (_item, task) => {
      task.tally.total = 1
      task.report()
      const { coins, rejected } = await coingecko.getTopCoinsReport(topN, 'usd', signal)
      const excludedByCategory = new Map<string, ExclusionReason>()
      for (const [category, reason] of Object.entries(categories)) {
        const members = await coingecko.getTopCoins(250, 'usd', { category, ...signal })
        for (const m of members)
          if (!excludedByCategory.has(m.id)) excludedByCategory.set(m.id, reason)
      }
      const info = await binance.getExchangeInfo(signal)
      const mapped = mapTopCoinsToPairs(coins, info.pairs, {
        quoteAsset,
        excludedByCategory,
        ...(options.excludeList === undefined ? {} : { excludeList: options.excludeList }),
      })

      const now = clock.now()
      const inTop = mapped.filter(
        (m) => m.pair !== null && (m.tracked || m.excludedReason === 'not-trading'),
      )
      const { added, dropped } = await database.writeTransaction((tx) =>
        applyTopCoins(tx.db, {
          day: now.toISOString().slice(0, 10),
          now,
          statusByPair: new Map(info.pairs.map((p) => [p.symbol, p.status])),
          inTop: inTop.map((m) => ({
            symbol: m.pair ?? '',
            base_asset: m.baseAsset ?? '',
            quote_asset: m.quoteAsset ?? quoteAsset,
            coingecko_id: m.coin.id,
            name: m.coin.name,
            market_cap_rank: m.coin.marketCapRank,
            market_cap_usd: m.coin.marketCap,
            in_top_n: true,
            status: m.pairStatus ?? 'UNKNOWN',
            first_seen_at: now,
            last_seen_at: now,
          })),
          snapshot: mapped.map((m) => ({
            day: now.toISOString().slice(0, 10),
            coingecko_id: m.coin.id,
            rank: m.coin.marketCapRank,
            coin_symbol: m.coin.symbol,
            name: m.coin.name,
            market_cap_usd: m.coin.marketCap,
            price_usd: m.coin.currentPrice,
            volume_usd: m.coin.totalVolume,
            pair: m.pair,
            excluded_reason: m.excludedReason,
          })),
        }),
      )

      const tracked = mapped.filter((m) => m.tracked).length
      const badData = describeBadCoins(coins, rejected)
      if (badData.warnings.length > 0) {
        logger.warn('CoinGecko sent bad data for some coins', badData.details)
      }
      warnings = badData.warnings
      found = { coins: mapped, added, dropped }
      logger.info('symbols updated', {
        coins: mapped.length,
        tracked,
        added: added.length,
        dropped: dropped.length,
      })
      task.tally.rows = mapped.length
      task.tally.done = 1
      return {
        state: 'succeeded',
        progress: { coins: mapped.length, tracked, added, dropped, ...badData.details },
        details: { tracked, added, dropped, ...badData.details },
      }
    },
  })
  if (found === undefined) return { ...result, coins: [], added: [], dropped: [] }
  const warned = await withRunWarnings(database, result, warnings)
  return { ...warned, ...found }
}

/**
 * The coins CoinGecko sent bad data for, as kept in the task: those cleaned (text, numbers set to
 * null), those invalid (in the snapshot as 'invalid-data'), and those left out (no usable id).
 */
function describeBadCoins(
  coins: readonly CoinMarket[],
  rejected: readonly RejectedCoin[],
): { warnings: string[]; details: Record<string, unknown> } {
  const withProblems = coins.filter((c) => c.problems.length > 0)
  const invalid = withProblems.filter((c) => c.problems.some((p) => p.action === 'invalid'))
  const warnings: string[] = []
  if (withProblems.length > invalid.length) {
    warnings.push(`${withProblems.length - invalid.length} coin(s) with bad fields, cleaned`)
  }
  if (invalid.length > 0) {
    warnings.push(`${invalid.length} coin(s) with invalid data, kept untracked`)
  }
  if (rejected.length > 0) warnings.push(`${rejected.length} coin(s) left out: no usable id`)
  const details: Record<string, unknown> = {}
  if (withProblems.length > 0) {
    details.problems = withProblems.map((c) => ({
      id: c.id,
      problems: c.problems.map((p) => `${p.field}: ${p.problem} (${p.action})`),
    }))
  }
  if (rejected.length > 0) details.rejected = rejected
  return { warnings, details }
}
