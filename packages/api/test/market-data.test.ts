/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return --
   The answers are JSON of no static type: every use of them is an assertion. */
import {
  getSymbols,
  listBars,
  readIndicatorValues,
  runHistorical,
  runIncremental,
  runIndicators,
} from '@trading-alerts/trading-alerts'
import { memoryLogger, simDeps } from '@trading-alerts/trading-alerts/testing'
import type { Kline } from '@trading-alerts/tickerdata'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi } from '../src/index.js'
import { CANDLE_FIELDS, STREAM_BATCH } from '../src/routes/candles.js'
import {
  clockAt,
  DAY,
  HOUR,
  httpClient,
  kinds,
  MINUTE,
  NOW,
  serve,
  startApiTest,
  usdtPair,
  type ApiTest,
} from './helpers.js'
const at = (iso: string) => Date.parse(`${iso}Z`)
const LISTED = at('2025-03-22T00:00:00')
/** An exchange outage inside BTC's March archive: hours without any minute, one partial. */
const GAP = { start: at('2025-03-30T10:00:00'), end: at('2025-03-30T12:30:00') }

/** Exact decimal sum of texts, at the largest scale among them (as PostgreSQL's numeric sum). */
function decimalSum(values: readonly string[]): string {
  const scale = Math.max(...values.map((v) => v.split('.')[1]?.length ?? 0))
  let total = 0n
  for (const v of values) {
    const [int = '0', frac = ''] = v.replace('-', '').split('.')
    const n = BigInt(int + frac.padEnd(scale, '0'))
    total += v.startsWith('-') ? -n : n
  }
  const sign = total < 0n ? '-' : ''
  const digits = (total < 0n ? -total : total).toString().padStart(scale + 1, '0')
  return scale === 0 ? sign + digits : `${sign}${digits.slice(0, -scale)}.${digits.slice(-scale)}`
}

/** The simulator's candles resampled in plain JS: the closed bars of `size` ms in [from, to). */
function resample(klines: readonly Kline[], size: number, from: number, to: number) {
  const last = klines[klines.length - 1] as Kline
  const groups = new Map<number, Kline[]>()
  for (const k of klines) {
    const b = k.openTime - (k.openTime % size)
    if (b < from || b >= to || b + size > last.openTime + MINUTE) continue
    groups.set(b, [...(groups.get(b) ?? []), k])
  }
  return [...groups].map(([b, ks]) => {
    const first = ks[0] as Kline
    const byNumber = (pick: (k: Kline) => string, better: (a: number, b: number) => boolean) =>
      ks.map(pick).reduce((a, c) => (better(Number(c), Number(a)) ? c : a))
    return {
      openTime: new Date(b).toISOString(),
      open: first.open,
      high: byNumber(
        (k) => k.high,
        (a, c) => a > c,
      ),
      low: byNumber(
        (k) => k.low,
        (a, c) => a < c,
      ),
      close: (ks[ks.length - 1] as Kline).close,
      volume: decimalSum(ks.map((k) => k.volume)),
      quoteVolume: decimalSum(ks.map((k) => k.quoteVolume)),
      trades: ks.reduce((s, k) => s + k.trades, 0),
      takerBuyBaseVolume: decimalSum(ks.map((k) => k.takerBuyBaseVolume)),
      takerBuyQuoteVolume: decimalSum(ks.map((k) => k.takerBuyQuoteVolume)),
      minutes: ks.length,
      expectedMinutes: size / MINUTE,
    }
  })
}

