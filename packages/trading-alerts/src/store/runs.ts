/** The one writer of `job_run` and `task_run`: the jobs' task scaffold and the stale-run repair call it. */
import { sql, type ExpressionBuilder, type Kysely } from 'kysely'
import type {
  Database,
  JobName,
  JobRunRow,
  RunState,
  TaskKind,
  TaskRunRow,
  TaskState,
} from '../db/schema.js'

/** A run as the scaffold holds it. */
export interface OpenRun {
  readonly id: number
  readonly job: JobName
  readonly startedAt: Date
}

/** What a task is: its kind and key (the symbol, the job's name or the rule's name) and params. */
export interface TaskSpec {
  readonly kind: TaskKind
  readonly key: string
  readonly params: Record<string, unknown>
}

/** Opens a job_run row in state 'running'. */
export async function insertJobRun(
  db: Kysely<Database>,
  job: JobName,
  params: Record<string, unknown>,
  startedAt: Date,
  host: string | undefined,
): Promise<OpenRun> {
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

/** The name a task's params give its key: `symbol`, `rule`, nothing for the job's own task. */
function keyParam(kind: TaskKind, key: string): Record<string, string> {
  if (kind === 'symbol') return { symbol: key }
  if (kind === 'rule') return { rule: key }
  return {}
}

/** Opens the task rows of a run in state 'pending'; returns their ids in the order given. */
export async function insertTasks(
  db: Kysely<Database>,
  runId: number,
  job: JobName,
  tasks: readonly TaskSpec[],
): Promise<number[]> {
  if (tasks.length === 0) return []
  const rows = await db
    .insertInto('task_run')
    .values(
      tasks.map((t) => ({
        job_run_id: runId,
        job,
        kind: t.kind,
        key: t.key,
        symbol: t.kind === 'symbol' ? t.key : null,
        params: JSON.stringify({ job, ...keyParam(t.kind, t.key), ...t.params }),
        state: 'pending' as const,
      })),
    )
    .returning('id')
    .execute()
  // PostgreSQL returns the rows of a multi-row insert in the order of its VALUES.
  return rows.map((r) => Number(r.id))
}

/** A change to a task's row. */
export interface TaskPatch {
  readonly state?: TaskState
  readonly attempts?: number
  readonly startedAt?: Date
  readonly finishedAt?: Date
  readonly rows?: number
  readonly progress?: Record<string, unknown>
  readonly error?: string | null
  readonly errorCode?: string | null
}

/** Updates a task's row; its start and end are progress too (`last_progress_at`). */
export async function updateTask(
  db: Kysely<Database>,
  taskId: number,
  patch: TaskPatch,
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

/** Closes a run's row with its state, summary and error. */
export async function closeJobRun(
  db: Kysely<Database>,
  runId: number,
  end: {
    readonly state: RunState
    readonly finishedAt: Date
    readonly summary: Record<string, unknown>
    readonly error: string | null
  },
): Promise<void> {
  await db
    .updateTable('job_run')
    .set({
      state: end.state,
      finished_at: end.finishedAt,
      last_progress_at: end.finishedAt,
      summary: JSON.stringify(end.summary),
      error: end.error,
    })
    .where('id', '=', runId)
    .execute()
}

/** Adds `warnings` to a finished run's summary. */
export async function addRunWarnings(
  db: Kysely<Database>,
  runId: number,
  warnings: readonly string[],
): Promise<void> {
  await db
    .updateTable('job_run')
    .set({
      summary: sql<string>`coalesce(summary, '{}'::jsonb) || ${JSON.stringify({ warnings })}::jsonb`,
    })
    .where('id', '=', runId)
    .execute()
}

/** Records that a task (and its run) made progress at `at`; never moves either backwards. */
export async function recordProgressTime(
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
export async function closeOpenRuns(
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

/** When the newest run of `job` started, or undefined before its first. */
export async function lastRunStart(db: Kysely<Database>, job: JobName): Promise<Date | undefined> {
  const last = await db
    .selectFrom('job_run')
    .select((eb) => eb.fn.max('started_at').as('last'))
    .where('job', '=', job)
    .executeTakeFirst()
  return last?.last == null ? undefined : new Date(last.last)
}

/** Runs, newest first (for the API: `GET /runs`). */
export function listRuns(
  db: Kysely<Database>,
  options: { readonly job?: JobName; readonly limit?: number } = {},
): Promise<JobRunRow[]> {
  let query = db.selectFrom('job_run').selectAll().orderBy('id', 'desc')
  if (options.job !== undefined) query = query.where('job', '=', options.job)
  return query.limit(options.limit ?? 50).execute()
}

/** One run, or undefined. */
export function getRun(db: Kysely<Database>, runId: number): Promise<JobRunRow | undefined> {
  return db.selectFrom('job_run').selectAll().where('id', '=', runId).executeTakeFirst()
}

/** A run's tasks, by kind and key. */
export function listTasks(db: Kysely<Database>, runId: number): Promise<TaskRunRow[]> {
  return db
    .selectFrom('task_run')
    .selectAll()
    .where('job_run_id', '=', runId)
    .orderBy('kind')
    .orderBy('key')
    .execute()
}
