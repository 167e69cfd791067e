import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  ArchiveFormatError,
  BanTooLongError,
  ChecksumMismatchError,
  ExchangeApiError,
  IpBannedError,
  RateLimitError,
  RestrictedLocationError,
  TimeoutError,
} from '../errors.js'
import { HostBans } from '../http.js'
import { startExchangeSimulator, type ExchangeSimulator } from '../testing/index.js'
import { columnsToKlines } from './archive.js'
import { BinanceAPI, type BinanceAPIOptions } from './binance-api.js'
import { WeightBudget } from './weight-budget.js'

const MINUTE = 60_000
const NOW = Date.parse('2025-03-10T12:34:56.000Z')
const GAP_START = Date.parse('2025-03-05T10:00:00.000Z')
const GAP_END = Date.parse('2025-03-05T10:30:00.000Z')

let sim: ExchangeSimulator

beforeAll(async () => {
  sim = await startExchangeSimulator({
    now: () => NOW,
    gaps: [{ symbol: 'ETHUSDT', start: GAP_START, end: GAP_END }],
    lateMonthly: { SOLUSDT: ['2025-02'] },
  })
})
afterAll(async () => {
  await sim.close()
})
afterEach(() => {
  sim.clearFaults()
})

/** A client on the simulator with its own ban registry and budget, and fast retries. */
function client(options: BinanceAPIOptions = {}): BinanceAPI {
  return new BinanceAPI({
    apiUrl: sim.urls.binanceApiUrl,
    dataUrl: sim.urls.binanceDataUrl,
    listingUrl: sim.urls.binanceListingUrl,
    now: () => NOW,
    baseDelayMs: 5,
    maxDelayMs: 20,
    bans: new HostBans(),
    weightBudget: new WeightBudget(),
    ...options,
  })
}

/**
 * A clock the test moves by hand, for the HTTP layer's `now` and `sleep`: a sleep lasts until
 * `advance()` has moved the clock past its end, so waits of seconds take no real time and every
 * wait asked for is seen.
 */
function manualClock(start: number) {
  let t = start
  const sleepers: { until: number; wake: () => void }[] = []
  const watchers: { count: number; resolve: () => void }[] = []
  const waits: number[] = []
  const notify = () => {
    for (const w of watchers.filter((x) => sleepers.length >= x.count)) {
      watchers.splice(watchers.indexOf(w), 1)
      w.resolve()
    }
  }
  return {
    /** Every sleep asked for (ms), in order. */
    waits,
    now: () => t,
    sleep: (ms: number) =>
      new Promise<void>((wake) => {
        waits.push(ms)
        if (ms <= 0) return wake()
        sleepers.push({ until: t + ms, wake })
        notify()
      }),
    /** Resolves once `count` callers are asleep. */
    asleep: (count: number) =>
      new Promise<void>((resolve) => {
        watchers.push({ count, resolve })
        notify()
      }),
    get sleeping() {
      return sleepers.length
    },
    advance(ms: number) {
      t += ms
      for (const s of sleepers.filter((x) => x.until <= t)) {
        sleepers.splice(sleepers.indexOf(s), 1)
        s.wake()
      }
    },
  }
}

/** 'asleep' when `count` callers sleep before `call` settles, else 'settled'. */
const asleepFirst = (
  clock: ReturnType<typeof manualClock>,
  count: number,
  call: Promise<unknown>,
) =>
  Promise.race([
    clock.asleep(count).then(() => 'asleep'),
    call.then(
      () => 'settled',
      () => 'settled',
    ),
  ])

