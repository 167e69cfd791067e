import { z } from '@hono/zod-openapi'
import { describe, expect, it } from 'vitest'
import { ApiError } from './errors.js'
import { decodeCursor, encodeCursor, keysetPage, parseTime, timeRange } from './pagination.js'

const key = z.object({ t: z.number().int(), symbol: z.string() })

function problemOf(fn: () => unknown): ApiError {
  try {
    fn()
  } catch (error) {
    if (error instanceof ApiError) return error
    throw error
  }
  throw new Error('expected an ApiError')
}

describe('cursors', () => {
  it('round-trip a key and are URL-safe', () => {
    const cursor = encodeCursor({ t: 1_741_000_000_000, symbol: 'BTC/USDT+?' })
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(decodeCursor(cursor, key)).toEqual({ t: 1_741_000_000_000, symbol: 'BTC/USDT+?' })
  })

  it.each([
    ['not base64url', 'a+b/c='],
    ['not JSON', Buffer.from('{nope').toString('base64url')],
    ['the wrong shape', encodeCursor({ t: 'x' })],
    ['a key of another list', encodeCursor({ name: 'r1' })],
    ['empty', ''],
  ])('answer 400 for a cursor that is %s', (_what, cursor) => {
    const problem = problemOf(() => decodeCursor(cursor, key))
    expect(problem.status).toBe(400)
    expect(problem.errors?.map((e) => e.name)).toEqual(['cursor'])
  })
})

describe('keysetPage', () => {
  const rows = (ts: number[]) => ts.map((t) => ({ t, symbol: 'BTCUSDT' }))
  /** The rows of `table` after the key, as a keyset query would select them. */
  const after = (table: { t: number }[], cursor: string | null, limit: number) => {
    const k = cursor === null ? undefined : decodeCursor(cursor, key)
    return table.filter((r) => k === undefined || r.t > k.t).slice(0, limit + 1)
  }

  it('gives a next cursor only when more rows follow', () => {
    expect(keysetPage(rows([1, 2]), 2, (r) => r)).toEqual({ data: rows([1, 2]), next: null })
    const page = keysetPage(rows([1, 2, 3]), 2, (r) => r)
    expect(page.data).toEqual(rows([1, 2]))
    expect(decodeCursor(page.next as string, key)).toEqual({ t: 2, symbol: 'BTCUSDT' })
  })

  it('is stable under inserts before the cursor (keyset, not offset)', () => {
    const table = rows([10, 20, 30, 40, 50])
    const first = keysetPage(after(table, null, 2), 2, (r) => r)
    expect(first.data.map((r) => r.t)).toEqual([10, 20])
    // Rows arrive before the cursor (and after it) between the two requests.
    table.unshift(...rows([1, 2, 3]))
    table.splice(5, 0, ...rows([35]))
    table.sort((a, b) => a.t - b.t)
    const second = keysetPage(after(table, first.next, 2), 2, (r) => r)
    expect(second.data.map((r) => r.t)).toEqual([30, 35])
    const third = keysetPage(after(table, second.next, 2), 2, (r) => r)
    expect(third.data.map((r) => r.t)).toEqual([40, 50])
    expect(third.next).toBeNull()
  })
})

describe('time parameters', () => {
  it.each([
    ['2026-03-04', Date.UTC(2026, 2, 4)],
    ['2026-03-04T10:00:00Z', Date.UTC(2026, 2, 4, 10)],
    ['2026-03-04T10:00:00.123Z', Date.UTC(2026, 2, 4, 10, 0, 0, 123)],
    ['2026-03-04T10:00', Date.UTC(2026, 2, 4, 10)],
    ['2026-03-04T12:00:00+02:00', Date.UTC(2026, 2, 4, 10)],
    ['1772618400000', 1_772_618_400_000],
    ['0', 0],
  ])('parse %s', (text, ms) => {
    expect(parseTime(text)).toBe(ms)
  })

  it.each([
    'yesterday',
    '2026-13-01',
    '2026-02-30T00:00:00Z',
    '-5',
    '1e12',
    '',
    '2026-03-04T25:00Z',
  ])('reject %j', (text) => {
    expect(parseTime(text)).toBeNull()
  })

  it('take from inclusive and to exclusive, either open, and answer 400 for from after to', () => {
    expect(timeRange('2026-03-04', '1772618400000')).toEqual({
      from: Date.UTC(2026, 2, 4),
      to: 1_772_618_400_000,
    })
    expect(timeRange(undefined, '2026-03-04')).toEqual({
      from: undefined,
      to: Date.UTC(2026, 2, 4),
    })
    expect(timeRange('2026-03-04', '2026-03-04')).toEqual({
      from: Date.UTC(2026, 2, 4),
      to: Date.UTC(2026, 2, 4),
    })
    const problem = problemOf(() => timeRange('2026-03-05', '2026-03-04'))
    expect(problem.status).toBe(400)
    expect(problem.errors?.[0]?.name).toBe('from')
    expect(problemOf(() => timeRange('soon', undefined)).errors?.[0]?.name).toBe('from')
    expect(problemOf(() => timeRange(undefined, 'later')).errors?.[0]?.name).toBe('to')
  })
})
