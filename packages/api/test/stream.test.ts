/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return --
   The events' data is JSON of no static type: every use of it is an assertion. */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import {
  getSymbols,
  runAlerts,
  runHistorical,
  runIndicators,
  saveAlertRule,
} from '@trading-alerts/trading-alerts'
import { simDeps } from '@trading-alerts/trading-alerts/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { kinds, NOW, startApiTest, usdtPair, type ApiTest } from './helpers.js'

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url))

interface SseEvent {
  readonly id: string | undefined
  readonly event: string
  readonly data: any
}

/** A GET /api/v1/stream over real HTTP, parsed as EventSource would; `until` waits, bounded. */
async function openStream(url: string, headers: Record<string, string> = {}) {
  const abort = new AbortController()
  const res = await fetch(url, { headers, signal: abort.signal })
  const events: SseEvent[] = []
  const comments: string[] = []
  let ended = false
  const waiters: (() => void)[] = []
  const notify = () => {
    for (const w of waiters.splice(0)) w()
  }
  let opened: () => void = () => {}
  const open = new Promise<void>((resolve) => (opened = resolve))
  const pump = async () => {
    if (res.body === null) return
    const decoder = new TextDecoder()
    let buffer = ''
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true })
        opened()
        let cut: number
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut)
          buffer = buffer.slice(cut + 2)
          let id: string | undefined
          let event = 'message'
          const data: string[] = []
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim())
            else if (line.startsWith('id: ')) id = line.slice(4)
            else if (line.startsWith('event: ')) event = line.slice(7)
            else if (line.startsWith('data: ')) data.push(line.slice(6))
          }
          if (data.length > 0) events.push({ id, event, data: JSON.parse(data.join('\n')) })
        }
        notify()
      }
    } catch {
      // aborted by close()
    }
    ended = true
    opened()
    notify()
  }
  void pump()
  const stream = {
    status: res.status,
    contentType: res.headers.get('content-type'),
    events,
    comments,
    get ended() {
      return ended
    },
    async until(done: () => boolean, timeoutMs = 20_000): Promise<void> {
      const deadline = Date.now() + timeoutMs
      while (!done()) {
        const left = deadline - Date.now()
        if (left <= 0 || ended) {
          throw new Error(`stream: condition not met; got ${JSON.stringify(events.slice(-20))}`)
        }
        await new Promise<void>((resolve) => {
          waiters.push(resolve)
          setTimeout(resolve, left).unref()
        })
      }
    },
    close: () => abort.abort(),
  }
  if (res.status === 200) await open
  return stream
}

const has = (events: readonly SseEvent[], event: string, match: (data: any) => boolean) =>
  events.some((e) => e.event === event && match(e.data))

