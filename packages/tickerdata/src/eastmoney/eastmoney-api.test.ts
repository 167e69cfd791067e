import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { XSHG } from '../calendar/calendar.js'
import { NetworkError, ResponseValidationError } from '../errors.js'
import { startExchangeSimulator, type ExchangeSimulator } from '../testing/index.js'
import { timesHundred } from '../stock-kline.js'
import { EastmoneyAPI, eastmoneySecid } from './eastmoney-api.js'
import { parseTrendRow } from './parse.js'

const fixture = (name: string) =>
  readFileSync(new URL(`../__fixtures__/stocks/${name}`, import.meta.url), 'utf8')
const at = (iso: string) => Date.parse(iso)
const iso = (t: number) => new Date(t).toISOString()
// Wednesday 20 March 2024, 12:00 in Shanghai: the lunch break
const NOW = at('2024-03-20T04:00:00Z')

let sim: ExchangeSimulator
beforeAll(async () => {
  sim = await startExchangeSimulator({
    now: () => NOW,
    eastmoneyMinIntervalMs: 0,
    halts: [
      { symbol: '600036', start: at('2024-03-19T02:00:00Z'), end: at('2024-03-19T02:30:00Z') },
    ],
  })
})
afterAll(async () => {
  await sim.close()
})

const client = (options = {}) =>
  new EastmoneyAPI({
    apiUrl: sim.urls.eastmoneyApiUrl,
    listUrl: sim.urls.eastmoneyListUrl,
    minIntervalMs: 0,
    ...options,
  })

describe('Eastmoney rows against the samples', () => {
  it('turns END-labelled Shanghai minutes into START open times in UTC, lots into shares', () => {
    const sample = JSON.parse(fixture('eastmoney_trends2_600519_excerpt_unattributed.json')) as {
      data: { trends: string[] }
    }
    const [auction, first] = sample.data.trends.map((r, i) => parseTrendRow(r, 'sample', i))
    // "2026-09-10 09:30,1291,1291,1291,1291,90,11619000,1291": the opening auction, bar of 09:29
    expect(auction).toMatchObject({
      openTime: at('2026-09-10T01:29:00Z'),
      open: '1291',
      close: '1291',
      volume: '9000',
      quoteVolume: '11619000',
      trades: null,
      takerBuyBaseVolume: null,
    })
    // "09:31,1292,1293.60,1294.99,1291.99,337,…": open, CLOSE, high, low
    expect(first).toMatchObject({
      openTime: at('2026-09-10T01:30:00Z'),
      open: '1292',
      close: '1293.60',
      high: '1294.99',
      low: '1291.99',
      volume: '33700',
      quoteVolume: '43592205',
      vwap: '1293.003',
    })
    const tdx = fixture('eastmoney_trends2_shape_300059_from_tdx-quant.jsonc')
    const rows = [...tdx.matchAll(/"(2025-05-13 [^"]+)"/g)].map((m, i) =>
      parseTrendRow(m[1], 'tdx', i),
    )
    expect(rows.map((r) => iso(r.openTime))).toEqual([
      '2025-05-13T01:29:00.000Z',
      '2025-05-13T06:59:00.000Z',
    ])
    expect(rows[0]?.volume).toBe('9977800')
    expect(rows[1]?.quoteVolume).toBe('111709884.00')
  })

  it('reads an open of 0 as missing and refuses malformed rows', () => {
    expect(
      parseTrendRow('2024-03-18 10:00,0,10.41,10.42,10.40,100,104100.0,10.41', 'u', 0).open,
    ).toBeNull()
    expect(() => parseTrendRow('2024-03-18 10:00,10,x,1,1,1,1,1', 'u', 0)).toThrow(
      ResponseValidationError,
    )
    expect(() => parseTrendRow('10:00,1,1,1,1,1,1,1', 'u', 0)).toThrow(ResponseValidationError)
    expect(timesHundred('1.5')).toBe('150')
    expect(timesHundred('0.125')).toBe('12.5')
    expect(timesHundred('0')).toBe('0')
    expect(eastmoneySecid('600519')).toBe('1.600519')
    expect(eastmoneySecid('300059')).toBe('0.300059')
  })
})

