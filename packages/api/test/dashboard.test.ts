import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAdaptorServer } from '@hono/node-server'
import { createApiToken } from '@trading-alerts/trading-alerts'
import { createTestDatabase, type TestDatabase } from '@trading-alerts/trading-alerts/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, DASHBOARD_CSP, directoryAssets, type Api } from '../src/index.js'

const clock = { now: () => new Date(Date.parse('2025-04-02T12:00:00Z')) }

// The files are a built dashboard's shape (index.html, hashed assets); the API serves whatever is there.
describe('the dashboard at / (createApi({ dashboard }))', () => {
  let dir = ''
  let database: TestDatabase
  let api: Api
  let base = ''
  let close = () => Promise.resolve()
  let token = ''

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ta-dash-'))
    mkdirSync(join(dir, 'assets'))
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title><div id="app"></div>')
    writeFileSync(join(dir, 'assets', 'index-3f2a.js'), 'console.log(1)')
    writeFileSync(join(dir, 'assets', 'index-3f2a.css'), 'body{}')
    writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>')
    writeFileSync(join(tmpdir(), 'ta-dash-secret.txt'), 'the-secret-content')
    database = await createTestDatabase('pglite')
    token = (await createApiToken(database.db, { name: 'r', scope: 'read' }, clock)).token
    api = createApi({ database, clock, dashboard: directoryAssets(dir) })
    const server = createAdaptorServer({ fetch: (request: Request) => api.fetch(request) })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    close = () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        if ('closeAllConnections' in server) server.closeAllConnections()
      })
  })
  afterAll(async () => {
    await api?.close()
    await close()
    await database?.close()
    rmSync(dir, { recursive: true, force: true })
    rmSync(join(tmpdir(), 'ta-dash-secret.txt'), { force: true })
  })

  it('serves index.html at / and for every path without an extension, never cached, with its policy', async () => {
    for (const path of ['/', '/runs', '/runs/42/tasks/BTCUSDT', '/chart/BTCUSDT?tf=1h']) {
      const res = await fetch(`${base}${path}`)
      expect(res.status, path).toBe(200)
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
      expect(res.headers.get('cache-control')).toBe('no-cache')
      expect(res.headers.get('content-security-policy')).toBe(DASHBOARD_CSP)
      expect(res.headers.get('x-frame-options')).toBe('DENY')
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      expect(await res.text()).toContain('<div id="app">')
    }
  })

  it('serves the hashed assets cached for a year, with their types', async () => {
    const js = await fetch(`${base}/assets/index-3f2a.js`)
    expect(js.status).toBe(200)
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(await js.text()).toBe('console.log(1)')
    const css = await fetch(`${base}/assets/index-3f2a.css`)
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8')
    const icon = await fetch(`${base}/favicon.svg`)
    expect(icon.headers.get('content-type')).toBe('image/svg+xml')
    expect(icon.headers.get('cache-control')).toBe('no-cache')
    const head = await fetch(`${base}/assets/index-3f2a.js`, { method: 'HEAD' })
    expect(head.status).toBe(200)
  })

  it('answers 404 for a missing asset and for any path out of its folder', async () => {
    for (const path of [
      '/assets/missing-1.js',
      '/../ta-dash-secret.txt',
      '/%2e%2e/ta-dash-secret.txt',
      '/assets/%2e%2e/%2e%2e/ta-dash-secret.txt',
      '/.env',
    ]) {
      const res = await fetch(`${base}${path}`)
      expect(res.status, path).toBe(404)
      expect(await res.text()).not.toContain('the-secret-content')
    }
  })

  it('leaves /api and /metrics to the API: problem+json 404s and 401s, no page', async () => {
    const unknown = await fetch(`${base}/api/v1/nothing`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(unknown.status).toBe(404)
    expect(unknown.headers.get('content-type')).toBe('application/problem+json')
    const api404 = await fetch(`${base}/api/nothing`)
    expect(api404.status).toBe(404)
    expect(api404.headers.get('content-type')).toBe('application/problem+json')
    expect((await fetch(`${base}/metrics`)).status).toBe(401)
    const docs = await fetch(`${base}/api/docs`)
    expect(docs.headers.get('content-security-policy')).not.toBe(DASHBOARD_CSP)
    // The API's answers keep their strict policy.
    const health = await fetch(`${base}/api/v1/health`)
    expect(health.headers.get('content-security-policy')).toContain("default-src 'none'")
  })

  it('GET /api/v1/session names the token of the cookie, 401 without one', async () => {
    const none = await fetch(`${base}/api/v1/session`)
    expect(none.status).toBe(401)
    expect(none.headers.get('content-type')).toBe('application/problem+json')
    const login = await fetch(`${base}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    })
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
    const me = await fetch(`${base}/api/v1/session`, { headers: { cookie } })
    expect(me.status).toBe(200)
    expect(await me.json()).toEqual({ name: 'r', scope: 'read' })
    const bearer = await fetch(`${base}/api/v1/session`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(await bearer.json()).toEqual({ name: 'r', scope: 'read' })
    const forged = await fetch(`${base}/api/v1/session`, { headers: { cookie: 'ta_session=ta_x' } })
    expect(forged.status).toBe(401)
  })

  it('without the option, / is a problem+json 404', async () => {
    const plain = createApi({ database, clock })
    const res = await plain.fetch(new Request('http://127.0.0.1/'))
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    await plain.close()
  })
})