describe.each(kinds)('GET /api/v1/stream on %s', (kind) => {
  let fx: ApiTest
  let token = ''
  const auth = () => ({ authorization: `Bearer ${token}` })
  let seen: SseEvent[] = []

  beforeAll(async () => {
    fx = await startApiTest(kind, {
      simulator: { pairs: [usdtPair('BTC', '2025-04-01T00:00:00Z', 60_000)] },
      api: { streamHeartbeatMs: 20 },
    })
    token = await fx.token('read', 's')
  })
  afterAll(async () => {
    await fx?.close()
  })

  it('pushes the run, task, candles and alert events of runs against the simulator', async () => {
    const stream = await openStream(`${fx.url}/api/v1/stream`, auth())
    expect(stream.status).toBe(200)
    expect(stream.contentType).toMatch(/^text\/event-stream/)
    const deps = simDeps(fx.sim, fx.database, NOW)
    const symbols = await getSymbols(deps, { topN: 100 })
    const historical = await runHistorical(deps, { historyStart: '2025-04' })
    await saveAlertRule(
      fx.database.db,
      { name: 'up', rule: 'close > 0', symbols: 'BTCUSDT', timeframe: '1h' },
      { now: () => new Date(Date.parse('2025-04-01T00:00:00Z')) },
    )
    await runIndicators(deps, { timeframes: ['1h'], indicators: [] })
    const alerts = await runAlerts(deps)
    expect(alerts.fired).toBeGreaterThan(0)

    await stream.until(() =>
      has(stream.events, 'run', (d) => d.id === alerts.runId && d.state === alerts.state),
    )
    const { events } = stream
    expect(events.filter((e) => e.event === 'run' && e.data.id === symbols.runId)).toEqual([
      expect.objectContaining({ data: { id: symbols.runId, job: 'symbols', state: 'running' } }),
      expect.objectContaining({
        data: { id: symbols.runId, job: 'symbols', state: symbols.state },
      }),
    ])
    expect(
      has(
        events,
        'task',
        (d) =>
          d.runId === historical.runId &&
          d.symbol === 'BTCUSDT' &&
          d.state === 'succeeded' &&
          d.rows > 0,
      ),
    ).toBe(true)
    expect(
      has(events, 'candles', (d) => d.symbol === 'BTCUSDT' && typeof d.lastUpdatedAt === 'string'),
    ).toBe(true)
    const fired = events.filter((e) => e.event === 'alert')
    expect(fired).toHaveLength(alerts.fired)
    expect(fired[0]?.data).toMatchObject({ rule: 'up', symbol: 'BTCUSDT' })
    expect(typeof fired[0]?.data.eventId).toBe('number')
    // Ids increase, each once.
    const ids = events.map((e) => Number(e.id))
    expect(ids).toEqual([...new Set(ids)].sort((a, b) => a - b))
    stream.close()
    seen = [...events]
  })

  it('resumes after Last-Event-ID with exactly the events missed, then the new ones', async () => {
    const from = seen[3]
    expect(from).toBeDefined()
    const missed = seen.slice(4)
    const stream = await openStream(`${fx.url}/api/v1/stream`, {
      ...auth(),
      'last-event-id': String(from?.id),
    })
    await stream.until(() => stream.events.length >= missed.length)
    expect(stream.events).toEqual(missed)
    const run = await getSymbols(simDeps(fx.sim, fx.database, NOW), { topN: 100 })
    await stream.until(() =>
      has(stream.events, 'run', (d) => d.id === run.runId && d.state !== 'running'),
    )
    expect(stream.events.slice(0, missed.length)).toEqual(missed)
    const ids = stream.events.map((e) => Number(e.id))
    expect(ids).toEqual([...new Set(ids)].sort((a, b) => a - b))
    stream.close()
  })

  it('filters by ?types= and resumes by ?lastEventId=, with heartbeat comments', async () => {
    const stream = await openStream(`${fx.url}/api/v1/stream?types=run,alert&lastEventId=0`, auth())
    const expected = seen.filter((e) => e.event === 'run' || e.event === 'alert')
    await stream.until(() => stream.events.length >= expected.length)
    expect(stream.events.slice(0, expected.length)).toEqual(expected)
    await stream.until(() => stream.comments.includes('heartbeat'))
    stream.close()
  })

  it('accepts the session cookie, and answers 401 without a token', async () => {
    const login = await fetch(`${fx.url}/api/v1/session`, { method: 'POST', headers: auth() })
    expect(login.status).toBe(200)
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
    const withCookie = await openStream(`${fx.url}/api/v1/stream`, { cookie })
    expect(withCookie.status).toBe(200)
    withCookie.close()
    const res = await fetch(`${fx.url}/api/v1/stream`)
    expect(res.status).toBe(401)
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
  })

  it('answers 400 for an unknown type or a bad Last-Event-ID', async () => {
    const bad = await fetch(`${fx.url}/api/v1/stream?types=run,trades`, { headers: auth() })
    expect(bad.status).toBe(400)
    const body = (await bad.json()) as any
    expect(body.errors[0].name).toBe('types')
    expect(body.detail).toContain('trades')
    const badId = await fetch(`${fx.url}/api/v1/stream`, {
      headers: { ...auth(), 'last-event-id': 'yesterday' },
    })
    expect(badId.status).toBe(400)
    expect(((await badId.json()) as any).errors[0].name).toBe('Last-Event-ID')
  })

  it('is in the OpenAPI document as text/event-stream', async () => {
    const res = await fetch(`${fx.url}/api/v1/openapi.json`, { headers: auth() })
    const doc = (await res.json()) as any
    expect(Object.keys(doc.paths['/api/v1/stream'].get.responses[200].content)).toEqual([
      'text/event-stream',
    ])
  })

  // PGlite lives in this process: no other process can open the same database.
  if (kind === 'postgres')
    it('pushes the events of a run by ANOTHER process', async () => {
      const stream = await openStream(`${fx.url}/api/v1/stream?types=run`, auth())
      // A child node process runs the symbols job on the same database, against the simulator.
      const script = `
      import { createDatabase, getSymbols } from '@trading-alerts/trading-alerts'
      import { simDeps } from '@trading-alerts/trading-alerts/testing'
      const [url, urls, now] = process.argv.slice(1)
      const database = await createDatabase({ url, poolSize: 2 })
      const result = await getSymbols(simDeps({ urls: JSON.parse(urls) }, database, Number(now)), { topN: 100 })
      await database.close()
      process.stdout.write(JSON.stringify({ runId: result.runId, state: result.state }))
    `
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          script,
          fx.database.url ?? '',
          JSON.stringify(fx.sim.urls),
          String(NOW),
        ],
        { cwd: PACKAGE_DIR, timeout: 60_000 },
      )
      const child = JSON.parse(stdout) as { runId: number; state: string }
      await stream.until(() =>
        has(stream.events, 'run', (d) => d.id === child.runId && d.state === child.state),
      )
      expect(stream.events.filter((e) => e.data.id === child.runId).map((e) => e.data)).toEqual([
        { id: child.runId, job: 'symbols', state: 'running' },
        { id: child.runId, job: 'symbols', state: child.state },
      ])
      stream.close()
    })

  it('ends every stream on Api.close(), and answers 503 after', async () => {
    const stream = await openStream(`${fx.url}/api/v1/stream`, auth())
    await fx.api.close()
    await stream.until(() => stream.ended)
    const res = await fetch(`${fx.url}/api/v1/stream`, { headers: auth() })
    expect(res.status).toBe(503)
  })
})
