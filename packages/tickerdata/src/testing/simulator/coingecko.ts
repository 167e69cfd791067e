import type { ServerResponse } from 'node:http'
import type { SimCoin } from '../simulator-types.js'
import { MINUTE, type SimContext } from './context.js'
import type { Faults } from './faults.js'
import { coingeckoRateLimited, json, send } from './http.js'

/** CoinGecko's /coins/markets, with its own per-minute rate limit on the real clock. */
export function createCoingecko(
  ctx: SimContext,
  faults: Faults,
): (res: ServerResponse, query: URLSearchParams) => void {
  const { market, now, pairs, coins, options } = ctx
  const coingeckoPerMinute = options.coingeckoRateLimitPerMinute ?? 30
  const coingeckoCalls: number[] = []

  function coinMarket(coin: SimCoin, vsCurrency: string): Record<string, unknown> {
    const pair = pairs.find(
      (p) => p.baseAsset.toLowerCase() === coin.symbol && p.quoteAsset === 'USDT',
    )
    const units = pair === undefined ? null : market.priceAt(pair.symbol, now())
    const thin = coin.marketCapRank > 100
    const price =
      units !== null ? units / 1e8 : thin ? null : Math.round(1e6 / coin.marketCapRank) / 1e4
    const marketCap = Math.round(2e12 / coin.marketCapRank ** 1.3)
    const updated = new Date(Math.floor(now() / MINUTE) * MINUTE).toISOString()
    const rate = vsCurrency === 'usd' ? 1 : 0.9
    return {
      id: coin.id,
      symbol: coin.symbol,
      name: coin.name,
      image: `https://coin-images.coingecko.com/coins/images/${coin.marketCapRank}/large/${coin.id}.png`,
      current_price: price === null ? null : price * rate,
      market_cap: marketCap * rate,
      market_cap_rank: coin.marketCapRank,
      fully_diluted_valuation: thin ? null : Math.round(marketCap * 1.1 * rate),
      total_volume: Math.round(marketCap * 0.03 * rate),
      high_24h: price === null ? null : price * 1.02 * rate,
      low_24h: price === null ? null : price * 0.98 * rate,
      price_change_24h: price === null ? null : price * 0.01,
      price_change_percentage_24h: thin ? null : 1,
      market_cap_change_24h: thin ? null : marketCap * 0.01,
      market_cap_change_percentage_24h: thin ? null : 1,
      circulating_supply: price === null ? 0 : marketCap / price,
      total_supply: thin ? null : price === null ? null : (marketCap / price) * 1.05,
      max_supply: null,
      ath: price === null ? null : price * 2,
      ath_change_percentage: thin ? null : -50,
      ath_date: thin ? null : '2024-03-14T07:10:36.635Z',
      atl: price === null ? null : price / 10,
      atl_change_percentage: thin ? null : 900,
      atl_date: thin ? null : '2015-10-20T00:00:00.000Z',
      roi: null,
      last_updated: updated,
    }
  }

  function handleCoinsMarkets(res: ServerResponse, query: URLSearchParams): void {
    const t = Date.now()
    while (coingeckoCalls.length > 0 && (coingeckoCalls[0] ?? 0) <= t - MINUTE)
      coingeckoCalls.shift()
    if (coingeckoCalls.length >= coingeckoPerMinute) {
      coingeckoRateLimited(res)
      return
    }
    coingeckoCalls.push(t)
    const vs = query.get('vs_currency')
    if (vs === null || vs === '') {
      send(res, 400, json({ error: 'Missing parameter vs_currency' }), {
        'content-type': 'application/json',
      })
      return
    }
    const perPage = Math.min(250, Math.max(1, Number(query.get('per_page') ?? 100) || 100))
    const page = Math.max(1, Number(query.get('page') ?? 1) || 1)
    const category = query.get('category')
    const list = coins
      .filter((c) => category === null || (c.categories ?? []).includes(category))
      .slice()
      .sort((a, b) => a.marketCapRank - b.marketCapRank)
    const body = list.slice((page - 1) * perPage, page * perPage).map((c) => coinMarket(c, vs))
    send(res, 200, faults.coinBody(body), { 'content-type': 'application/json; charset=utf-8' })
  }

  return handleCoinsMarkets
}
