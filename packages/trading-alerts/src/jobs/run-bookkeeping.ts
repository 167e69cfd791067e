import { isTickerdataError } from '@trading-alerts/tickerdata'
import type { Kysely } from 'kysely'
import { isTradingAlertsError } from '../errors.js'
import type { Database, JobName, RunState, TaskState } from '../db/schema.js'
import type { Clock } from '../ports.js'
import type { CommonJobOptions, JobDeps, JobResult, TaskResult } from './types.js'

/** Opens a job_run row in state 'running'. */
export async function startJobRun(
  db: Kysely<Database>,
  job: JobName,
  params: Record<string, unknown>,
  clock: Clock,
  host: string | undefined,
): Promise<{ id: number; job: JobName; startedAt: Date }> {
  const startedAt = clock.now()
  const row = await db
    .insertInto('job_run')
    .values({
      job,
      state: 'running',
      started_at: startedAt,
      params: JSON.stringify(params),
      host: host ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return { id: Number(row.id), job, startedAt }
}

/** Opens the task rows of a run, one self-contained unit (job, symbol, params) each. */
export async function createTasks(
  db: Kysely<Database>,
  runId: number,
  job: JobName,
  tasks: readonly { symbol: string; params: Record<string, unknown> }[],
): Promise<Map<string, number>> {
  const ids = new Map<string, number>()
  if (tasks.length === 0) return ids
  const rows = await db
    .insertInto('task_run')
    .values(
      tasks.map((t) => ({
        job_run_id: runId,
        job,
        symbol: t.symbol,
        params: JSON.stringify({ job, symbol: t.symbol, ...t.params }),
        state: 'pending' as const,
      })),
    )
    .returning(['id', 'symbol'])
    .execute()
  for (const r of rows) ids.set(r.symbol, Number(r.id))
  return ids
}

export async function updateTask(
  db: Kysely<Database>,
  taskId: number,
  patch: {
    state?: TaskState
    attempts?: number
    startedAt?: Date
    finishedAt?: Date
    rows?: number
    progress?: Record<string, unknown>
    error?: string | null
    errorCode?: string | null
  },
): Promise<void> {
  await db
    .updateTable('task_run')
    .set({
      ...(patch.state === undefined ? {} : { state: patch.state }),
      ...(patch.attempts === undefined ? {} : { attempts: patch.attempts }),
      ...(patch.startedAt === undefined ? {} : { started_at: patch.startedAt }),
      ...(patch.finishedAt === undefined ? {} : { finished_at: patch.finishedAt }),
      ...(patch.rows === undefined ? {} : { rows_written: patch.rows }),
      ...(patch.progress === undefined ? {} : { progress: JSON.stringify(patch.progress) }),
      ...(patch.error === undefined ? {} : { error: patch.error }),
      ...(patch.errorCode === undefined ? {} : { error_code: patch.errorCode }),
    })
    .where('id', '=', taskId)
    .execute()
}

/** Closes a run: succeeded when every task did, interrupted when stopped, failed otherwise. */
export async function finishJobRun(
  db: Kysely<Database>,
  run: { id: number; job: JobName; startedAt: Date },
  tasks: readonly TaskResult[],
  clock: Clock,
  interrupted: boolean,
  error?: string,
): Promise<JobResult> {
  const finishedAt = clock.now()
  const state: RunState = interrupted
    ? 'interrupted'
    : error !== undefined || tasks.some((t) => t.state === 'failed')
      ? 'failed'
      : 'succeeded'
  const rowsWritten = tasks.reduce((sum, t) => sum + t.rows, 0)
  const summary = {
    tasks: tasks.length,
    succeeded: tasks.filter((t) => t.state === 'succeeded').length,
    failed: tasks.filter((t) => t.state === 'failed').length,
    interrupted: tasks.filter((t) => t.state === 'interrupted').length,
    skipped: tasks.filter((t) => t.state === 'skipped').length,
    rows: rowsWritten,
  }
  await db
    .updateTable('job_run')
    .set({ state, finished_at: finishedAt, summary: JSON.stringify(summary), error: error ?? null })
    .where('id', '=', run.id)
    .execute()
  return {
    runId: run.id,
    job: run.job,
    state,
    tasks,
    rowsWritten,
    startedAt: run.startedAt,
    finishedAt,
  }
}

/**
 * A short, safe description of an error and its machine-readable code: the error's own string
 * `code` where it has one (ours, a rule's `RULE_SYNTAX`, Node's `ECONNRESET`…), else its name.
 */
export function describeError(error: unknown): { message: string; code: string } {
  if (isTickerdataError(error) || isTradingAlertsError(error)) {
    return { message: error.message, code: error.code }
  }
  if (error instanceof Error) {
    const code: unknown = (error as { code?: unknown }).code
    return {
      message: error.message,
      code: typeof code === 'string' && code !== '' ? code : error.name,
    }
  }
  return { message: String(error), code: 'UNKNOWN' }
}

/**
 * Runs `worker` over `items` with at most `concurrency` at once. Items not started when `signal`
 * fires are handed to `onSkipped`. One item's failure never stops the others (workers catch).
 */
export async function runPool<T>(
  items: readonly T[],
  concurrency: number,
  worker: (item: T) => Promise<void>,
  signal: AbortSignal | undefined,
  onSkipped: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0
  const lanes = Array.from(
    { length: Math.max(1, Math.min(concurrency, items.length)) },
    async () => {
      while (next < items.length) {
        const item = items[next++] as T
        if (signal?.aborted === true) await onSkipped(item)
        else await worker(item)
      }
    },
  )
  await Promise.all(lanes)
}

/** What a task has done so far. Its work keeps it current, so that a task that throws is recorded with it too. */
export interface TaskTally {
  rows: number
  /** Units done and planned (files, requests…), as progress events report them. */
  done: number
  total: number
}

/** A task's work, as `runSymbolTasks` hands it over. */
export interface TaskContext {
  readonly runId: number
  readonly taskId: number
  readonly tally: TaskTally
  /** Sends a 'running' progress event with the tally. */
  report(): void
}

/** How a task's work ended when it did not throw. */
export interface TaskOutcome {
  readonly state: 'succeeded' | 'failed' | 'interrupted'
  readonly error?: string
  readonly errorCode?: string
  /** Kept in `task_run.progress`. */
  readonly progress?: Record<string, unknown>
  /** Kept in the job's result only. */
  readonly details?: Record<string, unknown>
}

/**
 * The per-symbol tasks of a run, from their rows to the run's end: opens a `task_run` row for each
 * item, runs `work` on up to `concurrency` of them at once and records how each ended (`task_run`,
 * the job's result, a progress event). A task that throws is recorded as failed with its error, or
 * as interrupted when the job was stopped, and the others go on; items not started before the stop
 * are recorded as interrupted. Then the run is closed and logged.
 */
export async function runSymbolTasks<T extends { readonly symbol: string }>(
  deps: Pick<JobDeps, 'database' | 'clock' | 'logger'>,
  run: { readonly id: number; readonly job: JobName; readonly startedAt: Date },
  options: CommonJobOptions,
  items: readonly T[],
  paramsOf: (item: T) => Record<string, unknown>,
  work: (item: T, task: TaskContext) => Promise<TaskOutcome>,
): Promise<JobResult> {
  const { database, clock, logger } = deps
  const { db } = database
  const aborted = () => options.signal?.aborted === true
  const taskIds = await createTasks(
    db,
    run.id,
    run.job,
    items.map((item) => ({ symbol: item.symbol, params: paramsOf(item) })),
  )
  const results: TaskResult[] = []
  const progress = (symbol: string, state: TaskState, tally: TaskTally, error?: string) =>
    options.onProgress?.({
      job: run.job,
      runId: run.id,
      symbol,
      state,
      done: tally.done,
      total: tally.total,
      rows: tally.rows,
      ...(error === undefined ? {} : { error }),
    })

  await runPool(
    items,
    options.concurrency ?? 4,
    async (item) => {
      const { symbol } = item
      const taskId = taskIds.get(symbol) ?? 0
      const tally: TaskTally = { rows: 0, done: 0, total: 0 }
      await updateTask(db, taskId, { state: 'running', attempts: 1, startedAt: clock.now() })
      let outcome: TaskOutcome
      try {
        outcome = await work(item, {
          runId: run.id,
          taskId,
          tally,
          report: () => progress(symbol, 'running', tally),
        })
      } catch (caught) {
        const { message, code } = describeError(caught)
        outcome = {
          state: aborted() || code === 'INTERRUPTED' ? 'interrupted' : 'failed',
          error: message,
          errorCode: code,
        }
        logger.error(`${run.job} task failed`, { symbol, error: message, code })
      }
      const { state, error } = outcome
      const failure =
        error === undefined ? {} : { error, errorCode: outcome.errorCode ?? 'UNKNOWN' }
      await updateTask(db, taskId, {
        state,
        finishedAt: clock.now(),
        rows: tally.rows,
        ...(outcome.progress === undefined ? {} : { progress: outcome.progress }),
        ...failure,
      })
      results.push({
        symbol,
        state,
        rows: tally.rows,
        attempts: 1,
        ...failure,
        ...(outcome.details === undefined ? {} : { details: outcome.details }),
      })
      progress(symbol, state, tally, error)
    },
    options.signal,
    async (item) => {
      await updateTask(db, taskIds.get(item.symbol) ?? 0, {
        state: 'interrupted',
        finishedAt: clock.now(),
      })
      results.push({ symbol: item.symbol, state: 'interrupted', rows: 0, attempts: 0 })
    },
  )

  const result = await finishJobRun(db, run, results, clock, aborted())
  logger.info(`${run.job} job finished`, {
    runId: run.id,
    state: result.state,
    rows: result.rowsWritten,
  })
  return result
}
