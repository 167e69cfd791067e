/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call --
   The answers are JSON of no static type: every use of them is an assertion. */
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import { createApiToken, listAlertRules, parseAlertRule } from '@trading-alerts/trading-alerts'
import {
  createTestDatabase,
  testDatabaseKinds,
  type TestDatabase,
} from '@trading-alerts/trading-alerts/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi } from '../src/index.js'

const kinds = await testDatabaseKinds()
const NOW = Date.parse('2025-04-02T12:00:00Z')
const clock = { now: () => new Date(NOW) }

describe.each(kinds)('GET /api/v1/alerts/rules/check on %s', (kind) => {
  let database: TestDatabase
  let url = ''
  let close: () => Promise<void> = () => Promise.resolve()
  const tokens = { admin: '', read: '' }

  const call = async (
    method: string,
    path: string,
    init: { token?: string | null; body?: unknown } = {},
  ) => {
    const token = init.token === undefined ? tokens.read : init.token
    const headers: Record<string, string> =
      token === null ? {} : { authorization: `Bearer ${token}` }
    if (init.body !== undefined) headers['content-type'] = 'application/json'
    const res = await fetch(`${url}${path}`, {
      method,
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    })
    const text = await res.text()
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      json: text === '' ? undefined : JSON.parse(text),
    }
  }
  const check = (rule: string, extra = '') =>
    call('GET', `/api/v1/alerts/rules/check?rule=${encodeURIComponent(rule)}${extra}`)

  beforeAll(async () => {
    database = await createTestDatabase(kind)
    tokens.admin = (await createApiToken(database.db, { name: 'a', scope: 'admin' }, clock)).token
    tokens.read = (await createApiToken(database.db, { name: 'r', scope: 'read' }, clock)).token
    const api = createApi({ database, clock })
    const server = createAdaptorServer({ fetch: (request: Request) => api.fetch(request) })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    close = async () => {
      await api.close()
      await new Promise<void>((r) => server.close(() => r()))
    }
  })
  afterAll(async () => {
    await close()
    await database?.close()
  })

  it('answers ok for a rule POST /alerts/rules accepts, to a read token, writing nothing', async () => {
    for (const rule of [
      'rsi(14) < 30',
      'close crosses above sma(200) and volume > 0',
      'macd(12,26,9).histogram crosses above 0',
      'enters top 10',
    ]) {
      const a = await check(rule)
      expect(a.status, rule).toBe(200)
      expect(a.json, rule).toEqual({ ok: true })
    }
    expect(await listAlertRules(database.db)).toEqual([])
  })

  it('answers the position POST /alerts/rules answers in its 400, from the library’s parser', async () => {
    for (const rule of [
      'rsi(14) <',
      'rsx(14) < 30',
      'close > 1 and',
      'close >> 1',
      'macd(12,26,9) > 0',
    ]) {
      const a = await check(rule)
      expect(a.status, rule).toBe(200)
      expect(a.json.ok, rule).toBe(false)
      expect(a.json.error.field).toBe('rule')
      const post = await call('POST', '/api/v1/alerts/rules', {
        token: tokens.admin,
        body: { name: 'x', rule },
      })
      expect(post.status, rule).toBe(400)
      const posted = post.json.errors.find((e: any) => e.name === 'rule')
      expect(a.json.error).toEqual({
        message: posted.message,
        position: posted.position,
        field: 'rule',
      })
      // …which is where the library's own parser points.
      let position = -1
      try {
        parseAlertRule(rule)
      } catch (error) {
        position = (error as { position: number }).position
      }
      expect(a.json.error.position, rule).toBe(position)
      expect(position).toBeGreaterThanOrEqual(0)
      expect(position).toBeLessThanOrEqual(rule.length)
    }
    expect(await listAlertRules(database.db)).toEqual([])
  })

  it('checks the rule against a timeframe when given one', async () => {
    expect((await check('change(1h) > 5%', '&timeframe=1h')).json).toEqual({ ok: true })
    const window = await check('change(30m) > 5%', '&timeframe=1h')
    expect(window.json.ok).toBe(false)
    expect(window.json.error).toMatchObject({ field: 'rule', position: 0 })
    const tf = await check('close > 1', '&timeframe=7x')
    expect(tf.status).toBe(200)
    expect(tf.json).toMatchObject({ ok: false, error: { field: 'timeframe', position: null } })
    expect(tf.json.error.message).toContain('7x')
  })

  it('answers 400 problem+json without the rule, 401 without a token', async () => {
    for (const path of [
      '/api/v1/alerts/rules/check',
      `/api/v1/alerts/rules/check?rule=${'x'.repeat(4001)}`,
      '/api/v1/alerts/rules/check?rule=close&timeframe=123456789',
    ]) {
      const a = await call('GET', path)
      expect(a.status, path).toBe(400)
      expect(a.type).toBe('application/problem+json')
      expect(a.json.errors[0].name).toMatch(/^(rule|timeframe)$/)
    }
    expect(
      (await call('GET', '/api/v1/alerts/rules/check?rule=close', { token: null })).status,
    ).toBe(401)
  })
})
