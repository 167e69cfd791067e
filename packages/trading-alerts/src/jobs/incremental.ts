import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import { findMissingMinutes } from './historical-plan.js'
import { advanceLastUpdated } from './historical.js'
import { runSymbolTasks, startJobRun } from './run-bookkeeping.js'
import { noSymbolsWarnings, withRunWarnings } from './run-warnings.js'
import type { CommonJobOptions, JobDeps, JobResult } from './types.js'

const MINUTE = 60_000

export interface IncrementalOptions extends CommonJobOptions {
  /** Only these symbols; default every tracked TRADING symbol that has been loaded once. */
  readonly symbols?: readonly string[]
}

export interface IncrementalPlan {
  readonly symbol: string
  /** First open time to fetch (the minute after last_updated_at). */
  readonly from: number
  /** Requests this symbol needs, at 1000 candles a request. */
  readonly requests: number
}

/** Pure: the requests each symbol needs from its last_updated_at to `now`, computed up front. */
export function planIncrementalRequests(
  symbols: readonly { symbol: string; lastUpdatedAt: Date }[],
  now: number,
): IncrementalPlan[] {
  return symbols.map(({ symbol, lastUpdatedAt }) => {
    const from = Math.floor(lastUpdatedAt.getTime() / MINUTE) * MINUTE + MINUTE
    // Closed candles only: the newest one that can be closed opens a minute before now's minute.
    const lastOpen = Math.floor(now / MINUTE) * MINUTE - MINUTE
    const candles = lastOpen >= from ? (lastOpen - from) / MINUTE + 1 : 0
    return { symbol, from, requests: Math.ceil(candles / 1000) }
  })
}

async function selectIncrementalSymbols(
  db: Kysely<Database>,
  only: readonly string[] | undefined,
): Promise<{ symbol: string; lastUpdatedAt: Date }[]> {
  let query = db
    .selectFrom('symbol')
    .select(['symbol', 'last_updated_at'])
    .where('in_top_n', '=', true)
    .where('status', '=', 'TRADING')
    .where('last_updated_at', 'is not', null)
    .orderBy('market_cap_rank')
    .orderBy('symbol')
  if (only !== undefined) query = query.where('symbol', 'in', only.length > 0 ? [...only] : [''])
  const rows = await query.execute()
  return rows.map((r) => ({ symbol: r.symbol, lastUpdatedAt: r.last_updated_at as Date }))
}

/**
 * incremental: each loaded symbol from its `last_updated_at` to now over REST. The requests are
 * counted up front; symbols run in parallel under the shared weight budget of the Binance client;
 * only closed candles are stored; each page is written in ONE transaction that also moves
 * `last_updated_at` forward. Symbols never loaded are the historical job's.
 */
export async function runIncremental(
  deps: JobDeps,
  options: IncrementalOptions = {},
): Promise<JobResult> {
  const { database, binance, clock, logger } = deps
  const now = clock.now().getTime()
  const plans = planIncrementalRequests(
    await selectIncrementalSymbols(database.db, options.symbols),
    now,
  )
  const totalRequests = plans.reduce((sum, p) => sum + p.requests, 0)
  const params = { totalRequests }
  const run = await startJobRun(database.db, 'incremental', params, clock, options.host)
  logger.info('incremental job started', {
    runId: run.id,
    symbols: plans.length,
    requests: totalRequests,
  })
  const warnings = await noSymbolsWarnings(deps, 'incremental')
  const result = await runSymbolTasks(
    deps,
    run,
    options,
    plans,
    (p) => ({ from: new Date(p.from).toISOString(), requests: p.requests }),
    async (plan, task) => {
      const { tally } = task
      tally.total = plan.requests
      let gaps = 0
      if (plan.requests > 0) {
        let previousOpen = plan.from - MINUTE
        // Up to the minute before now's: the candle of the current minute is still open.
        const lastClosedOpen = Math.floor(now / MINUTE) * MINUTE - MINUTE
        const pages = binance.iterateHistorical(plan.symbol, plan.from, lastClosedOpen, '1m', {
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        })
        for await (const fetched of pages) {
          const page = fetched.filter((k) => k.closeTime < now)
          const first = page[0]
          const last = page[page.length - 1]
          if (first === undefined || last === undefined) continue
          const missing = findMissingMinutes(
            page.map((k) => k.openTime),
            previousOpen,
          )
          tally.rows += await database.writeTransaction(async (tx) => {
            const written = await tx.replaceCandles({
              symbol: plan.symbol,
              start: first.openTime,
              end: last.openTime + MINUTE,
              rows: page,
            })
            // REST is the last word: minutes it skips are exchange gaps.
            for (const m of missing) {
              await tx.db
                .insertInto('exchange_gap')
                .values({
                  symbol: plan.symbol,
                  start_time: new Date(m.start),
                  end_time: new Date(m.end),
                  detected_at: clock.now(),
                })
                .onConflict((oc) => oc.columns(['symbol', 'start_time']).doNothing())
                .execute()
            }
            await advanceLastUpdated(tx.db, plan.symbol, last.closeTime)
            return written
          })
          gaps += missing.length
          previousOpen = last.openTime
          tally.done++
          task.report()
          if (options.signal?.aborted === true) break
        }
      }
      return {
        state: options.signal?.aborted === true ? 'interrupted' : 'succeeded',
        progress: { done: tally.done, total: plan.requests },
        details: { requests: plan.requests, gaps },
      }
    },
  )
  return withRunWarnings(database, result, warnings)
}
