/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return --
   The answers are JSON of no static type: every use of them is an assertion. */
import { once } from 'node:events'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import {
  createApiToken,
  getSymbols,
  runHistorical,
  runIncremental,
} from '@trading-alerts/trading-alerts'
import {
  createTestDatabase,
  simDeps,
  testDatabaseKinds,
  type TestDatabase,
} from '@trading-alerts/trading-alerts/testing'
import { startExchangeSimulator, type ExchangeSimulator } from '@trading-alerts/tickerdata/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi } from '../src/index.js'

const kinds = await testDatabaseKinds()
const NOW = Date.parse('2025-04-02T12:00:00Z')
const MINUTE = 60_000
const LISTED = Date.parse('2025-03-30T00:00:00Z')
const GAP = { start: Date.parse('2025-03-31T10:00:00Z'), end: Date.parse('2025-03-31T10:30:00Z') }

describe.each(kinds)('GET /api/v1/market/coverage on %s', (kind) => {
  let sim: ExchangeSimulator
  let database: TestDatabase
  let server: Server | undefined
  let base = ''
  let token = ''
  /** The simulator's and the jobs' "now", and separately the API's. */
  let simNow = NOW
  let apiNow = NOW

  const get = async (path: string, auth = true) => {
    const res = await fetch(`${base}${path}`, {
      headers: auth ? { authorization: `Bearer ${token}` } : {},
    })
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      json: (await res.json()) as any,
    }
  }

  /** What the tables hold, counted here independently of the store's reads. */
  const tables = async () => {
    const { rows } = await sql<{
      symbol: string
      n: string | number
      first: Date | null
      last_updated_at: Date | null
      gaps: string | number
    }>`
      select s.symbol, s.last_updated_at,
        (select count(*) from tickerdata_1m t where t.symbol = s.symbol) as n,
        (select min(open_time) from tickerdata_1m t where t.symbol = s.symbol) as first,
        (select count(*) from exchange_gap g where g.symbol = s.symbol)
          + (select count(*) from archive_file f where f.symbol = s.symbol and f.state = 'failed')
          as gaps
      from symbol s order by s.symbol
    `.execute(database.db)
    return rows.map((r) => ({
      symbol: r.symbol,
      stored: Number(r.n),
      first: r.first === null ? null : new Date(r.first).getTime(),
      last: r.last_updated_at === null ? null : new Date(r.last_updated_at).getTime(),
      gaps: Number(r.gaps),
    }))
  }

  beforeAll(async () => {
    sim = await startExchangeSimulator({
      now: () => simNow,
      pairs: [
        {
          symbol: 'BTCUSDT',
          baseAsset: 'BTC',
          quoteAsset: 'USDT',
          listedAt: LISTED,
          basePrice: 6e4,
        },
        {
          symbol: 'ETHUSDT',
          baseAsset: 'ETH',
          quoteAsset: 'USDT',
          listedAt: LISTED + 6 * 3_600_000,
          basePrice: 3e3,
        },
      ],
      gaps: [{ symbol: 'BTCUSDT', start: GAP.start, end: GAP.end }],
    })
    // ETH's archive of 2025-03-31 cannot be loaded: the historical job records it as a hole.
    sim.addFault({ route: 'archive-zip', kind: 'corrupt-zip', file: 'ETHUSDT-1m-2025-03-31' })
    database = await createTestDatabase(kind)
    const deps = simDeps(sim, database, NOW)
    expect((await getSymbols(deps, { topN: 100 })).state).toBe('succeeded')
    await runHistorical(deps, { historyStart: '2025-03' })
    await runIncremental(deps, {})
    const clock = { now: () => new Date(apiNow) }
    token = (await createApiToken(database.db, { name: 'dash', scope: 'read' }, clock)).token
    const api = createApi({ database, clock, metricsRowsTtlMs: 3_600_000 })
    server = createAdaptorServer({ fetch: (request: Request) => api.fetch(request) }) as Server
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }, 120_000)
  afterAll(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
    await sim?.close()
    await database?.close()
  })

  /** The answer checked field by field against the tables at the API's `now`. */
  const expectMatchesTables = async (now: number) => {
    const a = await get('/api/v1/market/coverage')
    expect(a.status).toBe(200)
    expect(a.json.now).toBe(new Date(now).toISOString())
    const want = await tables()
    expect(a.json.data.map((d: any) => d.symbol)).toEqual(want.map((w) => w.symbol))
    for (const w of want) {
      const got = a.json.data.find((d: any) => d.symbol === w.symbol)
      const expected = w.first === null ? 0 : Math.floor((now - w.first) / MINUTE)
      expect(got).toEqual({
        symbol: w.symbol,
        firstOpenTime: w.first === null ? null : new Date(w.first).toISOString(),
        lastUpdatedAt: w.last === null ? null : new Date(w.last).toISOString(),
        lagSeconds: w.last === null ? null : Math.max(0, (now - w.last) / 1000),
        expectedMinutes: expected,
        storedMinutes: w.stored,
        completeness: expected === 0 ? null : Math.min(1, w.stored / expected),
        gaps: w.gaps,
      })
    }
    return { answer: a.json, want }
  }

  it('answers every symbol with the exact counts the tables hold, at the API’s clock', async () => {
    const { want } = await expectMatchesTables(NOW)
    const btc = want.find((w) => w.symbol === 'BTCUSDT')
    const eth = want.find((w) => w.symbol === 'ETHUSDT')
    // The data is real: the gap and the hole are there, so neither symbol is complete.
    expect(btc?.gaps).toBeGreaterThanOrEqual(1)
    expect(eth?.gaps).toBeGreaterThanOrEqual(1)
    expect(btc?.stored).toBeGreaterThan(0)
    expect(btc?.first).toBe(LISTED)
  })

  it('uses the API’s clock: an hour later, 60 more minutes expected and an hour more lag', async () => {
    const before = (await get('/api/v1/market/coverage')).json.data
    apiNow = NOW + 3_600_000
    try {
      const { answer } = await expectMatchesTables(apiNow)
      for (const [i, d] of answer.data.entries()) {
        expect(d.expectedMinutes).toBe(before[i].expectedMinutes + 60)
        expect(d.lagSeconds).toBe(before[i].lagSeconds + 3600)
      }
    } finally {
      apiNow = NOW
    }
  })

  it('counts again as soon as a symbol’s data moved (the cache notwithstanding)', async () => {
    const before = (await get('/api/v1/market/coverage')).json.data
    simNow = NOW + 10 * MINUTE
    apiNow = simNow
    try {
      expect((await runIncremental(simDeps(sim, database, simNow), {})).state).toBe('succeeded')
      const { answer } = await expectMatchesTables(apiNow)
      for (const [i, d] of answer.data.entries()) {
        expect(d.storedMinutes).toBe(before[i].storedMinutes + 10)
        expect(Date.parse(d.lastUpdatedAt)).toBe(Date.parse(before[i].lastUpdatedAt) + 10 * MINUTE)
      }
    } finally {
      apiNow = NOW
    }
  })

  it('filters by ?symbol (any case); 404 for an unknown symbol, 400 for a malformed one', async () => {
    const one = await get('/api/v1/market/coverage?symbol=ethusdt')
    expect(one.status).toBe(200)
    expect(one.json.data.map((d: any) => d.symbol)).toEqual(['ETHUSDT'])
    const all = await get('/api/v1/market/coverage')
    expect(one.json.data[0]).toEqual(all.json.data.find((d: any) => d.symbol === 'ETHUSDT'))
    const unknown = await get('/api/v1/market/coverage?symbol=NOPEUSDT')
    expect(unknown.status).toBe(404)
    expect(unknown.type).toMatch(/^application\/problem\+json/)
    for (const bad of ['B@D', '', 'x'.repeat(65)]) {
      const a = await get(`/api/v1/market/coverage?symbol=${encodeURIComponent(bad)}`)
      expect(a.status, bad).toBe(400)
      expect(a.type).toMatch(/^application\/problem\+json/)
      expect(new Set(a.json.errors.map((e: any) => e.name))).toEqual(new Set(['symbol']))
    }
    expect((await get('/api/v1/market/coverage', false)).status).toBe(401)
  })
})
