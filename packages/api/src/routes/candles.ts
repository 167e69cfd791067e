import { createRoute, z } from '@hono/zod-openapi'
import {
  TIMEFRAMES,
  findSymbol,
  isTimeframe,
  readCandleBars,
  readCandleCsvLines,
  type CandleBarView,
  type TradingDatabase,
} from '@trading-alerts/trading-alerts'
import type { ApiApp, RouteDeps } from '../context.js'
import { ApiError } from '../errors.js'
import {
  cursorParam,
  decodeCursor,
  keysetPage,
  limitParam,
  timeParam,
  timeRange,
} from '../pagination.js'
import { authProblems, decimal, isoTime } from '../schemas.js'

/** Rows per store read while streaming CSV or NDJSON (memory stays bounded by one batch). */
export const STREAM_BATCH = 10_000

/** The fields of a candle, in the order of the CSV header. */
export const CANDLE_FIELDS = [
  'openTime',
  'open',
  'high',
  'low',
  'close',
  'volume',
  'quoteVolume',
  'trades',
  'takerBuyBaseVolume',
  'takerBuyQuoteVolume',
  'minutes',
  'expectedMinutes',
] as const

const CandleSchema = z
  .object({
    openTime: isoTime,
    open: decimal,
    high: decimal,
    low: decimal,
    close: decimal,
    volume: decimal,
    quoteVolume: decimal.nullable(),
    trades: z.number().int().nullable(),
    takerBuyBaseVolume: decimal.nullable(),
    takerBuyQuoteVolume: decimal.nullable(),
    minutes: z.number().int().openapi({ description: '1-minute candles the bar was built from' }),
    expectedMinutes: z.number().int().openapi({ description: 'minutes in a full bar' }),
  })
  .openapi('Candle')

const TIMEFRAME_MESSAGE = `must be one of ${Object.keys(TIMEFRAMES).join(', ')}`

/** The `timeframe` query parameter of the indicators' grammar (`1m` … `1w`). */
export const timeframeParam = z
  .string()
  .refine(isTimeframe, TIMEFRAME_MESSAGE)
  .default('1m')
  .openapi({
    param: { name: 'timeframe', in: 'query' },
    description: `The bar size: ${Object.keys(TIMEFRAMES).join(', ')}`,
    example: '1h',
  })

/** The `{symbol}` path parameter (case-insensitive: upper-cased). */
export const symbolParam = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._/-]+$/, 'is not a symbol')
  .openapi({ param: { name: 'symbol', in: 'path' }, example: 'BTCUSDT' })

const candles = createRoute({
  method: 'get',
  path: '/api/v1/candles/{symbol}',
  tags: ['market'],
  summary: 'Closed bars of any timeframe, resampled exactly from the 1-minute candles',
  description:
    'Oldest first; `from` inclusive and `to` exclusive on open times; a bar is closed when all its ' +
    'minutes are at or before the symbol’s `lastUpdatedAt`. `format=csv` or `format=ndjson` (or ' +
    'the matching `Accept`) streams every row of the range, no `limit`.',
  request: {
    params: z.object({ symbol: symbolParam }),
    query: z.object({
      timeframe: timeframeParam,
      from: timeParam('from', 'The first open time (inclusive)'),
      to: timeParam('to', 'The end of the open times (exclusive)'),
      limit: limitParam,
      cursor: cursorParam,
      format: z
        .enum(['json', 'csv', 'ndjson'])
        .optional()
        .openapi({
          param: { name: 'format', in: 'query' },
          description: 'json pages (default), or csv / ndjson streaming the whole range',
        }),
    }),
  },
  responses: {
    200: {
      description: 'One page of bars (JSON), or the whole range (CSV, NDJSON)',
      content: {
        'application/json': {
          schema: z.object({ data: z.array(CandleSchema), next: z.string().nullable() }),
        },
        'text/csv': { schema: z.string() },
        'application/x-ndjson': { schema: z.string() },
      },
    },
    ...authProblems(400, 404),
  },
})

const cursorKey = z.object({ t: z.number().int() })

type CandleJson = Record<(typeof CANDLE_FIELDS)[number], string | number | null>

function candleJson(bar: CandleBarView): CandleJson {
  return { ...bar, openTime: bar.openTime.toISOString() }
}

/** `format`, or else what `Accept` asks for. */
function streamFormat(format: string | undefined, accept: string | undefined) {
  if (format !== undefined) return format
  if (accept?.includes('text/csv')) return 'csv'
  if (accept?.includes('application/x-ndjson')) return 'ndjson'
  return 'json'
}

