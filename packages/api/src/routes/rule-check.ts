import { createRoute, z } from '@hono/zod-openapi'
import {
  isTradingAlertsError,
  RuleSyntaxError,
  validateAlertRule,
} from '@trading-alerts/trading-alerts'
import type { ApiApp, RouteDeps } from '../context.js'
import { authProblems, json } from '../schemas.js'

const RuleCheckSchema = z
  .union([
    z.object({ ok: z.literal(true) }),
    z.object({
      ok: z.literal(false),
      error: z.object({
        message: z.string().openapi({ example: 'Unexpected end of rule: expected a value' }),
        position: z.number().int().nullable().openapi({
          description:
            'The 0-based index in `rule` of the character the error points at (the same as the 400 of POST /api/v1/alerts/rules); null when the error is not in the rule text (the timeframe)',
          example: 9,
        }),
        field: z.enum(['rule', 'timeframe']),
      }),
    }),
  ])
  .openapi('AlertRuleCheck')

const check = createRoute({
  method: 'get',
  path: '/api/v1/alerts/rules/check',
  tags: ['alerts'],
  summary: 'Checks a rule’s syntax (as POST /api/v1/alerts/rules does) without saving anything',
  description:
    'For an editor that checks as the user types: a read token may call it, and a bad rule is an answer (200, `ok: false` with the position), not an error.',
  request: {
    query: z.object({
      rule: z
        .string({ error: 'is required' })
        .max(4000, 'is too long')
        .openapi({ param: { name: 'rule', in: 'query' }, example: 'rsi(14) < 30' }),
      timeframe: z
        .string()
        .max(8, 'is too long')
        .optional()
        .openapi({
          param: { name: 'timeframe', in: 'query' },
          description: 'Also check the rule against this timeframe (its change() windows)',
          example: '1h',
        }),
    }),
  },
  responses: {
    200: json(RuleCheckSchema, 'Whether the rule would be accepted, else where it is wrong'),
    ...authProblems(400),
  },
})

/** GET /api/v1/alerts/rules/check: the parser of POST /api/v1/alerts/rules, nothing written. */
export function ruleCheckRoutes(app: ApiApp, _deps: RouteDeps): void {
  app.openapi(check, (c) => {
    const { rule, timeframe } = c.req.valid('query')
    try {
      // The name is not checked here: a valid placeholder, so only the rule and timeframe count.
      validateAlertRule({ name: 'check', rule, ...(timeframe === undefined ? {} : { timeframe }) })
      return c.json({ ok: true as const }, 200)
    } catch (error) {
      if (error instanceof RuleSyntaxError) {
        return c.json(
          {
            ok: false as const,
            error: { message: error.reason, position: error.position, field: 'rule' as const },
          },
          200,
        )
      }
      if (isTradingAlertsError(error)) {
        return c.json(
          {
            ok: false as const,
            error: { message: error.message, position: null, field: 'timeframe' as const },
          },
          200,
        )
      }
      throw error
    }
  })
}
