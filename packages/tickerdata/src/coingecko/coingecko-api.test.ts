import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RateLimitError, ResponseValidationError } from '../errors.js'
import { HostBans } from '../http.js'
import { startExchangeSimulator, type ExchangeSimulator } from '../testing/index.js'
import { parseCoinMarket } from './coin-market.js'
import { CoingeckoAPI } from './coingecko-api.js'

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../__fixtures__/${name}`, import.meta.url), 'utf8'))

describe('parseCoinMarket on the real samples of shared/realdata', () => {
  it('maps the official example and keeps nulls as null', () => {
    const [bitcoin] = fixture('coingecko_coins_markets_official_example.json') as unknown[]
    expect(parseCoinMarket(bitcoin, 'u', 0)).toMatchObject({
      id: 'bitcoin',
      symbol: 'btc',
      marketCapRank: 1,
      currentPrice: 77671,
      marketCap: 1555886872303,
      lastUpdated: '2026-05-18T12:49:21.599Z',
    })
    const five = (fixture('coingecko_coins_markets_5coins_2023-04-22.json') as unknown[]).map(
      (c, i) => parseCoinMarket(c, 'u', i),
    )
    expect(five).toHaveLength(5)
    const thin = five.find((c) => c.id === 'kiwigo')
    expect(thin).toBeDefined()
    expect(Object.values(thin ?? {}).some((v) => v === null)).toBe(true)
    const [frax] = fixture(
      'coingecko_coins_markets_rank100_frax_2023-12-21.compact.json',
    ) as unknown[]
    expect(parseCoinMarket(frax, 'u', 0)).toMatchObject({ id: 'frax', marketCapRank: 100 })
  })

  it('finds nothing to clean in the real samples', () => {
    const samples = [
      ...(fixture('coingecko_coins_markets_official_example.json') as unknown[]),
      ...(fixture('coingecko_coins_markets_5coins_2023-04-22.json') as unknown[]),
      ...(fixture('coingecko_coins_markets_rank100_frax_2023-12-21.compact.json') as unknown[]),
    ]
    expect(samples.map((c, i) => parseCoinMarket(c, 'u', i).problems)).toEqual(
      samples.map(() => []),
    )
  })

  it('rejects a coin without an id', () => {
    expect(() => parseCoinMarket({ symbol: 'x', name: 'X' }, 'u', 3)).toThrow(
      ResponseValidationError,
    )
  })
})

describe('CoingeckoAPI against the simulator', () => {
  let sim: ExchangeSimulator
  beforeAll(async () => {
    sim = await startExchangeSimulator({ now: () => Date.parse('2025-10-23T00:00:00Z') })
  })
  afterAll(async () => {
    await sim.close()
  })

  it('returns the top coins by market cap, paging past 250 a request', async () => {
    const api = new CoingeckoAPI({ apiUrl: sim.urls.coingeckoApiUrl })
    sim.resetStats()
    const top = await api.getTopCoins(100)
    expect(top).toHaveLength(100)
    expect(top.map((c) => c.marketCapRank)).toEqual(
      [...top.map((c) => c.marketCapRank)].sort((a, b) => (a ?? 0) - (b ?? 0)),
    )
    expect(top.filter((c) => c.symbol === 'weth').map((c) => c.id)).toEqual([
      'weth',
      'binance-peg-weth',
    ])
    expect(sim.stats.requests['coins-markets']).toBe(1)
    await expect(api.getTopCoins(0)).rejects.toThrow(RangeError)
  })

  it('pages at 250: a limit of 102 fits one page, categories filter the list', async () => {
    const api = new CoingeckoAPI({ apiUrl: sim.urls.coingeckoApiUrl })
    const all = await api.getTopCoins(102)
    expect(all.at(-1)?.id).toBe('bonk')
    const stables = await api.getTopCoins(250, 'usd', { category: 'stablecoins' })
    expect(stables.map((c) => c.id)).toContain('tether')
    expect(stables.map((c) => c.id)).not.toContain('bitcoin')
  })

  it('sends a demo key on the demo URL and a pro key on the pro URL, and never in the URL', async () => {
    await new CoingeckoAPI({
      apiUrl: sim.urls.coingeckoApiUrl,
      apiKey: 'CG-demo-secret',
    }).getTopCoins(1)
    const last = sim.requestLog.at(-1)
    expect(last?.headers['x-cg-demo-api-key']).toBe('CG-demo-secret')
    expect(last?.path).not.toContain('secret')
    // The pro base is recognised by its host name.
    const pro = new CoingeckoAPI({ apiUrl: 'https://pro-api.coingecko.com/api/v3', apiKey: 'k' })
    expect(pro.apiUrl).toBe('https://pro-api.coingecko.com/api/v3')
  })

  it('validates each coin on its own: bad text cleaned, bad numbers nulled, unusable coins left out with a reason', async () => {
    const bad = (
      coin: string,
      fields: Record<string, unknown>,
      rawFields: Record<string, string> = {},
    ) => sim.addFault({ route: 'coins-markets', kind: 'coin-fields', coin, fields, rawFields })
    bad('dogecoin', { name: 'Doge\u0000coin', market_cap: -5 })
    bad('ethereum', { name: 'E'.repeat(10_000), last_updated: 'yesterday' })
    bad('solana', { market_cap_rank: 6.5, total_volume: '123' }, { current_price: '1e400' })
    bad('cardano', { symbol: '\u0001\u0002' })
    bad('ripple', { id: null })
    bad('tron', { id: 'bitcoin' })
    const logger = {
      info: () => {},
      error: () => {},
      warn: (m: string, f?: unknown) => void warned.push([m, f]),
    }
    const warned: unknown[][] = []
    const api = new CoingeckoAPI({ apiUrl: sim.urls.coingeckoApiUrl, logger })
    const { coins, rejected } = await api.getTopCoinsReport(12)
    sim.clearFaults()

    expect(coins).toHaveLength(10)
    expect(rejected).toEqual([
      { index: 4, id: null, reason: expect.stringMatching(/coin 4 has no usable id/) as unknown },
      {
        index: 8,
        id: 'bitcoin',
        reason: expect.stringMatching(/coin 8 has the id "bitcoin" of coin 0/) as unknown,
      },
    ])
    const byId = new Map(coins.map((c) => [c.id, c]))
    expect(byId.get('dogecoin')).toMatchObject({
      name: 'Dogecoin',
      marketCap: null,
      symbol: 'doge',
    })
    expect(byId.get('dogecoin')?.problems).toEqual([
      { field: 'name', problem: 'control-characters', action: 'cleaned' },
      { field: 'market_cap', problem: 'negative', action: 'nulled' },
    ])
    expect(byId.get('ethereum')?.name).toBe('E'.repeat(200))
    expect(byId.get('ethereum')).toMatchObject({ lastUpdated: null })
    expect(byId.get('ethereum')?.problems.map((p) => p.problem)).toEqual(['too-long', 'not-a-date'])
    expect(byId.get('solana')).toMatchObject({
      marketCapRank: null,
      currentPrice: null,
      totalVolume: null,
    })
    expect(byId.get('solana')?.problems.map((p) => `${p.field}: ${p.problem}`)).toEqual([
      'market_cap_rank: not-a-rank',
      'current_price: not-finite',
      'total_volume: not-a-number',
    ])
    expect(byId.get('cardano')).toMatchObject({ symbol: '' })
    expect(byId.get('cardano')?.problems).toContainEqual({
      field: 'symbol',
      problem: 'missing',
      action: 'invalid',
    })
    expect(byId.get('bitcoin')?.problems).toEqual([])

    // getTopCoins keeps §8's shape (an array of coins) and logs what it left out.
    bad('ripple', { id: null })
    expect(await api.getTopCoins(12)).toHaveLength(11)
    expect(warned).toEqual([
      [
        'CoinGecko sent coins that cannot be used; left out',
        { rejected: [expect.objectContaining({ index: 4 })] },
      ],
    ])
    sim.clearFaults()
  })

  it('backs off a 429 and retries, then gives a RateLimitError when it lasts', async () => {
    sim.addFault({ route: 'coins-markets', kind: '429', times: 1 })
    const waits: number[] = []
    const api = new CoingeckoAPI({
      apiUrl: sim.urls.coingeckoApiUrl,
      bans: new HostBans(),
      sleep: (ms) => {
        waits.push(ms)
        return Promise.resolve()
      },
    })
    expect(await api.getTopCoins(3)).toHaveLength(3)
    expect(waits).toEqual([60_000]) // no Retry-After from CoinGecko: about a minute
    sim.addFault({ route: 'coins-markets', kind: '429' })
    await expect(api.getTopCoins(3)).rejects.toBeInstanceOf(RateLimitError)
    sim.clearFaults()
  })
})