describe.each(kinds)('candles and gaps on %s', (kind) => {
  let fx: ApiTest
  let token = ''
  const call = httpClient(
    () => fx.url,
    () => token,
  )
  const get = (path: string, headers: Record<string, string> = {}) => call(path, { headers })

  /** Every bar of a query, following `next` from page to page. */
  const allPages = async (path: string) => {
    const rows: any[] = []
    let next: string | null = null
    let pages = 0
    do {
      const cursor: string = next === null ? '' : `&cursor=${next}`
      const a = await get(path + cursor)
      expect(a.status, a.text).toBe(200)
      rows.push(...a.json.data)
      next = a.json.next
      pages++
    } while (next !== null)
    return { rows, pages }
  }

  beforeAll(async () => {
    fx = await startApiTest(kind, {
      simulator: {
        pairs: [usdtPair('BTC', LISTED, 60_000), usdtPair('ETH', LISTED, 3_000)],
        gaps: [{ symbol: 'BTCUSDT', start: GAP.start, end: GAP.end }],
      },
      load: async ({ sim, deps }) => {
        // ETH's archive of 2025-03-25 cannot be loaded: the historical job records it as a hole.
        sim.addFault({ route: 'archive-zip', kind: 'corrupt-zip', file: 'ETHUSDT-1m-2025-03-25' })
        expect((await getSymbols(deps, { topN: 100 })).state).toBe('succeeded')
        await runHistorical(deps, { historyStart: '2025-03' })
        expect((await runIncremental(deps, {})).state).toBe('succeeded')
      },
      api: { logger: memoryLogger() },
    })
    token = await fx.token('read', 'dash')
  })
  afterAll(async () => {
    await fx?.close()
  })

  it.each([
    ['1m', at('2025-03-31T22:17:00'), at('2025-04-01T03:00:00'), MINUTE],
    ['1h', at('2025-03-29T00:00:00'), at('2025-04-01T07:30:00'), HOUR],
    ['1d', LISTED, NOW + DAY, DAY],
  ] as const)(
    '%s equals the simulator’s candles resampled independently',
    async (tf, from, to, size) => {
      const a = await get(
        `/api/v1/candles/btcusdt?timeframe=${tf}&from=${new Date(from).toISOString()}&to=${to}&limit=10000`,
      )
      expect(a.status, a.text).toBe(200)
      const expected = resample(fx.sim.candles('BTCUSDT', LISTED, NOW), size, from, to)
      expect(expected.length).toBeGreaterThan(3)
      expect(a.json).toEqual({ data: expected, next: null })
    },
  )

  it('1d leaves out today’s bar, which is not closed yet, and 1h the current hour', async () => {
    const day = await get('/api/v1/candles/BTCUSDT?timeframe=1d')
    expect(day.json.data.at(-1).openTime).toBe('2025-04-01T00:00:00.000Z')
    const hour = await get('/api/v1/candles/BTCUSDT?timeframe=1h&from=2025-04-02T00:00:00Z')
    expect(hour.json.data.at(-1).openTime).toBe('2025-04-02T11:00:00.000Z')
  })

  it('equals the candle table’s rows once the indicators job stored them', async () => {
    const deps = simDeps(fx.sim, fx.database, NOW)
    const run = await runIndicators(deps, { timeframes: ['1h', '1d'], indicators: ['rsi(14)'] })
    expect(run.state).toBe('succeeded')
    for (const tf of ['1h', '1d'] as const) {
      const stored = await listBars(fx.database.db, 'BTCUSDT', tf, 0, NOW)
      expect(stored.length).toBeGreaterThan(3)
      const { rows } = await allPages(`/api/v1/candles/BTCUSDT?timeframe=${tf}&limit=100`)
      expect(rows).toEqual(
        stored.map((s) => ({
          openTime: s.open_time.toISOString(),
          open: s.open,
          high: s.high,
          low: s.low,
          close: s.close,
          volume: s.volume,
          quoteVolume: s.quote_volume,
          trades: Number(s.trades),
          takerBuyBaseVolume: s.taker_buy_base_volume,
          takerBuyQuoteVolume: s.taker_buy_quote_volume,
          minutes: s.minutes,
          expectedMinutes: s.expected_minutes,
        })),
      )
    }
  })

  it('paging through cursors returns every bar once, in order', async () => {
    const path = '/api/v1/candles/BTCUSDT?timeframe=5m&from=2025-03-30T01:02:03Z&to=2025-03-31'
    const whole = await get(`${path}&limit=10000`)
    expect(whole.json.next).toBeNull()
    const { rows, pages } = await allPages(`${path}&limit=37`)
    expect(pages).toBe(Math.ceil(whole.json.data.length / 37))
    expect(rows).toEqual(whole.json.data)
    expect(rows[0].openTime).toBe('2025-03-30T01:05:00.000Z')
  })

  it('csv and ndjson (by format or Accept) stream the whole range, equal to the JSON pages', async () => {
    const { rows } = await allPages('/api/v1/candles/BTCUSDT?timeframe=1m&limit=10000')
    // More rows than one store batch: the stream goes through several keyset batches.
    expect(rows.length).toBeGreaterThan(STREAM_BATCH)
    for (const [query, headers] of [
      ['&format=csv', {}],
      ['', { accept: 'text/csv' }],
    ] as const) {
      const a = await get(`/api/v1/candles/BTCUSDT?timeframe=1m${query}`, headers)
      expect(a.status).toBe(200)
      expect(a.headers.get('content-type')).toMatch(/^text\/csv/)
      const lines = a.text.trimEnd().split('\n')
      expect(lines[0]).toBe(CANDLE_FIELDS.join(','))
      expect(lines.slice(1)).toEqual(
        rows.map((r) => CANDLE_FIELDS.map((f) => String(r[f] ?? '')).join(',')),
      )
    }
    for (const [query, headers] of [
      ['&format=ndjson', {}],
      ['', { accept: 'application/x-ndjson' }],
    ] as const) {
      const a = await get(`/api/v1/candles/BTCUSDT?timeframe=1m${query}`, headers)
      expect(a.headers.get('content-type')).toBe('application/x-ndjson')
      expect(
        a.text
          .trimEnd()
          .split('\n')
          .map((l) => JSON.parse(l)),
      ).toEqual(rows)
    }
    const ranged = await get(
      '/api/v1/candles/BTCUSDT?timeframe=4h&from=2025-03-30&to=2025-03-31&format=ndjson',
    )
    const page = await get('/api/v1/candles/BTCUSDT?timeframe=4h&from=2025-03-30&to=2025-03-31')
    expect(
      ranged.text
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(page.json.data)
    expect(page.json.data).toHaveLength(6)
  })

  it('a bad timeframe, from after to, a bad limit or cursor answer 400; an unknown symbol 404', async () => {
    for (const [query, name] of [
      ['timeframe=2m', 'timeframe'],
      ['from=2025-04-01&to=2025-03-31', 'from'],
      ['limit=0', 'limit'],
      ['limit=10001', 'limit'],
      ['cursor=nope!', 'cursor'],
      ['format=xml', 'format'],
    ] as const) {
      const a = await get(`/api/v1/candles/BTCUSDT?${query}`)
      expect(a.status, query).toBe(400)
      expect(a.headers.get('content-type')).toBe('application/problem+json')
      expect(a.json.errors.map((e: { name: string }) => e.name)).toContain(name)
    }
    const unknown = await get('/api/v1/candles/NOPEUSDT')
    expect(unknown.status).toBe(404)
    expect(unknown.json.detail).toMatch(/NOPEUSDT/)
  })

  it('an hour without any minute has no bar; a partial one says so in minutes', async () => {
    const a = await get(
      '/api/v1/candles/BTCUSDT?timeframe=1h&from=2025-03-30T09:00Z&to=2025-03-30T14:00Z',
    )
    expect(a.json.data.map((b: any) => [b.openTime.slice(11, 13), b.minutes])).toEqual([
      ['09', 60],
      ['12', 30],
      ['13', 60],
    ])
  })

  it('gaps: the exchange gap and the archive file that failed, by symbol and start', async () => {
    const all = await get('/api/v1/gaps')
    expect(all.status, all.text).toBe(200)
    expect(all.json).toEqual({
      data: [
        {
          symbol: 'BTCUSDT',
          startTime: new Date(GAP.start).toISOString(),
          endTime: new Date(GAP.end).toISOString(),
          kind: 'exchange-gap',
        },
        {
          symbol: 'ETHUSDT',
          startTime: '2025-03-25T00:00:00.000Z',
          endTime: '2025-03-26T00:00:00.000Z',
          kind: 'unavailable',
        },
      ],
    })
    const eth = await get('/api/v1/gaps?symbol=ethusdt')
    expect(eth.json.data).toEqual([all.json.data[1]])
    expect((await get('/api/v1/gaps?symbol=NOPEUSDT')).status).toBe(404)
    expect((await get('/api/v1/gaps?symbol=a%20b')).status).toBe(400)
  })

  it('indicators equal the indicator_value rows the indicators job stored for the same bars', async () => {
    const deps = simDeps(fx.sim, fx.database, NOW)
    const names = ['rsi(14)', 'macd(12,26,9)', 'ema(10)', 'atr(14)']
    expect(
      (await runIndicators(deps, { timeframes: ['1h', '15m'], indicators: names })).state,
    ).toBe('succeeded')
    for (const tf of ['1h', '15m'] as const) {
      const from = at('2025-03-28T03:00:00')
      const to = at('2025-03-31T00:00:00')
      const query = names.map((n) => `name=${encodeURIComponent(n)}`).join('&')
      const { rows, pages } = await allPages(
        `/api/v1/indicators/BTCUSDT?timeframe=${tf}&${query}&from=${from}&to=${to}&limit=50`,
      )
      expect(pages).toBeGreaterThan(1)
      const keys = [
        'rsi(14)',
        'macd(12,26,9).macd',
        'macd(12,26,9).signal',
        'macd(12,26,9).histogram',
        'ema(10)',
        'atr(14)',
      ]
      const bars = await listBars(fx.database.db, 'BTCUSDT', tf, from, to)
      expect(rows.map((r) => r.openTime)).toEqual(bars.map((b) => b.open_time.toISOString()))
      let compared = 0
      for (const key of keys) {
        const stored = await readIndicatorValues(fx.database.db, 'BTCUSDT', tf, key, from, to - 1)
        for (const r of rows) {
          const want = stored.get(Date.parse(r.openTime))
          const got = r.values[key]
          if (want === undefined) expect(got, `${key} ${r.openTime}`).toBeNull()
          else {
            expect(Math.abs(got - want), `${key} ${r.openTime}`).toBeLessThanOrEqual(
              1e-9 * Math.max(1, Math.abs(want)),
            )
            compared++
          }
        }
      }
      expect(compared).toBeGreaterThan(rows.length * 5)
    }
    // Warm-up: the first bars of the symbol have no RSI yet.
    const early = await get(`/api/v1/indicators/BTCUSDT?timeframe=1h&name=rsi(14)&limit=20`)
    expect(early.json.data[0].openTime).toBe(new Date(LISTED).toISOString())
    expect(early.json.data[0].values).toEqual({ 'rsi(14)': null })
    expect(early.json.data[19].values['rsi(14)']).toEqual(expect.any(Number))
  })

  it('indicators: malformed names 400 with the position, unknown ones or too many 400, one output alone', async () => {
    const bad = await get('/api/v1/indicators/BTCUSDT?timeframe=1h&name=rsi(14')
    expect(bad.status, bad.text).toBe(400)
    expect(bad.json.errors[0]).toMatchObject({ name: 'name', position: expect.any(Number) })
    const unknown = await get('/api/v1/indicators/BTCUSDT?timeframe=1h&name=nope(3)')
    expect(unknown.status).toBe(400)
    expect(unknown.json.errors[0].name).toBe('name')
    const many = Array.from({ length: 21 }, (_, i) => `name=sma(${i + 2})`).join('&')
    const tooMany = await get(`/api/v1/indicators/BTCUSDT?timeframe=1h&${many}`)
    expect(tooMany.status, tooMany.text).toBe(400)
    expect(tooMany.json.errors[0].name).toBe('name')
    const one = await get(
      '/api/v1/indicators/BTCUSDT?timeframe=1h&name=macd(12,26,9).signal&limit=1&from=2025-03-30',
    )
    expect(Object.keys(one.json.data[0].values)).toEqual(['macd(12,26,9).signal'])
    expect((await get('/api/v1/indicators/NOPEUSDT?name=rsi')).status).toBe(404)
    expect((await get('/api/v1/indicators/BTCUSDT?timeframe=7m&name=rsi')).status).toBe(400)
  })

  it('indicators: past maxIndicatorWork a 400 names the cap and the work asked; under it 200', async () => {
    const capped = await serve(
      createApi({ database: fx.database, clock: clockAt(NOW), maxIndicatorWork: 100 }),
    )
    try {
      const call = httpClient(
        () => capped.url,
        () => token,
      )
      // The bars before `from` count too: every indicator runs from the symbol's first bar.
      const from = '2025-03-25T00:00:00Z'
      const before = await get(`/api/v1/candles/BTCUSDT?timeframe=1h&to=${from}&limit=10000`)
      const stop = before.json.data.length + 10 + 1
      const over = await call(
        `/api/v1/indicators/BTCUSDT?timeframe=1h&name=rsi(14)&name=sma(5)&from=${from}&limit=10`,
      )
      expect(over.status).toBe(400)
      expect(over.type).toBe('application/problem+json')
      expect(over.json.errors[0].name).toBe('limit')
      expect(over.json.detail).toContain(`${stop} bars × 2 indicators = ${stop * 2}`)
      expect(over.json.detail).toContain('the cap of 100 per request')
      expect(stop * 2).toBeGreaterThan(100)
      const under = await call('/api/v1/indicators/BTCUSDT?timeframe=1h&name=rsi(14)&limit=20')
      expect(under.status).toBe(200)
      expect(under.json.data).toHaveLength(20)
      // The default cap answers the request the small one refused.
      const full = await get(
        `/api/v1/indicators/BTCUSDT?timeframe=1h&name=rsi(14)&name=sma(5)&from=${from}&limit=10`,
      )
      expect(full.status).toBe(200)
      expect(() => createApi({ database: fx.database, maxIndicatorWork: 0 })).toThrow(RangeError)
    } finally {
      await capped.close()
    }
  })
})