describe('BinanceAPI.getHistorical paging', () => {
  const start = Date.parse('2025-03-01T00:00:00.000Z')

  it('returns nothing for an empty range and for a range before listing', async () => {
    const api = client()
    expect(await api.getHistorical('BTCUSDT', start + 30_000, start + 59_000)).toEqual([])
    expect(
      await api.getHistorical('TRUMPUSDT', Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 2)),
    ).toEqual([])
    expect(await api.getHistorical('BTCUSDT', start + MINUTE, start)).toEqual([])
    expect(api.countRequests(start + MINUTE, start)).toBe(0)
  })

  it('returns exactly one candle for a one-minute range, equal to the simulator', async () => {
    const got = await client().getHistorical('BTCUSDT', start, start)
    expect(got).toEqual(sim.candles('BTCUSDT', start, start))
    expect(got).toHaveLength(1)
  })

  it('pages exactly 1000 candles in one request and 1001 in two', async () => {
    const api = client()
    sim.resetStats()
    const thousand = await api.getHistorical('BTCUSDT', start, start + 999 * MINUTE)
    expect(thousand).toHaveLength(1000)
    expect(api.countRequests(start, start + 999 * MINUTE)).toBe(1)
    // One full page, then one more request that finds the range exhausted.
    expect(sim.stats.requests.klines).toBeLessThanOrEqual(2)
    sim.resetStats()
    const more = await api.getHistorical('BTCUSDT', start, start + 1000 * MINUTE)
    expect(more).toHaveLength(1001)
    expect(api.countRequests(start, start + 1000 * MINUTE)).toBe(2)
    expect(sim.stats.requests.klines).toBe(2)
    expect(more).toEqual(sim.candles('BTCUSDT', start, start + 1000 * MINUTE))
  })

  it('crosses an exchange gap without inventing candles', async () => {
    const from = GAP_START - 10 * MINUTE
    const to = GAP_END + 10 * MINUTE
    const got = await client().getHistorical('ETHUSDT', from, to)
    expect(got).toHaveLength(10 + 11)
    expect(got.some((k) => k.openTime >= GAP_START && k.openTime < GAP_END)).toBe(false)
    expect(got).toEqual(sim.candles('ETHUSDT', from, to))
  })

  it('includes the still-open candle unless closedOnly is set', async () => {
    const from = NOW - 5 * MINUTE
    const all = await client().getHistorical('BTCUSDT', from, NOW)
    const openCandle = all[all.length - 1]
    expect(openCandle?.closeTime).toBeGreaterThan(NOW)
    const closed = await client().getHistorical('BTCUSDT', from, NOW, '1m', { closedOnly: true })
    expect(closed).toHaveLength(all.length - 1)
    expect(closed.every((k) => k.closeTime < NOW)).toBe(true)
  })

  it('serves every interval, and higher intervals aggregate the minutes exactly', async () => {
    const hour = await client().getHistorical('BTCUSDT', start, start, '1h')
    const minutes = sim.candles('BTCUSDT', start, start + 59 * MINUTE)
    expect(hour[0]?.open).toBe(minutes[0]?.open)
    expect(hour[0]?.close).toBe(minutes[59]?.close)
    expect(hour[0]?.trades).toBe(minutes.reduce((sum, k) => sum + k.trades, 0))
    const units = (s: string) => BigInt(s.replace('.', ''))
    const volume = minutes.reduce((sum, k) => sum + units(k.volume), 0n)
    expect(units(hour[0]?.volume ?? '0')).toBe(volume)
    for (const interval of ['1s', '3m', '4h', '1d', '1w', '1M'] as const) {
      // Binance returns the candles that OPEN inside the range (a week opens on a Monday).
      const end = interval === '1s' ? Date.UTC(2025, 0, 1, 0, 0, 2) : Date.UTC(2025, 1, 1)
      const rows = await client().getHistorical('BTCUSDT', Date.UTC(2025, 0, 1), end, interval)
      expect(rows.length, interval).toBeGreaterThan(0)
      expect(rows[0]?.openTime ?? 0, interval).toBeGreaterThanOrEqual(Date.UTC(2025, 0, 1))
    }
    await expect(client().getHistorical('BTCUSDT', start, start, '2m' as '1m')).rejects.toThrow(
      RangeError,
    )
  })

  it('iterates page by page for callers that write as they go', async () => {
    const pages: number[] = []
    for await (const page of client().iterateHistorical('BTCUSDT', start, start + 2500 * MINUTE)) {
      pages.push(page.length)
    }
    expect(pages).toEqual([1000, 1000, 501])
  })
})

