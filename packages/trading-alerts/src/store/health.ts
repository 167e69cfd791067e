import { sql, type Kysely } from 'kysely'
import type { Database, JobName, RunState } from '../db/schema.js'
import type { Clock } from '../ports.js'

/** The newest run of one job. */
export interface LastRun {
  readonly lastRunId: number
  readonly state: RunState
  readonly finishedAt: Date | null
}

/** The newest run of every job that has run at least once. */
export async function lastRunPerJob(db: Kysely<Database>): Promise<Map<JobName, LastRun>> {
  const rows = await sql<{ id: number; job: JobName; state: RunState; finished_at: Date | null }>`
    select distinct on (job) id, job, state, finished_at
    from job_run order by job, id desc
  `.execute(db)
  return new Map(
    rows.rows.map((r) => [
      r.job,
      { lastRunId: Number(r.id), state: r.state, finishedAt: r.finished_at },
    ]),
  )
}

/**
 * The largest lag, in whole seconds, between `clock`'s now and `last_updated_at` over the tracked
 * symbols (in the top N and trading); a tracked symbol with no data yet counts from when it was
 * first seen. Null when no symbol is tracked.
 */
export async function maxLagSeconds(db: Kysely<Database>, clock: Clock): Promise<number | null> {
  const row = await db
    .selectFrom('symbol')
    .select((eb) => eb.fn.min(eb.fn.coalesce('last_updated_at', 'first_seen_at')).as('oldest'))
    .where('in_top_n', '=', true)
    .where('status', '=', 'TRADING')
    .executeTakeFirst()
  const oldest = row?.oldest as Date | string | null | undefined
  if (oldest == null) return null
  return Math.max(0, Math.floor((clock.now().getTime() - new Date(oldest).getTime()) / 1000))
}

/** Whether the database answers a trivial query. */
export async function databaseReachable(db: Kysely<Database>): Promise<boolean> {
  try {
    await sql`select 1`.execute(db)
    return true
  } catch {
    return false
  }
}
