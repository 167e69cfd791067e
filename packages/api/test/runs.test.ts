/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return --
   The answers are JSON of no static type: every use of them is an assertion. */
import { getSymbols, runHistorical, runIncremental } from '@trading-alerts/trading-alerts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { httpClient, kinds, usdtPair, startApiTest, type ApiTest } from './helpers.js'

describe.each(kinds)('runs on %s', (kind) => {
  let fx: ApiTest
  let token = ''
  const ids: Record<string, number> = {}
  const call = httpClient(
    () => fx.url,
    () => token,
  )
  const get = (path: string) => call(path)

  beforeAll(async () => {
    fx = await startApiTest(kind, {
      simulator: {
        pairs: [
          usdtPair('BTC', '2025-04-01T00:00:00Z', 60_000),
          usdtPair('ETH', '2025-04-01T06:00:00Z', 3_000),
        ],
      },
      load: async ({ deps }) => {
        ids.symbols = (await getSymbols(deps, { topN: 100 })).runId
        ids.historical = (await runHistorical(deps, { historyStart: '2025-04' })).runId
        ids.incremental = (await runIncremental(deps, {})).runId
      },
    })
    token = await fx.token('read', 'r')
  })
  afterAll(async () => {
    await fx?.close()
  })

  it('lists the runs newest first with their task counts, and pages by keyset', async () => {
    const all = await get('/api/v1/runs')
    expect(all.status).toBe(200)
    expect(all.json.next).toBeNull()
    expect(all.json.data.map((r: any) => r.id)).toEqual([
      ids.incremental,
      ids.historical,
      ids.symbols,
    ])
    const tasks = await fx.database.db
      .selectFrom('task_run')
      .select(['job_run_id', 'state', 'rows_written'])
      .execute()
    for (const run of all.json.data) {
      const mine = tasks.filter((t) => Number(t.job_run_id) === run.id)
      expect(run.state).toBe('succeeded')
      expect(run.tasks).toEqual({
        total: mine.length,
        succeeded: mine.filter((t) => t.state === 'succeeded').length,
        failed: 0,
        running: 0,
        interrupted: 0,
        skipped: mine.filter((t) => t.state === 'skipped').length,
      })
      expect(run.rows).toBe(mine.reduce((n, t) => n + Number(t.rows_written), 0))
      expect(run.durationS).toBe((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000)
    }
    const historical = all.json.data.find((r: any) => r.job === 'historical')
    expect(historical.rows).toBeGreaterThan(0)
    expect(historical.tasks.total).toBe(2)

    const first = await get('/api/v1/runs?limit=2')
    expect(first.json.data.map((r: any) => r.id)).toEqual([ids.incremental, ids.historical])
    expect(first.json.next).toEqual(expect.any(String))
    const second = await get(`/api/v1/runs?limit=2&cursor=${first.json.next}`)
    expect(second.json.data.map((r: any) => r.id)).toEqual([ids.symbols])
    expect(second.json.next).toBeNull()

    const filtered = await get('/api/v1/runs?job=historical&state=succeeded')
    expect(filtered.json.data.map((r: any) => r.id)).toEqual([ids.historical])
    expect((await get('/api/v1/runs?state=failed')).json.data).toEqual([])
  })

  it('answers 400 for a bad job, state, limit or cursor', async () => {
    for (const q of [
      'job=nope',
      'state=done',
      'limit=0',
      'limit=10001',
      'cursor=!!',
      'cursor=e30',
    ]) {
      const a = await get(`/api/v1/runs?${q}`)
      expect(a.status, q).toBe(400)
      expect(a.json.errors?.length, q).toBeGreaterThan(0)
    }
  })

  it('one run with params, summary and error; 404 for an unknown one', async () => {
    const a = await get(`/api/v1/runs/${ids.historical}`)
    expect(a.status).toBe(200)
    const row = await fx.database.db
      .selectFrom('job_run')
      .selectAll()
      .where('id', '=', ids.historical as number)
      .executeTakeFirstOrThrow()
    expect(a.json).toMatchObject({
      id: ids.historical,
      job: 'historical',
      state: 'succeeded',
      startedAt: row.started_at.toISOString(),
      params: row.params,
      summary: row.summary,
      error: null,
    })
    expect((await get('/api/v1/runs/999999')).status).toBe(404)
    expect((await get('/api/v1/runs/abc')).status).toBe(400)
    expect((await get('/api/v1/runs/999999/tasks')).status).toBe(404)
  })

  it('POST /api/v1/runs: admin only, a known job, 405 without startJob', async () => {
    const admin = await fx.token('admin', 'a')
    const post = (bearer: string, body: string) =>
      call('/api/v1/runs', { method: 'POST', token: bearer, rawBody: body })
    expect((await post(token, '{"job":"incremental"}')).status).toBe(403)
    expect((await post(admin, '{"job":"nope"}')).status).toBe(400)
    expect((await post(admin, '{}')).status).toBe(400)
    const none = await post(admin, '{"job":"incremental"}')
    expect(none.status).toBe(405)
    expect(none.type).toBe('application/problem+json')
  })

  it("a run's tasks, as stored", async () => {
    const a = await get(`/api/v1/runs/${ids.historical}/tasks`)
    expect(a.status).toBe(200)
    expect(a.json.data.map((t: any) => t.symbol)).toEqual(['BTCUSDT', 'ETHUSDT'])
    const stored = await fx.database.db
      .selectFrom('task_run')
      .selectAll()
      .where('job_run_id', '=', ids.historical as number)
      .orderBy('key')
      .execute()
    for (const [i, t] of a.json.data.entries()) {
      const s = stored[i]
      expect(t).toEqual({
        symbol: s?.symbol,
        kind: 'symbol',
        key: s?.key,
        state: 'succeeded',
        attempts: s?.attempts,
        startedAt: s?.started_at?.toISOString(),
        finishedAt: s?.finished_at?.toISOString(),
        durationS: expect.any(Number),
        rows: Number(s?.rows_written),
        progress: s?.progress ?? null,
        error: null,
        errorCode: null,
      })
      expect(t.rows).toBeGreaterThan(0)
    }
  })
})
