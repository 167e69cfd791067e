import { isTickerdataError } from '@trading-alerts/tickerdata'
import type { Kysely } from 'kysely'
import { isTradingAlertsError } from '../errors.js'
import type { Database, JobName, RunState, TaskState } from '../db/schema.js'
import type { Clock } from '../ports.js'
import type { JobResult, TaskResult } from './types.js'

/** Opens a job_run row in state 'running'. */
export async function startJobRun(
  db: Kysely<Database>,
  job: JobName,
  params: Record<string, unknown>,
  clock: Clock,
  host: string | undefined,
): Promise<{ id: number; startedAt: Date }> {
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
  return { id: Number(row.id), startedAt }
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

/** A short, safe description of an error and its machine-readable code. */
export function describeError(error: unknown): { message: string; code: string } {
  if (isTickerdataError(error) || isTradingAlertsError(error)) {
    return { message: error.message, code: error.code }
  }
  if (error instanceof Error) return { message: error.message, code: error.name }
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