describe('EastmoneyAPI through the simulator', () => {
  it('serves the last 5 trading days: 241 bars a full day, the auction bar, the lunch break', async () => {
    const answer = await client().getTrends('600519')
    expect(answer).toMatchObject({ code: '600519', name: '贵州茅台' })
    expect(answer.bars).toEqual(sim.stockBars('600519', 0, NOW))
    const days = new Map<string, number[]>()
    for (const b of answer.bars) {
      const d = iso(b.openTime + 8 * 3_600_000).slice(0, 10)
      days.set(d, [...(days.get(d) ?? []), b.openTime])
    }
    expect([...days.keys()]).toEqual([
      '2024-03-14',
      '2024-03-15',
      '2024-03-18',
      '2024-03-19',
      '2024-03-20',
    ])
    for (const d of ['2024-03-14', '2024-03-15', '2024-03-18', '2024-03-19']) {
      const times = days.get(d) ?? []
      expect(times).toHaveLength(241)
      const s = XSHG.session(d)
      const open = s?.open ?? 0
      expect(times).toEqual([...XSHG.minutes(open - 60_000, s?.close ?? 0, { auction: true })])
    }
    // today: the auction bar and the morning, nothing in the lunch break yet
    const today = days.get('2024-03-20') ?? []
    expect(today).toHaveLength(121)
    expect(iso(today[0] ?? 0)).toBe('2024-03-20T01:29:00.000Z')
    expect(iso(today.at(-1) ?? 0)).toBe('2024-03-20T03:29:00.000Z')
    // older days' opens read 0 at Eastmoney: null, never 0; today's are there
    const older = answer.bars.filter((b) => b.openTime < at('2024-03-19T16:00:00Z'))
    expect(older.every((b) => b.open === null)).toBe(true)
    expect(
      answer.bars
        .filter((b) => b.openTime > at('2024-03-19T16:00:00Z'))
        .every((b) => b.open !== null),
    ).toBe(true)
    // volume in shares: a multiple of 100
    expect(answer.bars.every((b) => /00$|^0$/.test(b.volume))).toBe(true)
  })

  it('leaves out the minutes of a halt', async () => {
    const bars = (await client().getTrends('600036', 2)).bars
    expect(bars).toEqual(sim.stockBars('600036', at('2024-03-18T16:00:00Z'), NOW))
    const inHalt = bars.filter(
      (b) => b.openTime >= at('2024-03-19T02:00:00Z') && b.openTime < at('2024-03-19T02:30:00Z'),
    )
    expect(inHalt).toEqual([])
    expect(bars.filter((b) => b.openTime < at('2024-03-19T16:00:00Z'))).toHaveLength(241 - 30)
  })

  it('answers an unknown code with no bars', async () => {
    expect((await client().getTrends('600000')).bars).toEqual([])
  })

  it('lists Shanghai A-shares by total market cap', async () => {
    const top = await client().getTopStocks(3)
    expect(top.map((s) => s.symbol)).toEqual(['601398.SH', '600519.SH', '601288.SH'])
    expect(top[0]).toMatchObject({
      code: '601398',
      name: '工商银行',
      rank: 1,
      marketCap: 2_280_000_000_000,
    })
    expect(await client().getTopStocks(50)).toHaveLength(6)
  })
})

describe('polled too fast', () => {
  it('slows down after a connection reset instead of retrying at once', async () => {
    const strict = await startExchangeSimulator({ now: () => NOW, eastmoneyMinIntervalMs: 150 })
    try {
      const warnings: unknown[] = []
      const api = new EastmoneyAPI({
        apiUrl: strict.url,
        listUrl: strict.url,
        minIntervalMs: 0,
        resetBackoffMs: 200,
        logger: { info() {}, warn: (m, f) => warnings.push(f), error() {} },
      })
      await api.getTopStocks(1)
      await api.getTopStocks(1) // reset: sooner than 150 ms after the first
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toMatchObject({ code: 'NETWORK_ERROR', reset: true, intervalMs: 200 })
      expect(api.intervalMs).toBe(150) // shrinking back after the success
      const impatient = new EastmoneyAPI({
        apiUrl: strict.url,
        listUrl: strict.url,
        minIntervalMs: 0,
        maxRetries: 0,
      })
      await impatient.getTopStocks(1).catch(() => undefined)
      await expect(impatient.getTopStocks(1)).rejects.toBeInstanceOf(NetworkError)
    } finally {
      await strict.close()
    }
  })
})
