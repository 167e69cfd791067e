import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { bbands, macd, rsi, sma } from '@trading-alerts/technical-indicators'
import type { Kline } from '@trading-alerts/tickerdata'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  deliverDueAlerts,
  parseAlertRule,
  RuleSyntaxError,
  runAlerts,
  runIndicators,
  saveAlertRule,
  verifyWebhookSignature,
} from '../src/index.js'
import {
  createTestDatabase,
  memoryLogger,
  testDatabaseKinds,
  type TestDatabase,
} from '../src/testing/index.js'

const kinds = await testDatabaseKinds()
const MIN = 60_000
const HOUR = 60 * MIN
const T0 = Date.parse('2025-03-03T00:00:00Z') // a Monday
const HOURS = 120

/** The designed hourly closes (cents): flat, a fall, a rise, a fall — crossings on known bars. */
function hourlyCloses(): number[] {
  const out: number[] = []
  let p = 10_000_00
  for (let h = 0; h < HOURS; h++) {
    if (h < 30) p = 10_000_00 + ((h * 7919) % 13) * 100 - 600
    else if (h < 60) p = Math.round(p * 0.988)
    else if (h < 100) p = Math.round(p * 1.015)
    else p = Math.round(p * 0.99)
    out.push(p)
  }
  return out
}

const cents = (c: number) => `${Math.trunc(c / 100)}.${String(c % 100).padStart(2, '0')}`
const HOLE = { start: T0 + 40 * HOUR + 10 * MIN, end: T0 + 40 * HOUR + 40 * MIN }

/** 1-minute candles that walk linearly to each hour's close, with a 30-minute hole in hour 40. */
function minuteCandles(symbol: string, scale: number): Kline[] {
  const closes = hourlyCloses()
  const out: Kline[] = []
  let prev = Math.round((closes[0] as number) * scale)
  for (let h = 0; h < HOURS; h++) {
    const target = Math.round((closes[h] as number) * scale)
    const start = prev
    for (let m = 0; m < 60; m++) {
      const t = T0 + h * HOUR + m * MIN
      const close =
        m === 59
          ? target
          : Math.round(
              start + ((target - start) * (m + 1)) / 60 + (((h * 31 + m * 17) % 7) - 3) * 5,
            )
      const open = prev
      const high = Math.max(open, close) + ((h + m) % 5) * 3
      const low = Math.min(open, close) - ((h * m) % 4) * 2
      prev = close
      if (t >= HOLE.start && t < HOLE.end) continue
      const vol = 1000 + (((h * 60 + m) * 7919) % 5000)
      out.push({
        openTime: t,
        open: cents(open),
        high: cents(high),
        low: cents(low),
        close: cents(close),
        volume: `${Math.trunc(vol / 1000)}.${String(vol % 1000).padStart(3, '0')}`,
        closeTime: t + MIN - 1,
        quoteVolume: `${vol * 97}.${String((h + m) % 100).padStart(2, '0')}`,
        trades: 10 + ((h + m * 3) % 50),
        takerBuyBaseVolume: `${Math.trunc(vol / 2000)}.${String(Math.floor(vol / 2) % 1000).padStart(3, '0')}`,
        takerBuyQuoteVolume: `${vol * 48}.5`,
      })
    }
  }
  return out
}

/** Exact decimal as a bigint of 1e-8 units. */
function units(s: string): bigint {
  const [i = '0', f = ''] = s.split('.')
  const neg = i.startsWith('-')
  const v = BigInt(i.replace('-', '')) * 100_000_000n + BigInt((f + '00000000').slice(0, 8))
  return neg ? -v : v
}

const SYMBOLS = { BTCUSDT: 1, ETHUSDT: 0.05 } as const

async function seed(database: TestDatabase, lastUpdated: number): Promise<void> {
  for (const [symbol, scale] of Object.entries(SYMBOLS)) {
    await database.db
      .insertInto('symbol')
      .values({
        symbol,
        base_asset: symbol.replace('USDT', ''),
        quote_asset: 'USDT',
        coingecko_id: null,
        name: null,
        market_cap_rank: symbol === 'BTCUSDT' ? 1 : 2,
        market_cap_usd: null,
        in_top_n: true,
        status: 'TRADING',
        first_seen_at: new Date(T0),
        last_seen_at: new Date(T0),
        last_updated_at: new Date(lastUpdated),
      })
      .execute()
    const rows = minuteCandles(symbol, scale)
    await database.writeTransaction((tx) =>
      tx.replaceCandles({ symbol, start: T0, end: T0 + HOURS * HOUR, rows }),
    )
  }
}

