import { createRoute, z } from '@hono/zod-openapi'
import {
  databaseReachable,
  deliveriesByState,
  jobRunStats,
  lastFinishedRuns,
  lastRunPerJob,
  maxLagSeconds,
  symbolLastUpdates,
  symbolRowCounts,
  throttledAnswers,
  type SymbolRowCount,
} from '@trading-alerts/trading-alerts'
import { Counter, Gauge, Registry } from 'prom-client'
import type { ApiApp, RouteDeps } from '../context.js'
import { HealthSchema, authProblems, json } from '../schemas.js'

const health = createRoute({
  method: 'get',
  path: '/api/v1/health',
  tags: ['system'],
  summary: 'Liveness of the API and the database, the last run of every job, the largest lag',
  description:
    'Needs no token. `degraded` when the database is down (503) or the last run of a job failed or was interrupted.',
  security: [],
  responses: {
    200: json(HealthSchema, 'The database answers'),
    503: json(HealthSchema, 'The database is down'),
  },
})

/**
 * The metrics of one API (a registry of its own, never prom-client's global one, so that two APIs
 * in a process, or a user's own metrics, never collide). The database figures are read at each
 * scrape; the rows per symbol are an exact count cached for `rowsTtlMs`.
 */
export class ApiMetrics {
  readonly registry = new Registry()
  private readonly responses = new Counter({
    name: 'trading_alerts_api_responses_total',
    help: 'Answers of the HTTP API by status.',
    labelNames: ['status'] as const,
    registers: [this.registry],
  })
  private readonly rows = new Gauge({
    name: 'trading_alerts_symbol_rows',
    help: 'Stored 1-minute candles per symbol (exact count, cached up to the API option metricsRowsTtlMs).',
    labelNames: ['symbol'] as const,
    registers: [this.registry],
  })
  private readonly lag = new Gauge({
    name: 'trading_alerts_symbol_lag_seconds',
    help: 'Seconds from the last stored minute (last_updated_at) to now, per symbol with data.',
    labelNames: ['symbol'] as const,
    registers: [this.registry],
  })
  private readonly runs = new Gauge({
    name: 'trading_alerts_job_runs',
    help: 'Runs recorded in job_run, by job and state.',
    labelNames: ['job', 'state'] as const,
    registers: [this.registry],
  })
  private readonly runSeconds = new Gauge({
    name: 'trading_alerts_job_run_seconds_sum',
    help: 'Summed durations of the finished runs, by job and state, in seconds.',
    labelNames: ['job', 'state'] as const,
    registers: [this.registry],
  })
  private readonly lastRun = new Gauge({
    name: 'trading_alerts_job_last_run_seconds',
    help: 'Duration of the last finished run of each job (its state as a label), in seconds.',
    labelNames: ['job', 'state'] as const,
    registers: [this.registry],
  })
  private readonly throttled = new Gauge({
    name: 'trading_alerts_source_throttled_total',
    help: 'HTTP 429 (rate limited) and 418 (banned) answers the sources gave the jobs, summed over their runs.',
    labelNames: ['job', 'status'] as const,
    registers: [this.registry],
  })
  private readonly deliveries = new Gauge({
    name: 'trading_alerts_webhook_deliveries',
    help: 'Webhook deliveries by state.',
    labelNames: ['state'] as const,
    registers: [this.registry],
  })
  private cachedRows: { at: number; rows: SymbolRowCount[] } | undefined

  private readonly rowsTtlMs: number

  constructor(rowsTtlMs: number) {
    this.rowsTtlMs = rowsTtlMs
  }

  /** Counts one answer of the API. */
  count(status: number): void {
    this.responses.inc({ status: String(status) })
  }

  /** The text of a scrape: the database figures read now (rows from the cache when fresh). */
  async scrape(deps: RouteDeps): Promise<string> {
    const { db } = deps.database
    const now = deps.clock.now().getTime()
    const fresh = this.cachedRows !== undefined && now - this.cachedRows.at < this.rowsTtlMs
    const [updates, symbols, stats, last, throttled, deliveries] = await Promise.all([
      symbolLastUpdates(db),
      fresh && this.cachedRows !== undefined
        ? Promise.resolve(this.cachedRows.rows)
        : symbolRowCounts(db),
      jobRunStats(db),
      lastFinishedRuns(db),
      throttledAnswers(db),
      deliveriesByState(db),
    ])
    if (!fresh) this.cachedRows = { at: now, rows: symbols }
    this.rows.reset()
    for (const s of symbols) this.rows.set({ symbol: s.symbol }, s.rows)
    this.lag.reset()
    for (const s of updates) {
      if (s.lastUpdatedAt !== null)
        this.lag.set({ symbol: s.symbol }, Math.max(0, (now - s.lastUpdatedAt.getTime()) / 1000))
    }
    this.runs.reset()
    this.runSeconds.reset()
    for (const r of stats) {
      this.runs.set({ job: r.job, state: r.state }, r.runs)
      this.runSeconds.set({ job: r.job, state: r.state }, r.seconds)
    }
    this.lastRun.reset()
    for (const r of last) this.lastRun.set({ job: r.job, state: r.state }, r.seconds)
    this.throttled.reset()
    for (const t of throttled) this.throttled.set({ job: t.job, status: t.status }, t.count)
    this.deliveries.reset()
    for (const [state, n] of Object.entries(deliveries)) this.deliveries.set({ state }, n)
    return this.registry.metrics()
  }
}

const metrics = createRoute({
  method: 'get',
  path: '/metrics',
  tags: ['system'],
  summary: 'Prometheus text format metrics',
  description: 'The same token rules as /api/v1.',
  responses: {
    200: {
      description: 'Prometheus text exposition format 0.0.4',
      content: { 'text/plain; version=0.0.4': { schema: z.string() } },
    },
    ...authProblems(),
  },
})

export function systemRoutes(app: ApiApp, deps: RouteDeps, metricsOf: ApiMetrics): void {
  app.openapi(health, async (c) => {
    if (!(await databaseReachable(deps.database.db))) {
      deps.logger.warn('api health: database unreachable')
      return c.json(
        { status: 'degraded' as const, database: 'down' as const, jobs: {}, maxLagSeconds: null },
        503,
      )
    }
    const [runs, lag] = await Promise.all([
      lastRunPerJob(deps.database.db),
      maxLagSeconds(deps.database.db, deps.clock),
    ])
    const jobs: Record<string, z.infer<typeof HealthSchema>['jobs'][string]> = {}
    let failing = false
    for (const [job, run] of [...runs].sort(([a], [b]) => a.localeCompare(b))) {
      jobs[job] = {
        lastRunId: run.lastRunId,
        state: run.state,
        finishedAt: run.finishedAt?.toISOString() ?? null,
      }
      if (run.state === 'failed' || run.state === 'interrupted') failing = true
    }
    return c.json(
      {
        status: failing ? ('degraded' as const) : ('ok' as const),
        database: 'ok' as const,
        jobs,
        maxLagSeconds: lag,
      },
      200,
    )
  })

  app.openapi(metrics, async (c) => {
    const text = await metricsOf.scrape(deps)
    return c.body(text, 200, { 'content-type': metricsOf.registry.contentType })
  })
}