describe('BinanceAPI faults', () => {
  const start = Date.parse('2025-03-01T00:00:00.000Z')

  it('retries a 5xx and a dropped connection, then succeeds', async () => {
    sim.addFault({ route: 'klines', kind: '5xx', times: 2 })
    sim.addFault({ route: 'klines', kind: 'drop', times: 1 })
    const got = await client().getHistorical('BTCUSDT', start, start + 9 * MINUTE)
    expect(got).toHaveLength(10)
  })

  it('gives up on a 5xx that lasts, with a typed error naming the URL', async () => {
    sim.addFault({ route: 'klines', kind: '5xx', status: 502 })
    const error = await client({ maxRetries: 2 })
      .getHistorical('BTCUSDT', start, start)
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'HTTP_ERROR', status: 502 })
    expect(String((error as Error).message)).toContain('/api/v3/klines')
    expect(String((error as Error).message)).not.toContain('symbol=')
  })

  it('turns a slow answer into a TimeoutError', async () => {
    sim.addFault({ route: 'klines', kind: 'slow', delayMs: 400 })
    await expect(
      client({ timeoutMs: 100, maxRetries: 1 }).getHistorical('BTCUSDT', start, start),
    ).rejects.toBeInstanceOf(TimeoutError)
  })

  it('honours Retry-After on a 429 and then succeeds', async () => {
    sim.addFault({ route: 'klines', kind: '429', retryAfterSec: 1, times: 1 })
    sim.resetStats()
    const clock = manualClock(NOW)
    const got = client({ now: clock.now, sleep: clock.sleep }).getHistorical(
      'BTCUSDT',
      start,
      start,
    )
    expect(await asleepFirst(clock, 1, got)).toBe('asleep')
    expect(clock.waits).toEqual([1000])
    clock.advance(999)
    expect(clock.sleeping).toBe(1)
    expect(sim.stats.requests.klines).toBe(1)
    clock.advance(1)
    expect(await got).toHaveLength(1)
    expect(sim.stats.requests.klines).toBe(2)
  })

  it('reports RateLimitError when 429s outlast the retries', async () => {
    sim.addFault({ route: 'klines', kind: '429', retryAfterSec: 0 })
    const error = await client({ maxRetries: 1 })
      .getHistorical('BTCUSDT', start, start)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RateLimitError)
  })

  it('turns a 418 into an IpBannedError until Retry-After, and holds every client of the host until then', async () => {
    const bans = new HostBans()
    sim.addFault({ route: 'klines', kind: '418', retryAfterSec: 90, times: 1 })
    const error = await client({ bans, maxRetries: 0 })
      .getHistorical('BTCUSDT', start, start)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(IpBannedError)
    expect(error).toMatchObject({ status: 418, code: 'IP_BANNED', until: new Date(NOW + 90_000) })
    expect(bans.bannedUntil(new URL(sim.url).host, NOW)).toBe(NOW + 90_000)
    // Another client of the host waits the ban out before it sends anything, then goes on.
    let t = NOW
    const events: string[] = []
    const sleep = (ms: number) => {
      const { klines, exchangeInfo } = sim.stats.requests
      events.push(`slept ${ms} ms after ${klines + exchangeInfo} requests`)
      t += ms
      return Promise.resolve()
    }
    sim.resetStats()
    const other = client({ bans, now: () => t, sleep })
    expect(await other.getHistorical('BTCUSDT', start, start)).toHaveLength(1)
    expect(events).toEqual(['slept 90000 ms after 0 requests'])
    expect(sim.stats.requests.klines).toBe(1)
  })

  it('fails fast when a ban is longer than the allowed wait', async () => {
    sim.addFault({ route: 'klines', kind: '418', retryAfterSec: 3600, times: 1 })
    const bans = new HostBans()
    const error = await client({ bans, maxBanWaitMs: 1000 })
      .getHistorical('BTCUSDT', start, start)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BanTooLongError)
    expect((error as Error).message).toMatch(/banned until/)
    // The next call does not even reach the exchange.
    sim.resetStats()
    await expect(
      client({ bans, maxBanWaitMs: 1000 }).getHistorical('BTCUSDT', start, start),
    ).rejects.toBeInstanceOf(BanTooLongError)
    expect(sim.stats.requests.klines).toBe(0)
  })

  it('treats 451 as fatal with a message that says how to pick another base URL', async () => {
    sim.addFault({ route: 'klines', kind: '451' })
    sim.resetStats()
    const error = await client()
      .getHistorical('BTCUSDT', start, start)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RestrictedLocationError)
    expect((error as Error).message).toMatch(/data-api\.binance\.vision/)
    expect(sim.stats.requests.klines).toBe(1)
  })

  it('turns an invalid symbol into an ExchangeApiError with Binance code -1121, without retrying', async () => {
    sim.resetStats()
    const error = await client()
      .getHistorical('NOPEUSDT', start, start)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ExchangeApiError)
    expect(error).toMatchObject({ exchangeCode: -1121, status: 400 })
    expect(sim.stats.requests.klines).toBe(1)
    sim.addFault({ route: 'klines', kind: 'invalid-symbol', symbol: 'BTCUSDT' })
    await expect(client().getHistorical('BTCUSDT', start, start)).rejects.toMatchObject({
      exchangeCode: -1121,
    })
  })

  it('aborts through an AbortSignal', async () => {
    sim.addFault({ route: 'klines', kind: 'slow', delayMs: 2000 })
    sim.resetStats()
    const controller = new AbortController()
    const pending = client().getHistorical('BTCUSDT', start, start, '1m', {
      signal: controller.signal,
    })
    // Once the request is in flight (the simulator has it and holds the answer back).
    while (sim.stats.requests.klines === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    controller.abort()
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' })
  })
})