async function setLastUpdated(database: TestDatabase, t: number): Promise<void> {
  await database.db
    .updateTable('symbol')
    .set({ last_updated_at: new Date(t) })
    .execute()
}

function mutableClock(t: number) {
  const clock = { t, now: () => new Date(clock.t) }
  return clock
}

async function closes(database: TestDatabase, symbol: string, timeframe: string) {
  const rows =
    timeframe === '1m'
      ? await database.db
          .selectFrom('tickerdata_1m')
          .select(['open_time', 'close', 'high', 'low'])
          .where('symbol', '=', symbol)
          .orderBy('open_time')
          .execute()
      : await database.db
          .selectFrom('candle')
          .select(['open_time', 'close', 'high', 'low'])
          .where('symbol', '=', symbol)
          .where('timeframe', '=', timeframe)
          .orderBy('open_time')
          .execute()
  return {
    times: rows.map((r) => r.open_time.getTime()),
    close: rows.map((r) => Number(r.close)),
  }
}

async function stored(database: TestDatabase, symbol: string, timeframe: string, name: string) {
  const rows = await database.db
    .selectFrom('indicator_value')
    .select(['open_time', 'value'])
    .where('symbol', '=', symbol)
    .where('timeframe', '=', timeframe)
    .where('name', '=', name)
    .orderBy('open_time')
    .execute()
  return new Map(rows.map((r) => [r.open_time.getTime(), r.value]))
}

/** Stored values equal the batch function over all stored bars, bar for bar (=== or both absent). */
function expectSeriesEqual(got: Map<number, number>, times: number[], want: Float64Array): void {
  let compared = 0
  for (let i = 0; i < times.length; i++) {
    const w = want[i] as number
    const g = got.get(times[i] as number)
    if (Number.isNaN(w)) expect(g, `bar ${i}`).toBeUndefined()
    else {
      expect(g, `bar ${i} (${new Date(times[i] as number).toISOString()})`).toBe(w)
      compared++
    }
  }
  expect(got.size).toBe(compared)
  expect(compared).toBeGreaterThan(0)
}

