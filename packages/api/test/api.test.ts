/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument --
   The answers are JSON of no static type: every use of them is an assertion. */
import { validate } from '@readme/openapi-parser'
import {
  getSymbols,
  revokeApiToken,
  runHistorical,
  runIncremental,
} from '@trading-alerts/trading-alerts'
import { createTestDatabase, memoryLogger } from '@trading-alerts/trading-alerts/testing'
import type { Kline } from '@trading-alerts/tickerdata'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, type Api, type ApiOptions } from '../src/index.js'
import {
  HOUR,
  kinds,
  NOW,
  readAnswer,
  serve,
  startApiTest,
  usdtPair,
  type Answer,
  type ApiTest,
} from './helpers.js'

const at = (iso: string) => Date.parse(`${iso}Z`)
const PAIRS = [
  usdtPair('BTC', at('2025-03-29T00:00:00'), 60_000),
  usdtPair('ETH', at('2025-03-31T06:00:00'), 3_000),
  usdtPair('USDC', at('2025-03-29T00:00:00'), 1),
]

/** A clock the test moves by hand (the rate limiter's). */
function handClock(start: number) {
  let t = start
  return { now: () => new Date(t), advance: (ms: number) => void (t += ms) }
}

type Via = 'http' | 'fetch'

/** Calls `api` through real HTTP on 127.0.0.1 (`http`) or its fetch handler directly (`fetch`). */
function caller(api: Api, base: () => string) {
  return async (
    via: Via,
    method: string,
    path: string,
    options: {
      token?: string
      body?: unknown
      rawBody?: string
      headers?: Record<string, string>
    } = {},
  ): Promise<Answer> => {
    const headers: Record<string, string> = { ...options.headers }
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
    let body: string | undefined
    if (options.rawBody !== undefined) body = options.rawBody
    else if (options.body !== undefined) body = JSON.stringify(options.body)
    if (body !== undefined) headers['content-type'] ??= 'application/json'
    const init = { method, headers, ...(body === undefined ? {} : { body }) }
    return readAnswer(
      via === 'http'
        ? await fetch(base() + path, init)
        : await api.fetch(new Request(`http://127.0.0.1${path}`, init)),
    )
  }
}

