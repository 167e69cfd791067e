/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return --
   The answers are JSON of no static type: every use of them is an assertion. */
import { createApiToken, getSymbols, runHistorical } from '@trading-alerts/trading-alerts'
import {
  createTestDatabase,
  simDeps,
  testDatabaseKinds,
  type TestDatabase,
} from '@trading-alerts/trading-alerts/testing'
import { startExchangeSimulator, type ExchangeSimulator } from '@trading-alerts/tickerdata/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, type Api } from '../src/index.js'

const kinds = await testDatabaseKinds()
const NOW = Date.parse('2025-04-02T12:00:00Z')
const clock = { now: () => new Date(NOW) }

describe.each(kinds)('a task’s log on %s', (kind) => {
  let sim: ExchangeSimulator
  let database: TestDatabase
  let api: Api
  let token = ''
  let runId = 0

  const get = async (path: string, auth = true) => {
    const res = await api.fetch(
      new Request(`http://127.0.0.1${path}`, {
        headers: auth ? { authorization: `Bearer ${token}` } : {},
      }),
    )
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      json: (await res.json()) as any,
    }
  }

  beforeAll(async () => {
    sim = await startExchangeSimulator({
      now: () => NOW,
      pairs: [
        {
          symbol: 'BTCUSDT',
          baseAsset: 'BTC',
          quoteAsset: 'USDT',
          listedAt: Date.parse('2025-04-01T00:00:00Z'),
          basePrice: 60_000,
        },
      ],
    })
    database = await createTestDatabase(kind)
    const deps = simDeps(sim, database, NOW)
    await getSymbols(deps, { topN: 100 })
    runId = (await runHistorical(deps, { historyStart: '2025-04' })).runId
    token = (await createApiToken(database.db, { name: 'r', scope: 'read' }, clock)).token
    api = createApi({ database, clock })
  })
  afterAll(async () => {
    await sim?.close()
    await database?.close()
  })

  it('answers the lines of a task of a run, in order, with the count dropped', async () => {
    const res = await get(`/api/v1/runs/${runId}/tasks/BTCUSDT/log`)
    expect(res.status).toBe(200)
    expect(res.json.dropped).toBe(0)
    const messages = res.json.data.map((l: any) => l.message)
    expect(messages).toContain('historical load planned')
    expect(res.json.data.at(-1)).toMatchObject({
      level: 'info',
      message: 'task succeeded',
      time: new Date(NOW).toISOString(),
    })
    expect(res.json.data.at(-1).fields.rows).toBeGreaterThan(0)
  })

  it('answers 404 for an unknown run or task and 400 for bad params', async () => {
    const noRun = await get(`/api/v1/runs/${runId + 1000}/tasks/BTCUSDT/log`)
    expect(noRun.status).toBe(404)
    expect(noRun.type).toContain('application/problem+json')
    expect((await get(`/api/v1/runs/${runId}/tasks/DOGEUSDT/log`)).status).toBe(404)
    for (const path of [
      `/api/v1/runs/abc/tasks/BTCUSDT/log`,
      `/api/v1/runs/${runId}/tasks/%3Bdrop/log`,
    ]) {
      const bad = await get(path)
      expect(bad.status).toBe(400)
      expect(bad.type).toContain('application/problem+json')
    }
  })

  it('answers 401 without a token', async () => {
    const res = await get(`/api/v1/runs/${runId}/tasks/BTCUSDT/log`, false)
    expect(res.status).toBe(401)
  })
})
