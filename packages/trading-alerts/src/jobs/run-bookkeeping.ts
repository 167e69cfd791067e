import { isTickerdataError } from '@trading-alerts/tickerdata'
import type { ExpressionBuilder, Kysely } from 'kysely'
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
      last_progress_at: startedAt,
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

/** Updates a task's row; its start and end are progress too (`last_progress_at`). */
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
  const progressAt = patch.finishedAt ?? patch.startedAt
  await db
    .updateTable('task_run')
    .set({
      ...(progressAt === undefined ? {} : { last_progress_at: progressAt }),
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
    .set({
      state,
      finished_at: finishedAt,
      last_progress_at: finishedAt,
      summary: JSON.stringify(summary),
      error: error ?? null,
    })
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

/** Codes of an error that only says the work was stopped (a signal), not why. */
const STOP_CODES = new Set(['INTERRUPTED', 'ABORTED', 'AbortError', 'ABORT_ERR'])

/**
 * Why a job was stopped, when it was stopped by a failure rather than asked to stop: the signal's
 * reason when it is one of the packages' errors (the runner's DATABASE_ERROR when the database
 * connection is lost). Undefined for SIGINT/SIGTERM (a plain abort) and when not stopped.
 */
export function stopFailure(
  signal: AbortSignal | undefined,
): { message: string; code: string } | undefined {
  if (signal?.aborted !== true) return undefined
  const reason: unknown = signal.reason
  if (!isTradingAlertsError(reason) && !isTickerdataError(reason)) return undefined
  return STOP_CODES.has(reason.code) ? undefined : describeError(reason)
}

/** A task's progress heartbeat is written at most once per this many milliseconds of its clock. */
export const PROGRESS_HEARTBEAT_MS = 1_000

/**
 * Records when a task was last seen making progress (`task_run.last_progress_at`, and its run's),
 * throttled to one write per `PROGRESS_HEARTBEAT_MS`: the time a later process ends a run at when
 * the process running it was killed.
 */
class ProgressHeartbeat {
  private writtenAt = Number.NEGATIVE_INFINITY
  private written: Promise<void> = Promise.resolve()
  private readonly db: Kysely<Database>
  private readonly runId: number
  private readonly taskId: number
  private readonly clock: Clock

  constructor(db: Kysely<Database>, runId: number, taskId: number, clock: Clock) {
    this.db = db
    this.runId = runId
    this.taskId = taskId
    this.clock = clock
  }

  beat(): void {
    const at = this.clock.now()
    if (at.getTime() - this.writtenAt < PROGRESS_HEARTBEAT_MS) return
    this.writtenAt = at.getTime()
    // A heartbeat that cannot be written fails nothing: the task's next write says why.
    this.written = this.written
      .then(() => recordProgressTime(this.db, this.runId, this.taskId, at))
      .catch(() => {})
  }

  /** Resolves when no heartbeat write is under way. */
  settled(): Promise<void> {
    return this.written
  }
}

async function recordProgressTime(
  db: Kysely<Database>,
  runId: number,
  taskId: number,
  at: Date,
): Promise<void> {
  // Never backwards: a beat may land after the task's own end was written.
  const later = (eb: ExpressionBuilder<Database, 'task_run' | 'job_run'>) =>
    eb.or([eb('last_progress_at', 'is', null), eb('last_progress_at', '<', at)])
  await db
    .updateTable('task_run')
    .set({ last_progress_at: at })
    .where('id', '=', taskId)
    .where(later)
    .execute()
  await db
    .updateTable('job_run')
    .set({ last_progress_at: at })
    .where('id', '=', runId)
    .where(later)
    .execute()
}

/**
 * Closes the runs of `job` still 'running' (those of `host` only, when given), and their open
 * tasks: at the last progress recorded for them, never at the time of the call. A run ends at its
 * latest heartbeat or task time; a task at its own last progress (a pending one with its run). A
 * run that fails takes its running tasks with it as failed; pending tasks, and every task of an
 * interrupted run, become interrupted. Returns the ids of the runs closed.
 */
async function closeOpenRuns(
  db: Kysely<Database>,
  where: { readonly job: JobName; readonly host?: string },
  closing: {
    readonly state: 'interrupted' | 'failed'
    readonly error: string
    readonly code: string
  },
): Promise<number[]> {
  let runs = db
    .updateTable('job_run')
    .set((eb) => ({
      state: closing.state,
      error: closing.error,
      // greatest() skips nulls: a run's heartbeat lags its tasks' own ends by up to a beat.
      finished_at: eb.fn<Date>('greatest', [
        'job_run.last_progress_at',
        'job_run.started_at',
        eb
          .selectFrom('task_run as t')
          .select((inner) =>
            inner.fn
              .max(
                inner.fn<Date>('greatest', ['t.last_progress_at', 't.finished_at', 't.started_at']),
              )
              .as('last'),
          )
          .whereRef('t.job_run_id', '=', 'job_run.id'),
      ]),
    }))
    .where('job', '=', where.job)
    .where('state', '=', 'running')
  if (where.host !== undefined) runs = runs.where('host', '=', where.host)
  const ids = (await runs.returning('id').execute()).map((r) => Number(r.id))
  if (ids.length === 0) return ids
  await db
    .updateTable('task_run as t')
    .set((eb) => ({
      state:
        closing.state === 'failed'
          ? eb
              .case()
              .when('t.state', '=', 'running')
              .then('failed' as const)
              .else('interrupted' as const)
              .end()
          : 'interrupted',
      error: closing.error,
      error_code: closing.code,
      finished_at: eb.fn.coalesce(
        't.last_progress_at',
        't.started_at',
        eb.selectFrom('job_run as r').select('r.finished_at').whereRef('r.id', '=', 't.job_run_id'),
      ),
    }))
    .where('t.job_run_id', 'in', ids)
    .where('t.state', 'in', ['pending', 'running'])
    .execute()
  return ids
}

/**
 * Runs of `job` that a process left 'running' when it stopped (killed, crashed, its database gone
 * for good) become interrupted, ending at their last recorded progress; their open tasks too,
 * with error code INTERRUPTED. Call it holding the job's lock: that proves nobody runs them.
 * Returns the ids of the runs relabelled.
 */
export function closeStaleRuns(db: Kysely<Database>, job: JobName): Promise<number[]> {
  return closeOpenRuns(
    db,
    { job },
    { state: 'interrupted', error: 'the process running it stopped', code: 'INTERRUPTED' },
  )
}

/**
 * After a job of this process (`host`, as passed in the job's options) stopped on `error` (a lost
 * database connection) before its last writes reached the database: its runs still open become
 * failed with the error, their running tasks failed and pending ones interrupted, with the
 * error's code, ending at their last recorded progress. Returns the ids of the runs closed.
 */
export function failOpenRuns(
  db: Kysely<Database>,
  where: { readonly job: JobName; readonly host: string },
  error: unknown,
): Promise<number[]> {
  const { message, code } = describeError(error)
  return closeOpenRuns(db, where, { state: 'failed', error: message, code })
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
 * the job's result, a progress event), with a throttled heartbeat of its progress while it works.
 * A task that throws is recorded as failed with its error, or as interrupted when the job was
 * stopped, and the others go on; items not started before the stop are recorded as interrupted.
 * Stopped by a failure (the signal's reason is a package error, see `stopFailure`), the run is
 * failed with it, and so is every task it cut short. Then the run is closed and logged.
 *
 * @throws the first bookkeeping write that failed (the database went away), once every task has
 * ended; the run is then left open for `failOpenRuns` or the next start's `closeStaleRuns`.
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
  let writeFailure: { error: unknown } | undefined
  const heartbeats: ProgressHeartbeat[] = []
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
  // Every planned task first, so that a display knows the plan (how many are still waiting).
  for (const item of items) progress(item.symbol, 'pending', { rows: 0, done: 0, total: 0 })

  await runPool(
    items,
    options.concurrency ?? 4,
    async (item) => {
      const { symbol } = item
      const taskId = taskIds.get(symbol) ?? 0
      const tally: TaskTally = { rows: 0, done: 0, total: 0 }
      const heartbeat = new ProgressHeartbeat(db, run.id, taskId, clock)
      heartbeats.push(heartbeat)
      try {
        await updateTask(db, taskId, { state: 'running', attempts: 1, startedAt: clock.now() })
        let outcome: TaskOutcome
        try {
          outcome = await work(item, {
            runId: run.id,
            taskId,
            tally,
            report: () => {
              heartbeat.beat()
              progress(symbol, 'running', tally)
            },
          })
        } catch (caught) {
          const failure = stopFailure(options.signal)
          const thrown = describeError(caught)
          // Cut short by a failure, the task failed with it (unless it had failed on its own).
          const { message, code } =
            failure !== undefined && STOP_CODES.has(thrown.code) ? failure : thrown
          const stopped = failure === undefined && (aborted() || code === 'INTERRUPTED')
          outcome = { state: stopped ? 'interrupted' : 'failed', error: message, errorCode: code }
          logger.error(`${run.job} task failed`, { symbol, error: message, code })
        }
        const failure = stopFailure(options.signal)
        if (outcome.state === 'interrupted' && failure !== undefined) {
          outcome = { ...outcome, state: 'failed', error: failure.message, errorCode: failure.code }
        }
        const { state, error } = outcome
        const failed =
          error === undefined ? {} : { error, errorCode: outcome.errorCode ?? 'UNKNOWN' }
        await updateTask(db, taskId, {
          state,
          finishedAt: clock.now(),
          rows: tally.rows,
          ...(outcome.progress === undefined ? {} : { progress: outcome.progress }),
          ...failed,
        })
        results.push({
          symbol,
          state,
          rows: tally.rows,
          attempts: 1,
          ...failed,
          ...(outcome.details === undefined ? {} : { details: outcome.details }),
        })
        progress(symbol, state, tally, error)
      } catch (error) {
        // The task's row could not be written: the other tasks still end; the run stays open.
        writeFailure ??= { error }
      }
    },
    options.signal,
    async (item) => {
      const failure = stopFailure(options.signal)
      const why = failure === undefined ? {} : { error: failure.message, errorCode: failure.code }
      try {
        await updateTask(db, taskIds.get(item.symbol) ?? 0, {
          state: 'interrupted',
          finishedAt: clock.now(),
          ...why,
        })
      } catch (error) {
        writeFailure ??= { error }
      }
      results.push({ symbol: item.symbol, state: 'interrupted', rows: 0, attempts: 0, ...why })
      progress(item.symbol, 'interrupted', { rows: 0, done: 0, total: 0 }, why.error)
    },
  )
  // A task never waits for its heartbeat; the run's end waits for them all.
  await Promise.all(heartbeats.map((h) => h.settled()))
  if (writeFailure !== undefined) throw writeFailure.error

  const failure = stopFailure(options.signal)
  const result = await finishJobRun(
    db,
    run,
    results,
    clock,
    aborted() && failure === undefined,
    failure?.message,
  )
  logger.info(`${run.job} job finished`, {
    runId: run.id,
    state: result.state,
    rows: result.rowsWritten,
  })
  return result
}
