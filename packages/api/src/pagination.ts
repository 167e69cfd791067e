import { z } from '@hono/zod-openapi'
import { ApiError, badParameter } from './errors.js'

/** Rows per page when `limit` is not given, and the largest `limit` accepted. */
export const DEFAULT_LIMIT = 1000
export const MAX_LIMIT = 10_000

/** The `limit` query parameter: 1 … 10000, default 1000. */
export const limitParam = z.coerce
  .number({ error: 'must be a whole number' })
  .int('must be a whole number')
  .min(1, 'must be at least 1')
  .max(MAX_LIMIT, `must be at most ${MAX_LIMIT}`)
  .default(DEFAULT_LIMIT)
  .openapi({
    param: { name: 'limit', in: 'query' },
    description: `Rows per page, 1 … ${MAX_LIMIT}`,
    example: DEFAULT_LIMIT,
  })

/** The `cursor` query parameter: the `next` of the previous page, opaque. */
export const cursorParam = z
  .string()
  .max(2048, 'is too long')
  .optional()
  .openapi({
    param: { name: 'cursor', in: 'query' },
    description: 'The `next` of the previous page (opaque); absent for the first page',
  })

/**
 * An opaque cursor for the keyset `key` (the sort key of the last row of a page): base64url of
 * its JSON. Opaque to clients: they hand back `next` unchanged.
 */
export function encodeCursor(key: unknown): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url')
}

/**
 * The keyset a cursor carries, checked against `schema`; a cursor that does not decode, is not
 * JSON or does not match answers 400 (never a 500, never a silent first page).
 */
export function decodeCursor<T>(cursor: string, schema: z.ZodType<T>, name = 'cursor'): T {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw badParameter(name, 'is not a cursor of this API')
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    throw badParameter(name, 'is not a cursor of this API')
  }
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw badParameter(name, 'is not a cursor of this list')
  return parsed.data
}

/** One page of a keyset query: the caller fetched `limit + 1` rows to learn whether more follow. */
export interface Page<R> {
  readonly data: R[]
  readonly next: string | null
}

/**
 * The page of `rows` (fetched with `limit + 1`, ordered by the key), with `next` the cursor after
 * the last row kept, or null at the end. Keyset, not offset: rows inserted before the cursor never
 * shift the pages that follow.
 */
export function keysetPage<R>(rows: R[], limit: number, keyOf: (row: R) => unknown): Page<R> {
  if (rows.length <= limit) return { data: rows, next: null }
  const data = rows.slice(0, limit)
  const last = data[data.length - 1] as R
  return { data, next: encodeCursor(keyOf(last)) }
}

const ISO_8601 =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/

/**
 * A time parameter: ISO 8601 (`2026-03-04`, `2026-03-04T10:00:00Z`, with an offset or without,
 * which means UTC) or epoch milliseconds (`1772618400000`). Null when it is neither.
 */
export function parseTime(text: string): number | null {
  if (/^\d{1,16}$/.test(text)) {
    const ms = Number(text)
    return ms <= 8_640_000_000_000_000 ? ms : null
  }
  if (!ISO_8601.test(text)) return null
  const [y, m, d] = text.slice(0, 10).split('-').map(Number) as [number, number, number]
  const day = new Date(Date.UTC(y, m - 1, d))
  // Date.parse rolls 2026-02-30 over into March: only days of the calendar pass.
  if (day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d) return null
  const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/.test(text) && text.length > 10
  const ms = Date.parse(hasZone ? text : text.length === 10 ? `${text}T00:00:00Z` : `${text}Z`)
  return Number.isNaN(ms) ? null : ms
}

const TIME_MESSAGE = 'must be ISO 8601 (2026-03-04T10:00:00Z) or epoch milliseconds'

/** A `from` or `to` query parameter, validated by the schema (so the OpenAPI document says so). */
export function timeParam(name: 'from' | 'to', description: string) {
  return z
    .string()
    .max(64, TIME_MESSAGE)
    .refine((text) => parseTime(text) !== null, TIME_MESSAGE)
    .optional()
    .openapi({
      param: { name, in: 'query' },
      description: `${description}: ISO 8601 or epoch milliseconds`,
      example: '2026-03-04T10:00:00.000Z',
    })
}

/** A half-open range [from, to) in ms; either end may be open. */
export interface TimeRange {
  readonly from: number | undefined
  readonly to: number | undefined
}

/** `from` (inclusive) and `to` (exclusive) parsed; `from` after `to` answers 400. */
export function timeRange(from: string | undefined, to: string | undefined): TimeRange {
  const f = from === undefined ? undefined : parseTime(from)
  const t = to === undefined ? undefined : parseTime(to)
  if (f === null) throw badParameter('from', TIME_MESSAGE)
  if (t === null) throw badParameter('to', TIME_MESSAGE)
  if (f !== undefined && t !== undefined && f > t) {
    throw new ApiError('bad-request', 'from is after to', {
      errors: [{ name: 'from', message: `is after to (${new Date(t).toISOString()})` }],
    })
  }
  return { from: f, to: t }
}
