import { AsyncLocalStorage } from 'node:async_hooks'
import { HttpStatusTally, isTickerdataError, withHttpStatusTally } from '@trading-alerts/tickerdata'
import type { Kysely } from 'kysely'
import { isTradingAlertsError } from '../errors.js'
import type { Database, JobName, RunState, TaskKind, TaskState } from '../db/schema.js'
import type { Clock, Logger } from '../ports.js'
import { appendTaskLog, type NumberedTaskLogLine } from '../store/task-logs.js'
import {
  closeJobRun,
  closeOpenRuns,
  insertJobRun,
  insertTasks,
  recordProgressTime,
  updateTask,
  type OpenRun,
  type TaskSpec,
} from '../store/runs.js'
import { pruneEvents } from '../store/events.js'
import type { CommonJobOptions, JobDeps, JobResult, TaskResult } from './types.js'

/** Opens a job_run row in state 'running', started now. */
export function startJobRun(
  db: Kysely<Database>,
  job: JobName,
  params: Record<string, unknown>,
  clock: Clock,
  host: string | undefined,
): Promise<OpenRun> {
  return insertJobRun(db, job, params, clock.now(), host)
}

/**
 * Closes a run: succeeded when every task did, interrupted when stopped, failed otherwise. Its
 * summary counts the tasks by state and their rows, plus `extraSummary`.
 */
export async function finishJobRun(
  db: Kysely<Database>,
  run: OpenRun,
  tasks: readonly TaskResult[],
  clock: Clock,
  interrupted: boolean,
  error?: string,
  extraSummary: Record<string, unknown> = {},
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
    ...extraSummary,
  }
  await closeJobRun(db, run.id, { state, finishedAt, summary, error: error ?? null })
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

/**
 * A task's logger: forwards each line to the job's logger (with the task's key) and keeps it for
 * the task's log (`task_log`), written in batches by `flush` (when the task's state is written).
 */
class TaskLogger implements Logger {
  private readonly pending: NumberedTaskLogLine[] = []
  private count = 0
  private readonly db: Kysely<Database>
  private readonly where: { readonly runId: number; readonly taskId: number }
  private readonly clock: Clock
  private readonly forward: Logger
  private readonly label: Record<string, unknown>

  constructor(
    db: Kysely<Database>,
    where: { readonly runId: number; readonly taskId: number },
    clock: Clock,
    forward: Logger,
    label: Record<string, unknown>,
  ) {
    this.db = db
    this.where = where
    this.clock = clock
    this.forward = forward
    this.label = label
  }

  /** Keeps a line for the task's log only (a line the job's logger already had). */
  record(level: NumberedTaskLogLine['level'], message: string, fields?: Record<string, unknown>) {
    this.pending.push({
      seq: this.count++,
      time: this.clock.now(),
      level,
      message,
      fields: fields ?? {},
    })
  }

  debug(message: string, fields?: Record<string, unknown>): void {
    this.record('debug', message, fields)
    this.forward.debug?.(message, { ...this.label, ...fields })
  }

  info(message: string, fields?: Record<string, unknown>): void {
    this.record('info', message, fields)
    this.forward.info(message, { ...this.label, ...fields })
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    this.record('warn', message, fields)
    this.forward.warn(message, { ...this.label, ...fields })
  }

  error(message: string, fields?: Record<string, unknown>): void {
    this.record('error', message, fields)
    this.forward.error(message, { ...this.label, ...fields })
  }

  /** Writes the lines kept since the last flush, in one batch. */
  async flush(): Promise<void> {
    const lines = this.pending.splice(0)
    if (lines.length > 0) await appendTaskLog(this.db, this.where, lines, this.count)
  }
}

const taskLogScope = new AsyncLocalStorage<TaskLogger>()

/**
 * A logger that also records its lines in the log of the task it is called within (a task of
 * `runJobTasks`): wrap the logger of a client the jobs call (tickerdata's retries and backoffs)
 * so that its lines (info and above) land in the task they were made for. Outside a task it is
 * `logger`.
 */
export function withTaskLogs(logger: Logger): Logger {
  const line =
    (level: NumberedTaskLogLine['level']) =>
    (message: string, fields?: Record<string, unknown>) => {
      // A client's debug lines (one per request) would crowd the job's own lines out of the
      // kept 200 + 300: the task's log takes info and above from it.
      if (level !== 'debug') taskLogScope.getStore()?.record(level, message, fields)
      if (level === 'debug') logger.debug?.(message, fields)
      else logger[level](message, fields)
    }
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') }
}

