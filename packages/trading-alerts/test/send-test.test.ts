import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  checkRuleSymbols,
  saveAlertRule,
  sendTestAlert,
  verifyWebhookSignature,
  type TradingAlertsError,
} from '../src/index.js'
import {
  createTestDatabase,
  fixedClock,
  insertTestSymbols,
  type TestDatabase,
} from '../src/testing/index.js'

const NOW = '2026-03-17T12:34:56Z'
const clock = fixedClock(NOW)

let database: TestDatabase
beforeAll(async () => {
  database = await createTestDatabase('pglite')
  await insertTestSymbols(database.db, ['BTCUSDT', 'ETHUSDT'], new Date(NOW))
})
afterAll(async () => {
  await database?.close()
})

async function rejection(p: Promise<unknown>): Promise<TradingAlertsError> {
  try {
    await p
  } catch (error) {
    return error as TradingAlertsError
  }
  throw new Error('expected a rejection')
}

describe('a rule names only pairs of the symbol table', () => {
  it('refuses an unknown pair with UNKNOWN_SYMBOL and saves nothing', async () => {
    const error = await rejection(
      saveAlertRule(
        database.db,
        { name: 'nope', rule: 'close > 0', symbols: 'BTCUSDT,NOPEUSDT' },
        clock,
      ),
    )
    expect(error.code).toBe('UNKNOWN_SYMBOL')
    expect(error.message).toContain('NOPEUSDT: not a pair of the symbol table')
    expect(error.message).not.toContain('BTCUSDT')
    const rows = await database.db.selectFrom('alert_rule').selectAll().execute()
    expect(rows).toEqual([])
  })

  it('accepts known pairs and "*"', async () => {
    await checkRuleSymbols(database.db, ['*'])
    const row = await saveAlertRule(
      database.db,
      { name: 'known', rule: 'close > 0', symbols: ['ethusdt', 'BTCUSDT'] },
      clock,
    )
    expect(row.symbols).toEqual(['BTCUSDT', 'ETHUSDT'])
  })
})

describe('sendTestAlert', () => {
  const received: { body: string; headers: IncomingHttpHeaders }[] = []
  let status = 200
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      received.push({ body, headers: req.headers })
      res.writeHead(status).end()
    })
  })
  let url = ''
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook/t0ken`
  })
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()))
  })

  it('posts the preset body marked as a test, signed with the secret, and reports the status', async () => {
    const rule = await saveAlertRule(
      database.db,
      {
        name: 'btc-json',
        rule: 'rsi(14) < 30',
        symbols: 'BTCUSDT',
        webhook: { url, secret: 'k3y' },
      },
      clock,
    )
    received.length = 0
    status = 200
    const result = await sendTestAlert(database.db, 'btc-json', { clock })
    expect(result.attempt).toMatchObject({ ok: true, status: 200 })
    expect(result.origin).toBe(new URL(url).origin)
    expect(received).toHaveLength(1)
    const got = received[0]
    const body = JSON.parse(got?.body ?? '') as Record<string, unknown>
    expect(body).toMatchObject({
      type: 'alert',
      test: true,
      ruleName: 'btc-json',
      rule: 'rsi(14) < 30',
      symbol: 'BTCUSDT',
      timeframe: '1h',
      firedAt: new Date(NOW).toISOString(),
    })
    expect(String(body.text)).toMatch(/^TEST of rule btc-json/)
    expect(got?.headers['x-trading-alerts-delivery']).toBe(`test-${rule.id}-${Date.parse(NOW)}`)
    expect(
      verifyWebhookSignature({
        secret: 'k3y',
        body: got?.body ?? '',
        timestamp: String(got?.headers['x-trading-alerts-timestamp']),
        signature: String(got?.headers['x-trading-alerts-signature']),
        nowSeconds: Math.floor(Date.parse(NOW) / 1000),
      }),
    ).toBe(true)
    // Nothing is written: no event, no delivery.
    expect(await database.db.selectFrom('alert_event').selectAll().execute()).toEqual([])
    expect(await database.db.selectFrom('alert_delivery').selectAll().execute()).toEqual([])
  })

  it('uses the rule preset (slack) and reports a failing status without throwing', async () => {
    await saveAlertRule(
      database.db,
      { name: 'eth-slack', rule: 'close > 0', webhook: { url, preset: 'slack' } },
      clock,
    )
    received.length = 0
    status = 500
    const result = await sendTestAlert(database.db, 'eth-slack', { clock })
    expect(result.attempt).toMatchObject({ ok: false, status: 500 })
    const body = JSON.parse(received[0]?.body ?? '') as { text: string; blocks: unknown[] }
    expect(body.text).toMatch(/^TEST of rule eth-slack: close > 0 on BTCUSDT 1h/)
    expect(body.blocks).toHaveLength(1)
    expect(received[0]?.headers['x-trading-alerts-signature']).toBeUndefined()
  })

  it('refuses a rule without webhook (INVALID_OPTION) and an unknown rule (NOT_FOUND)', async () => {
    await saveAlertRule(database.db, { name: 'log-only', rule: 'close > 0' }, clock)
    received.length = 0
    expect((await rejection(sendTestAlert(database.db, 'log-only', { clock }))).code).toBe(
      'INVALID_OPTION',
    )
    expect((await rejection(sendTestAlert(database.db, 'nope', { clock }))).code).toBe('NOT_FOUND')
    expect(received).toEqual([])
  })
})
