import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { sendWebhook } from './webhooks.js'

/** A webhook endpoint on 127.0.0.1 that counts the TCP connections and requests it sees. */
async function endpoint(answer: 'hang' | number, onRequest: () => void = () => {}) {
  const open = new Set<Socket>()
  const carrying = new Set<Socket>()
  let onCarriedClosed: (() => void) | undefined
  const stats = { connections: 0, requests: 0 }
  const server: Server = createServer((req, res) => {
    stats.requests++
    carrying.add(req.socket)
    onRequest()
    req.resume()
    if (answer !== 'hang') req.on('end', () => res.writeHead(answer).end('no'))
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
