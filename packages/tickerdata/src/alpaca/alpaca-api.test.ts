import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { XNYS } from '../calendar/calendar.js'
import { AuthError, CalendarRangeError, RateLimitError, RecentSipDataError } from '../errors.js'
import { WeightBudget } from '../binance/weight-budget.js'
import type { Logger } from '../http.js'
import { startExchangeSimulator, type ExchangeSimulator } from '../testing/index.js'
import { decimalText } from '../stock-kline.js'
import { AlpacaAPI, type AlpacaAPIOptions } from './alpaca-api.js'
import { parseAlpacaBar, parseCalendarDay } from './parse.js'

const fixture = (name: string) =>
  readFileSync(new URL(`../__fixtures__/stocks/${name}`, import.meta.url), 'utf8')
const at = (iso: string) => Date.parse(iso)
const MINUTE = 60_000
const NOW = at('2024-12-02T12:00:00Z') // Monday, before the open
const KEY_ID = 'PKTESTKEYID0000000001'
const SECRET = 'secretSECRETsecret0123456789abcdefSECRET'

let sim: ExchangeSimulator
const logs: unknown[] = []
const logger: Logger = {
  debug: (m, f) => logs.push([m, f]),
  info: (m, f) => logs.push([m, f]),
  warn: (m, f) => logs.push([m, f]),
  error: (m, f) => logs.push([m, f]),
}

beforeAll(async () => {
  sim = await startExchangeSimulator({
    now: () => NOW,
    alpacaKeys: { keyId: KEY_ID, secretKey: SECRET },
    halts: [{ symbol: 'MSFT', start: at('2024-03-13T15:00:00Z'), end: at('2024-03-13T15:40:00Z') }],
  })
})
afterAll(async () => {
  await sim.close()
})

function client(options: Partial<AlpacaAPIOptions> = {}): AlpacaAPI {
  return new AlpacaAPI({
    apiUrl: sim.urls.alpacaApiUrl,
    tradingUrl: sim.urls.alpacaTradingUrl,
    keyId: KEY_ID,
    secretKey: SECRET,
    requestBudget: new WeightBudget({ limit: 200 }),
    logger,
    baseDelayMs: 1,
    ...options,
  })
}

describe('Alpaca bars against the samples', () => {
  it('keeps every price as the shortest decimal text of the JSON number', () => {
    for (const name of [
      'bars_single_AAPL_1Day_page1.json',
      'bars_single_TSLA_desc.json',
      'faq_sip_vs_iex_AAPL_2023-09-29.txt',
    ]) {
      const text = fixture(name)
      const raw = [...text.matchAll(/"(o|h|l|c|v|vw)": ([0-9.]+)/g)].map((m) => m[2])
      const bars = [...text.matchAll(/\{\s*"(?:t|c)"[^{}]*\}/g)].map((m, i) =>
        parseAlpacaBar(JSON.parse(m[0]), name, i),
      )
      const seen = bars.flatMap((b) => [b.open, b.high, b.low, b.close, b.volume, b.vwap])
      expect(seen.sort()).toEqual(raw.sort())
      if (name.includes('TSLA')) expect(raw).toContain('241.6601')
    }
    const minute = (
      JSON.parse(fixture('snapshot_AAPL_with_minuteBar.json')) as { AAPL: { minuteBar: unknown } }
    ).AAPL.minuteBar
    const bar = parseAlpacaBar(minute, 'snapshot', 0)
    expect(bar).toMatchObject({
      openTime: at('2022-03-18T14:32:00Z'),
      open: '161.595',
      close: '161.365',
      trades: 1880,
      quoteVolume: null,
    })
    expect(bar.closeTime).toBe(bar.openTime + MINUTE - 1)
    expect(decimalText(1e-7)).toBe('0.0000001')
    expect(decimalText(1e21)).toBe('1000000000000000000000')
  })

  it('reads the calendar rows of the sample, which lie before the built-in years', () => {
    const rows = (JSON.parse(fixture('calendar.json')) as unknown[]).map((r, i) =>
      parseCalendarDay(r, 's', i),
    )
    expect(rows[0]).toEqual({
      date: '2022-05-16',
      open: '09:30',
      close: '16:00',
      sessionOpen: '0400',
      sessionClose: '2000',
    })
    for (const row of rows) expect(() => XNYS.session(row.date)).toThrow(CalendarRangeError)
  })
})

