import { createRoute, z } from '@hono/zod-openapi'
import {
  alertDeliveryPage,
  alertEventPage,
  getAlertRule,
  retryAlertDelivery,
  type AlertDeliveryView,
  type TradingDatabase,
} from '@trading-alerts/trading-alerts'
import type { ApiApp, RouteDeps } from '../context.js'
import { ApiError } from '../errors.js'
import { cursorParam, decodeCursor, keysetPage, limitParam } from '../pagination.js'
import { authProblems, isoTime, json } from '../schemas.js'
import { symbolParam } from './candles.js'

const DELIVERY_STATES = ['pending', 'delivered', 'dead'] as const

const ruleParam = z
  .string()
  .min(1)
  .max(80, 'is too long')
  .optional()
  .openapi({
    param: { name: 'rule', in: 'query' },
    description: 'Only those of this rule (its name or its id)',
    example: 'btc-oversold',
  })

const AlertEventSchema = z
  .object({
    id: z.number().int(),
    rule: z.object({ id: z.number().int(), name: z.string() }),
    symbol: z.string().openapi({ example: 'BTCUSDT' }),
    timeframe: z.string().openapi({ example: '1h' }),
    barTime: isoTime,
    firedAt: isoTime,
    values: z.record(z.string(), z.number()),
    text: z.string(),
    delivery: z
      .object({
        id: z.number().int(),
        state: z.enum(DELIVERY_STATES),
        attempts: z.number().int(),
      })
      .nullable()
      .openapi({ description: 'Its webhook delivery; null when the rule has no webhook' }),
  })
  .openapi('AlertEvent')

const AlertDeliverySchema = z
  .object({
    id: z.number().int(),
    eventId: z.number().int(),
    rule: z.object({ id: z.number().int(), name: z.string() }),
    symbol: z.string(),
    barTime: isoTime,
    state: z.enum(DELIVERY_STATES),
    attempts: z.number().int(),
    nextAttemptAt: isoTime,
    lastStatus: z.number().int().nullable().openapi({ description: 'HTTP status of the last try' }),
    lastError: z.string().nullable(),
    deliveredAt: isoTime.nullable(),
  })
  .openapi('AlertDelivery', {
    description: 'A webhook delivery; the webhook URL and secret are never answered',
  })

const pageKey = z.object({ id: z.number().int().min(1) })

const events = createRoute({
  method: 'get',
  path: '/api/v1/alerts/events',
  tags: ['alerts'],
  summary: 'Alert events, newest first, with their delivery state',
  request: {
    query: z.object({
      rule: ruleParam,
      symbol: symbolParam
        .optional()
        .openapi({ param: { name: 'symbol', in: 'query' }, description: 'Only this symbol' }),
      limit: limitParam,
      cursor: cursorParam,
    }),
  },
  responses: {
    200: json(
      z.object({ data: z.array(AlertEventSchema), next: z.string().nullable() }),
      'A page of events',
    ),
    ...authProblems(400, 404),
  },
})

const deliveries = createRoute({
  method: 'get',
  path: '/api/v1/alerts/deliveries',
  tags: ['alerts'],
  summary: 'Webhook deliveries, newest first; `state=dead` lists the dead letters',
  request: {
    query: z.object({
      state: z
        .enum(DELIVERY_STATES)
        .optional()
        .openapi({
          param: { name: 'state', in: 'query' },
          description: 'Only those in this state',
        }),
      rule: ruleParam,
      limit: limitParam,
      cursor: cursorParam,
    }),
  },
  responses: {
    200: json(
      z.object({ data: z.array(AlertDeliverySchema), next: z.string().nullable() }),
      'A page of deliveries',
    ),
    ...authProblems(400, 404),
  },
})

const retry = createRoute({
  method: 'post',
  path: '/api/v1/alerts/deliveries/{id}/retry',
  tags: ['alerts'],
  summary:
    'Queues a dead-lettered delivery again (admin): pending, due now, attempts reset; the alerts job delivers it',
  request: {
    params: z.object({
      id: z.coerce
        .number({ error: 'must be a delivery id' })
        .int('must be a delivery id')
        .min(1, 'must be a delivery id')
        .max(Number.MAX_SAFE_INTEGER, 'must be a delivery id')
        .openapi({ param: { name: 'id', in: 'path' }, example: 7 }),
    }),
  },
  responses: {
    200: json(AlertDeliverySchema, 'The delivery, pending again'),
    ...authProblems(400, 404, 409),
  },
})

function deliveryJson(d: AlertDeliveryView) {
  return {
    id: d.id,
    eventId: d.eventId,
    rule: { id: d.ruleId, name: d.ruleName },
    symbol: d.symbol,
    barTime: d.barTime.toISOString(),
    state: d.state,
    attempts: d.attempts,
    nextAttemptAt: d.nextAttemptAt.toISOString(),
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
  }
}

/** The id of the rule a `rule` parameter names (by name or id); 404 when there is none. */
async function ruleIdOf(db: TradingDatabase['db'], rule: string | undefined) {
  if (rule === undefined) return undefined
  const row = await getAlertRule(db, rule)
  if (row === undefined) throw new ApiError('not-found', `no alert rule ${rule}`)
  return Number(row.id)
}

function beforeIdOf(cursor: string | undefined) {
  return cursor === undefined ? undefined : decodeCursor(cursor, pageKey).id
}

export function alertRoutes(app: ApiApp, deps: RouteDeps): void {
  const { db } = deps.database

  app.openapi(events, async (c) => {
    const { rule, symbol, limit, cursor } = c.req.valid('query')
    const beforeId = beforeIdOf(cursor)
    const ruleId = await ruleIdOf(db, rule)
    const rows = await alertEventPage(db, {
      limit: limit + 1,
      ...(ruleId === undefined ? {} : { ruleId }),
      ...(symbol === undefined ? {} : { symbol: symbol.toUpperCase() }),
      ...(beforeId === undefined ? {} : { beforeId }),
    })
    const page = keysetPage(rows, limit, (e) => ({ id: e.id }))
    const data = page.data.map((e) => ({
      id: e.id,
      rule: { id: e.ruleId, name: e.ruleName },
      symbol: e.symbol,
      timeframe: e.timeframe,
      barTime: e.barTime.toISOString(),
      firedAt: e.firedAt.toISOString(),
      values: e.values,
      text: e.text,
      delivery: e.delivery,
    }))
    return c.json({ data, next: page.next }, 200)
  })

  app.openapi(deliveries, async (c) => {
    const { state, rule, limit, cursor } = c.req.valid('query')
    const beforeId = beforeIdOf(cursor)
    const ruleId = await ruleIdOf(db, rule)
    const rows = await alertDeliveryPage(db, {
      limit: limit + 1,
      ...(state === undefined ? {} : { state }),
      ...(ruleId === undefined ? {} : { ruleId }),
      ...(beforeId === undefined ? {} : { beforeId }),
    })
    const page = keysetPage(rows, limit, (d) => ({ id: d.id }))
    return c.json({ data: page.data.map(deliveryJson), next: page.next }, 200)
  })

  app.openapi(retry, async (c) => {
    const { id } = c.req.valid('param')
    const result = await retryAlertDelivery(db, id, deps.clock.now())
    if (result.outcome === 'not-found') throw new ApiError('not-found', `no delivery ${id}`)
    if (result.outcome === 'not-dead') {
      throw new ApiError(
        'conflict',
        `delivery ${id} is ${result.state}: only a dead delivery can be retried`,
      )
    }
    return c.json(deliveryJson(result.delivery), 200)
  })
}
