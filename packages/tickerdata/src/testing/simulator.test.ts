import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseKlineCsv, unzipSingleFile } from '../binance/archive.js'
import { startExchangeSimulator, type ExchangeSimulator } from './index.js'

const NOW = Date.parse('2025-03-10T12:34:56.000Z')
let sim: ExchangeSimulator

beforeAll(async () => {
  sim = await startExchangeSimulator({ now: () => NOW })
})
afterAll(async () => {
  await sim.close()
})

const get = (path: string) => fetch(`${sim.url}${path}`)

describe('the exchange simulator speaks the real formats', () => {
  it('answers klines as 12-element arrays: integer times and trades, 8-decimal strings', async () => {
    const res = await get(
      '/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=1740787200000&limit=2',
    )
    expect(res.headers.get('x-mbx-used-weight-1m')).toMatch(/^\d+$/)
    const rows = (await res.json()) as unknown[][]
    expect(rows).toHaveLength(2)
    for (const row of rows) {
      expect(row).toHaveLength(12)
      expect(Number.isInteger(row[0])).toBe(true)
      expect(row[6]).toBe((row[0] as number) + 59_999)
      expect(Number.isInteger(row[8])).toBe(true)
      for (const i of [1, 2, 3, 4, 5, 7, 9, 10]) expect(row[i]).toMatch(/^\d+\.\d{8}$/)
      expect(row[11]).toBe('0')
    }
  })

  it('validates parameters like Binance', async () => {
    expect((await get('/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=1001')).status).toBe(400)
    expect(await (await get('/api/v3/klines?symbol=NOPE&interval=1m')).json()).toEqual({
      code: -1121,
      msg: 'Invalid symbol.',
    })
    expect((await get('/api/v3/klines?symbol=BTCUSDT&interval=2m')).status).toBe(400)
  })

  it('serves the same candles from REST, the monthly zip and the daily zip', async () => {
    const monthly = await get('/data/spot/monthly/klines/ETHUSDT/1m/ETHUSDT-1m-2024-11.zip')
    const daily = await get('/data/spot/daily/klines/ETHUSDT/1m/ETHUSDT-1m-2024-11-30.zip')
    const m = Buffer.from(await monthly.arrayBuffer())
    const d = Buffer.from(await daily.arrayBuffer())
    const monthCsv = unzipSingleFile(m, 'm.zip').toString()
    const dayCsv = unzipSingleFile(d, 'd.zip').toString()
    expect(monthCsv.endsWith(dayCsv)).toBe(true)
    const rest = (await (
      await get(
        `/api/v3/klines?symbol=ETHUSDT&interval=1m&startTime=${Date.UTC(2024, 10, 30)}&limit=3`,
      )
    ).json()) as unknown[][]
    const firstDayRow = dayCsv.split('\n')[0]?.split(',')
    expect(firstDayRow?.slice(0, 6)).toEqual(rest[0]?.slice(0, 6).map(String))
  })

  it('writes microsecond timestamps from 2025 on, like the real spot files', async () => {
    const zip = Buffer.from(
      await (
        await get('/data/spot/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2025-01-01.zip')
      ).arrayBuffer(),
    )
    const line = unzipSingleFile(zip, 'x.zip').toString().split('\n')[0]?.split(',') ?? []
    expect(line[0]).toBe('1735689600000000')
    expect(line[6]).toBe('1735689659999999')
    expect(line).toHaveLength(12)
  })

  it('pairs every zip with a CHECKSUM line of its sha256', async () => {
    const path = '/data/spot/monthly/klines/BTCUSDT/1m/BTCUSDT-1m-2024-12.zip'
    const zip = Buffer.from(await (await get(path)).arrayBuffer())
    const checksum = await (await get(`${path}.CHECKSUM`)).text()
    expect(checksum).toBe(
      `${createHash('sha256').update(zip).digest('hex')}  BTCUSDT-1m-2024-12.zip`,
    )
    expect(parseKlineCsv(unzipSingleFile(zip, 'x'), { fileName: 'x' }).length).toBe(31 * 1440)
  })

  it('publishes daily files the next day and monthly files after the delay, 404 otherwise', async () => {
    expect((await get('/data/spot/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2025-03-09.zip')).status).toBe(
      200,
    )
    expect((await get('/data/spot/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2025-03-10.zip')).status).toBe(
      404,
    )
    expect((await get('/data/spot/monthly/klines/BTCUSDT/1m/BTCUSDT-1m-2025-02.zip')).status).toBe(
      200,
    )
    expect((await get('/data/spot/monthly/klines/BTCUSDT/1m/BTCUSDT-1m-2025-03.zip')).status).toBe(
      404,
    )
    expect(
      (await get('/data/spot/monthly/klines/TRUMPUSDT/1m/TRUMPUSDT-1m-2024-12.zip')).status,
    ).toBe(404)
    const notFound = await get('/data/spot/monthly/klines/NOPE/1m/NOPE-1m-2024-12.zip')
    expect(await notFound.text()).toContain('<Code>NoSuchKey</Code>')
  })

  it('lists keys as S3 ListObjects XML with CommonPrefixes per symbol', async () => {
    const xml = await (await get('/s3?delimiter=/&prefix=data/spot/monthly/klines/')).text()
    expect(xml).toContain(
      '<CommonPrefixes><Prefix>data/spot/monthly/klines/BTCUSDT/</Prefix></CommonPrefixes>',
    )
    const keys = await (
      await get('/s3?delimiter=/&prefix=data/spot/daily/klines/TRUMPUSDT/1m/&max-keys=4')
    ).text()
    expect(keys).toContain('<IsTruncated>true</IsTruncated>')
    expect(keys).toContain(
      '<Key>data/spot/daily/klines/TRUMPUSDT/1m/TRUMPUSDT-1m-2025-01-19.zip</Key>',
    )
    expect(keys).toContain('TRUMPUSDT-1m-2025-01-19.zip.CHECKSUM')
  })

  it('is deterministic across restarts and independent of the range asked for', async () => {
    const other = await startExchangeSimulator({ now: () => NOW })
    try {
      const a = sim.candles('SOLUSDT', Date.UTC(2024, 5, 1), Date.UTC(2024, 5, 1, 2))
      const b = other.candles('SOLUSDT', Date.UTC(2024, 5, 1, 1), Date.UTC(2024, 5, 1, 2))
      expect(a.slice(60)).toEqual(b)
      const reseeded = await startExchangeSimulator({ now: () => NOW, seed: 2 })
      expect(reseeded.candles('SOLUSDT', Date.UTC(2024, 5, 1), Date.UTC(2024, 5, 1))).not.toEqual(
        a.slice(0, 1),
      )
      await reseeded.close()
    } finally {
      await other.close()
    }
  })

  it('keeps candles consistent: low ≤ open, close ≤ high, zero-trade minutes flat', () => {
    const rows = sim.candles('DOGEUSDT', Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 3))
    let quiet = 0
    for (const k of rows) {
      const [o, h, l, c] = [k.open, k.high, k.low, k.close].map(Number) as [
        number,
        number,
        number,
        number,
      ]
      expect(l).toBeLessThanOrEqual(Math.min(o, c))
      expect(h).toBeGreaterThanOrEqual(Math.max(o, c))
      if (k.trades === 0) {
        quiet++
        expect([k.open, k.high, k.low, k.volume]).toEqual([k.close, k.close, k.close, '0.00000000'])
      }
    }
    expect(quiet).toBeGreaterThan(0)
  })

  it('injects faults per route and symbol, a limited number of times', async () => {
    sim.addFault({ route: 'klines', kind: '5xx', symbol: 'ETHUSDT', times: 1 })
    expect((await get('/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=1')).status).toBe(200)
    expect((await get('/api/v3/klines?symbol=ETHUSDT&interval=1m&limit=1')).status).toBe(503)
    expect((await get('/api/v3/klines?symbol=ETHUSDT&interval=1m&limit=1')).status).toBe(200)
    sim.addFault({ route: 'exchangeInfo', kind: 'drop', times: 1 })
    await expect(get('/api/v3/exchangeInfo')).rejects.toThrow()
    sim.clearFaults()
  })
})