describe('AlpacaAPI through the simulator', () => {
  it('serves the calendar exactly as the built-in XNYS (holidays, early closes)', async () => {
    const rows = await client().getCalendar('2024-11-01', '2024-12-31')
    const sessions = XNYS.sessions(at('2024-11-01T04:00:00Z'), at('2025-01-01T05:00:00Z'))
    expect(rows.map((r) => `${r.date} ${r.open}-${r.close}`)).toEqual(
      sessions.map((s) => `${s.date} 09:30-${s.earlyClose ? '13:00' : '16:00'}`),
    )
    expect(rows.map((r) => r.date)).not.toContain('2024-11-28')
    expect(rows.find((r) => r.date === '2024-11-29')?.close).toBe('13:00')
    expect(Object.keys((JSON.parse(fixture('calendar.json')) as object[])[0] ?? {}).sort()).toEqual(
      ['close', 'date', 'open', 'session_close', 'session_open'],
    )
  })

  it('names the listing exchange of an asset as a MIC', async () => {
    const api = client()
    expect(await api.getAsset('AAPL')).toMatchObject({
      symbol: 'AAPL',
      exchange: 'XNAS',
      alpacaExchange: 'NASDAQ',
    })
    expect((await api.getAsset('BRK.B'))?.exchange).toBe('XNYS')
    expect(await api.getAsset('NOPE')).toBeNull()
  })

  it('pages through a DST week with a page boundary inside a session, regular minutes only', async () => {
    sim.resetStats()
    const from = at('2024-03-08T00:00:00Z')
    const to = at('2024-03-16T00:00:00Z')
    const pages = []
    for await (const page of client({ pageLimit: 700 }).iterateBars('AAPL', from, to))
      pages.push(page)
    const bars = pages.flatMap((p) => p.bars)
    expect(bars).toEqual(sim.stockBars('AAPL', from, to))
    expect(pages.length).toBeGreaterThan(2)
    expect(pages.at(-1)?.nextPageToken).toBeNull()
    // pre- and post-market bars were sent and dropped
    expect(pages.reduce((n, p) => n + p.received, 0)).toBeGreaterThan(bars.length)
    expect(bars.every((b) => XNYS.isOpen(b.openTime))).toBe(true)
    // Friday 8 March opens 14:30Z (EST), Monday 11 March 13:30Z (EDT)
    const firstOf = (d: string) =>
      bars.find((b) => new Date(b.openTime).toISOString().startsWith(d))
    expect(firstOf('2024-03-08')?.openTime).toBeGreaterThanOrEqual(at('2024-03-08T14:30:00Z'))
    expect(firstOf('2024-03-08')?.openTime).toBeLessThan(at('2024-03-08T14:40:00Z'))
    expect(firstOf('2024-03-11')?.openTime).toBeLessThan(at('2024-03-11T13:40:00Z'))
    // a minute in session without trades is omitted, not invented
    const expected = XNYS.expectedMinutes(from, to)
    expect(expected).toBe(6 * 390)
    expect(bars.length).toBeLessThan(expected)
    expect(bars.length).toBeGreaterThan(expected * 0.97)
    // unfiltered, the same pages hold the extended hours too
    const all = await client({ pageLimit: 10_000 }).getBars('AAPL', from, to, { session: null })
    expect(all.some((b) => !XNYS.isOpen(b.openTime))).toBe(true)
    expect(sim.requestLog.every((r) => !JSON.stringify(r).includes('page_token=')))
  })

  it('sends feed, adjustment, timeframe and limit explicitly', async () => {
    const api = client({ feed: 'iex', adjustment: 'split' })
    const bars = await api.getBars('AAPL', at('2024-03-05T14:30:00Z'), at('2024-03-05T14:39:00Z'))
    expect(bars).toEqual(
      sim.stockBars('AAPL', at('2024-03-05T14:30:00Z'), at('2024-03-05T14:39:00Z'), {
        feed: 'iex',
      }),
    )
  })

  it('answers an early close, a holiday (bars null) and an empty multi-symbol page ({})', async () => {
    const api = client()
    const early = await api.getBars('KO', at('2024-11-29T05:00:00Z'), at('2024-11-30T00:00:00Z'))
    expect(early.length).toBeGreaterThan(200)
    expect(early.length).toBeLessThanOrEqual(210)
    expect(Math.max(...early.map((b) => b.openTime))).toBeLessThan(at('2024-11-29T18:00:00Z'))
    const holiday = [] as unknown[]
    for await (const page of api.iterateBars(
      'KO',
      at('2024-11-28T05:00:00Z'),
      at('2024-11-29T05:00:00Z'),
    ))
      holiday.push(page)
    expect(holiday).toEqual([{ bars: [], received: 0, nextPageToken: null }])
    const multi = await api.getMultiBars(
      ['AAPL', 'KO'],
      at('2024-11-28T05:00:00Z'),
      at('2024-11-29T05:00:00Z'),
    )
    expect(multi.size).toBe(0)
  })

  it('pages multi-symbol bars across symbols and records a halt as missing bars', async () => {
    const from = at('2024-03-13T13:00:00Z')
    const to = at('2024-03-13T21:00:00Z')
    const got = await client({ pageLimit: 500 }).getMultiBars(['MSFT', 'AAPL', 'GOOGL'], from, to)
    for (const s of ['AAPL', 'GOOGL', 'MSFT'])
      expect(got.get(s), s).toEqual(sim.stockBars(s, from, to))
    const msft = got.get('MSFT') ?? []
    expect(
      msft.some(
        (b) => b.openTime >= at('2024-03-13T15:00:00Z') && b.openTime < at('2024-03-13T15:40:00Z'),
      ),
    ).toBe(false)
    expect(
      msft.some(
        (b) =>
          b.openTime === at('2024-03-13T15:40:00Z') || b.openTime === at('2024-03-13T15:41:00Z'),
      ),
    ).toBe(true)
  })

  it('raises typed errors for bad keys, recent SIP data and the rate limit', async () => {
    const t = NOW - 5 * MINUTE
    await expect(
      client({ secretKey: 'wrong' }).getBars('AAPL', t - 60 * MINUTE, t - 30 * MINUTE),
    ).rejects.toBeInstanceOf(AuthError)
    await expect(client().getBars('AAPL', t - 60 * MINUTE, t)).rejects.toBeInstanceOf(
      RecentSipDataError,
    )
    await expect(client().getBars('AAPL', t - 60 * MINUTE, t, { feed: 'iex' })).resolves.toEqual([])
    expect(() => new AlpacaAPI({ keyId: '', secretKey: '' })).toThrow(RangeError)
  })

  it('budgets 200 requests a minute, and a 429 beyond it is typed', async () => {
    let clock = at('2030-01-01T00:00:00Z')
    const limited = await startExchangeSimulator({
      now: () => NOW,
      limiterClock: () => clock,
      alpacaRequestsPerMinute: 5,
    })
    try {
      const waits: number[] = []
      const budget = new WeightBudget({
        limit: 5,
        safetyFactor: 1,
        now: () => clock,
        sleep: (ms) => {
          waits.push(ms)
          clock += ms
          return Promise.resolve()
        },
      })
      const api = new AlpacaAPI({
        apiUrl: limited.url,
        tradingUrl: limited.url,
        keyId: 'k',
        secretKey: 's',
        requestBudget: budget,
      })
      for (let i = 0; i < 12; i++) await api.getAsset('AAPL')
      expect(waits.length).toBe(2) // 5 + 5 + 2 requests in three windows
      expect(limited.stats.rateLimited429).toBe(0)
      // Clients that share no budget (other processes on the same key) earn a 429.
      const fresh = () =>
        new AlpacaAPI({
          apiUrl: limited.url,
          tradingUrl: limited.url,
          keyId: 'k',
          secretKey: 's',
          requestBudget: new WeightBudget({ limit: 200, now: () => clock }),
          maxRetries: 0,
        })
      const errors: unknown[] = []
      for (let i = 0; i < 7; i++)
        await fresh()
          .getAsset('AAPL')
          .catch((e: unknown) => errors.push(e))
      expect(errors.length).toBeGreaterThan(0)
      expect(errors[0]).toBeInstanceOf(RateLimitError)
      // with retries, the 429 is waited out until X-RateLimit-Reset (Alpaca sends no Retry-After)
      const slept: number[] = []
      const patient = new AlpacaAPI({
        apiUrl: limited.url,
        tradingUrl: limited.url,
        keyId: 'k',
        secretKey: 's',
        requestBudget: new WeightBudget({ limit: 200, now: () => clock }),
        now: () => clock,
        sleep: (ms) => {
          slept.push(ms)
          clock += ms
          return Promise.resolve()
        },
      })
      expect(await patient.getAsset('AAPL')).toMatchObject({ symbol: 'AAPL' })
      expect(slept).toHaveLength(1)
      expect(slept[0]).toBeGreaterThan(0)
      expect(slept[0]).toBeLessThanOrEqual(60_000)
    } finally {
      await limited.close()
    }
  })

  it('never logs nor throws the keys', async () => {
    await client()
      .getBars('AAPL', NOW - 60 * MINUTE, NOW)
      .catch((e: unknown) => logs.push(String(e), (e as Error).stack))
    await client({ secretKey: 'wrong' })
      .getAsset('AAPL')
      .catch((e: unknown) => logs.push(JSON.stringify(e), String(e)))
    const text = JSON.stringify(logs)
    expect(text).toContain('http request')
    expect(text).not.toContain(SECRET)
    expect(text).not.toContain(KEY_ID)
    const sent = sim.requestLog.find((r) => r.route === 'alpaca-bars')
    expect(sent?.headers['apca-api-key-id']).toBe(KEY_ID) // sent to the server, nowhere else
  })
})
