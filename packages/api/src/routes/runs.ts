import { createRoute, z } from '@hono/zod-openapi'
import {
  findRunTask,
  listTasks,
  readTaskLog,
  runOverviews,
  type JobName,
  type RunOverview,
  type RunState,
} from '@trading-alerts/trading-alerts'
import type { ApiApp, RouteDeps } from '../context.js'
import { ApiError } from '../errors.js'
import { cursorParam, decodeCursor, keysetPage, limitParam } from '../pagination.js'
import { authProblems, isoTime, json, ProblemSchema } from '../schemas.js'

const JOBS = [
  'symbols',
  'historical',
  'incremental',
  'indicators',
  'alerts',
] as const satisfies readonly JobName[]
const RUN_STATES = [
  'running',
  'succeeded',
  'failed',
  'interrupted',
] as const satisfies readonly RunState[]

const durationS = z
  .number()
  .nullable()
  .openapi({ description: 'Seconds from start to finish; null while it runs', example: 12.5 })

const RunSchema = z
  .object({
    id: z.number().int().openapi({ example: 42 }),
    job: z.enum(JOBS),
    state: z.enum(RUN_STATES),
    startedAt: isoTime,
    finishedAt: isoTime.nullable(),
    durationS,
    tasks: z.object({
      total: z.number().int(),
      succeeded: z.number().int(),
      failed: z.number().int(),
      running: z.number().int(),
      interrupted: z.number().int(),
      skipped: z.number().int(),
    }),
    rows: z.number().int().openapi({ description: 'Rows written by its tasks' }),
  })
  .openapi('Run')

const RunDetailSchema = RunSchema.extend({
  params: z.unknown().openapi({ description: 'The options the run was started with' }),
  summary: z.unknown().openapi({ description: 'What the run reported at its end; null before' }),
  error: z.string().nullable(),
}).openapi('RunDetail')

const TaskSchema = z
  .object({
    symbol: z.string().nullable().openapi({ example: 'BTCUSDT' }),
    kind: z.enum(['symbol', 'job', 'rule']),
    key: z.string().openapi({ description: 'The symbol, the job’s name or the rule’s name' }),
    state: z.enum(['pending', 'running', 'succeeded', 'failed', 'interrupted', 'skipped']),
    attempts: z.number().int(),
    startedAt: isoTime.nullable(),
    finishedAt: isoTime.nullable(),
    durationS,
    rows: z.number().int(),
    progress: z.unknown().openapi({ description: 'The task’s last progress report; null if none' }),
    error: z.string().nullable(),
    errorCode: z.string().nullable(),
  })
  .openapi('Task')

const runId = z.coerce
  .number({ error: 'must be a run id' })
  .int('must be a run id')
  .min(1, 'must be a run id')
  .max(Number.MAX_SAFE_INTEGER, 'must be a run id')
  .openapi({ param: { name: 'id', in: 'path' }, example: 42 })

const list = createRoute({
  method: 'get',
  path: '/api/v1/runs',
  tags: ['runs'],
  summary: 'Job runs, newest first, with their task counts',
  request: {
    query: z.object({
      job: z.enum(JOBS).optional().openapi({ description: 'Only runs of this job' }),
      state: z.enum(RUN_STATES).optional().openapi({ description: 'Only runs in this state' }),
      limit: limitParam,
      cursor: cursorParam,
    }),
  },
  responses: {
    200: json(
      z.object({ data: z.array(RunSchema), next: z.string().nullable() }),
      'A page of runs',
    ),
    ...authProblems(400),
  },
})

const one = createRoute({
  method: 'get',
  path: '/api/v1/runs/{id}',
  tags: ['runs'],
  summary: 'One run with its params, summary and error',
  request: { params: z.object({ id: runId }) },
  responses: { 200: json(RunDetailSchema, 'The run'), ...authProblems(400, 404) },
})

const tasks = createRoute({
  method: 'get',
  path: '/api/v1/runs/{id}/tasks',
  tags: ['runs'],
  summary: 'Every task of a run (kind, key): state, attempts, rows, progress, error',
  request: { params: z.object({ id: runId }) },
  responses: {
    200: json(z.object({ data: z.array(TaskSchema) }), 'The tasks, by kind and key'),
    ...authProblems(400, 404),
  },
})

const taskKey = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, 'must be a task key (a symbol, a job or rule name)')
  .openapi({ param: { name: 'symbol', in: 'path' }, example: 'BTCUSDT' })

const TaskLogLineSchema = z
  .object({
    time: isoTime,
    level: z.enum(['debug', 'info', 'warn', 'error']),
    message: z.string().openapi({ example: 'request failed, retrying' }),
    fields: z.record(z.string(), z.unknown()),
  })
  .openapi('TaskLogLine')

