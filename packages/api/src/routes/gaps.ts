import { createRoute, z } from '@hono/zod-openapi'
import { listExchangeGaps, listFailedArchiveFiles } from '@trading-alerts/trading-alerts'
import type { ApiApp, RouteDeps } from '../context.js'
import { authProblems, isoTime, json } from '../schemas.js'
import { closedThrough, symbolParam } from './candles.js'

const GapSchema = z
  .object({
    symbol: z.string().openapi({ example: 'BTCUSDT' }),
    startTime: isoTime,
    endTime: isoTime.openapi({ description: 'exclusive' }),
    kind: z.enum(['exchange-gap', 'unavailable']).openapi({
      description:
        '`exchange-gap`: minutes the exchange confirmed it has no candles for; `unavailable`: an ' +
        'archive file that failed to load (the historical job records it as a hole)',
    }),
  })
  .openapi('Gap')

const gaps = createRoute({
  method: 'get',
  path: '/api/v1/gaps',
  tags: ['market'],
  summary: 'Exchange gaps and recorded holes, by symbol and start',
  request: {
    query: z.object({
      symbol: symbolParam
        .optional()
        .openapi({ param: { name: 'symbol', in: 'query' }, description: 'Only this symbol' }),
    }),
  },
  responses: {
    200: json(z.object({ data: z.array(GapSchema) }), 'The gaps, by symbol and start time'),
    ...authProblems(400, 404),
  },
})

/** The [start, end) of an archive file's period (`YYYY-MM` or `YYYY-MM-DD`, UTC). */
function periodRange(kind: 'monthly' | 'daily', period: string): [number, number] {
  const [y, m, d = 1] = period.split('-').map(Number) as [number, number, number?]
  return kind === 'monthly'
    ? [Date.UTC(y, m - 1, 1), Date.UTC(y, m, 1)]
    : [Date.UTC(y, m - 1, d), Date.UTC(y, m - 1, d + 1)]
}

export function gapRoutes(app: ApiApp, deps: RouteDeps): void {
  app.openapi(gaps, async (c) => {
    const symbol = c.req.valid('query').symbol?.toUpperCase()
    if (symbol !== undefined) await closedThrough(deps.database, symbol)
    const filter = symbol === undefined ? {} : { symbol }
    const db = deps.database.db
    const [exchange, failed] = await Promise.all([
      listExchangeGaps(db, filter),
      listFailedArchiveFiles(db, filter),
    ])
    const data = [
      ...exchange.map((g) => ({
        symbol: g.symbol,
        start: g.start_time.getTime(),
        end: g.end_time.getTime(),
        kind: 'exchange-gap' as const,
      })),
      ...failed.map((f) => {
        const [start, end] = periodRange(f.period_kind, f.period)
        return { symbol: f.symbol, start, end, kind: 'unavailable' as const }
      }),
    ].sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : a.start - b.start))
    return c.json(
      {
        data: data.map((g) => ({
          symbol: g.symbol,
          startTime: new Date(g.start).toISOString(),
          endTime: new Date(g.end).toISOString(),
          kind: g.kind,
        })),
      },
      200,
    )
  })
}
