import { createRoute, z } from '@hono/zod-openapi'
import { listSymbols, readTopSnapshot, snapshotDays } from '@trading-alerts/trading-alerts'
import type { ApiApp, RouteDeps } from '../context.js'
import { ApiError } from '../errors.js'
import { parseTime } from '../pagination.js'
import { SymbolSchema, TopCoinSchema, authProblems, json } from '../schemas.js'

const symbols = createRoute({
  method: 'get',
  path: '/api/v1/symbols',
  tags: ['market'],
  summary: 'The symbol table: every pair ever tracked, by symbol',
  responses: {
    200: json(z.object({ data: z.array(SymbolSchema) }), 'Every symbol'),
    ...authProblems(),
  },
})

const DAY = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$/

const top = createRoute({
  method: 'get',
  path: '/api/v1/market/top',
  tags: ['market'],
  summary: 'A day’s top-N snapshot as CoinGecko ranked it, with the pair mapped to each coin',
  request: {
    query: z.object({
      day: z
        .string()
        .refine((d) => DAY.test(d) && parseTime(d) !== null, 'must be a day like 2026-03-04')
        .optional()
        .openapi({
          description: 'The day (UTC); default the latest stored',
          example: '2026-03-04',
        }),
    }),
  },
  responses: {
    200: json(
      z.object({
        day: z.string().openapi({ example: '2026-03-04' }),
        data: z.array(TopCoinSchema),
      }),
      'The snapshot, by rank',
    ),
    ...authProblems(400, 404),
  },
})

const days = createRoute({
  method: 'get',
  path: '/api/v1/market/days',
  tags: ['market'],
  summary:
    'The days with a top-N snapshot, oldest first (what GET /api/v1/market/top?day= answers)',
  responses: {
    200: json(
      z.object({ data: z.array(z.string().openapi({ example: '2026-03-04' })) }),
      'The days, oldest first',
    ),
    ...authProblems(),
  },
})

export function marketRoutes(app: ApiApp, deps: RouteDeps): void {
  app.openapi(days, async (c) => c.json({ data: await snapshotDays(deps.database.db) }, 200))

  app.openapi(symbols, async (c) => {
    const rows = await listSymbols(deps.database.db)
    return c.json(
      {
        data: rows.map((s) => ({
          ...s,
          // Every symbol is a Binance pair until the stock markets (DESIGN §10) add a market column.
          market: 'crypto' as const,
          firstOpenTime: s.firstOpenTime?.toISOString() ?? null,
          lastUpdatedAt: s.lastUpdatedAt?.toISOString() ?? null,
        })),
      },
      200,
    )
  })

  app.openapi(top, async (c) => {
    const { day } = c.req.valid('query')
    const snapshot = await readTopSnapshot(deps.database.db, day)
    if (snapshot === null) {
      throw new ApiError(
        'not-found',
        day === undefined ? 'no top-N snapshot is stored yet' : `no top-N snapshot for ${day}`,
      )
    }
    return c.json(snapshot, 200)
  })
}
