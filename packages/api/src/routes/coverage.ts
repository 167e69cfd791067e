import { createRoute, z } from '@hono/zod-openapi'
import {
  symbolCoverage,
  symbolLastUpdates,
  symbolRowCounts,
  type SymbolRowCount,
} from '@trading-alerts/trading-alerts'
import type { ApiApp, RouteDeps } from '../context.js'
import { authProblems, isoTime, json } from '../schemas.js'
import { closedThrough, symbolParam } from './candles.js'

const CoverageSchema = z
  .object({
    symbol: z.string().openapi({ example: 'BTCUSDT' }),
    firstOpenTime: isoTime.nullable().openapi({ description: 'The oldest stored minute' }),
    lastUpdatedAt: isoTime.nullable(),
    lagSeconds: z
      .number()
      .nullable()
      .openapi({ description: 'From `lastUpdatedAt` to `now`, never negative' }),
    expectedMinutes: z
      .number()
      .int()
      .openapi({ description: 'Closed minutes from `firstOpenTime` to `now`' }),
    storedMinutes: z.number().int().openapi({ description: 'Stored 1-minute candles' }),
    completeness: z.number().nullable().openapi({
      description: '`storedMinutes / expectedMinutes` (at most 1); null while nothing is expected',
      example: 0.9993,
    }),
    gaps: z
      .number()
      .int()
      .openapi({ description: 'The entries GET /api/v1/gaps lists for the symbol' }),
  })
  .openapi('Coverage')

const coverage = createRoute({
  method: 'get',
  path: '/api/v1/market/coverage',
  tags: ['market'],
  summary: 'How recent and how complete each symbol’s 1-minute data is, at the API’s clock',
  description:
    'The stored counts are exact, counted again when a symbol’s `lastUpdatedAt` moved and otherwise ' +
    'reused up to the `metricsRowsTtlMs` option (default 60 s).',
  request: {
    query: z.object({
      symbol: symbolParam
        .optional()
        .openapi({ param: { name: 'symbol', in: 'query' }, description: 'Only this symbol' }),
    }),
  },
  responses: {
    200: json(
      z.object({
        now: isoTime.openapi({ description: 'The API’s clock the figures are computed at' }),
        data: z.array(CoverageSchema),
      }),
      'Every symbol, by symbol',
    ),
    ...authProblems(400, 404),
  },
})

export function coverageRoutes(app: ApiApp, deps: RouteDeps, rowsTtlMs: number): void {
  // The exact count per symbol (as /metrics has it) is the costly part: kept while no symbol's
  // data moved, up to `rowsTtlMs` (the historical job can add older minutes without moving it).
  let cached: { at: number; key: string; rows: SymbolRowCount[] } | undefined
  app.openapi(coverage, async (c) => {
    const symbol = c.req.valid('query').symbol?.toUpperCase()
    if (symbol !== undefined) await closedThrough(deps.database, symbol)
    const { db } = deps.database
    const now = deps.clock.now()
    const key = (await symbolLastUpdates(db))
      .map((s) => `${s.symbol}:${s.lastUpdatedAt?.getTime() ?? ''}`)
      .join(',')
    if (cached === undefined || cached.key !== key || now.getTime() - cached.at >= rowsTtlMs)
      cached = { at: now.getTime(), key, rows: await symbolRowCounts(db) }
    const rows = (await symbolCoverage(db, now, cached.rows)).filter(
      (r) => symbol === undefined || r.symbol === symbol,
    )
    return c.json(
      {
        now: now.toISOString(),
        data: rows.map((r) => ({
          ...r,
          firstOpenTime: r.firstOpenTime?.toISOString() ?? null,
          lastUpdatedAt: r.lastUpdatedAt?.toISOString() ?? null,
        })),
      },
      200,
    )
  })
}
