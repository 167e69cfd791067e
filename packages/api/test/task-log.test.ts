/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return --
   The answers are JSON of no static type: every use of them is an assertion. */
import { getSymbols, runHistorical } from '@trading-alerts/trading-alerts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { httpClient, kinds, NOW, startApiTest, usdtPair, type ApiTest } from './helpers.js'

describe.each(kinds)('a task’s log on %s', (kind) => {
  let fx: ApiTest
  let token = ''
  let runId = 0
  const call = httpClient(
    () => fx.url,
    () => token,
  )
  const get = (path: string, auth = true) => call(path, auth ? {} : { token: null })

  beforeAll(async () => {
    fx = await startApiTest(kind, {
      simulator: { pairs: [usdtPair('BTC', '2025-04-01T00:00:00Z', 60_000)] },
      load: async ({ deps }) => {
        await getSymbols(deps, { topN: 100 })
        runId = (await runHistorical(deps, { historyStart: '2025-04' })).runId
      },
    })
    token = await fx.token('read', 'r')
  })
  afterAll(async () => {
    await fx?.close()
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