/** The symbol's `lastUpdatedAt` in ms (null when never loaded); 404 for an unknown symbol. */
export async function closedThrough(database: TradingDatabase, symbol: string) {
  const found = await findSymbol(database.db, symbol)
  if (found === undefined) throw new ApiError('not-found', `unknown symbol ${symbol}`)
  return found.lastUpdatedAt?.getTime() ?? null
}

/** One keyset batch of a stream: its text, its row count and the open time of its last row. */
interface StreamBatch {
  readonly text: string
  readonly rows: number
  readonly lastOpenMs: number | undefined
}

/**
 * The rows of the range from `from` on, read in keyset batches of `STREAM_BATCH` as the client
 * reads (pull): memory holds one batch, whatever the range. A batch shorter than STREAM_BATCH is
 * the last; the next starts after the last open time. `head` comes before the first batch.
 */
function keysetStream(
  read: (from: number | undefined, limit: number) => Promise<StreamBatch>,
  from: number | undefined,
  head = '',
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  let next = from
  let prefix = head
  let done = false
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (done) return controller.close()
      const batch = await read(next, STREAM_BATCH)
      const text = prefix + batch.text
      prefix = ''
      if (batch.rows < STREAM_BATCH || batch.lastOpenMs === undefined) done = true
      else next = batch.lastOpenMs + 1
      if (text !== '') controller.enqueue(encoder.encode(text))
      else controller.close()
    },
  })
}

/** Every bar of the range as CSV lines the database formats, after a header row. */
function streamCsv(
  read: (
    from: number | undefined,
    limit: number,
  ) => Promise<{ readonly lines: string[]; readonly lastOpenMs: number | undefined }>,
  from: number | undefined,
): ReadableStream<Uint8Array> {
  return keysetStream(
    async (after, limit) => {
      const { lines, lastOpenMs } = await read(after, limit)
      return { text: lines.map((l) => `${l}\n`).join(''), rows: lines.length, lastOpenMs }
    },
    from,
    `${CANDLE_FIELDS.join(',')}\n`,
  )
}

/** Every bar of the range as NDJSON lines, read through the store. */
function streamBars(
  read: (from: number | undefined, limit: number) => Promise<CandleBarView[]>,
  from: number | undefined,
): ReadableStream<Uint8Array> {
  return keysetStream(async (after, limit) => {
    const bars = await read(after, limit)
    return {
      text: bars.map((bar) => `${JSON.stringify(candleJson(bar))}\n`).join(''),
      rows: bars.length,
      lastOpenMs: bars.at(-1)?.openTime.getTime(),
    }
  }, from)
}

export function candleRoutes(app: ApiApp, deps: RouteDeps): void {
  app.openapi(candles, async (c) => {
    const symbol = c.req.valid('param').symbol.toUpperCase()
    const query = c.req.valid('query')
    const timeframe = query.timeframe
    const range = timeRange(query.from, query.to)
    const through = await closedThrough(deps.database, symbol)
    const read = (from: number | undefined, limit: number): Promise<CandleBarView[]> =>
      through === null
        ? Promise.resolve([])
        : readCandleBars(deps.database.db, symbol, timeframe, {
            from,
            to: range.to,
            closedThrough: through,
            limit,
          })
    const format = streamFormat(query.format, c.req.header('accept'))
    if (format === 'csv') {
      const readCsv = (from: number | undefined, limit: number) =>
        through === null
          ? Promise.resolve({ lines: [], lastOpenMs: undefined })
          : readCandleCsvLines(deps.database.db, symbol, timeframe, {
              from,
              to: range.to,
              closedThrough: through,
              limit,
            })
      return new Response(streamCsv(readCsv, range.from), {
        status: 200,
        headers: { 'content-type': 'text/csv; charset=utf-8' },
      })
    }
    if (format === 'ndjson') {
      return new Response(streamBars(read, range.from), {
        status: 200,
        headers: { 'content-type': 'application/x-ndjson' },
      })
    }
    let from = range.from
    if (query.cursor !== undefined) {
      const after = decodeCursor(query.cursor, cursorKey).t + 1
      from = from === undefined ? after : Math.max(from, after)
    }
    const page = keysetPage(await read(from, query.limit + 1), query.limit, (b) => ({
      t: b.openTime.getTime(),
    }))
    return c.json({ data: page.data.map(candleJson), next: page.next }, 200)
  })
}
