/** The read-only status queries (the runner's `status` command, the coming API). Writes nothing. */
import type { Kysely } from 'kysely'
import type { Database, JobName, RunState, TaskKind } from '../db/schema.js'
import { listExchangeGaps, listFailedArchiveFiles } from './gaps.js'
import { getRun, listTasks } from './runs.js'
import { readTaskLog, type TaskLog } from './task-logs.js'

/** A run with its task counts. */
export interface RunSummaryRow {
  readonly id: number
  readonly job: string
  readonly state: string
  readonly startedAt: string
  readonly durationS: number | null
  readonly ok: number
  readonly failed: number
  readonly rows: number
}

/** The newest `limit` runs with their task counts and rows. */
export async function recentRuns(db: Kysely<Database>, limit: number): Promise<RunSummaryRow[]> {
  const runs = await runOverviews(db, { limit })
  return runs.map((r) => ({
    id: r.id,
    job: r.job,
    state: r.state,
    startedAt: r.startedAt.toISOString(),
    durationS:
      r.finishedAt === null ? null : (r.finishedAt.getTime() - r.startedAt.getTime()) / 1000,
    ok: r.tasks.succeeded,
    failed: r.tasks.failed,
    rows: r.rows,
  }))
}

/** A task of a run, as status shows it. */
export interface TaskSummaryRow {
  readonly kind: TaskKind
  /** The symbol, the job's name or the rule's name. */
  readonly key: string
  readonly symbol: string | null
  readonly state: string
  readonly attempts: number
  readonly rows: number
  readonly durationS: number | null
  readonly error: string | null
  readonly errorCode: string | null
}

/** The tasks of a run, by kind and key. */
export async function runTasks(db: Kysely<Database>, runId: number): Promise<TaskSummaryRow[]> {
  const rows = await listTasks(db, runId)
  return rows.map(taskSummary)
}

function taskSummary(t: Awaited<ReturnType<typeof listTasks>>[number]): TaskSummaryRow {
  return {
    kind: t.kind,
    key: t.key,
    symbol: t.symbol,
    state: t.state,
    attempts: t.attempts,
    rows: Number(t.rows_written),
    durationS:
      t.started_at === null || t.finished_at === null
        ? null
        : (t.finished_at.getTime() - t.started_at.getTime()) / 1000,
    error: t.error,
    errorCode: t.error_code,
  }
}

/** What `runTaskLog` found: no such run, no such task in it (and the run's task keys), or the task and its log. */
export type RunTaskLog =
  | { readonly found: 'no-run' }
  | { readonly found: 'no-task'; readonly keys: readonly string[] }
  | { readonly found: 'task'; readonly task: TaskSummaryRow; readonly log: TaskLog }

/**
 * The task of run `runId` keyed `key` (a symbol, the job's or a rule's name) as status shows it,
 * with its kept log lines and how many were dropped.
 */
export async function runTaskLog(
  db: Kysely<Database>,
  runId: number,
  key: string,
): Promise<RunTaskLog> {
  if ((await getRun(db, runId)) === undefined) return { found: 'no-run' }
  const tasks = await listTasks(db, runId)
  const task = tasks.filter((t) => t.key === key).sort((a, b) => Number(a.id) - Number(b.id))[0]
  if (task === undefined) return { found: 'no-task', keys: tasks.map((t) => t.key) }
  return { found: 'task', task: taskSummary(task), log: await readTaskLog(db, Number(task.id)) }
}

/** The known holes: exchange gaps and failed archive files. */
export async function knownHoles(db: Kysely<Database>) {
  const gaps = await listExchangeGaps(db)
  const failed = await listFailedArchiveFiles(db)
  return {
    exchangeGaps: gaps.map((g) => ({
      symbol: g.symbol,
      start: g.start_time.toISOString(),
      end: g.end_time.toISOString(),
      minutes: Math.round((g.end_time.getTime() - g.start_time.getTime()) / 60_000),
    })),
    failedFiles: failed.map((f) => ({
      symbol: f.symbol,
      period: f.period,
      attempts: f.attempts,
      error: f.error,
    })),
  }
}