const taskLog = createRoute({
  method: 'get',
  path: '/api/v1/runs/{id}/tasks/{symbol}/log',
  tags: ['runs'],
  summary: 'The log lines of a task of a run (its first 200 and last 300), in order',
  request: { params: z.object({ id: runId, symbol: taskKey }) },
  responses: {
    200: json(
      z.object({
        data: z.array(TaskLogLineSchema),
        dropped: z
          .number()
          .int()
          .openapi({ description: 'Lines dropped between the first 200 and the last 300' }),
      }),
      'The task’s log lines',
    ),
    ...authProblems(400, 404),
  },
})

/** Starts a run of `job`: its id once started, or null while one is in progress. */
export type StartJob = (job: JobName) => Promise<{ readonly id: number } | null>

const start = createRoute({
  method: 'post',
  path: '/api/v1/runs',
  tags: ['runs'],
  summary: 'Starts a run of a job (admin); 409 while a run of that job is in progress',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.object({ job: z.enum(JOBS).openapi({ example: 'incremental' }) }).strict(),
        },
      },
    },
  },
  responses: {
    202: json(z.object({ id: z.number().int().openapi({ example: 43 }) }), 'The run started'),
    ...authProblems(400, 409, 413),
    405: {
      description: 'This server does not start runs (createApi got no startJob)',
      content: { 'application/problem+json': { schema: ProblemSchema } },
    },
  },
})

const seconds = (from: Date | null, to: Date | null) =>
  from === null || to === null ? null : (to.getTime() - from.getTime()) / 1000

function runJson(r: RunOverview) {
  return {
    id: r.id,
    job: r.job,
    state: r.state,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    durationS: seconds(r.startedAt, r.finishedAt),
    tasks: r.tasks,
    rows: r.rows,
  }
}

async function findRun(deps: RouteDeps, id: number): Promise<RunOverview> {
  const [run] = await runOverviews(deps.database.db, { id, limit: 1 })
  if (run === undefined) throw new ApiError('not-found', `no run ${id}`)
  return run
}

export function runRoutes(
  app: ApiApp,
  deps: RouteDeps & { readonly startJob: StartJob | undefined },
): void {
  app.openapi(start, async (c) => {
    const { job } = c.req.valid('json')
    if (deps.startJob === undefined)
      throw new ApiError('method-not-allowed', 'this server does not start runs')
    const started = await deps.startJob(job)
    if (started === null) throw new ApiError('conflict', `a run of ${job} is in progress`)
    return c.json({ id: started.id }, 202)
  })

  app.openapi(list, async (c) => {
    const { job, state, limit, cursor } = c.req.valid('query')
    const after =
      cursor === undefined
        ? undefined
        : decodeCursor(cursor, z.object({ id: z.number().int().min(1) }))
    const rows = await runOverviews(deps.database.db, {
      job,
      state,
      beforeId: after?.id,
      limit: limit + 1,
    })
    const page = keysetPage(rows, limit, (r) => ({ id: r.id }))
    return c.json({ data: page.data.map(runJson), next: page.next }, 200)
  })

  app.openapi(one, async (c) => {
    const run = await findRun(deps, c.req.valid('param').id)
    return c.json(
      { ...runJson(run), params: run.params, summary: run.summary, error: run.error },
      200,
    )
  })

  app.openapi(tasks, async (c) => {
    const run = await findRun(deps, c.req.valid('param').id)
    const rows = await listTasks(deps.database.db, run.id)
    return c.json(
      {
        data: rows.map((t) => ({
          symbol: t.symbol,
          kind: t.kind,
          key: t.key,
          state: t.state,
          attempts: t.attempts,
          startedAt: t.started_at?.toISOString() ?? null,
          finishedAt: t.finished_at?.toISOString() ?? null,
          durationS: seconds(t.started_at, t.finished_at),
          rows: Number(t.rows_written),
          progress: t.progress,
          error: t.error,
          errorCode: t.error_code,
        })),
      },
      200,
    )
  })

  app.openapi(taskLog, async (c) => {
    const { id, symbol } = c.req.valid('param')
    const run = await findRun(deps, id)
    const task = await findRunTask(deps.database.db, run.id, symbol)
    if (task === undefined) throw new ApiError('not-found', `run ${id} has no task ${symbol}`)
    const log = await readTaskLog(deps.database.db, task.taskId)
    return c.json(
      {
        data: log.lines.map((l) => ({
          time: l.time.toISOString(),
          level: l.level,
          message: l.message,
          fields: l.fields,
        })),
        dropped: log.dropped,
      },
      200,
    )
  })
}