/** A webhook receiver on 127.0.0.1 with a behaviour per path. */
interface Received {
  path: string
  body: string
  headers: IncomingMessage['headers']
}
function receiver(behaviour: (path: string, n: number) => number | 'hang') {
  const received: Received[] = []
  const counts = new Map<string, number>()
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      const path = req.url ?? '/'
      // Attempts are counted per path and delivery.
      const key = `${path} ${String(req.headers['x-trading-alerts-delivery'])}`
      const n = (counts.get(key) ?? 0) + 1
      counts.set(key, n)
      received.push({ path, body, headers: req.headers })
      const status = behaviour(path, n)
      if (status === 'hang') return
      res.writeHead(status, { 'content-type': 'text/plain' }).end('ok')
    })
  })
  return {
    received,
    server,
    async start() {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    },
    async stop() {
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
}

describe.each(kinds)('indicators and alerts on %s', (kind) => {
  let database: TestDatabase
  const END = T0 + HOURS * HOUR

  beforeAll(async () => {
    database = await createTestDatabase(kind)
    await seed(database, T0 + 70 * HOUR - 1)
  }, 120_000)
  afterAll(async () => {
    await database?.close()
  })

  it('resamples exactly, marks the bar with missing minutes, and keeps only closed bars', async () => {
    const logger = memoryLogger()
    const clock = mutableClock(T0 + 70 * HOUR + 5 * MIN)
    const result = await runIndicators(
      { database, clock, logger },
      { timeframes: ['1h', '4h', '1d', '15m'], indicators: [] },
    )
    expect(result.state).toBe('succeeded')
    for (const [symbol, scale] of Object.entries(SYMBOLS)) {
      const minutes = minuteCandles(symbol, scale).filter((k) => k.openTime < T0 + 70 * HOUR)
      for (const [tf, size] of [
        ['15m', 15 * MIN],
        ['1h', HOUR],
        ['4h', 4 * HOUR],
        ['1d', 24 * HOUR],
      ] as const) {
        // Independent: group in JS with bigint decimals; only bars that ended by last_updated_at.
        const groups = new Map<number, Kline[]>()
        for (const k of minutes) {
          const b = k.openTime - ((k.openTime - T0) % size)
          if (b + size > T0 + 70 * HOUR) continue
          groups.set(b, [...(groups.get(b) ?? []), k])
        }
        const rows = await database.db
          .selectFrom('candle')
          .selectAll()
          .where('symbol', '=', symbol)
          .where('timeframe', '=', tf)
          .orderBy('open_time')
          .execute()
        expect(rows.map((r) => r.open_time.getTime())).toEqual([...groups.keys()])
        for (const r of rows) {
          const g = groups.get(r.open_time.getTime()) as Kline[]
          const sum = (f: (k: Kline) => string) => g.reduce((s, k) => s + units(f(k)), 0n)
          expect(units(r.open)).toBe(units((g[0] as Kline).open))
          expect(units(r.close)).toBe(units((g[g.length - 1] as Kline).close))
          expect(units(r.high)).toBe(
            g.reduce((m, k) => (units(k.high) > m ? units(k.high) : m), -1n),
          )
          expect(units(r.low)).toBe(
            g.reduce((m, k) => (units(k.low) < m ? units(k.low) : m), 1n << 80n),
          )
          expect(units(r.volume)).toBe(sum((k) => k.volume))
          expect(units(r.quote_volume)).toBe(sum((k) => k.quoteVolume))
          expect(units(r.taker_buy_base_volume)).toBe(sum((k) => k.takerBuyBaseVolume))
          expect(units(r.taker_buy_quote_volume)).toBe(sum((k) => k.takerBuyQuoteVolume))
          expect(Number(r.trades)).toBe(g.reduce((s, k) => s + k.trades, 0))
          expect(r.minutes).toBe(g.length)
          expect(r.expected_minutes).toBe(size / MIN)
        }
      }
    }
    const holed = await database.db
      .selectFrom('candle')
      .select(['minutes', 'expected_minutes'])
      .where('symbol', '=', 'BTCUSDT')
      .where('timeframe', '=', '1h')
      .where('open_time', '=', new Date(T0 + 40 * HOUR))
      .executeTakeFirstOrThrow()
    expect(holed).toEqual({ minutes: 30, expected_minutes: 60 })
  })

  it('computes indicators incrementally, equal to a full batch computation, and a re-run changes nothing', async () => {
    const logger = memoryLogger()
    const clock = mutableClock(T0 + 70 * HOUR + 5 * MIN)
    const options = {
      timeframes: ['1h', '1m'],
      indicators: ['rsi(14)', 'macd(12,26,9)', 'bbands(20,2,2)', 'sma(5)'],
      batchBars: 700, // several transactions per symbol on 1m
    }
    const first = await runIndicators({ database, clock, logger }, options)
    expect(first.state).toBe('succeeded')
    await setLastUpdated(database, END - 1)
    clock.t = END + 5 * MIN
    const second = await runIndicators({ database, clock, logger }, options)
    expect(second.state).toBe('succeeded')
    expect(second.rowsWritten).toBeGreaterThan(0)

    for (const symbol of Object.keys(SYMBOLS)) {
      for (const tf of ['1h', '1m']) {
        const { times, close } = await closes(database, symbol, tf)
        expect(times.length).toBe(tf === '1h' ? HOURS : HOURS * 60 - 30)
        expectSeriesEqual(await stored(database, symbol, tf, 'rsi(14)'), times, rsi(close, 14))
        expectSeriesEqual(await stored(database, symbol, tf, 'sma(5)'), times, sma(close, 5))
        const m = macd(close, 12, 26, 9)
        for (const o of ['macd', 'signal', 'histogram'] as const) {
          expectSeriesEqual(await stored(database, symbol, tf, `macd(12,26,9).${o}`), times, m[o])
        }
        const b = bbands(close, 20, 2, 2)
        for (const o of ['upper', 'middle', 'lower'] as const) {
          expectSeriesEqual(await stored(database, symbol, tf, `bbands(20,2,2).${o}`), times, b[o])
        }
      }
    }
    const count = async () =>
      Number(
        (
          await database.db
            .selectFrom('indicator_value')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )
    const before = await count()
    const again = await runIndicators({ database, clock, logger }, options)
    expect(again.rowsWritten).toBe(0)
    expect(await count()).toBe(before)

    // A state that no longer fits (another version) is recomputed from the first bar: same values.
    await database.db
      .updateTable('indicator_state')
      .set({ version: '0.0.0-old' })
      .where('indicator', '=', 'rsi(14)')
      .execute()
    await runIndicators({ database, clock, logger }, options)
    expect(await count()).toBe(before)
    const { times, close } = await closes(database, 'BTCUSDT', '1h')
    expectSeriesEqual(await stored(database, 'BTCUSDT', '1h', 'rsi(14)'), times, rsi(close, 14))
  })

  it('fires each bar rule exactly on the bars an independent computation gives, once, across re-runs and restarts', async () => {
    const logger = memoryLogger()
    const clock = mutableClock(T0)
    const hook = receiver(() => 200)
    const url = await hook.start()
    try {
      const rules = {
        'btc-sma-cross': 'close crosses above sma(5)',
        'btc-rsi-low': 'rsi(14) < 30',
        'btc-macd-hist': 'macd(12,26,9).histogram crosses above 0',
        'btc-move': 'change(3h) <= -3%',
        'btc-sma-down': 'close crosses below sma(5) and rsi(14) > 40',
      }
      for (const [name, rule] of Object.entries(rules)) {
        await saveAlertRule(
          database.db,
          {
            name,
            rule,
            symbols: ['BTCUSDT'],
            timeframe: '1h',
            webhook: { url: `${url}/hook`, secret: 's3cret' },
          },
          clock,
        )
      }
      clock.t = END + 10 * MIN
      await runIndicators({ database, clock, logger }, { timeframes: ['1h'], indicators: [] })
      const result = await runAlerts({ database, clock, logger })
      expect(result.state).toBe('succeeded')

      const { times, close } = await closes(database, 'BTCUSDT', '1h')
      const s5 = sma(close, 5)
      const r14 = rsi(close, 14)
      const hist = macd(close, 12, 26, 9).histogram
      const expected: Record<string, number[]> = {
        'btc-sma-cross': [],
        'btc-rsi-low': [],
        'btc-macd-hist': [],
        'btc-move': [],
        'btc-sma-down': [],
      }
      const push = (k: string, i: number) => expected[k]?.push(times[i] as number)
      for (let i = 0; i < times.length; i++) {
        const c = close[i] as number
        if (i > 0 && !Number.isNaN(s5[i - 1])) {
          const p = close[i - 1] as number
          if (p <= (s5[i - 1] as number) && c > (s5[i] as number)) push('btc-sma-cross', i)
          if (p >= (s5[i - 1] as number) && c < (s5[i] as number) && (r14[i] as number) > 40) {
            push('btc-sma-down', i)
          }
        }
        if ((r14[i] as number) < 30) push('btc-rsi-low', i)
        if (i > 0 && (hist[i - 1] as number) <= 0 && (hist[i] as number) > 0)
          push('btc-macd-hist', i)
        if (i >= 3 && (100 * (c - (close[i - 3] as number))) / (close[i - 3] as number) <= -3) {
          push('btc-move', i)
        }
      }
      const events = async () => {
        const rows = await database.db
          .selectFrom('alert_event as e')
          .innerJoin('alert_rule as r', 'r.id', 'e.rule_id')
          .select(['r.name', 'e.bar_time', 'e.values'])
          .orderBy('e.bar_time')
          .execute()
        const by: Record<string, number[]> = {}
        for (const r of rows) (by[r.name] ??= []).push(r.bar_time.getTime())
        return { by, rows }
      }
      const { by, rows } = await events()
      for (const name of Object.keys(rules)) {
        expect(expected[name]?.length, name).toBeGreaterThan(0)
        expect(by[name] ?? [], name).toEqual(expected[name])
      }
      const firstRsi = rows.find((r) => r.name === 'btc-rsi-low')
      expect((firstRsi?.values as Record<string, number>)['rsi(14)']).toBeLessThan(30)

      // Every event reached the receiver once, signed.
      const total = Object.values(expected).reduce((s, l) => s + l.length, 0)
      expect(result.fired).toBe(total)
      expect(result.delivered).toBe(total)
      expect(hook.received).toHaveLength(total)
      for (const r of hook.received) {
        expect(
          verifyWebhookSignature({
            secret: 's3cret',
            body: r.body,
            timestamp: String(r.headers['x-trading-alerts-timestamp']),
            signature: String(r.headers['x-trading-alerts-signature']),
            nowSeconds: Math.floor(clock.t / 1000),
          }),
        ).toBe(true)
        expect(JSON.parse(r.body)).toMatchObject({
          type: 'alert',
          symbol: 'BTCUSDT',
          timeframe: '1h',
        })
      }
      expect(new Set(hook.received.map((r) => r.headers['x-trading-alerts-delivery'])).size).toBe(
        total,
      )

      // Re-run: nothing new. Lost cursors (as after a crash): still nothing twice.
      const rerun = await runAlerts({ database, clock, logger })
      expect(rerun.fired).toBe(0)
      await database.db.deleteFrom('alert_cursor').execute()
      const afterCrash = await runAlerts({ database, clock, logger })
      expect(afterCrash.fired).toBe(0)
      expect((await events()).rows).toHaveLength(total)
      expect(hook.received).toHaveLength(total)
      expect(logger.entries.filter((e) => e.message === 'alert')).toHaveLength(total)
    } finally {
      await hook.stop()
    }
  })

  it('retries failed deliveries with backoff, dead-letters them, and never blocks the run', async () => {
    const logger = memoryLogger()
    const clock = mutableClock(END + HOUR)
    const hook = receiver((path, n) =>
      path === '/flaky'
        ? n <= 2
          ? 500
          : 200
        : path === '/down'
          ? 503
          : path === '/gone'
            ? 404
            : 'hang',
    )
    const url = await hook.start()
    try {
      await database.db.deleteFrom('alert_rule').execute()
      // Rules added before the last bars: they fire on bar(s) closing after they were added.
      const added = mutableClock(END - 6 * HOUR)
      for (const path of ['flaky', 'down', 'gone', 'hang']) {
        await saveAlertRule(
          database.db,
          { name: path, rule: 'close > 0', symbols: 'BTCUSDT', webhook: { url: `${url}/${path}` } },
          added,
        )
      }
      const options = { maxAttempts: 3, timeoutMs: 300, retry: { baseMs: 60_000, maxMs: 600_000 } }
      const deps = { database, clock, logger, random: () => 1 }
      // Never blocked: the run ends with the hanging endpoint's deliveries pending (timed out, below).
      const run = await runAlerts(deps, options)
      expect(run.fired).toBe(4 * 6)
      const state = async (rule: string) =>
        database.db
          .selectFrom('alert_delivery as d')
          .innerJoin('alert_event as e', 'e.id', 'd.event_id')
          .innerJoin('alert_rule as r', 'r.id', 'e.rule_id')
          .select(['d.state', 'd.attempts', 'd.last_status', 'd.last_error', 'd.next_attempt_at'])
          .where('r.name', '=', rule)
          .execute()
      expect((await state('gone')).every((d) => d.state === 'dead' && d.last_status === 404)).toBe(
        true,
      )
      const hang = await state('hang')
      expect(hang.every((d) => d.state === 'pending' && /timed out/.test(d.last_error ?? ''))).toBe(
        true,
      )
      expect(hang.every((d) => !(d.last_error ?? '').includes('/hang'))).toBe(true)

      // Not due yet: nothing is sent again.
      const sent = hook.received.length
      await deliverDueAlerts(deps, options)
      expect(hook.received.length).toBe(sent)
      // Backoff: 60 s after the first failure (random 1 → the full delay), 120 s after the second.
      const nextAt = async (rule: string) =>
        new Set((await state(rule)).map((d) => d.next_attempt_at.getTime() - clock.t))
      expect(await nextAt('flaky')).toEqual(new Set([60_000]))
      clock.t += 60_000
      await deliverDueAlerts(deps, options)
      expect(await nextAt('flaky')).toEqual(new Set([120_000]))
      expect((await state('flaky')).every((d) => d.state === 'pending' && d.attempts === 2)).toBe(
        true,
      )
      clock.t += 120_000
      await deliverDueAlerts(deps, options)
      // Each delivery failed twice (500), then arrived: three requests each, the same delivery id.
      expect((await state('flaky')).every((d) => d.state === 'delivered' && d.attempts === 3)).toBe(
        true,
      )
      expect(hook.received.filter((r) => r.path === '/flaky')).toHaveLength(6 * 3)
      const down = await state('down')
      expect(
        down.every((d) => d.state === 'dead' && d.attempts === 3 && d.last_status === 503),
      ).toBe(true)
      expect(logger.entries.some((e) => e.message === 'alert delivery dead-lettered')).toBe(true)
    } finally {
      await hook.stop()
    }
  }, 60_000)

  it('fires market events from the daily snapshots: enters and leaves the top N, rank jumps', async () => {
    const logger = memoryLogger()
    const days = ['2025-03-01', '2025-03-02', '2025-03-03']
    const ranks: Record<string, (number | null)[]> = {
      bitcoin: [1, 1, 1],
      ethereum: [2, 3, 4],
      solana: [5, 3, 2],
      dogecoin: [3, 2, null],
      tron: [null, 9, 5],
    }
    for (const [d, day] of days.entries()) {
      for (const [id, r] of Object.entries(ranks)) {
        if (r[d] === null) continue
        await database.db
          .insertInto('top_coin_snapshot')
          .values({
            day,
            coingecko_id: id,
            rank: r[d] ?? null,
            coin_symbol: id.slice(0, 3),
            name: id,
            market_cap_usd: null,
            price_usd: null,
            volume_usd: null,
            pair: `${id.slice(0, 3).toUpperCase()}USDT`,
            excluded_reason: null,
          })
          .execute()
      }
    }
    const clock = mutableClock(Date.parse('2025-03-01T01:00:00Z'))
    await saveAlertRule(database.db, { name: 'enters', rule: 'enters top 3' }, clock)
    await saveAlertRule(database.db, { name: 'leaves', rule: 'leaves top 3' }, clock)
    await saveAlertRule(database.db, { name: 'jumps', rule: 'rank rises by 2' }, clock)
    clock.t = Date.parse('2025-03-03T02:00:00Z')
    await runAlerts({ database, clock, logger }, { maxAttempts: 1 })
    await runAlerts({ database, clock, logger }, { maxAttempts: 1 })
    const rows = await database.db
      .selectFrom('alert_event as e')
      .innerJoin('alert_rule as r', 'r.id', 'e.rule_id')
      .select(['r.name', 'e.symbol', 'e.bar_time'])
      .where('r.name', 'in', ['enters', 'leaves', 'jumps'])
      .orderBy('r.name')
      .orderBy('e.bar_time')
      .orderBy('e.symbol')
      .execute()
    expect(
      rows.map((r) => `${r.name} ${r.symbol} ${r.bar_time.toISOString().slice(0, 10)}`),
    ).toEqual(
      [
        // solana 5 → 3 enters the top 3 and rises 2; tron 9 → 5 rises 4; ethereum 3 → 4 and
        // dogecoin 2 → gone leave it; dogecoin 3 → 2 was already in it.
        'enters SOLUSDT 2025-03-02',
        'jumps SOLUSDT 2025-03-02',
        'jumps TROUSDT 2025-03-03',
        'leaves DOGUSDT 2025-03-03',
        'leaves ETHUSDT 2025-03-03',
      ].sort(),
    )
  })

  it('rejects bad rules with a message that points at the offending character', async () => {
    const clock = mutableClock(END)
    const bad = async (rule: string, timeframe = '1h') => {
      try {
        await saveAlertRule(database.db, { name: 'bad', rule, timeframe }, clock)
      } catch (error) {
        return error
      }
      throw new Error(`accepted: ${rule}`)
    }
    const e1 = (await bad('rsi(14 < 30')) as RuleSyntaxError
    expect(e1).toBeInstanceOf(RuleSyntaxError)
    expect(e1.position).toBe(7)
    expect(e1.message).toContain('expected "," or ")"')
    const e2 = (await bad('rsx(14) < 30')) as RuleSyntaxError
    expect(e2.position).toBe(0)
    expect(e2.message).toContain('unknown indicator "rsx"')
    const e3 = (await bad('macd(12,26,9) > 0')) as RuleSyntaxError
    expect(e3.message).toContain('macd has outputs macd, signal, histogram')
    const e4 = (await bad('change(90m) > 1')) as RuleSyntaxError
    expect(e4.message).toContain('change(90m) is not a whole number of 1h bars')
    expect(e4.position).toBe(0)
    expect(await bad('close > 1', '2m')).toMatchObject({ code: 'INVALID_OPTION' })
    expect(
      await database.db.selectFrom('alert_rule').select('id').where('name', '=', 'bad').execute(),
    ).toEqual([])
    expect(parseAlertRule('rsi(14) < 30').kind).toBe('bar')
  })

  it('a rule that fails in a run is recorded in its task with its error, and the other rules go on', async () => {
    const logger = memoryLogger()
    const clock = mutableClock(T0) // a rule fires on the bars that close after it was saved
    const ok = await saveAlertRule(
      database.db,
      { name: 'btc-any-close', rule: 'close > 0', symbols: ['BTCUSDT'], timeframe: '1h' },
      clock,
    )
    const broken = await saveAlertRule(
      database.db,
      { name: 'btc-broken', rule: 'rsi(14) < 30', symbols: ['BTCUSDT'], timeframe: '1h' },
      clock,
    )
    // As a rule written by a newer version can read: an indicator this version does not know.
    await database.db
      .updateTable('alert_rule')
      .set({ rule: 'rsx(14) < 30' })
      .where('id', '=', broken.id)
      .execute()
    clock.t = END + 10 * MIN
    try {
      const result = await runAlerts({ database, clock, logger })
      expect(result.state).toBe('failed')
      const bad = result.tasks.find((t) => t.kind === 'rule' && t.key === 'btc-broken')
      expect(bad).toMatchObject({ state: 'failed', rows: 0, errorCode: 'RULE_SYNTAX' })
      expect(bad?.error).toContain('unknown indicator "rsx"')
      const good = result.tasks.find((t) => t.kind === 'rule' && t.key === 'btc-any-close')
      expect(good?.state).toBe('succeeded')
      expect(good?.rows).toBeGreaterThan(0)
      // Each rule is a task of kind 'rule' keyed by its name, written through the task scaffold.
      const rows = await database.db
        .selectFrom('task_run')
        .selectAll()
        .where('job_run_id', '=', result.runId)
        .where('key', 'in', ['btc-broken', 'btc-any-close'])
        .orderBy('key')
        .execute()
      expect(
        rows.map((r) => [
          r.kind,
          r.key,
          r.symbol,
          r.params,
          r.state,
          r.attempts,
          r.error_code,
          Number(r.rows_written),
        ]),
      ).toEqual([
        [
          'rule',
          'btc-any-close',
          null,
          { job: 'alerts', rule: 'btc-any-close' },
          'succeeded',
          1,
          null,
          good?.rows,
        ],
        [
          'rule',
          'btc-broken',
          null,
          { job: 'alerts', rule: 'btc-broken' },
          'failed',
          1,
          'RULE_SYNTAX',
          0,
        ],
      ])
      for (const r of rows) {
        expect(r.started_at).not.toBeNull()
        expect(r.finished_at).not.toBeNull()
        expect(r.last_progress_at).toEqual(r.finished_at)
      }
      expect(rows[1]?.error).toBe(bad?.error)
      expect(
        logger.entries.some(
          (e) => e.message === 'alerts task failed' && e.fields?.rule === 'btc-broken',
        ),
      ).toBe(true)
    } finally {
      await database.db
        .deleteFrom('alert_event')
        .where('rule_id', 'in', [ok.id, broken.id])
        .execute()
      await database.db.deleteFrom('alert_rule').where('id', 'in', [ok.id, broken.id]).execute()
    }
  })
})