/** Delivery counts by state, and the dead letters (newest first). */
export async function alertDeliveries(db: Kysely<Database>, limit: number) {
  const counts = await db
    .selectFrom('alert_delivery')
    .select((eb) => ['state', eb.fn.countAll<number>().as('n')])
    .groupBy('state')
    .execute()
  const dead = await db
    .selectFrom('alert_delivery as d')
    .innerJoin('alert_event as e', 'e.id', 'd.event_id')
    .innerJoin('alert_rule as r', 'r.id', 'e.rule_id')
    .select([
      'd.id',
      'r.name',
      'e.symbol',
      'e.bar_time',
      'd.attempts',
      'd.last_status',
      'd.last_error',
    ])
    .where('d.state', '=', 'dead')
    .orderBy('d.id', 'desc')
    .limit(limit)
    .execute()
  const by = Object.fromEntries(counts.map((c) => [c.state, Number(c.n)]))
  return {
    pending: by.pending ?? 0,
    delivered: by.delivered ?? 0,
    dead: by.dead ?? 0,
    deadLetters: dead.map((d) => ({
      delivery: Number(d.id),
      rule: d.name,
      symbol: d.symbol,
      bar: d.bar_time.toISOString(),
      attempts: d.attempts,
      status: d.last_status,
      error: d.last_error,
    })),
  }
}

/** The newest alert events with the state of their delivery. */
export async function recentAlertEvents(db: Kysely<Database>, limit: number) {
  const rows = await db
    .selectFrom('alert_event as e')
    .innerJoin('alert_rule as r', 'r.id', 'e.rule_id')
    .leftJoin('alert_delivery as d', 'd.event_id', 'e.id')
    .select(['e.id', 'r.name', 'e.symbol', 'e.timeframe', 'e.bar_time', 'e.text', 'd.state'])
    .orderBy('e.id', 'desc')
    .limit(limit)
    .execute()
  return rows.map((r) => ({
    id: Number(r.id),
    rule: r.name,
    symbol: r.symbol,
    timeframe: r.timeframe,
    bar: r.bar_time.toISOString(),
    delivery: r.state ?? 'log only',
    text: r.text,
  }))
}

/** Task counts of a run by state (`total` includes pending tasks). */
export interface RunTaskCounts {
  readonly total: number
  readonly succeeded: number
  readonly failed: number
  readonly running: number
  readonly interrupted: number
  readonly skipped: number
}

/** A run with its task counts and rows written: a row of the HTTP API's run list. */
export interface RunOverview {
  readonly id: number
  readonly job: JobName
  readonly state: RunState
  readonly startedAt: Date
  readonly finishedAt: Date | null
  readonly params: unknown
  readonly summary: unknown
  readonly error: string | null
  readonly tasks: RunTaskCounts
  readonly rows: number
}

/**
 * Runs newest first (by id), with their task counts: those of `job` and `state` when given, with
 * an id below `beforeId` (the keyset of the previous page), at most `limit`; `id` picks one run.
 */
export async function runOverviews(
  db: Kysely<Database>,
  options: {
    readonly job?: JobName | undefined
    readonly state?: RunState | undefined
    readonly beforeId?: number | undefined
    readonly id?: number | undefined
    readonly limit: number
  },
): Promise<RunOverview[]> {
  let query = db
    .selectFrom('job_run as r')
    .leftJoin('task_run as t', 't.job_run_id', 'r.id')
    .select((eb) => [
      'r.id',
      'r.job',
      'r.state',
      'r.started_at',
      'r.finished_at',
      'r.params',
      'r.summary',
      'r.error',
      eb.fn.count<number>('t.id').as('total'),
      ...(['succeeded', 'failed', 'running', 'interrupted', 'skipped'] as const).map((state) =>
        eb.fn.count<number>('t.id').filterWhere('t.state', '=', state).as(state),
      ),
      eb.fn.coalesce(eb.fn.sum<number>('t.rows_written'), eb.lit(0)).as('rows'),
    ])
    .groupBy(['r.id'])
    .orderBy('r.id', 'desc')
    .limit(options.limit)
  if (options.job !== undefined) query = query.where('r.job', '=', options.job)
  if (options.state !== undefined) query = query.where('r.state', '=', options.state)
  if (options.beforeId !== undefined) query = query.where('r.id', '<', options.beforeId)
  if (options.id !== undefined) query = query.where('r.id', '=', options.id)
  const rows = await query.execute()
  return rows.map((r) => {
    const counts = r as unknown as Record<keyof RunTaskCounts, number | string>
    return {
      id: Number(r.id),
      job: r.job,
      state: r.state,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      params: r.params,
      summary: r.summary,
      error: r.error,
      tasks: {
        total: Number(counts.total),
        succeeded: Number(counts.succeeded),
        failed: Number(counts.failed),
        running: Number(counts.running),
        interrupted: Number(counts.interrupted),
        skipped: Number(counts.skipped),
      },
      rows: Number(r.rows),
    }
  })
}