/** A problem answer: the status, problem+json, the RFC 9457 members, no stack, security headers. */
function expectProblem(a: Answer, status: number, label = '') {
  expect(a.status, `${label} ${a.text}`).toBe(status)
  expect(a.headers.get('content-type')).toBe('application/problem+json')
  expect(a.json).toMatchObject({
    type: expect.stringMatching(/^https:\/\//),
    title: expect.any(String),
    status,
    detail: expect.any(String),
  })
  expect(a.text).not.toMatch(/\n\s+at |\.ts:\d|node_modules/)
  expect(a.headers.get('x-content-type-options')).toBe('nosniff')
}

/** The closes of the simulator's closed hourly bars of `symbol` in [from, to). */
function hourlyCloses(candles: Kline[], from: number, to: number): Map<number, number> {
  const out = new Map<number, number>()
  for (const k of candles) {
    const hour = k.openTime - (k.openTime % HOUR)
    if (hour >= from && hour < to) out.set(hour, Number(k.close))
  }
  return out
}

describe.each(kinds)('the HTTP API on %s', (kind) => {
  let fx: ApiTest
  let call: ReturnType<typeof caller>
  const logger = memoryLogger()
  const clock = handClock(NOW)
  const tokens = { admin: '', read: '', revoked: '' }

  beforeAll(async () => {
    fx = await startApiTest(kind, {
      simulator: { pairs: PAIRS },
      load: async ({ deps }) => {
        expect((await getSymbols(deps, { topN: 100 })).state).toBe('succeeded')
        expect((await runHistorical(deps, { historyStart: '2025-03' })).state).toBe('succeeded')
        expect((await runIncremental(deps, {})).state).toBe('succeeded')
      },
      clock,
      api: { logger, maxBodyBytes: 16 * 1024, maxQueryBytes: 1024 },
    })
    tokens.admin = await fx.token('admin', 'ops')
    tokens.read = await fx.token('read', 'dash')
    tokens.revoked = await fx.token('admin', 'old')
    await revokeApiToken(fx.database.db, 'old', clock)
    call = caller(fx.api, () => fx.url)
  })
  afterAll(async () => {
    await fx?.close()
  })

  describe.each<Via>(['http', 'fetch'])('through %s', (via) => {
    it('health needs no token and reports the jobs and the lag', async () => {
      const a = await call(via, 'GET', '/api/v1/health')
      expect(a.status).toBe(200)
      expect(a.json).toMatchObject({ status: 'ok', database: 'ok' })
      expect(Object.keys(a.json.jobs).sort()).toEqual(['historical', 'incremental', 'symbols'])
      const runs = await fx.database.db
        .selectFrom('job_run')
        .select(['id', 'job', 'state', 'finished_at'])
        .execute()
      for (const r of runs) {
        expect(a.json.jobs[r.job]).toEqual({
          lastRunId: Number(r.id),
          state: 'succeeded',
          finishedAt: r.finished_at?.toISOString(),
        })
      }
      // Every tracked pair is loaded to its last closed minute: the lag is under a minute.
      const lastClose = Math.min(
        ...['BTCUSDT', 'ETHUSDT'].map(
          (s) => fx.sim.candles(s, NOW - HOUR, NOW).at(-1)?.closeTime as number,
        ),
      )
      expect(a.json.maxLagSeconds).toBe(Math.floor((NOW - lastClose) / 1000))
      expect(a.headers.get('x-frame-options')).toBe('DENY')
    })

    it('symbols: the table getSymbols wrote, with the first and last minute loaded', async () => {
      const a = await call(via, 'GET', '/api/v1/symbols', { token: tokens.read })
      expect(a.status, a.text).toBe(200)
      const bySymbol = new Map(a.json.data.map((s: { symbol: string }) => [s.symbol, s]))
      for (const pair of PAIRS.filter((p) => p.symbol !== 'USDCUSDT')) {
        const candles = fx.sim.candles(pair.symbol, pair.listedAt, NOW)
        expect(bySymbol.get(pair.symbol)).toEqual({
          symbol: pair.symbol,
          market: 'crypto',
          baseAsset: pair.baseAsset,
          quoteAsset: 'USDT',
          name: expect.any(String),
          coingeckoId: expect.any(String),
          marketCapRank: expect.any(Number),
          inTopN: true,
          status: 'TRADING',
          firstOpenTime: new Date(candles[0]?.openTime as number).toISOString(),
          lastUpdatedAt: new Date((candles.at(-1)?.closeTime as number) + 0).toISOString(),
        })
      }
      // The stablecoin is never tracked, so never in the table.
      expect([...bySymbol.keys()]).toEqual(['BTCUSDT', 'ETHUSDT'])
    })

    it('market/top: the latest snapshot by default, a given day, 404 for a day without one', async () => {
      const latest = await call(via, 'GET', '/api/v1/market/top', { token: tokens.read })
      expect(latest.status, latest.text).toBe(200)
      expect(latest.json.day).toBe('2025-04-02')
      expect(latest.json.data).toHaveLength(100)
      expect(latest.json.data[0]).toMatchObject({
        rank: 1,
        coingeckoId: 'bitcoin',
        pair: 'BTCUSDT',
      })
      expect(
        latest.json.data.find((c: { coingeckoId: string }) => c.coingeckoId === 'usd-coin'),
      ).toMatchObject({
        pair: 'USDCUSDT',
        excludedReason: 'stablecoin',
        marketCapUsd: expect.stringMatching(/^\d+(\.\d+)?$/),
      })
      const ranks = latest.json.data.map((c: { rank: number }) => c.rank)
      expect(ranks).toEqual([...ranks].sort((x, y) => x - y))
      const day = await call(via, 'GET', '/api/v1/market/top?day=2025-04-02', {
        token: tokens.read,
      })
      expect(day.json).toEqual(latest.json)
      expectProblem(
        await call(via, 'GET', '/api/v1/market/top?day=2025-04-01', { token: tokens.read }),
        404,
      )
      // The days that have one, as GET /api/v1/market/days lists them.
      const days = await call(via, 'GET', '/api/v1/market/days', { token: tokens.read })
      expect(days.status, days.text).toBe(200)
      expect(days.json).toEqual({ data: ['2025-04-02'] })
      expectProblem(await call(via, 'GET', '/api/v1/market/days'), 401)
      for (const bad of ['2025-4-1', '2025-02-30', 'today', '2025-04-02T00:00:00Z']) {
        const a = await call(via, 'GET', `/api/v1/market/top?day=${bad}`, { token: tokens.read })
        expectProblem(a, 400)
        expect(a.json.errors).toEqual([{ name: 'day', message: expect.any(String) }])
      }
    })

    it('auth: none, bad, revoked 401; read on a write 403; the session cookie acts as its token', async () => {
      const unauthenticated: Record<string, string>[] = [
        {},
        { authorization: 'Bearer ta_not-a-token' },
        { authorization: 'Bearer ' },
        { authorization: 'Basic dXNlcjpwYXNz' },
        { authorization: `Bearer ${tokens.revoked}` },
        { cookie: 'ta_session=ta_forged' },
      ]
      for (const headers of unauthenticated) {
        const a = await call(via, 'GET', '/api/v1/symbols', { headers })
        expectProblem(a, 401)
        expect(a.headers.get('www-authenticate')).toBe('Bearer')
      }
      expectProblem(await call(via, 'GET', '/metrics'), 401)
      expectProblem(await call(via, 'GET', '/api/v1/openapi.json'), 401)
      const write = { name: 'read-write', rule: 'close > 1' }
      expectProblem(
        await call(via, 'POST', '/api/v1/alerts/rules', { token: tokens.read, body: write }),
        403,
      )
      expectProblem(
        await call(via, 'DELETE', '/api/v1/alerts/rules/1', { token: tokens.read }),
        403,
      )
      expectProblem(
        await call(via, 'POST', '/api/v1/alerts/rules', { token: tokens.revoked, body: write }),
        401,
      )

      expectProblem(
        await call(via, 'POST', '/api/v1/session', { body: { token: 'ta_wrong' } }),
        401,
      )
      expectProblem(await call(via, 'POST', '/api/v1/session', { body: {} }), 401)
      expectProblem(await call(via, 'POST', '/api/v1/session', { body: { token: 5 } }), 400)
      const login = await call(via, 'POST', '/api/v1/session', { body: { token: tokens.read } })
      expect(login.status, login.text).toBe(200)
      expect(login.json).toEqual({ name: 'dash', scope: 'read' })
      const cookie = login.headers.get('set-cookie') ?? ''
      expect(cookie).toMatch(/^ta_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict$/)
      const session = { cookie: cookie.split(';')[0] as string }
      expect((await call(via, 'GET', '/api/v1/symbols', { headers: session })).status).toBe(200)
      expectProblem(
        await call(via, 'POST', '/api/v1/alerts/rules', { headers: session, body: write }),
        403,
      )
      // The bearer header wins over the cookie; an admin bearer may write.
      const logout = await call(via, 'DELETE', '/api/v1/session')
      expect(logout.status).toBe(204)
      expect(logout.headers.get('set-cookie')).toMatch(/^ta_session=; Max-Age=0/)
    })

    it('unknown paths and methods answer a 404 problem', async () => {
      expectProblem(await call(via, 'GET', '/api/v1/nothing-here', { token: tokens.read }), 404)
      expectProblem(await call(via, 'GET', '/elsewhere'), 404)
      expectProblem(await call(via, 'PUT', '/api/v1/symbols', { token: tokens.admin }), 404)
    })

    it('413 for a body over the limit, 414 for a query over it', async () => {
      const body = { name: 'big', rule: 'close > 1', symbols: Array(3000).fill('BTCUSDT') }
      expectProblem(
        await call(via, 'POST', '/api/v1/alerts/rules', { token: tokens.admin, body }),
        413,
      )
      const q = 'x'.repeat(1100)
      expectProblem(
        await call(via, 'GET', `/api/v1/alerts/rules?cursor=${q}`, { token: tokens.read }),
        414,
      )
    })
  })

  it('alert rules: create, conflict, list by pages stable under inserts, get, patch, delete', async () => {
    const admin = { token: tokens.admin }
    const created = await call('http', 'POST', '/api/v1/alerts/rules', {
      ...admin,
      body: {
        name: 'btc-oversold',
        rule: 'rsi(14)<30',
        symbols: ['btcusdt'],
        timeframe: '1h',
        webhook: { url: 'https://hooks.example/x', preset: 'slack', secret: 's3cret-value' },
      },
    })
    expect(created.status, created.text).toBe(201)
    expect(created.json).toEqual({
      id: expect.any(Number),
      name: 'btc-oversold',
      rule: 'rsi(14) < 30',
      kind: 'bar',
      symbols: ['BTCUSDT'],
      timeframe: '1h',
      enabled: true,
      webhook: { url: 'https://hooks.example/x', preset: 'slack' },
      createdAt: new Date(NOW).toISOString(),
      evaluateFrom: new Date(NOW).toISOString(),
    })
    expect(created.text).not.toContain('s3cret')
    expect(created.headers.get('location')).toBe(`/api/v1/alerts/rules/${created.json.id}`)
    const conflict = await call('http', 'POST', '/api/v1/alerts/rules', {
      ...admin,
      body: { name: 'btc-oversold', rule: 'close > 1' },
    })
    expectProblem(conflict, 409)

    const fromMs = await call('fetch', 'POST', '/api/v1/alerts/rules', {
      ...admin,
      body: { name: 'from-ms', rule: 'close > 1', from: String(NOW - HOUR) },
    })
    expect(fromMs.json.evaluateFrom).toBe(new Date(NOW - HOUR).toISOString())
    expect(
      (await call('fetch', 'DELETE', `/api/v1/alerts/rules/${fromMs.json.id}`, admin)).status,
    ).toBe(204)
    for (const name of ['c-rule', 'e-rule', 'g-rule']) {
      const a = await call('fetch', 'POST', '/api/v1/alerts/rules', {
        ...admin,
        body: { name, rule: 'close > 1' },
      })
      expect(a.status, a.text).toBe(201)
    }
    const first = await call('http', 'GET', '/api/v1/alerts/rules?limit=2', { token: tokens.read })
    expect(first.json.data.map((r: { name: string }) => r.name)).toEqual(['btc-oversold', 'c-rule'])
    expect(first.json.next).toEqual(expect.any(String))
    // Rules added before and after the cursor between two pages: the next page neither repeats
    // nor skips a rule that was there.
    for (const name of ['a-rule', 'd-rule']) {
      await call('fetch', 'POST', '/api/v1/alerts/rules', {
        ...admin,
        body: { name, rule: 'close > 1' },
      })
    }
    const second = await call(
      'http',
      'GET',
      `/api/v1/alerts/rules?limit=2&cursor=${first.json.next}`,
      { token: tokens.read },
    )
    expect(second.json.data.map((r: { name: string }) => r.name)).toEqual(['d-rule', 'e-rule'])
    const third = await call(
      'http',
      'GET',
      `/api/v1/alerts/rules?limit=2&cursor=${second.json.next}`,
      { token: tokens.read },
    )
    expect(third.json).toMatchObject({ data: [{ name: 'g-rule' }], next: null })
    const all = await call('http', 'GET', '/api/v1/alerts/rules', { token: tokens.read })
    expect(all.json.data).toHaveLength(6)
    expect(all.json.next).toBeNull()

    const id = created.json.id as number
    const got = await call('http', 'GET', `/api/v1/alerts/rules/${id}`, { token: tokens.read })
    expect(got.json).toEqual(created.json)
    clock.advance(HOUR)
    const patched = await call('http', 'PATCH', `/api/v1/alerts/rules/${id}`, {
      ...admin,
      body: { enabled: false, rule: 'rsi(14) < 25' },
    })
    expect(patched.status, patched.text).toBe(200)
    expect(patched.json).toMatchObject({
      enabled: false,
      rule: 'rsi(14) < 25',
      symbols: ['BTCUSDT'],
      webhook: { url: 'https://hooks.example/x', preset: 'slack' },
      evaluateFrom: new Date(NOW + HOUR).toISOString(),
    })
    // The secret was kept though the body never showed it.
    const stored = await fx.database.db
      .selectFrom('alert_rule')
      .select('webhook_secret')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    expect(stored.webhook_secret).toBe('s3cret-value')
    const noHook = await call('http', 'PATCH', `/api/v1/alerts/rules/${id}`, {
      ...admin,
      body: { webhook: null },
    })
    expect(noHook.json.webhook).toBeNull()
    const renamed = await call('http', 'PATCH', `/api/v1/alerts/rules/${id}`, {
      ...admin,
      body: { name: 'c-rule' },
    })
    expectProblem(renamed, 400)
    expectProblem(
      await call('http', 'PATCH', '/api/v1/alerts/rules/99999', {
        ...admin,
        body: { enabled: true },
      }),
      404,
    )

    const removed = await call('http', 'DELETE', `/api/v1/alerts/rules/${id}`, admin)
    expect(removed.status).toBe(204)
    expectProblem(
      await call('http', 'GET', `/api/v1/alerts/rules/${id}`, { token: tokens.read }),
      404,
    )
    expectProblem(await call('http', 'DELETE', `/api/v1/alerts/rules/${id}`, admin), 404)
  })

  it('every bad parameter of the rule routes answers a 400 problem naming it, never a 500', async () => {
    const admin = { token: tokens.admin }
    const existing = await fx.database.db
      .selectFrom('alert_rule')
      .select('id')
      .where('name', '=', 'c-rule')
      .executeTakeFirstOrThrow()
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/v1/alerts/rules', { name: 'x', rule: 'rsi(14) <' }, 'rule'],
      ['POST', '/api/v1/alerts/rules', { name: 'x', rule: 'rsx(14) < 3' }, 'rule'],
      ['POST', '/api/v1/alerts/rules', { name: 'bad name!', rule: 'close > 1' }, 'body'],
      ['POST', '/api/v1/alerts/rules', { rule: 'close > 1' }, 'name'],
      ['POST', '/api/v1/alerts/rules', { name: 'x' }, 'rule'],
      ['POST', '/api/v1/alerts/rules', { name: 'x', rule: 'close > 1', timeframe: '7x' }, 'body'],
      ['POST', '/api/v1/alerts/rules', { name: 'x', rule: 'close > 1', symbols: ['B@D'] }, 'body'],
      ['POST', '/api/v1/alerts/rules', { name: 'x', rule: 'close > 1', symbols: 5 }, 'symbols'],
      ['POST', '/api/v1/alerts/rules', { name: 'x', rule: 'close > 1', enabled: 'yes' }, 'enabled'],
      ['POST', '/api/v1/alerts/rules', { name: 'x', rule: 'close > 1', from: 'soon' }, 'from'],
      [
        'POST',
        '/api/v1/alerts/rules',
        { name: 'x', rule: 'close > 1', webhook: { url: 'ftp://x' } },
        'body',
      ],
      [
        'POST',
        '/api/v1/alerts/rules',
        { name: 'x', rule: 'close > 1', webhook: { url: 'https://x', preset: 'fax' } },
        'webhook.preset',
      ],
      ['POST', '/api/v1/alerts/rules', { name: 'x', rule: 'close > 1', colour: 'red' }, 'body'],
      ['POST', '/api/v1/alerts/rules', [1, 2], 'body'],
      ['PATCH', `/api/v1/alerts/rules/${existing.id}`, { rule: 'close >' }, 'rule'],
      ['PATCH', '/api/v1/alerts/rules/abc', { enabled: true }, 'id'],
      ['GET', '/api/v1/alerts/rules/0', undefined, 'id'],
      ['DELETE', '/api/v1/alerts/rules/-1', undefined, 'id'],
      ['GET', '/api/v1/alerts/rules?limit=0', undefined, 'limit'],
      ['GET', '/api/v1/alerts/rules?limit=10001', undefined, 'limit'],
      ['GET', '/api/v1/alerts/rules?limit=1.5', undefined, 'limit'],
      ['GET', '/api/v1/alerts/rules?limit=ten', undefined, 'limit'],
      ['GET', '/api/v1/alerts/rules?cursor=%%%', undefined, 'cursor'],
      ['GET', '/api/v1/alerts/rules?cursor=eyJ4IjoxfQ', undefined, 'cursor'],
      ['POST', '/api/v1/alerts/rules/test', { rule: 'close >', symbol: 'BTCUSDT' }, 'rule'],
      ['POST', '/api/v1/alerts/rules/test', { rule: 'close > 1', symbol: 'BTC USDT' }, 'symbol'],
      ['POST', '/api/v1/alerts/rules/test', { rule: 'close > 1' }, 'symbol'],
      [
        'POST',
        '/api/v1/alerts/rules/test',
        { rule: 'close > 1', symbol: 'BTCUSDT', timeframe: '2x' },
        'body',
      ],
      [
        'POST',
        '/api/v1/alerts/rules/test',
        { rule: 'close > 1', symbol: 'BTCUSDT', from: 'x' },
        'from',
      ],
      [
        'POST',
        '/api/v1/alerts/rules/test',
        { rule: 'close > 1', symbol: 'BTCUSDT', to: 'x' },
        'to',
      ],
      [
        'POST',
        '/api/v1/alerts/rules/test',
        { rule: 'close > 1', symbol: 'BTCUSDT', from: '2025-04-02', to: '2025-04-01' },
        'from',
      ],
      ['POST', '/api/v1/alerts/rules/test', { rule: 'rank <= 10', symbol: 'BTCUSDT' }, 'rule'],
    ]
    for (const [method, path, body, name] of cases) {
      const a = await call('http', method, path, {
        ...admin,
        ...(body === undefined ? {} : { body }),
      })
      expectProblem(a, 400, `${method} ${path} ${JSON.stringify(body)}`)
      expect(
        a.json.errors?.map((e: { name: string }) => e.name),
        `${method} ${path} ${JSON.stringify(body)}`,
      ).toContain(name)
    }
    const syntax = await call('fetch', 'POST', '/api/v1/alerts/rules', {
      ...admin,
      body: { name: 'x', rule: 'rsi(14) < 30 and' },
    })
    expect(syntax.json.errors).toEqual([
      { name: 'rule', message: expect.any(String), position: 16 },
    ])
    for (const rawBody of ['{not json', '', 'null']) {
      expectProblem(await call('http', 'POST', '/api/v1/alerts/rules', { ...admin, rawBody }), 400)
    }
    expectProblem(
      await call('http', 'POST', '/api/v1/alerts/rules/test', {
        ...admin,
        body: { rule: 'close > 1', symbol: 'NOPEUSDT' },
      }),
      404,
    )
    expect(
      await fx.database.db
        .selectFrom('alert_rule')
        .select('name')
        .where('name', '=', 'x')
        .execute(),
    ).toEqual([])
  })

  it('rules/test: the bars a rule fires on, equal to the simulator’s own hourly closes', async () => {
    const from = at('2025-04-01T03:00:00')
    const to = at('2025-04-01T09:00:00')
    const a = await call('http', 'POST', '/api/v1/alerts/rules/test', {
      token: tokens.admin,
      body: {
        rule: 'close > 0',
        symbol: 'btcusdt',
        timeframe: '1h',
        from: new Date(from).toISOString(),
        to: String(to),
      },
    })
    expect(a.status, a.text).toBe(200)
    const expected = hourlyCloses(fx.sim.candles('BTCUSDT', from, to), from, to)
    expect(expected.size).toBe(6)
    expect(a.json.data).toEqual(
      [...expected].map(([t, close]) => ({
        barTime: new Date(t).toISOString(),
        values: { close },
      })),
    )
    const before = await fx.database.db.selectFrom('alert_event').select('id').execute()
    expect(before).toEqual([])
  })

  it('the OpenAPI document is valid OpenAPI 3.1 and documents every path', async () => {
    const a = await call('http', 'GET', '/api/v1/openapi.json', { token: tokens.read })
    expect(a.status).toBe(200)
    expect(a.json.openapi).toBe('3.1.0')
    const result = await validate(structuredClone(a.json))
    expect(result.valid, JSON.stringify(result)).toBe(true)
    expect(Object.keys(a.json.paths).sort()).toEqual([
      '/api/docs',
      '/api/v1/alerts/deliveries',
      '/api/v1/alerts/deliveries/{id}/retry',
      '/api/v1/alerts/events',
      '/api/v1/alerts/rules',
      '/api/v1/alerts/rules/check',
      '/api/v1/alerts/rules/test',
      '/api/v1/alerts/rules/{id}',
      '/api/v1/candles/{symbol}',
      '/api/v1/gaps',
      '/api/v1/health',
      '/api/v1/indicator-catalogue',
      '/api/v1/indicators/{symbol}',
      '/api/v1/market/coverage',
      '/api/v1/market/days',
      '/api/v1/market/top',
      '/api/v1/openapi.json',
      '/api/v1/runs',
      '/api/v1/runs/{id}',
      '/api/v1/runs/{id}/tasks',
      '/api/v1/runs/{id}/tasks/{symbol}/log',
      '/api/v1/session',
      '/api/v1/stream',
      '/api/v1/symbols',
      '/metrics',
    ])
    expect(a.json.paths['/api/v1/health'].get.security).toEqual([])
    expect(a.json.components.securitySchemes.cookie).toMatchObject({
      in: 'cookie',
      name: 'ta_session',
    })
    const limit = a.json.paths['/api/v1/alerts/rules'].get.parameters.find(
      (p: { name: string }) => p.name === 'limit',
    )
    expect(limit.schema).toMatchObject({ minimum: 1, maximum: 10000, default: 1000 })
  })

  it('/api/docs is one self-contained page: no asset from elsewhere', async () => {
    const a = await call('http', 'GET', '/api/docs')
    expect(a.status).toBe(200)
    expect(a.headers.get('content-type')).toMatch(/^text\/html/)
    expect(a.text).not.toMatch(/(?:src|href)\s*=|https?:\/\/|@import|url\(/i)
    expect(a.headers.get('content-security-policy')).toMatch(
      /default-src 'none'; script-src 'sha256-/,
    )
    expect(a.headers.get('content-security-policy')).toContain("connect-src 'self'")
  })

  it('/metrics: Prometheus text with the answers by status', async () => {
    const a = await call('http', 'GET', '/metrics', { token: tokens.read })
    expect(a.status).toBe(200)
    expect(a.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    expect(a.text).toMatch(/^# HELP trading_alerts_api_responses_total /)
    expect(a.text).toMatch(/trading_alerts_api_responses_total\{status="401"\} [1-9]\d*/)
  })

  it('a failure inside a handler answers a 500 problem that says nothing of it, and is logged', async () => {
    await sql`alter table top_coin_snapshot rename to top_coin_snapshot_away`.execute(
      fx.database.db,
    )
    try {
      const a = await call('http', 'GET', '/api/v1/market/top', { token: tokens.read })
      expectProblem(a, 500)
      expect(a.text).not.toMatch(/top_coin_snapshot|relation|select/i)
    } finally {
      await sql`alter table top_coin_snapshot_away rename to top_coin_snapshot`.execute(
        fx.database.db,
      )
    }
    expect(logger.entries.filter((e) => e.level === 'error')).toEqual([
      expect.objectContaining({
        message: 'api request failed',
        fields: expect.objectContaining({
          method: 'GET',
          path: '/api/v1/market/top',
          error: expect.stringMatching(/top_coin_snapshot/),
        }),
      }),
    ])
  })

  it('429 with Retry-After past the per-token burst, per token, until the injected clock refills it', async () => {
    const limitedClock = handClock(NOW)
    const limitedApi = createApi({
      database: fx.database,
      clock: limitedClock,
      rateLimit: { burst: 2, perSecond: 0.5 },
    })
    const server = await serve(limitedApi)
    try {
      const limitedCall = caller(limitedApi, () => server.url)
      const get = (token: string) => limitedCall('http', 'GET', '/api/v1/symbols', { token })
      expect((await get(tokens.read)).status).toBe(200)
      expect((await get(tokens.read)).status).toBe(200)
      const limited = await get(tokens.read)
      expectProblem(limited, 429)
      expect(limited.headers.get('retry-after')).toBe('2')
      expect((await get(tokens.admin)).status).toBe(200)
      limitedClock.advance(1000)
      expect((await get(tokens.read)).headers.get('retry-after')).toBe('1')
      limitedClock.advance(1000)
      expect((await get(tokens.read)).status).toBe(200)
      // Bad tokens share one bucket: guessing is limited too.
      expectProblem(await get('ta_guess1'), 401)
      expectProblem(await get('ta_guess2'), 401)
      expectProblem(await get('ta_guess3'), 429)
      // Health needs no token and is not limited.
      expect((await limitedCall('http', 'GET', '/api/v1/health')).status).toBe(200)
    } finally {
      await server.close()
    }
  })

  it('CORS is off by default and answers only the configured origins', async () => {
    const preflight = {
      origin: 'https://dash.example',
      'access-control-request-method': 'GET',
      'access-control-request-headers': 'authorization',
    }
    const off = await call('http', 'OPTIONS', '/api/v1/symbols', { headers: preflight })
    expect(off.headers.get('access-control-allow-origin')).toBeNull()
    const options: ApiOptions = {
      database: fx.database,
      clock,
      corsOrigins: ['https://dash.example'],
    }
    const withCors = caller(createApi(options), () => '')
    const on = await withCors('fetch', 'OPTIONS', '/api/v1/symbols', { headers: preflight })
    expect(on.status).toBe(204)
    expect(on.headers.get('access-control-allow-origin')).toBe('https://dash.example')
    const other = await withCors('fetch', 'OPTIONS', '/api/v1/symbols', {
      headers: { ...preflight, origin: 'https://evil.example' },
    })
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
    const get = await withCors('fetch', 'GET', '/api/v1/symbols', {
      token: tokens.read,
      headers: { origin: 'https://dash.example' },
    })
    expect(get.headers.get('access-control-allow-origin')).toBe('https://dash.example')
  })

  it('a configured admin token (API_TOKEN) is accepted beside the stored ones', async () => {
    const configured = caller(
      createApi({ database: fx.database, clock, adminToken: 'configured-secret-token' }),
      () => '',
    )
    expect(
      (await configured('fetch', 'GET', '/api/v1/symbols', { token: 'configured-secret-token' }))
        .status,
    ).toBe(200)
    expectProblem(
      await configured('fetch', 'GET', '/api/v1/symbols', { token: 'configured-secret-tokeN' }),
      401,
    )
  })

  it('health answers 503 degraded when the database is down', async () => {
    const down = await createTestDatabase(kind)
    await down.close()
    const a = await caller(createApi({ database: down, clock }), () => '')(
      'fetch',
      'GET',
      '/api/v1/health',
    )
    expect(a.status).toBe(503)
    expect(a.json).toEqual({ status: 'degraded', database: 'down', jobs: {}, maxLagSeconds: null })
  })
})
