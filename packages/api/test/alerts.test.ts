/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return --
   The answers are JSON of no static type: every use of them is an assertion. */
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  deliverDueAlerts,
  getSymbols,
  runAlerts,
  runHistorical,
  runIncremental,
  runIndicators,
  saveAlertRule,
} from '@trading-alerts/trading-alerts'
import { memoryLogger } from '@trading-alerts/trading-alerts/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  clockAt,
  HOUR,
  httpClient,
  kinds,
  NOW,
  startApiTest,
  usdtPair,
  type ApiTest,
} from './helpers.js'

const clock = clockAt(NOW)

/** A webhook receiver on 127.0.0.1: `/ok` answers 200; `/gone` answers `goneStatus`. */
function receiver() {
  const state = { goneStatus: 404, received: [] as string[] }
  const server: Server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      state.received.push(req.url ?? '/')
      res.writeHead((req.url ?? '').startsWith('/gone') ? state.goneStatus : 200).end('ok')
    })
  })
  return {
    state,
    async start() {
      server.listen(0, '127.0.0.1')
      await once(server, 'listening')
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    },
    async stop() {
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
}

describe.each(kinds)('alert events and deliveries over HTTP on %s', (kind) => {
  let fx: ApiTest
  const hook = receiver()
  let hookUrl = ''
  const tokens = { admin: '', read: '' }
  const logger = memoryLogger()

  const call = httpClient(
    () => fx.url,
    () => tokens.read,
  )
  const expectProblem = (a: Awaited<ReturnType<typeof call>>, status: number, label = '') => {
    expect(a.status, `${label} ${a.text}`).toBe(status)
    expect(a.type).toBe('application/problem+json')
    expect(a.json).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) })
    expect(a.text).not.toMatch(/\n\s+at |\.ts:\d|node_modules/)
  }

  beforeAll(async () => {
    hookUrl = await hook.start()
    fx = await startApiTest(kind, {
      simulator: {
        pairs: [
          usdtPair('BTC', '2025-03-31T00:00:00Z', 60_000),
          usdtPair('ETH', '2025-03-31T00:00:00Z', 3_000),
        ],
      },
      load: async ({ database, deps }) => {
        await getSymbols(deps, { topN: 100 })
        await runHistorical(deps, { historyStart: '2025-03' })
        await runIncremental(deps, {})
        // Rules added six hours ago fire on each closed 1h bar since: 'ok' and 'gone' on both
        // symbols, 'quiet' (no webhook) on BTCUSDT only.
        const added = { now: () => new Date(NOW - 6 * HOUR) }
        await saveAlertRule(
          database.db,
          { name: 'ok', rule: 'close > 0', timeframe: '1h', webhook: { url: `${hookUrl}/ok` } },
          added,
        )
        await saveAlertRule(
          database.db,
          {
            name: 'gone',
            rule: 'close > 0',
            timeframe: '1h',
            webhook: { url: `${hookUrl}/gone?key=hunter2`, secret: 's3cret' },
          },
          added,
        )
        await saveAlertRule(
          database.db,
          { name: 'quiet', rule: 'close > 0', timeframe: '1h', symbols: 'BTCUSDT' },
          added,
        )
        await runIndicators({ database, clock, logger }, { timeframes: ['1h'], indicators: [] })
        const run = await runAlerts({ database, clock, logger }, { maxAttempts: 1 })
        expect(run.fired).toBeGreaterThan(0)
      },
    })
    tokens.admin = await fx.token('admin', 'a')
    tokens.read = await fx.token('read', 'r')
  }, 120_000)
  afterAll(async () => {
    await fx?.close()
    await hook.stop()
  })

  /** The events as the database holds them, newest first, with rule names and delivery states. */
  const storedEvents = () =>
    fx.database.db
      .selectFrom('alert_event as e')
      .innerJoin('alert_rule as r', 'r.id', 'e.rule_id')
      .leftJoin('alert_delivery as d', 'd.event_id', 'e.id')
      .select(['e.id', 'r.name', 'e.symbol', 'e.bar_time', 'e.text', 'd.state'])
      .orderBy('e.id', 'desc')
      .execute()

  it('lists every event newest first with its rule and delivery, equal to the table', async () => {
    const stored = await storedEvents()
    // 6 closed hourly bars since the rules were added: ok and gone on 2 symbols, quiet on 1.
    expect(stored.length).toBe(6 * 5)
    const all = await call('/api/v1/alerts/events')
    expect(all.status).toBe(200)
    expect(all.json.next).toBeNull()
    expect(all.json.data.map((e: any) => [e.id, e.rule.name, e.symbol, e.barTime, e.text])).toEqual(
      stored.map((e) => [Number(e.id), e.name, e.symbol, e.bar_time.toISOString(), e.text]),
    )
    for (const e of all.json.data) {
      const row = stored.find((s) => Number(s.id) === e.id)
      expect(e.delivery?.state ?? null).toBe(row?.state ?? null)
      expect(e.rule.name === 'quiet' ? e.delivery : e.delivery?.attempts).toBe(
        e.rule.name === 'quiet' ? null : 1,
      )
      expect(e.values).toEqual({ close: expect.any(Number) })
      expect(Date.parse(e.barTime)).toBeGreaterThanOrEqual(NOW - 6 * HOUR)
    }
  })

  it('filters events by rule (name or id) and symbol; an unknown rule is 404', async () => {
    const quiet = await call('/api/v1/alerts/events?rule=quiet')
    expect(quiet.json.data.length).toBe(6)
    expect(new Set(quiet.json.data.map((e: any) => e.symbol))).toEqual(new Set(['BTCUSDT']))
    const id = quiet.json.data[0].rule.id
    expect((await call(`/api/v1/alerts/events?rule=${id}`)).json.data).toEqual(quiet.json.data)
    const eth = await call('/api/v1/alerts/events?symbol=ethusdt&rule=ok')
    expect(eth.json.data.length).toBe(6)
    expect(eth.json.data.every((e: any) => e.symbol === 'ETHUSDT' && e.rule.name === 'ok')).toBe(
      true,
    )
    expectProblem(await call('/api/v1/alerts/events?rule=nope'), 404)
    expectProblem(await call('/api/v1/alerts/deliveries?rule=999999'), 404)
  })

  it('pages events by keyset, stable when events are added between pages', async () => {
    const stored = await storedEvents()
    const first = await call('/api/v1/alerts/events?limit=7')
    expect(first.json.data.length).toBe(7)
    expect(first.json.next).toEqual(expect.any(String))
    // A new event arrives: it is newer than every page, so the pages after do not shift.
    const rule = await fx.database.db
      .selectFrom('alert_rule')
      .select('id')
      .where('name', '=', 'quiet')
      .executeTakeFirstOrThrow()
    const { id: added } = await fx.database.db
      .insertInto('alert_event')
      .values({
        rule_id: rule.id,
        symbol: 'ETHUSDT',
        timeframe: '1h',
        bar_time: new Date(NOW - 10 * HOUR),
        fired_at: new Date(NOW),
        values: JSON.stringify({ close: 1 }),
        text: 'late',
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    const seen: number[] = first.json.data.map((e: any) => e.id)
    let next: string | null = first.json.next
    while (next !== null) {
      const page = await call(`/api/v1/alerts/events?limit=7&cursor=${next}`)
      expect(page.status).toBe(200)
      seen.push(...page.json.data.map((e: any) => e.id))
      next = page.json.next
    }
    expect(seen).toEqual(stored.map((e) => Number(e.id)))
    expect(seen).not.toContain(Number(added))
    await fx.database.db.deleteFrom('alert_event').where('id', '=', Number(added)).execute()
  })

  it('lists deliveries by state without the webhook path, query or secret', async () => {
    const dead = await call('/api/v1/alerts/deliveries?state=dead')
    expect(dead.status).toBe(200)
    expect(dead.json.data.length).toBe(12)
    for (const d of dead.json.data) {
      expect(d).toMatchObject({ state: 'dead', attempts: 1, lastStatus: 404, deliveredAt: null })
      expect(d.rule.name).toBe('gone')
    }
    const delivered = await call('/api/v1/alerts/deliveries?state=delivered&limit=5')
    expect(delivered.json.data.length).toBe(5)
    expect(
      delivered.json.data.every((d: any) => d.rule.name === 'ok' && d.lastStatus === 200),
    ).toBe(true)
    const all = await call('/api/v1/alerts/deliveries?limit=10000')
    expect(all.json.data.length).toBe(24)
    // Errors name the host of the webhook, never its path or query (where webhooks keep secrets).
    expect(all.text).not.toMatch(/\/gone|\/ok|hunter2|s3cret/)
    const byRule = await call('/api/v1/alerts/deliveries?rule=ok')
    expect(byRule.json.data.map((d: any) => d.id)).toEqual(
      all.json.data.filter((d: any) => d.rule.name === 'ok').map((d: any) => d.id),
    )
  })

  it('retries a dead delivery (admin): pending again, then delivered by the alerts job', async () => {
    const dead = (await call('/api/v1/alerts/deliveries?state=dead&limit=1')).json.data[0]
    const path = `/api/v1/alerts/deliveries/${dead.id}/retry`
    expectProblem(await call(path, { method: 'POST' }), 403, 'read token')
    expectProblem(await call(path, { method: 'POST', token: null }), 401, 'no token')
    const retried = await call(path, { method: 'POST', token: tokens.admin })
    expect(retried.status, retried.text).toBe(200)
    expect(retried.json).toMatchObject({ id: dead.id, state: 'pending', attempts: 0 })
    expect(retried.json.nextAttemptAt).toBe(new Date(NOW).toISOString())
    expectProblem(await call(path, { method: 'POST', token: tokens.admin }), 409, 'pending')
    const delivered = (await call('/api/v1/alerts/deliveries?state=delivered&limit=1')).json.data[0]
    expectProblem(
      await call(`/api/v1/alerts/deliveries/${delivered.id}/retry`, {
        method: 'POST',
        token: tokens.admin,
      }),
      409,
      'delivered',
    )
    expectProblem(
      await call('/api/v1/alerts/deliveries/999999/retry', { method: 'POST', token: tokens.admin }),
      404,
    )

    hook.state.goneStatus = 200
    const counts = await deliverDueAlerts(
      { database: fx.database, clock, logger },
      { maxAttempts: 1 },
    )
    expect(counts).toEqual({ delivered: 1, retrying: 0, dead: 0 })
    const after = await call(`/api/v1/alerts/deliveries?state=delivered&rule=gone`)
    expect(after.json.data.map((d: any) => d.id)).toEqual([dead.id])
    expect((await call('/api/v1/alerts/deliveries?state=dead')).json.data.length).toBe(11)
  })

  it('answers bad parameters and bad tokens with problems, never a 500', async () => {
    for (const q of [
      'events?limit=0',
      'events?limit=10001',
      'events?limit=x',
      'events?cursor=!!',
      'events?cursor=e30',
      'events?symbol=a%20b',
      `events?rule=${'x'.repeat(81)}`,
      'deliveries?state=lost',
      'deliveries?limit=-1',
      'deliveries?cursor=eyJpZCI6MH0',
    ]) {
      const a = await call(`/api/v1/alerts/${q}`)
      expectProblem(a, 400, q)
      expect(a.json.errors).toEqual([{ name: expect.any(String), message: expect.any(String) }])
    }
    for (const id of ['x', '0', '1.5', '99999999999999999999']) {
      expectProblem(
        await call(`/api/v1/alerts/deliveries/${id}/retry`, {
          method: 'POST',
          token: tokens.admin,
        }),
        400,
        id,
      )
    }
    expectProblem(await call('/api/v1/alerts/events', { token: null }), 401)
    expectProblem(await call('/api/v1/alerts/deliveries', { token: 'ta_bad' }), 401)
  })

  it('documents the paths in the OpenAPI document', async () => {
    const doc = await call('/api/v1/openapi.json')
    expect(Object.keys(doc.json.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/alerts/events',
        '/api/v1/alerts/deliveries',
        '/api/v1/alerts/deliveries/{id}/retry',
      ]),
    )
  })
})
