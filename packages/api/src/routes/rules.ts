import { createRoute, z } from '@hono/zod-openapi'
import {
  getAlertRule,
  listAlertRules,
  removeAlertRule,
  saveAlertRule,
  testAlertRule,
  updateAlertRule,
  type AlertRuleRow,
} from '@trading-alerts/trading-alerts'
import type { ApiApp, RouteDeps } from '../context.js'
import { ApiError } from '../errors.js'
import { cursorParam, decodeCursor, keysetPage, limitParam, timeRange } from '../pagination.js'
import {
  RuleFiringSchema,
  RuleInSchema,
  RulePatchSchema,
  RuleSchema,
  RuleTestInSchema,
  authProblems,
  json,
} from '../schemas.js'
import { libraryError } from './errors-map.js'

const idParam = z.object({
  id: z
    .string()
    .regex(/^[1-9]\d{0,14}$/, 'must be a rule id (a positive whole number)')
    .openapi({ param: { name: 'id', in: 'path' }, example: '1' }),
})

const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
})

const list = createRoute({
  method: 'get',
  path: '/api/v1/alerts/rules',
  tags: ['alerts'],
  summary: 'The alert rules, by name',
  request: { query: z.object({ limit: limitParam, cursor: cursorParam }) },
  responses: {
    200: json(
      z.object({ data: z.array(RuleSchema), next: z.string().nullable() }),
      'A page of rules',
    ),
    ...authProblems(400),
  },
})

const create = createRoute({
  method: 'post',
  path: '/api/v1/alerts/rules',
  tags: ['alerts'],
  summary: 'Adds a rule (admin); it fires only on bars after it is added (or after `from`)',
  request: { body: jsonBody(RuleInSchema) },
  responses: {
    201: json(RuleSchema, 'The rule added'),
    ...authProblems(400, 409, 413),
  },
})

const get = createRoute({
  method: 'get',
  path: '/api/v1/alerts/rules/{id}',
  tags: ['alerts'],
  summary: 'One rule',
  request: { params: idParam },
  responses: { 200: json(RuleSchema, 'The rule'), ...authProblems(400, 404) },
})

const patch = createRoute({
  method: 'patch',
  path: '/api/v1/alerts/rules/{id}',
  tags: ['alerts'],
  summary: 'Edits a rule (admin); a changed condition starts it afresh from now',
  request: { params: idParam, body: jsonBody(RulePatchSchema) },
  responses: { 200: json(RuleSchema, 'The rule edited'), ...authProblems(400, 404, 413) },
})

const remove = createRoute({
  method: 'delete',
  path: '/api/v1/alerts/rules/{id}',
  tags: ['alerts'],
  summary: 'Removes a rule with its events and deliveries (admin)',
  request: { params: idParam },
  responses: { 204: { description: 'Removed' }, ...authProblems(400, 404) },
})

const dryRun = createRoute({
  method: 'post',
  path: '/api/v1/alerts/rules/test',
  tags: ['alerts'],
  summary: 'The dry run of a rule over a symbol’s stored history: when it would have fired',
  description:
    'Nothing is written. All stored history is the warm-up; `from` (inclusive) and `to` (exclusive) select the bars reported.',
  request: { body: jsonBody(RuleTestInSchema) },
  responses: {
    200: json(z.object({ data: z.array(RuleFiringSchema) }), 'The bars the rule fires on'),
    ...authProblems(400, 404, 413),
  },
})

function ruleJson(r: AlertRuleRow) {
  return {
    id: Number(r.id),
    name: r.name,
    rule: r.rule,
    kind: r.kind,
    symbols: r.symbols as string[],
    timeframe: r.timeframe,
    enabled: r.enabled,
    webhook: r.webhook_url === null ? null : { url: r.webhook_url, preset: r.webhook_preset },
    createdAt: r.created_at.toISOString(),
    evaluateFrom: r.evaluate_from.toISOString(),
  }
}

/** Runs `fn`, answering the library's own errors as problems. */
async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (error) {
    throw libraryError(error) ?? error
  }
}

const cursorKey = z.object({ name: z.string() })

/** A body's `from` as the library takes it: ISO 8601 or epoch ms, like every time parameter. */
function withFrom<T extends { from?: string | undefined }>(body: T): T {
  if (body.from === undefined) return body
  const { from } = timeRange(body.from, undefined)
  return { ...body, from: new Date(from as number).toISOString() }
}

export function ruleRoutes(app: ApiApp, deps: RouteDeps): void {
  const { db } = deps.database

  app.openapi(list, async (c) => {
    const { limit, cursor } = c.req.valid('query')
    const after = cursor === undefined ? undefined : decodeCursor(cursor, cursorKey).name
    const rows = await listAlertRules(db, {
      limit: limit + 1,
      ...(after === undefined ? {} : { after }),
    })
    const page = keysetPage(rows, limit, (r) => ({ name: r.name }))
    return c.json({ data: page.data.map(ruleJson), next: page.next }, 200)
  })

  app.openapi(create, async (c) => {
    const body = withFrom(c.req.valid('json'))
    if ((await getAlertRule(db, body.name)) !== undefined) {
      throw new ApiError(
        'conflict',
        `a rule named "${body.name}" exists: PATCH /api/v1/alerts/rules/{id} edits it`,
      )
    }
    const row = await guarded(() => saveAlertRule(db, body, deps.clock))
    return c.json(ruleJson(row), 201, { location: `/api/v1/alerts/rules/${row.id}` })
  })

  app.openapi(get, async (c) => {
    const { id } = c.req.valid('param')
    const row = await getAlertRule(db, id)
    if (row === undefined) throw new ApiError('not-found', `no alert rule ${id}`)
    return c.json(ruleJson(row), 200)
  })

  app.openapi(patch, async (c) => {
    const { id } = c.req.valid('param')
    const row = await guarded(() =>
      updateAlertRule(db, Number(id), withFrom(c.req.valid('json')), deps.clock),
    )
    return c.json(ruleJson(row), 200)
  })

  app.openapi(remove, async (c) => {
    const { id } = c.req.valid('param')
    await guarded(() => removeAlertRule(db, id))
    return c.body(null, 204)
  })

  app.openapi(dryRun, async (c) => {
    const body = c.req.valid('json')
    const range = timeRange(body.from, body.to)
    const result = await guarded(() =>
      testAlertRule(db, {
        rule: body.rule,
        symbol: body.symbol,
        ...(body.timeframe === undefined ? {} : { timeframe: body.timeframe }),
      }),
    )
    const data = result.fired
      .filter(
        (f) =>
          (range.from === undefined || f.barTime.getTime() >= range.from) &&
          (range.to === undefined || f.barTime.getTime() < range.to),
      )
      .map((f) => ({ barTime: f.barTime.toISOString(), values: f.values }))
    return c.json({ data }, 200)
  })
}
