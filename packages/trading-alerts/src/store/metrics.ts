/**
 * The reads behind `/metrics`: owner of no table, only aggregate reads of `symbol`,
 * `tickerdata_1m`, `job_run` and `alert_delivery`.
 */
import { sql, type Kysely } from 'kysely'
import type { Database, DeliveryState, JobName, RunState } from '../db/schema.js'

/** A symbol's stored 1-minute rows and when its data last moved. */
export interface SymbolRowCount {
  readonly symbol: string
  readonly rows: number
  readonly lastUpdatedAt: Date | null
}

/**
 * Every symbol of the symbol table with its stored 1-minute rows (an exact `count(*)` per symbol
 * over the table's primary key: cheap at thousands of rows per symbol, a few seconds at tens of
 * millions in all, which is why the API caches it) and its `last_updated_at`.
 */
export async function symbolRowCounts(db: Kysely<Database>): Promise<SymbolRowCount[]> {
  const rows = await sql<{ symbol: string; rows: string | number; last_updated_at: Date | null }>`
    select s.symbol, coalesce(c.n, 0) as rows, s.last_updated_at
    from symbol s
    left join (select symbol, count(*) as n from tickerdata_1m group by symbol) c
      on c.symbol = s.symbol
    order by s.symbol
  `.execute(db)
  return rows.rows.map((r) => ({
    symbol: r.symbol,
    rows: Number(r.rows),
    lastUpdatedAt: r.last_updated_at === null ? null : new Date(r.last_updated_at),
  }))
}

/** Every symbol's `last_updated_at` (null before its first candle), by symbol. */
export async function symbolLastUpdates(
  db: Kysely<Database>,
): Promise<{ symbol: string; lastUpdatedAt: Date | null }[]> {
  const rows = await db
    .selectFrom('symbol')
    .select(['symbol', 'last_updated_at'])
    .orderBy('symbol')
    .execute()
  return rows.map((r) => ({
    symbol: r.symbol,
    lastUpdatedAt: r.last_updated_at === null ? null : new Date(r.last_updated_at),
  }))
}

/** Runs of a job in one state, and the seconds of the finished ones. */
export interface JobRunStats {
  readonly job: JobName
  readonly state: RunState
  readonly runs: number
  /** Sum of (finished_at − started_at) over the finished runs, in seconds. */
  readonly seconds: number
}

/** The runs of each job by state with their summed durations. */
export async function jobRunStats(db: Kysely<Database>): Promise<JobRunStats[]> {
  const rows = await sql<{
    job: JobName
    state: RunState
    runs: string | number
    seconds: string | number | null
  }>`
    select job, state, count(*) as runs,
      sum(extract(epoch from (finished_at - started_at))) as seconds
    from job_run group by job, state order by job, state
  `.execute(db)
  return rows.rows.map((r) => ({
    job: r.job,
    state: r.state,
    runs: Number(r.runs),
    seconds: Number(r.seconds ?? 0),
  }))
}

/** The last finished run of each job: its state and duration in seconds. */
export async function lastFinishedRuns(
  db: Kysely<Database>,
): Promise<{ job: JobName; state: RunState; seconds: number }[]> {
  const rows = await sql<{ job: JobName; state: RunState; seconds: string | number }>`
    select distinct on (job) job, state, extract(epoch from (finished_at - started_at)) as seconds
    from job_run where finished_at is not null order by job, id desc
  `.execute(db)
  return rows.rows.map((r) => ({ job: r.job, state: r.state, seconds: Number(r.seconds) }))
}

/**
 * The 429 and 418 answers the sources gave the jobs, summed over the runs' summaries
 * (`summary.throttled`, which the task scaffold records), per job.
 */
export async function throttledAnswers(
  db: Kysely<Database>,
): Promise<{ job: JobName; status: '429' | '418'; count: number }[]> {
  const rows = await sql<{
    job: JobName
    s429: string | number | null
    s418: string | number | null
  }>`
    select job,
      sum(coalesce((summary->'throttled'->>'429')::bigint, 0)) as s429,
      sum(coalesce((summary->'throttled'->>'418')::bigint, 0)) as s418
    from job_run group by job order by job
  `.execute(db)
  return rows.rows.flatMap((r) => [
    { job: r.job, status: '429' as const, count: Number(r.s429 ?? 0) },
    { job: r.job, status: '418' as const, count: Number(r.s418 ?? 0) },
  ])
}

/** Webhook deliveries by state (every state, zero included). */
export async function deliveriesByState(
  db: Kysely<Database>,
): Promise<Record<DeliveryState, number>> {
  const rows = await db
    .selectFrom('alert_delivery')
    .select(['state', (eb) => eb.fn.countAll().as('n')])
    .groupBy('state')
    .execute()
  const out: Record<DeliveryState, number> = { pending: 0, delivered: 0, dead: 0 }
  for (const r of rows) out[r.state] = Number(r.n)
  return out
}
