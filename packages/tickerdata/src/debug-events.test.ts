import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BinanceAPI } from './binance/binance-api.js'
import { WeightBudget } from './binance/weight-budget.js'
import { CoingeckoAPI } from './coingecko/coingecko-api.js'
import { HostBans, HttpClient, loggableUrl, type Logger } from './http.js'
import { startExchangeSimulator, type ExchangeSimulator } from './testing/index.js'

const NOW = Date.parse('2025-03-10T12:34:56.000Z')

interface LogRecord {
  readonly level: 'debug' | 'info' | 'warn' | 'error'
  readonly message: string
  readonly fields: Record<string, unknown>
}

/** A logger that keeps every record, as a JSON-lines logger would write it. */
function recordingLogger(): Logger & { records: LogRecord[]; debugs: (m: string) => LogRecord[] } {
  const records: LogRecord[] = []
  const at = (level: LogRecord['level']) => (message: string, fields?: Record<string, unknown>) => {
    records.push(JSON.parse(JSON.stringify({ level, message, fields: fields ?? {} })) as LogRecord)
  }
  return {
    records,
    debugs: (message) => records.filter((r) => r.level === 'debug' && r.message === message),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  }
}

const instant = () => Promise.resolve()

let sim: ExchangeSimulator
beforeAll(async () => {
  sim = await startExchangeSimulator({ now: () => NOW })
})
afterAll(async () => {
  await sim.close()
})

describe('debug events', () => {
  it('logs each request (URL, status, ms, bytes) and each retry decision, never the CoinGecko key', async () => {
    const logger = recordingLogger()
    sim.addFault({ route: 'coins-markets', kind: '5xx', status: 503, times: 1 })
    const api = new CoingeckoAPI({
      apiUrl: sim.urls.coingeckoApiUrl,
      apiKey: 'CG-header-SECRET',
      logger,
      sleep: instant,
      bans: new HostBans(),
    })
    expect(await api.getTopCoins(3)).toHaveLength(3)
    // A key in the query string (a URL pasted from CoinGecko's docs) is left out too.
    const http = new HttpClient({ logger, bans: new HostBans() })
    await http.get(
      `${sim.urls.coingeckoApiUrl}/coins/markets?vs_currency=usd&per_page=1&x_cg_demo_api_key=CG-query-SECRET`,
    )
    expect(sim.requestLog.at(-1)?.headers['x-cg-demo-api-key']).toBeUndefined()

    const requests = logger.debugs('http request')
    expect(requests.map((r) => r.fields.status)).toEqual([503, 200, 200])
    for (const r of requests) {
      expect(r.fields.url).toMatch(
        /^http:\/\/127\.0\.0\.1:\d+\/coingecko\/api\/v3\/coins\/markets\?/,
      )
      expect(r.fields.ms).toEqual(expect.any(Number))
      expect(r.fields.bytes).toEqual(expect.any(Number))
    }
    expect(requests[0]?.fields.url).toContain('per_page=3')
    expect(requests[2]?.fields.url).toContain('vs_currency=usd&per_page=1')
    expect(logger.debugs('http retry decision')).toEqual([
      {
        level: 'debug',
        message: 'http retry decision',
        fields: expect.objectContaining({
          attempt: 1,
          code: 'HTTP_ERROR',
          status: 503,
          decision: 'retry',
          waitMs: expect.any(Number) as unknown,
          waitFrom: 'backoff',
        }) as unknown,
      },
    ])
    expect(JSON.stringify(logger.records)).not.toContain('SECRET')
    expect(loggableUrl('https://u:p@h/x?token=t&a=1&x_cg_pro_api_key=k#f')).toBe('https://h/x?a=1')
  })

  it('logs a give-up decision, the used weight of Binance answers, waits for weight and each archive file fetched', async () => {
    const logger = recordingLogger()
    let t = Date.parse('2025-03-10T12:00:00.000Z')
    const budget = new WeightBudget({
      limit: 30,
      now: () => t,
      sleep: (ms) => {
        t += ms
        return Promise.resolve()
      },
    })
    const api = new BinanceAPI({
      apiUrl: sim.urls.binanceApiUrl,
      dataUrl: sim.urls.binanceDataUrl,
      now: () => NOW,
      logger,
      bans: new HostBans(),
      weightBudget: budget,
    })
    const start = Date.parse('2025-03-01T00:00:00.000Z')
    for (let i = 0; i < 14; i++)
      await api.getKlines({ symbol: 'BTCUSDT', interval: '1m', limit: 1 })
    await expect(api.getHistorical('NOPEUSDT', start, start)).rejects.toMatchObject({
      exchangeCode: -1121,
    })
    const file = await api.downloadArchiveFile('BTCUSDT', '2025-03-01')

    const klines = logger
      .debugs('http request')
      .filter((r) => /\/api\/v3\/klines\?/.test(String(r.fields.url)))
    expect(klines[0]?.fields).toMatchObject({
      status: 200,
      usedWeight: expect.any(Number) as unknown,
    })
    expect(klines.at(-1)?.fields).toMatchObject({ status: 400 })
    expect(klines.at(-1)?.fields.url).toContain('symbol=NOPEUSDT')
    expect(logger.debugs('http retry decision').map((r) => r.fields)).toEqual([
      expect.objectContaining({
        code: 'EXCHANGE_ERROR',
        status: 400,
        decision: 'give up',
        why: 'not retryable',
      }),
    ])
    // 90% of 30 is 13 requests of weight 2: the 14th waited for the next window.
    expect(logger.debugs('waited for request weight')[0]?.fields).toEqual({
      path: '/api/v3/klines',
      weight: 2,
      waitedMs: 60_005,
      limit: 30,
      windowMs: 60_000,
    })
    expect(file.found && file.zip.length).toBeGreaterThan(0)
    expect(logger.debugs('archive file fetched').map((r) => r.fields)).toEqual([
      {
        file: 'BTCUSDT-1m-2025-03-01.zip',
        bytes: file.found ? file.zip.length : -1,
        ms: expect.any(Number) as unknown,
      },
    ])
  })
})
