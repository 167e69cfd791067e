/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return --
   The answers are JSON of no static type: every use of them is an assertion. */
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import { CATALOGUE, type IndicatorName } from '@trading-alerts/technical-indicators'
import { createApiToken, INDICATORS, resolveIndicatorText } from '@trading-alerts/trading-alerts'
import {
  createTestDatabase,
  testDatabaseKinds,
  type TestDatabase,
} from '@trading-alerts/trading-alerts/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi } from '../src/index.js'

const kinds = await testDatabaseKinds()
const clock = { now: () => new Date(Date.parse('2025-04-02T12:00:00Z')) }

describe.each(kinds)('GET /api/v1/indicator-catalogue on %s', (kind) => {
  let database: TestDatabase
  let server: ReturnType<typeof createAdaptorServer>
  let base = ''
  let token = ''

  const get = async (path: string, auth: string | null = token) => {
    const res = await fetch(base + path, {
      headers: auth === null ? {} : { authorization: `Bearer ${auth}` },
    })
    const text = await res.text()
    return { status: res.status, type: res.headers.get('content-type'), json: JSON.parse(text) }
  }

  beforeAll(async () => {
    database = await createTestDatabase(kind)
    token = (await createApiToken(database.db, { name: 'dash', scope: 'read' }, clock)).token
    const api = createApi({ database, clock })
    server = createAdaptorServer({ fetch: (request: Request) => api.fetch(request) })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
    await database?.close()
  })

  it('lists every indicator of the rule language, by name, with the catalogue’s parameters', async () => {
    const a = await get('/api/v1/indicator-catalogue')
    expect(a.status).toBe(200)
    const data: any[] = a.json.data
    expect(data.map((d) => d.name)).toEqual([...INDICATORS.keys()].sort())
    for (const entry of data) {
      const definition = INDICATORS.get(entry.name)
      expect(definition).toBeDefined()
      const spec = CATALOGUE[definition?.indicator as IndicatorName]
      // The parameters are technical-indicators' own, choices left out (a rule cannot give them).
      const numeric = Object.entries(spec.params).filter(([, p]) => p.type !== 'choice')
      expect(entry.params).toEqual(
        numeric.map(([name, p]: [string, any]) => ({
          name,
          default: p.default,
          min: p.min,
          max: p.max,
        })),
      )
      expect(entry.outputs).toEqual(spec.outputs.length === 1 ? [] : [...spec.outputs])
      expect(entry.family).toBe(spec.family)
      // What the catalogue offers, the rule grammar accepts: the defaults written out resolve.
      const text = `${entry.name}(${entry.params.map((p: any) => p.default).join(',')})`
      expect(resolveIndicatorText(text).instance.definition.name).toBe(entry.name)
    }
  })

  it('marks the price-scaled indicators as overlays and the oscillators not', async () => {
    const data: any[] = (await get('/api/v1/indicator-catalogue')).json.data
    const byName = new Map(data.map((d) => [d.name, d]))
    for (const name of ['sma', 'ema', 'bbands', 'keltner', 'avgprice'])
      expect(byName.get(name)?.overlay, name).toBe(true)
    for (const name of ['rsi', 'macd', 'stoch', 'obv', 'atr', 'supertrend'])
      expect(byName.get(name)?.overlay, name).toBe(false)
    expect(byName.get('macd')).toMatchObject({
      title: 'MACD',
      outputs: ['macd', 'signal', 'histogram'],
    })
    expect(byName.get('rsi')?.params).toEqual([
      { name: 'period', default: 14, min: 2, max: 100_000 },
    ])
  })

  it('needs a token', async () => {
    const a = await get('/api/v1/indicator-catalogue', null)
    expect(a.status).toBe(401)
    expect(a.type).toContain('application/problem+json')
  })
})