describe('the weight budget', () => {
  it('keeps several concurrent callers under the advertised limit with zero 429s', async () => {
    const tight = await startExchangeSimulator({
      now: () => NOW,
      weightLimit: { limit: 60, interval: 'SECOND', intervalNum: 1 },
    })
    try {
      const budget = new WeightBudget()
      const make = () =>
        new BinanceAPI({
          apiUrl: tight.urls.binanceApiUrl,
          now: () => NOW,
          weightBudget: budget,
          bans: new HostBans(),
        })
      await make().getExchangeInfo() // adopts 60 per second from rateLimits
      expect(budget.snapshot.limit).toBe(60)
      expect(budget.snapshot.windowMs).toBe(1000)
      const start = Date.parse('2025-03-01T00:00:00.000Z')
      // 4 callers × 12 requests × weight 2 = 96 weight: more than one window's worth.
      await Promise.all(
        [0, 1, 2, 3].map(async (c) => {
          const api = make()
          for (let i = 0; i < 12; i++) {
            await api.getKlines({
              symbol: 'BTCUSDT',
              interval: '1m',
              startTime: start + (c * 12 + i) * MINUTE,
              limit: 1,
            })
          }
        }),
      )
      expect(tight.stats.requests.klines).toBe(48)
      expect(tight.stats.rateLimited429).toBe(0)
      expect(tight.stats.banned418).toBe(0)
      expect(tight.stats.maxUsedWeight).toBeLessThanOrEqual(60)
    } finally {
      await tight.close()
    }
  })

  it('paces the first window too: a client that has not read exchangeInfo earns no 429 (8 symbols, 60 a minute)', async () => {
    // One clock for the simulator's limiter and the client's budget; waiting moves it on.
    let t = Date.parse('2025-03-10T12:00:30.000Z')
    const clock = () => t
    const sleep = (ms: number) => {
      t = Math.max(t, clock() + ms)
      return Promise.resolve()
    }
    const tight = await startExchangeSimulator({
      now: () => NOW,
      limiterClock: clock,
      weightLimit: { limit: 60, interval: 'MINUTE', intervalNum: 1 },
    })
    try {
      const budget = new WeightBudget({ now: clock, sleep }) // the limit is not known yet
      const api = new BinanceAPI({
        apiUrl: tight.urls.binanceApiUrl,
        now: () => NOW,
        weightBudget: budget,
        bans: new HostBans(),
        sleep,
      })
      const symbols = [
        'BTCUSDT',
        'ETHUSDT',
        'SOLUSDT',
        'DOGEUSDT',
        'XRPUSDT',
        'TRXUSDT',
        'ADAUSDT',
        'LINKUSDT',
      ]
      const from = Date.parse('2025-03-01T00:00:00.000Z')
      const to = from + 3999 * MINUTE // four pages each: 8 × 4 × weight 2 = 64, over the limit alone
      const got = await Promise.all(symbols.map((s) => api.getHistorical(s, from, to)))
      for (const [i, symbol] of symbols.entries()) {
        expect(got[i], symbol).toEqual(tight.candles(symbol, from, to))
      }
      expect(tight.stats.rateLimited429).toBe(0)
      expect(tight.stats.banned418).toBe(0)
      expect(tight.stats.requests.klines).toBe(32)
      expect(tight.stats.maxUsedWeight).toBeLessThanOrEqual(60)
      expect(budget.snapshot).toMatchObject({ limit: 60, windowMs: 60_000 })
      expect(t).toBeGreaterThanOrEqual(Date.parse('2025-03-10T12:01:00.000Z')) // paced into the next minute
    } finally {
      await tight.close()
    }
  })

  it('without the budget the same load earns 429s (the simulator enforces the limit)', async () => {
    const tight = await startExchangeSimulator({
      now: () => NOW,
      // A limiter clock that stands still: all 15 requests fall in one window however slow the machine.
      limiterClock: () => NOW,
      weightLimit: { limit: 20, interval: 'SECOND', intervalNum: 1 },
    })
    try {
      const results = await Promise.all(
        Array.from({ length: 15 }, () =>
          fetch(`${tight.url}/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=1`).then(
            (r) => r.status,
          ),
        ),
      )
      expect(results.filter((s) => s === 429).length).toBeGreaterThan(0)
      // A client that ignores the 429 is banned.
      const again = await fetch(`${tight.url}/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=1`)
      expect(again.status).toBe(418)
      expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0)
    } finally {
      await tight.close()
    }
  })
})

