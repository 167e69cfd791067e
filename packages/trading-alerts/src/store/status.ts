/** The read-only status queries (the runner's `status` command, the coming API). Writes nothing. */
import type { Kysely } from 'kysely'
import type { Database, TaskKind } from '../db/schema.js'
import { listExchangeGaps, listFailedArchiveFiles } from './gaps.js'
import { listTasks } from './runs.js'

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
  const runs = await db
    .selectFrom('job_run as r')
    .leftJoin('task_run as t', 't.job_run_id', 'r.id')
    .select((eb) => [
      'r.id',
      'r.job',
      'r.state',
      'r.started_at',
      'r.finished_at',
      eb.fn.count<number>('t.id').filterWhere('t.state', '=', 'succeeded').as('ok'),
      eb.fn.count<number>('t.id').filterWhere('t.state', '=', 'failed').as('failed'),
      eb.fn.coalesce(eb.fn.sum<number>('t.rows_written'), eb.lit(0)).as('rows'),
    ])
    .groupBy(['r.id', 'r.job', 'r.state', 'r.started_at', 'r.finished_at'])
    .orderBy('r.id', 'desc')
    .limit(limit)
    .execute()
  return runs.map((r) => ({
    id: Number(r.id),
    job: r.job,
    state: r.state,
    startedAt: r.started_at.toISOString(),
    durationS:
      r.finished_at === null ? null : (r.finished_at.getTime() - r.started_at.getTime()) / 1000,
    ok: Number(r.ok),
    failed: Number(r.failed),
    rows: Number(r.rows),
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
  return rows.map((t) => ({
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
  }))
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
