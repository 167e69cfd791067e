import { writeCandles } from '../store/candles.js'
import { recordExchangeGaps } from '../store/gaps.js'
import { advanceLastUpdated, lastUpdatedAt, listLoadedSymbols } from '../store/symbols.js'
import { findMissingMinutes } from './historical-plan.js'
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
    await listLoadedSymbols(database.db, {
      inTopN: true,
      trading: true,
      only: options.symbols,
    }),
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
            const written = await writeCandles(tx, {
              symbol: plan.symbol,
              start: first.openTime,
              end: last.openTime + MINUTE,
              rows: page,
            })
            // REST is the last word: minutes it skips are exchange gaps.
            await recordExchangeGaps(tx.db, plan.symbol, missing, clock.now())
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
      const stopped = options.signal?.aborted === true
      if (plan.requests === 0) task.logger.info('already current: nothing to fetch')
      else {
        const stored = await lastUpdatedAt(database.db, plan.symbol)
        task.logger.info(stopped ? 'range fetched in part (stopped)' : 'range fetched', {
          from: new Date(plan.from).toISOString(),
          to: stored?.toISOString() ?? null,
          requests: tally.done,
          planned: plan.requests,
          rows: tally.rows,
          gaps,
        })
      }
      return {
        state: stopped ? 'interrupted' : 'succeeded',
        progress: { done: tally.done, total: plan.requests },
        details: { requests: plan.requests, gaps },
      }
    },
  )
  return withRunWarnings(database, result, warnings)
}
