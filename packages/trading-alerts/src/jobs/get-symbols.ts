import type { CoingeckoAPI, CoinMarket, RejectedCoin } from '@trading-alerts/tickerdata'
import { sql } from 'kysely'
import {
  createTasks,
  describeError,
  finishJobRun,
  startJobRun,
  updateTask,
} from './run-bookkeeping.js'
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
  const taskIds = await createTasks(database.db, run.id, 'symbols', [{ symbol: '*', params }])
  const taskId = taskIds.get('*') ?? 0
  await updateTask(database.db, taskId, { state: 'running', attempts: 1, startedAt: clock.now() })
  options.onProgress?.({
    job: 'symbols',
    runId: run.id,
    symbol: '*',
    state: 'running',
    done: 0,
    total: 1,
    rows: 0,
  })

  try {
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
    const day = now.toISOString().slice(0, 10)
    const statusByPair = new Map(info.pairs.map((p) => [p.symbol, p.status]))
    const inTop = mapped.filter(
      (m) => m.pair !== null && (m.tracked || m.excludedReason === 'not-trading'),
    )
    const { added, dropped } = await database.writeTransaction(async (tx) => {
      const before = await tx.db.selectFrom('symbol').select(['symbol', 'in_top_n']).execute()
      const known = new Set(before.map((r) => r.symbol))
      for (const m of inTop) {
        const row = {
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
        }
        await tx.db
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
      const current = new Set(inTop.map((m) => m.pair ?? ''))
      const leaving = before
        .filter((r) => r.in_top_n && !current.has(r.symbol))
        .map((r) => r.symbol)
      for (const r of before) {
        if (current.has(r.symbol)) continue
        await tx.db
          .updateTable('symbol')
          .set({ in_top_n: false, status: statusByPair.get(r.symbol) ?? 'DELISTED' })
          .where('symbol', '=', r.symbol)
          .execute()
      }
      await tx.db.deleteFrom('top_coin_snapshot').where('day', '=', day).execute()
      if (mapped.length > 0) {
        await tx.db
          .insertInto('top_coin_snapshot')
          .values(
            mapped.map((m) => ({
              day,
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
          )
          .execute()
      }
      await sql`select 1`.execute(tx.db)
      return { added: [...current].filter((s) => !known.has(s)), dropped: leaving }
    })

    const tracked = mapped.filter((m) => m.tracked).length
    const badData = describeBadCoins(coins, rejected)
    if (badData.warnings.length > 0) {
      logger.warn('CoinGecko sent bad data for some coins', badData.details)
    }
    await updateTask(database.db, taskId, {
      state: 'succeeded',
      finishedAt: clock.now(),
      rows: mapped.length,
      progress: { coins: mapped.length, tracked, added, dropped, ...badData.details },
    })
    logger.info('symbols updated', {
      coins: mapped.length,
      tracked,
      added: added.length,
      dropped: dropped.length,
    })
    options.onProgress?.({
      job: 'symbols',
      runId: run.id,
      symbol: '*',
      state: 'succeeded',
      done: 1,
      total: 1,
      rows: mapped.length,
    })
    const result = await finishJobRun(
      database.db,
      run,
      [
        {
          symbol: '*',
          state: 'succeeded',
          rows: mapped.length,
          attempts: 1,
          details: { tracked, added, dropped, ...badData.details },
        },
      ],
      clock,
      false,
    )
    const warned = await withRunWarnings(database, result, badData.warnings)
    return { ...warned, coins: mapped, added, dropped }
  } catch (error) {
    const { message, code } = describeError(error)
    const interrupted = options.signal?.aborted === true
    await updateTask(database.db, taskId, {
      state: interrupted ? 'interrupted' : 'failed',
      finishedAt: clock.now(),
      error: message,
      errorCode: code,
    })
    logger.error('getSymbols failed', { error: message, code })
    options.onProgress?.({
      job: 'symbols',
      runId: run.id,
      symbol: '*',
      state: 'failed',
      done: 1,
      total: 1,
      rows: 0,
      error: message,
    })
    const result = await finishJobRun(
      database.db,
      run,
      [
        {
          symbol: '*',
          state: interrupted ? 'interrupted' : 'failed',
          rows: 0,
          attempts: 1,
          error: message,
          errorCode: code,
        },
      ],
      clock,
      interrupted,
      message,
    )
    return { ...result, coins: [], added: [], dropped: [] }
  }
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
