import { createRoute, z } from '@hono/zod-openapi'
import {
  RuleSyntaxError,
  bucketStart,
  closedBarsEnd,
  feedBar,
  readResampledBars,
  resolveIndicatorText,
  timeframeMs,
  type IndicatorInstance,
  type Timeframe,
} from '@trading-alerts/trading-alerts'
import type { ApiApp, RouteDeps } from '../context.js'
import { badParameter } from '../errors.js'
import {
  cursorParam,
  decodeCursor,
  keysetPage,
  limitParam,
  timeParam,
  timeRange,
} from '../pagination.js'
import { authProblems, isoTime, json } from '../schemas.js'
import { libraryError } from './errors-map.js'
import { closedThrough, symbolParam, timeframeParam } from './candles.js'

/**
 * The default of the most bars × indicators one request computes (`maxIndicatorWork` of
 * createApi). Every indicator runs from the symbol's first bar (so the values equal the
 * indicators job's exactly, EMA-based ones included): the bars counted are all those from the
 * first bar to the end of the page's range.
 */
export const MAX_INDICATOR_WORK = 2_000_000
/** The most `name` parameters of one request. */
export const MAX_INDICATOR_NAMES = 20

const indicators = (maxWork: number) =>
  createRoute({
    method: 'get',
    path: '/api/v1/indicators/{symbol}',
    tags: ['market'],
    summary: 'Indicators of the rule language computed on demand over the closed bars',
    description:
      'Values equal to what the indicators job stores: every indicator runs from the symbol’s first ' +
      `bar (the warm-up is its whole history), capped at ${maxWork} bars × indicators per ` +
      'request. `null` during warm-up.',
    request: {
      params: z.object({ symbol: symbolParam }),
      query: z.object({
        timeframe: timeframeParam,
        name: z
          .union([z.string().max(200), z.array(z.string().max(200)).max(MAX_INDICATOR_NAMES)])
          .openapi({
            param: { name: 'name', in: 'query', style: 'form', explode: true },
            description: 'An indicator, repeated: `rsi(14)`, `macd(12,26,9)`, `bbands(20,2).upper`',
            example: 'rsi(14)',
          }),
        from: timeParam('from', 'The first open time (inclusive)'),
        to: timeParam('to', 'The end of the open times (exclusive)'),
        limit: limitParam,
        cursor: cursorParam,
      }),
    },
    responses: {
      200: json(
        z.object({
          data: z.array(
            z.object({
              openTime: isoTime,
              values: z.record(z.string(), z.number().nullable()).openapi({
                example: { 'rsi(14)': 41.2, 'macd(12,26,9).signal': -3.1 },
              }),
            }),
          ),
          next: z.string().nullable(),
        }),
        'One page of bars with the values, oldest first',
      ),
      ...authProblems(400, 404),
    },
  })

/** An instance with the series the answer gives (every output, or the one named after the dot). */
interface Requested {
  readonly instance: IndicatorInstance
  readonly outputs: readonly { readonly key: string; readonly output: string | undefined }[]
}

/** Each `name` parsed once; malformed → 400 naming the position. */
function parseNames(names: readonly string[]): Requested[] {
  return names.map((text) => {
    let resolved: ReturnType<typeof resolveIndicatorText>
    try {
      resolved = resolveIndicatorText(text)
    } catch (error) {
      if (error instanceof RuleSyntaxError) {
        throw badParameter(
          'name',
          `${text}: ${error.reason} at ${error.position + 1}`,
          error.position,
        )
      }
      throw libraryError(error, 'name') ?? error
    }
    const { instance, output } = resolved
    const outs = instance.definition.outputs
    const picked = output !== undefined ? [output] : outs.length === 0 ? [undefined] : outs
    return {
      instance,
      outputs: picked.map((o) => ({
        key: o === undefined ? instance.key : `${instance.key}.${o}`,
        output: o,
      })),
    }
  })
}

const cursorKey = z.object({ t: z.number().int() })

export interface IndicatorDeps extends RouteDeps {
  /** The most bars × indicators one request computes; past it 400. */
  readonly maxIndicatorWork: number
}

export function indicatorRoutes(app: ApiApp, deps: IndicatorDeps): void {
  const maxWork = deps.maxIndicatorWork
  app.openapi(indicators(maxWork), async (c) => {
    const symbol = c.req.valid('param').symbol.toUpperCase()
    const query = c.req.valid('query')
    const timeframe: Timeframe = query.timeframe
    const names = typeof query.name === 'string' ? [query.name] : query.name
    if (names.length === 0) throw badParameter('name', 'give at least one indicator')
    const requested = parseNames(names)
    const range = timeRange(query.from, query.to)
    let from = range.from ?? Number.NEGATIVE_INFINITY
    if (query.cursor !== undefined)
      from = Math.max(from, decodeCursor(query.cursor, cursorKey).t + 1)
    const through = await closedThrough(deps.database, symbol)
    if (through === null) return c.json({ data: [], next: null }, 200)
    const size = timeframeMs(timeframe)
    let end = closedBarsEnd(new Date(through), timeframe)
    if (range.to !== undefined) end = Math.min(end, bucketStart(range.to - 1, timeframe) + size)
    const bars = await readResampledBars(deps.database.db, symbol, timeframe, end)
    // Bars up to the end of this page: all of them are computed (the warm-up is the history).
    let first = 0
    while (first < bars.length && (bars.openTime[first] as number) < from) first++
    const stop = Math.min(bars.length, first + query.limit + 1)
    const work = stop * requested.length
    if (work > maxWork) {
      throw badParameter(
        'limit',
        `${stop} bars × ${requested.length} indicators = ${work} exceeds the cap of ${maxWork} per request (indicators run from the symbol’s first bar): ask fewer indicators or an earlier range`,
      )
    }
    const rows: { openTime: string; t: number; values: Record<string, number | null> }[] = []
    for (let i = first; i < stop; i++) {
      const t = bars.openTime[i] as number
      rows.push({ openTime: new Date(t).toISOString(), t, values: {} })
    }
    for (const { instance, outputs } of requested) {
      const { definition } = instance
      const stream = definition.create(instance.params)
      for (let i = 0; i < stop; i++) {
        const out = feedBar(definition, stream, bars, i)
        if (i < first) continue
        const row = rows[i - first]
        if (row === undefined) continue
        for (const { key, output } of outputs) {
          const v = output === undefined ? (out as number) : (out as Record<string, number>)[output]
          row.values[key] = v !== undefined && Number.isFinite(v) ? v : null
        }
      }
    }
    const page = keysetPage(rows, query.limit, (r) => ({ t: r.t }))
    return c.json(
      { data: page.data.map((r) => ({ openTime: r.openTime, values: r.values })), next: page.next },
      200,
    )
  })
}
