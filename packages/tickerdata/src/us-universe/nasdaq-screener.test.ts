import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HttpError } from '../errors.js'
import { startExchangeSimulator, type ExchangeSimulator } from '../testing/index.js'
import { UsUniverseAPI, parseMarketCap, skipReason } from './nasdaq-screener.js'

const sample = readFileSync(
  new URL('../__fixtures__/stocks/nasdaq_screener_table_rows_excerpt.json', import.meta.url),
  'utf8',
)

let sim: ExchangeSimulator
beforeAll(async () => {
  sim = await startExchangeSimulator({ now: () => Date.parse('2024-12-02T12:00:00Z') })
})
afterAll(async () => {
  await sim.close()
})

describe('the screener rows', () => {
  it('parses market caps with separators and "NA"', () => {
    const rows = [...sample.matchAll(/\{"symbol":[^{}]*\}/g)].map(
      (m) => JSON.parse(m[0]) as { symbol: string; name: string; marketCap: string },
    )
    expect(rows.map((r) => parseMarketCap(r.marketCap))).toEqual([2_541_133_923_800, null])
    expect(rows.map((r) => skipReason(r.symbol, r.name))).toEqual([null, 'warrant'])
    expect(parseMarketCap('')).toBeNull()
    expect(parseMarketCap('0')).toBeNull()
  })

  it('skips preferreds, warrants and units, keeps share classes and ADRs', () => {
    expect(skipReason('BAC^B', 'Bank of America Depositary Shares')).toBe('preferred')
    expect(skipReason('ACAH.U', 'Atlantic Coastal Acquisition Corp. Units')).toBe('unit')
    expect(skipReason('XYZ.W', 'XYZ')).toBe('warrant')
    expect(skipReason('BRK/B', 'Berkshire Hathaway Inc.')).toBeNull()
    expect(skipReason('TSM', 'Taiwan Semiconductor Manufacturing Company Ltd.')).toBeNull()
  })
})

describe('UsUniverseAPI through the simulator', () => {
  it('ranks the tracked stocks by market cap in Alpaca spelling', async () => {
    const api = new UsUniverseAPI({ url: sim.urls.usUniverseUrl })
    const { stocks, skipped } = await api.getUniverse()
    expect(stocks.slice(0, 3).map((s) => s.symbol)).toEqual(['AAPL', 'NVDA', 'MSFT'])
    const brk = stocks.find((s) => s.symbol === 'BRK.B')
    expect(brk).toMatchObject({ screenerSymbol: 'BRK/B', marketCap: 990_000_000_000 })
    expect(stocks.at(-1)).toMatchObject({ symbol: 'NOCAP', marketCap: null, rank: null })
    expect(skipped.map((s) => `${s.symbol} ${s.reason}`).sort()).toEqual([
      'ACAH.U unit',
      'BAC^B preferred',
      'ZTAQW warrant',
    ])
    expect((await api.getTopStocks(5)).map((s) => s.rank)).toEqual([1, 2, 3, 4, 5])
    const sent = sim.requestLog.filter((r) => r.route === 'screener').at(-1)
    expect(sent?.headers['user-agent']).toMatch(/^Mozilla\//)
  })

  it('is refused (403) without a browser-like User-Agent', async () => {
    const api = new UsUniverseAPI({
      url: sim.urls.usUniverseUrl,
      userAgent: 'axios/1.12',
      maxRetries: 0,
    })
    const error = await api.getUniverse().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HttpError)
    expect((error as HttpError).status).toBe(403)
  })
})
