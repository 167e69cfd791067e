import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import { findMissingMinutes } from './historical-plan.js'
import { advanceLastUpdated } from './historical.js'
import {
  createTasks,
  describeError,
  finishJobRun,
  runPool,
  startJobRun,
  updateTask,
} from './run-bookkeeping.js'
import type { CommonJobOptions, JobDeps, JobResult, TaskResult } from './types.js'

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
  const taskIds = await createTasks(
    database.db,
    run.id,
    'incremental',
    plans.map((p) => ({
      symbol: p.symbol,
      params: { from: new Date(p.from).toISOString(), requests: p.requests },
    })),
  )
  logger.info('incremental job started', {
    runId: run.id,
    symbols: plans.length,
    requests: totalRequests,
  })
  const results: TaskResult[] = []

  await runPool(
    plans,
    options.concurrency ?? 4,
    async (plan) => {
      const taskId = taskIds.get(plan.symbol) ?? 0
      await updateTask(database.db, taskId, {
        state: 'running',
        attempts: 1,
        startedAt: clock.now(),
      })
      let rows = 0
      let done = 0
      let gaps = 0
      try {
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
            rows += await database.writeTransaction(async (tx) => {
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
            done++
            options.onProgress?.({
              job: 'incremental',
              runId: run.id,
              symbol: plan.symbol,
              state: 'running',
              done,
              total: plan.requests,
              rows,
            })
            if (options.signal?.aborted === true) break
          }
        }
        const state = options.signal?.aborted === true ? 'interrupted' : 'succeeded'
        await updateTask(database.db, taskId, {
          state,
          finishedAt: clock.now(),
          rows,
          progress: { done, total: plan.requests },
        })
        results.push({
          symbol: plan.symbol,
          state,
          rows,
          attempts: 1,
          details: { requests: plan.requests, gaps },
        })
        options.onProgress?.({
          job: 'incremental',
          runId: run.id,
          symbol: plan.symbol,
          state,
          done,
          total: plan.requests,
          rows,
        })
      } catch (caught) {
        const { message, code } = describeError(caught)
        const state = options.signal?.aborted === true ? 'interrupted' : 'failed'
        logger.error('incremental task failed', { symbol: plan.symbol, error: message, code })
        await updateTask(database.db, taskId, {
          state,
          finishedAt: clock.now(),
          rows,
          error: message,
          errorCode: code,
        })
        results.push({
          symbol: plan.symbol,
          state,
          rows,
          attempts: 1,
          error: message,
          errorCode: code,
        })
        options.onProgress?.({
          job: 'incremental',
          runId: run.id,
          symbol: plan.symbol,
          state,
          done,
          total: plan.requests,
          rows,
          error: message,
        })
      }
    },
    options.signal,
    async (plan) => {
      await updateTask(database.db, taskIds.get(plan.symbol) ?? 0, {
        state: 'interrupted',
        finishedAt: clock.now(),
      })
      results.push({ symbol: plan.symbol, state: 'interrupted', rows: 0, attempts: 0 })
    },
  )

  const result = await finishJobRun(
    database.db,
    { id: run.id, job: 'incremental', startedAt: run.startedAt },
    results,
    clock,
    options.signal?.aborted === true,
  )
  logger.info('incremental job finished', {
    runId: run.id,
    state: result.state,
    rows: result.rowsWritten,
  })
  return result
}