describe('exchangeInfo', () => {
  it('lists pairs with status and assets, including pairs in BREAK', async () => {
    const info = await client().getExchangeInfo()
    expect(info.pairs.find((p) => p.symbol === 'BTCUSDT')).toEqual({
      symbol: 'BTCUSDT',
      status: 'TRADING',
      baseAsset: 'BTC',
      quoteAsset: 'USDT',
    })
    expect(info.pairs.find((p) => p.symbol === 'TONUSDT')?.status).toBe('BREAK')
    expect(info.rateLimits.find((r) => r.rateLimitType === 'REQUEST_WEIGHT')?.limit).toBe(6000)
  })
})

describe('the public archive end to end', () => {
  it('lists the monthly files of a symbol across listing pages', async () => {
    const paged = await startExchangeSimulator({ now: () => NOW, listingPageSize: 7 })
    try {
      const api = new BinanceAPI({
        apiUrl: paged.url,
        dataUrl: paged.url,
        listingUrl: paged.urls.binanceListingUrl,
        now: () => NOW,
      })
      const months = await api.listArchive('SOLUSDT', 'monthly')
      expect(months[0]?.period).toBe('2020-08')
      expect(months[months.length - 1]?.period).toBe('2025-02')
      expect(months.length).toBe(12 * 4 + 5 + 2) // 2020-08 … 2025-02
      expect(paged.stats.requests.listing).toBeGreaterThan(10)
    } finally {
      await paged.close()
    }
  })

  it('downloads, verifies, unzips and parses a millisecond month (2024) identical to REST', async () => {
    const api = client()
    const file = await api.loadArchiveFile('BTCUSDT', '2024-02')
    if (!file.found) throw new Error('expected the file')
    expect(file.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(file.columns.length).toBe(29 * 1440)
    const rows = columnsToKlines(file.columns)
    expect(rows).toEqual(
      sim.candles('BTCUSDT', Date.UTC(2024, 1, 1), Date.UTC(2024, 1, 29, 23, 59)),
    )
  })

  it('normalises a microsecond month (2025) to milliseconds', async () => {
    const file = await client().loadArchiveFile('BTCUSDT', '2025-01')
    if (!file.found) throw new Error('expected the file')
    expect(file.columns.openTime[0]).toBe(Date.UTC(2025, 0, 1))
    expect(file.columns.closeTime[0]).toBe(Date.UTC(2025, 0, 1) + 59_999)
    const rows = columnsToKlines(file.columns)
    const expected = sim.candles('BTCUSDT', Date.UTC(2025, 0, 31), Date.UTC(2025, 0, 31, 23, 59))
    expect(rows.slice(-1440)).toEqual(expected)
  })

  it('answers "not published" for a month that is not out yet and for a late monthly file, whose days exist', async () => {
    const api = client()
    expect((await api.loadArchiveFile('BTCUSDT', '2025-03')).found).toBe(false)
    expect((await api.loadArchiveFile('SOLUSDT', '2025-02')).found).toBe(false)
    const day = await api.loadArchiveFile('SOLUSDT', '2025-02-14')
    expect(day.found && day.columns.length).toBe(1440)
    expect((await api.loadArchiveFile('BTCUSDT', '2025-03-10')).found).toBe(false) // today
  })

  it('rejects a checksum mismatch with a typed error naming both digests', async () => {
    sim.addFault({
      route: 'archive-checksum',
      kind: 'checksum-mismatch',
      file: 'BTCUSDT-1m-2025-03-01',
    })
    const error = await client()
      .loadArchiveFile('BTCUSDT', '2025-03-01')
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ChecksumMismatchError)
    expect((error as Error).message).toMatch(/BTCUSDT-1m-2025-03-01\.zip/)
  })

  it('rejects a corrupt zip and a bad CSV row with ArchiveFormatError naming file and line', async () => {
    sim.addFault({ route: 'archive-zip', kind: 'corrupt-zip', file: 'BTCUSDT-1m-2025-03-02' })
    await expect(client().loadArchiveFile('BTCUSDT', '2025-03-02')).rejects.toBeInstanceOf(
      ArchiveFormatError,
    )
    sim.addFault({
      route: 'archive-zip',
      kind: 'bad-csv-row',
      file: 'BTCUSDT-1m-2025-03-03',
      line: 77,
    })
    const error = await client()
      .loadArchiveFile('BTCUSDT', '2025-03-03')
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ArchiveFormatError)
    expect(error).toMatchObject({ file: 'BTCUSDT-1m-2025-03-03.csv', line: 77 })
  })

  it('retries a 5xx on an archive file', async () => {
    sim.addFault({ route: 'archive-zip', kind: '5xx', times: 2, file: 'BTCUSDT-1m-2025-03-04' })
    const file = await client().loadArchiveFile('BTCUSDT', '2025-03-04')
    expect(file.found && file.columns.length).toBe(1440)
  })
})
