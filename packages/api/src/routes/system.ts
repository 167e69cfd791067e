import { createRoute, z } from '@hono/zod-openapi'
import { databaseReachable, lastRunPerJob, maxLagSeconds } from '@trading-alerts/trading-alerts'
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

/** Counters of answers by status, for /metrics. */
export class HttpCounters {
  readonly byStatus = new Map<number, number>()
  count(status: number): void {
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1)
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

export function systemRoutes(app: ApiApp, deps: RouteDeps, counters: HttpCounters): void {
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

  app.openapi(metrics, (c) => {
    const lines = [
      '# HELP trading_alerts_api_responses_total Answers of the HTTP API by status.',
      '# TYPE trading_alerts_api_responses_total counter',
      ...[...counters.byStatus]
        .sort(([a], [b]) => a - b)
        .map(([status, n]) => `trading_alerts_api_responses_total{status="${status}"} ${n}`),
    ]
    return c.body(`${lines.join('\n')}\n`, 200, { 'content-type': 'text/plain; version=0.0.4' })
  })
}
