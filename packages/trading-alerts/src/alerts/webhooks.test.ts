import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { backoffDelay } from '@trading-alerts/tickerdata'
import { TradingAlertsError } from '../errors.js'
import {
  buildWebhookBody,
  parseWebhookPreset,
  sendWebhook,
  WebhookConfigError,
  webhookRetryDelayMs,
  type AlertMessage,
} from './webhooks.js'

/** A webhook endpoint on 127.0.0.1 that counts the TCP connections and requests it sees. */
async function endpoint(
  answer: 'hang' | number | { status: number; headers: Record<string, string> },
  onRequest: () => void = () => {},
) {
  const open = new Set<Socket>()
  const carrying = new Set<Socket>()
  let onCarriedClosed: (() => void) | undefined
  const stats = { connections: 0, requests: 0 }
  const server: Server = createServer((req, res) => {
    stats.requests++
    carrying.add(req.socket)
    onRequest()
    req.resume()
    if (answer === 'hang') return
    const { status, headers } =
      typeof answer === 'number' ? { status: answer, headers: {} } : answer
    req.on('end', () => res.writeHead(status, headers).end('no'))
  })
  server.on('connection', (socket: Socket) => {
    stats.connections++
    open.add(socket)
    socket.on('close', () => {
      open.delete(socket)
      if (carrying.delete(socket) && carrying.size === 0) onCarriedClosed?.()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    stats,
    open,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook/T0KEN`,
    /** Resolves once every connection that carried a request has closed. */
    requestsClosed: () =>
      new Promise<void>((resolve) => {
        if (carrying.size === 0) resolve()
        else onCarriedClosed = resolve
      }),
    stop: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

let stop: (() => Promise<void>) | undefined
afterEach(async () => {
  await stop?.()
  stop = undefined
})

describe('sendWebhook connections', () => {
  it('makes one connection and one request per attempt on an endpoint that never answers', async () => {
    // The attempt's timeout fires as soon as the endpoint holds the request: no wall-clock wait.
    let timeout = new AbortController()
    const hook = await endpoint('hang', () => timeout.abort())
    stop = hook.stop
    for (let i = 1; i <= 12; i++) {
      timeout = new AbortController()
      const outcome = await sendWebhook(
        { url: hook.url, body: '{}', deliveryId: 'd1', timeoutMs: 5000 },
        { timeoutSignal: () => timeout.signal },
      )
      expect(outcome).toMatchObject({ ok: false, retryable: true })
      expect(outcome.ok === false && outcome.error).toMatch(/timed out after 5000 ms/)
      expect(outcome.ok === false && outcome.error).not.toContain('T0KEN')
      // The timed-out attempt's connection is closed, and nothing was opened in its place.
      await hook.requestsClosed()
      expect(hook.stats).toEqual({ connections: i, requests: i })
      expect(hook.open.size).toBe(0)
    }
  })

  it('makes one request per attempt on an endpoint that fails', async () => {
    const hook = await endpoint(503)
    stop = hook.stop
    for (let i = 1; i <= 3; i++) {
      const outcome = await sendWebhook({ url: hook.url, body: '{}', deliveryId: 'd2' })
      expect(outcome).toMatchObject({ ok: false, status: 503, retryable: true })
      expect(hook.stats.requests).toBe(i)
      expect(hook.stats.connections).toBeLessThanOrEqual(i)
    }
  })
})

describe('sendWebhook answers, on the shared HTTP behaviour', () => {
  it('reads Retry-After as seconds (fractions too) or an HTTP date', async () => {
    const now = () => new Date('2015-10-21T07:28:00Z')
    for (const [status, header, ms] of [
      [429, '120', 120_000],
      [429, '1.5', 1_500],
      [503, 'Wed, 21 Oct 2015 07:28:10 GMT', 10_000],
      [503, 'soon', undefined],
    ] as const) {
      const hook = await endpoint({ status, headers: { 'retry-after': header } })
      const outcome = await sendWebhook({ url: hook.url, body: '{}', deliveryId: 'd3' }, { now })
      await hook.stop()
      expect(outcome, header).toMatchObject({ ok: false, status, retryable: true })
      expect(outcome.ok === false && outcome.retryAfterMs, header).toBe(ms)
    }
  })

  it('gives up on 4xx and on a redirect, which it does not follow', async () => {
    for (const status of [302, 400, 404, 418, 451]) {
      const hook = await endpoint({ status, headers: { location: 'http://127.0.0.1:1/' } })
      const outcome = await sendWebhook({ url: hook.url, body: '{}', deliveryId: 'd4' })
      await hook.stop()
      expect(outcome, String(status)).toMatchObject({ ok: false, status, retryable: false })
      expect(hook.stats.requests).toBe(1)
    }
  })

  it('retries a refused connection but not the caller’s abort', async () => {
    const hook = await endpoint(204)
    const url = hook.url
    await hook.stop()
    const refused = await sendWebhook({ url, body: '{}', deliveryId: 'd5' })
    expect(refused).toMatchObject({ ok: false, retryable: true })
    expect(refused.ok === false && refused.error).toMatch(/ECONNREFUSED$/)
    const caller = new AbortController()
    const live = await endpoint('hang', () => caller.abort())
    stop = live.stop
    const aborted = await sendWebhook({
      url: live.url,
      body: '{}',
      deliveryId: 'd6',
      signal: caller.signal,
    })
    expect(aborted).toMatchObject({ ok: false, retryable: false })
  })

  it('backs off as the shared backoffDelay does, from 30 s to at most 1 h', () => {
    for (const r of [0, 0.37, 1]) {
      const random = () => r
      expect(webhookRetryDelayMs(1, {}, random)).toBe(backoffDelay(0, 30_000, 3_600_000, random))
      expect(webhookRetryDelayMs(4, { baseMs: 1000 }, random)).toBe(
        backoffDelay(3, 1000, 3_600_000, random),
      )
    }
    expect(webhookRetryDelayMs(1, {}, () => 0)).toBe(15_000)
    expect(webhookRetryDelayMs(3, {}, () => 1)).toBe(120_000)
    expect(webhookRetryDelayMs(30, {}, () => 1)).toBe(3_600_000)
  })
})

describe('WebhookConfigError', () => {
  const message: AlertMessage = {
    deliveryId: '1',
    ruleId: 1,
    ruleName: 'r',
    rule: 'close > 1',
    symbol: 'BTCUSDT',
    timeframe: '1h',
    barTime: '2025-03-04T10:00:00.000Z',
    firedAt: '2025-03-04T11:00:00.000Z',
    values: { close: 2 },
    text: 'BTCUSDT 1h: close > 1',
  }
  it('is a TradingAlertsError with code WEBHOOK_CONFIG', () => {
    for (const f of [
      () => parseWebhookPreset('teams'),
      () => buildWebhookBody('telegram', message),
    ]) {
      expect(f).toThrow(WebhookConfigError)
      expect(f).toThrow(TradingAlertsError)
      expect(f).toThrow(
        expect.objectContaining({ code: 'WEBHOOK_CONFIG', name: 'WebhookConfigError' }),
      )
    }
  })
})
