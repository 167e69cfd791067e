/** The one writer of `task_log`: the log lines of each task, bounded per task. */
import type { Kysely } from 'kysely'
import type { Database, TaskLogLevel } from '../db/schema.js'

/** A task keeps its first this many lines… */
export const TASK_LOG_HEAD = 200
/** …and its last this many; the ones between are dropped (and counted). */
export const TASK_LOG_TAIL = 300

/** A log line of a task. */
export interface TaskLogLine {
  readonly time: Date
  readonly level: TaskLogLevel
  readonly message: string
  readonly fields: Record<string, unknown>
}

/** A line as `appendTaskLog` takes it: numbered within its task from 0, dropped lines counted. */
export interface NumberedTaskLogLine extends TaskLogLine {
  readonly seq: number
}

/** Whether line `seq` is kept once the task has written `count` lines. */
function kept(seq: number, count: number): boolean {
  return seq < TASK_LOG_HEAD || seq >= count - TASK_LOG_TAIL
}

/**
 * Appends a batch of a task's lines (in one INSERT) and drops the lines that fell out of the
 * task's window: its first `TASK_LOG_HEAD` and last `TASK_LOG_TAIL` lines are kept. `count` is
 * the number of lines the task has written so far, this batch included.
 */
export async function appendTaskLog(
  db: Kysely<Database>,
  where: { readonly runId: number; readonly taskId: number },
  lines: readonly NumberedTaskLogLine[],
  count: number,
): Promise<void> {
  const rows = lines
    .filter((l) => kept(l.seq, count))
    .map((l) => ({
      task_run_id: where.taskId,
      job_run_id: where.runId,
      seq: l.seq,
      time: l.time,
      level: l.level,
      message: l.message,
      fields: JSON.stringify(l.fields),
    }))
  if (rows.length > 0) await db.insertInto('task_log').values(rows).execute()
  if (count - TASK_LOG_TAIL > TASK_LOG_HEAD) {
    await db
      .deleteFrom('task_log')
      .where('task_run_id', '=', where.taskId)
      .where('seq', '>=', TASK_LOG_HEAD)
      .where('seq', '<', count - TASK_LOG_TAIL)
      .execute()
  }
}

/** A task's kept lines, in order, and how many were dropped between its first and last ones. */
export interface TaskLog {
  readonly lines: TaskLogLine[]
  readonly dropped: number
}

/** The task of a run by its key (the symbol, the job's or the rule's name); undefined if none. */
export async function findRunTask(
  db: Kysely<Database>,
  runId: number,
  key: string,
): Promise<{ readonly taskId: number } | undefined> {
  const row = await db
    .selectFrom('task_run')
    .select('id')
    .where('job_run_id', '=', runId)
    .where('key', '=', key)
    .orderBy('id')
    .executeTakeFirst()
  return row === undefined ? undefined : { taskId: Number(row.id) }
}

/** The kept log lines of a task, in order, with the number dropped. */
export async function readTaskLog(db: Kysely<Database>, taskId: number): Promise<TaskLog> {
  const rows = await db
    .selectFrom('task_log')
    .select(['seq', 'time', 'level', 'message', 'fields'])
    .where('task_run_id', '=', taskId)
    .orderBy('seq')
    .execute()
  const last = rows.at(-1)
  const dropped = last === undefined ? 0 : Number(last.seq) + 1 - rows.length
  return {
    lines: rows.map((r) => ({
      time: new Date(r.time),
      level: r.level,
      message: r.message,
      fields: (r.fields ?? {}) as Record<string, unknown>,
    })),
    dropped,
  }
}