/** What a task has done so far. Its work keeps it current, so that a task that throws is recorded with it too. */
export interface TaskTally {
  rows: number
  /** Units done and planned (files, requests…), as progress events report them. */
  done: number
  total: number
}

/** A task's work, as `runJobTasks` hands it over. */
export interface TaskContext {
  readonly runId: number
  readonly taskId: number
  readonly tally: TaskTally
  /**
   * The task's logger: its lines go to the job's logger and to the task's log (`task_log`, its
   * first 200 and last 300 lines), written in batches, at the latest with the task's state.
   */
  readonly logger: Logger
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

/** How the scaffold runs a job's tasks. */
export interface JobTasks<T> {
  readonly items: readonly T[]
  /** The task of an item: its kind, key and params. */
  readonly taskOf: (item: T) => TaskSpec
  readonly work: (item: T, task: TaskContext) => Promise<TaskOutcome>
  /**
   * Runs once every task has ended, before the run is closed (the alerts job delivers its
   * webhooks here); what it returns is added to the run's summary.
   */
  readonly afterTasks?: () => Promise<Record<string, unknown>>
}

/** The label fields of a task in the job's result and its progress events. */
function taskLabel(kind: TaskKind, key: string): { kind: TaskKind; key: string; symbol?: string } {
  return kind === 'symbol' ? { kind, key, symbol: key } : { kind, key }
}

/**
 * The tasks of a run, from their rows to the run's end: opens a `task_run` row for each item (of
 * kind 'symbol', 'job' or 'rule'), runs `work` on up to `concurrency` of them at once and records
 * how each ended (`task_run`, the job's result, a progress event), with a throttled heartbeat of
 * its progress while it works. A task that throws is recorded as failed with its error, or as
 * interrupted when the job was stopped, and the others go on; items not started before the stop
 * are recorded as interrupted. Stopped by a failure (the signal's reason is a package error, see
 * `stopFailure`), the run is failed with it, and so is every task it cut short. A failed task of
 * kind 'job' (the job's one task) fails the run with its error. Then the run is closed and logged.
 *
 * @throws the first bookkeeping write that failed (the database went away), once every task has
 * ended; the run is then left open for `failOpenRuns` or the next start's `closeStaleRuns`.
 */
export async function runJobTasks<T>(
  deps: Pick<JobDeps, 'database' | 'clock' | 'logger'>,
  run: OpenRun,
  options: CommonJobOptions,
  tasks: JobTasks<T>,
): Promise<JobResult> {
  const { database, clock, logger } = deps
  const { db } = database
  const aborted = () => options.signal?.aborted === true
  const specs = tasks.items.map((item) => tasks.taskOf(item))
  const ids = await insertTasks(db, run.id, run.job, specs)
  const entries = tasks.items.map((item, i) => ({
    item,
    spec: specs[i] as TaskSpec,
    taskId: ids[i] ?? 0,
  }))
  const results: TaskResult[] = []
  let writeFailure: { error: unknown } | undefined
  const heartbeats: ProgressHeartbeat[] = []
  const progress = (spec: TaskSpec, state: TaskState, tally: TaskTally, error?: string) =>
    options.onProgress?.({
      job: run.job,
      runId: run.id,
      ...taskLabel(spec.kind, spec.key),
      state,
      done: tally.done,
      total: tally.total,
      rows: tally.rows,
      ...(error === undefined ? {} : { error }),
    })
  // Every planned task first, so that a display knows the plan (how many are still waiting).
  for (const spec of specs) progress(spec, 'pending', { rows: 0, done: 0, total: 0 })

  // The 429s and 418s the sources answered the run's tasks, kept in its summary (for /metrics).
  const throttled = new HttpStatusTally()
  await withHttpStatusTally(throttled, () =>
    runPool(
      entries,
      options.concurrency ?? 4,
      async ({ item, spec, taskId }) => {
        const label = taskLabel(spec.kind, spec.key)
        const tally: TaskTally = { rows: 0, done: 0, total: 0 }
        const heartbeat = new ProgressHeartbeat(db, run.id, taskId, clock)
        heartbeats.push(heartbeat)
        const taskLogger = new TaskLogger(db, { runId: run.id, taskId }, clock, logger, {
          [spec.kind]: spec.key,
        })
        try {
          await updateTask(db, taskId, { state: 'running', attempts: 1, startedAt: clock.now() })
          let outcome: TaskOutcome
          try {
            outcome = await taskLogScope.run(taskLogger, () =>
              tasks.work(item, {
                runId: run.id,
                taskId,
                tally,
                logger: taskLogger,
                report: () => {
                  heartbeat.beat()
                  progress(spec, 'running', tally)
                },
              }),
            )
          } catch (caught) {
            const failure = stopFailure(options.signal)
            const thrown = describeError(caught)
            // Cut short by a failure, the task failed with it (unless it had failed on its own).
            const { message, code } =
              failure !== undefined && STOP_CODES.has(thrown.code) ? failure : thrown
            const stopped = failure === undefined && (aborted() || code === 'INTERRUPTED')
            outcome = { state: stopped ? 'interrupted' : 'failed', error: message, errorCode: code }
            taskLogger.error(`${run.job} task failed`, { error: message, code })
          }
          const failure = stopFailure(options.signal)
          if (outcome.state === 'interrupted' && failure !== undefined) {
            outcome = {
              ...outcome,
              state: 'failed',
              error: failure.message,
              errorCode: failure.code,
            }
          }
          const { state, error } = outcome
          const failed =
            error === undefined ? {} : { error, errorCode: outcome.errorCode ?? 'UNKNOWN' }
          taskLogger.record('info', `task ${state}`, { rows: tally.rows, ...failed })
          await taskLogger.flush()
          await updateTask(db, taskId, {
            state,
            finishedAt: clock.now(),
            rows: tally.rows,
            ...(outcome.progress === undefined ? {} : { progress: outcome.progress }),
            ...failed,
          })
          results.push({
            ...label,
            state,
            rows: tally.rows,
            attempts: 1,
            ...failed,
            ...(outcome.details === undefined ? {} : { details: outcome.details }),
          })
          progress(spec, state, tally, error)
        } catch (error) {
          // The task's row could not be written: the other tasks still end; the run stays open.
          writeFailure ??= { error }
        }
      },
      options.signal,
      async ({ spec, taskId }) => {
        const failure = stopFailure(options.signal)
        const why = failure === undefined ? {} : { error: failure.message, errorCode: failure.code }
        try {
          await updateTask(db, taskId, { state: 'interrupted', finishedAt: clock.now(), ...why })
        } catch (error) {
          writeFailure ??= { error }
        }
        results.push({
          ...taskLabel(spec.kind, spec.key),
          state: 'interrupted',
          rows: 0,
          attempts: 0,
          ...why,
        })
        progress(spec, 'interrupted', { rows: 0, done: 0, total: 0 }, why.error)
      },
    ),
  )
  // A task never waits for its heartbeat; the run's end waits for them all.
  await Promise.all(heartbeats.map((h) => h.settled()))
  if (writeFailure !== undefined) throw writeFailure.error

  const extraSummary = {
    ...(tasks.afterTasks === undefined ? {} : await tasks.afterTasks()),
    ...(throttled.counts['429'] + throttled.counts['418'] > 0
      ? { throttled: { ...throttled.counts } }
      : {}),
  }
  const failure = stopFailure(options.signal)
  const jobTaskError = results.find((t) => t.kind === 'job' && t.state === 'failed')?.error
  const result = await finishJobRun(
    db,
    run,
    results,
    clock,
    aborted() && failure === undefined,
    failure?.message ?? jobTaskError,
    extraSummary,
  )
  // The stream's events of more than a day ago (or beyond the newest 100 000) go at each run's end.
  await pruneEvents(db, clock.now()).catch((error: unknown) =>
    logger.warn('pruning stream events failed', { error: describeError(error).message }),
  )
  logger.info(`${run.job} job finished`, {
    runId: run.id,
    state: result.state,
    rows: result.rowsWritten,
  })
  return result
}

/** `runJobTasks` over per-symbol items: one task of kind 'symbol' for each. */
export function runSymbolTasks<T extends { readonly symbol: string }>(
  deps: Pick<JobDeps, 'database' | 'clock' | 'logger'>,
  run: OpenRun,
  options: CommonJobOptions,
  items: readonly T[],
  paramsOf: (item: T) => Record<string, unknown>,
  work: (item: T, task: TaskContext) => Promise<TaskOutcome>,
): Promise<JobResult> {
  return runJobTasks(deps, run, options, {
    items,
    taskOf: (item) => ({ kind: 'symbol', key: item.symbol, params: paramsOf(item) }),
    work,
  })
}
