import { z } from '@hono/zod-openapi'

/** An ISO 8601 UTC time as every answer writes it. */
export const isoTime = z.string().openapi({ example: '2026-03-04T10:00:00.000Z' })
/** An exact decimal: the text PostgreSQL gives for the stored numeric. */
export const decimal = z.string().openapi({ example: '0.01000000' })

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: 'https://trading-alerts.dev/problems/bad-request' }),
    title: z.string().openapi({ example: 'Bad request' }),
    status: z.number().int().openapi({ example: 400 }),
    detail: z.string().openapi({ example: 'limit: must be at most 10000' }),
    errors: z
      .array(
        z.object({
          name: z.string().openapi({ example: 'limit' }),
          message: z.string().openapi({ example: 'must be at most 10000' }),
          position: z.number().int().optional(),
        }),
      )
      .optional(),
  })
  .openapi('Problem', { description: 'An error, as RFC 9457 application/problem+json' })

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
})

/** The problem answers a route may give, by status, for its `responses`. */
export const problems = {
  400: problem('A bad parameter: `errors` names each one'),
  401: problem('No token, or a bad or revoked one'),
  403: problem('The token’s scope is too small (read on a write)'),
  404: problem('Not found'),
  409: problem('Conflict'),
  413: problem('The body is too large'),
  414: problem('The query string is too large'),
  429: problem('Too many requests: wait the Retry-After seconds'),
  500: problem('An unexpected failure (logged; the body says nothing of its cause)'),
  503: problem('The database is unreachable'),
} as const

/** The answers of an authenticated route besides its own. */
export function authProblems<K extends keyof typeof problems>(...extra: K[]) {
  const picked: Partial<Record<keyof typeof problems, (typeof problems)[keyof typeof problems]>> =
    {}
  for (const k of [401, 403, 414, 429, 500, ...extra] as (keyof typeof problems)[]) {
    picked[k] = problems[k]
  }
  return picked
}

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
})

export const JobStateSchema = z.object({
  lastRunId: z.number().int(),
  state: z.enum(['running', 'succeeded', 'failed', 'interrupted']),
  finishedAt: isoTime.nullable(),
})

export const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    database: z.enum(['ok', 'down']),
    jobs: z.record(z.string(), JobStateSchema),
    maxLagSeconds: z.number().int().nullable(),
  })
  .openapi('Health')

export const SymbolSchema = z
  .object({
    symbol: z.string().openapi({ example: 'BTCUSDT' }),
    market: z.enum(['crypto', 'us', 'cn']),
    baseAsset: z.string(),
    quoteAsset: z.string(),
    name: z.string().nullable(),
    coingeckoId: z.string().nullable(),
    marketCapRank: z.number().int().nullable(),
    inTopN: z.boolean(),
    status: z.string().openapi({ example: 'TRADING' }),
    firstOpenTime: isoTime.nullable(),
    lastUpdatedAt: isoTime.nullable(),
  })
  .openapi('Symbol')

export const TopCoinSchema = z
  .object({
    rank: z.number().int().nullable(),
    coingeckoId: z.string(),
    coinSymbol: z.string(),
    name: z.string(),
    marketCapUsd: decimal.nullable(),
    priceUsd: decimal.nullable(),
    pair: z.string().nullable(),
    excludedReason: z.string().nullable(),
  })
  .openapi('TopCoin')

const symbolsField = z
  .union([z.array(z.string().max(40)).max(1000), z.string().max(20_000)])
  .openapi({
    description: 'Symbols to watch (a list or a comma list); `*` or absent for every one',
  })

const WebhookInSchema = z.object({
  url: z.string().max(2048),
  preset: z.enum(['json', 'slack', 'discord', 'telegram']).optional().openapi({ example: 'json' }),
  secret: z.string().max(512).optional().openapi({ description: 'HMAC secret; never answered' }),
  telegramChatId: z.string().max(64).optional(),
})

export const RuleInSchema = z
  .object({
    name: z.string().max(80),
    rule: z.string().max(4000).openapi({ example: 'rsi(14) < 30' }),
    symbols: symbolsField.optional(),
    timeframe: z.string().max(8).optional().openapi({ example: '1h' }),
    enabled: z.boolean().optional(),
    from: z.string().max(64).optional().openapi({ description: 'Evaluate bars from this time' }),
    webhook: WebhookInSchema.optional(),
  })
  .strict()
  .openapi('AlertRuleInput')

export const RulePatchSchema = z
  .object({
    name: z.string().max(80).optional(),
    rule: z.string().max(4000).optional(),
    symbols: symbolsField.optional(),
    timeframe: z.string().max(8).optional(),
    enabled: z.boolean().optional(),
    from: z.string().max(64).optional(),
    webhook: WebhookInSchema.nullable().optional(),
  })
  .strict()
  .openapi('AlertRulePatch', { description: 'The fields to change; `webhook: null` removes it' })

export const RuleSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    rule: z.string(),
    kind: z.enum(['bar', 'market']),
    symbols: z.array(z.string()),
    timeframe: z.string(),
    enabled: z.boolean(),
    webhook: z
      .object({ url: z.string(), preset: z.enum(['json', 'slack', 'discord', 'telegram']) })
      .nullable(),
    createdAt: isoTime,
    evaluateFrom: isoTime,
  })
  .openapi('AlertRule')

export const RuleTestInSchema = z
  .object({
    rule: z.string().max(4000).openapi({ example: 'close crosses above sma(20)' }),
    symbol: z
      .string()
      .regex(/^[A-Za-z0-9]{2,20}$/, 'must be a symbol like BTCUSDT')
      .openapi({ example: 'BTCUSDT' }),
    timeframe: z.string().max(8).optional().openapi({ example: '1h' }),
    from: z.string().max(64).optional(),
    to: z.string().max(64).optional(),
  })
  .strict()
  .openapi('AlertRuleTest')

export const RuleFiringSchema = z.object({
  barTime: isoTime,
  values: z.record(z.string(), z.number()),
})
