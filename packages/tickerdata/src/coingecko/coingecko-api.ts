import { ResponseValidationError } from '../errors.js'
import { HttpClient, type HttpClientOptions } from '../http.js'

export const DEFAULT_COINGECKO_API_URL = 'https://api.coingecko.com/api/v3'

/** CoinGecko's largest page of /coins/markets. */
export const COINGECKO_MAX_PER_PAGE = 250

export interface CoingeckoAPIOptions extends HttpClientOptions {
  /** Default https://api.coingecko.com/api/v3; https://pro-api.coingecko.com/api/v3 for a paid key. */
  readonly apiUrl?: string
  /** Sent as `x-cg-pro-api-key` on the pro URL, else as `x-cg-demo-api-key`. Never logged. */
  readonly apiKey?: string
  readonly http?: HttpClient
}

/** One coin of /coins/markets. CoinGecko leaves many numbers null for thin coins: kept as null. */
export interface CoinMarket {
  /** CoinGecko's id: the only unique key (`bitcoin`, `weth`, `binance-peg-weth`). */
  readonly id: string
  /** Lower-case ticker, NOT unique (two `weth`, two `usdc`). */
  readonly symbol: string
  readonly name: string
  readonly marketCapRank: number | null
  readonly marketCap: number | null
  readonly currentPrice: number | null
  readonly totalVolume: number | null
  readonly fullyDilutedValuation: number | null
  readonly circulatingSupply: number | null
  readonly priceChangePercentage24h: number | null
  /** ISO time of CoinGecko's last update, or null. */
  readonly lastUpdated: string | null
}

export interface TopCoinsOptions {
  /** Only coins of a CoinGecko category, e.g. 'stablecoins', 'wrapped-tokens', 'liquid-staking-tokens'. */
  readonly category?: string
  readonly signal?: AbortSignal
}

const numberOrNull = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null

/**
 * CoinGecko market data. A 429 is backed off (about a minute, since CoinGecko sends no
 * Retry-After) and retried a bounded number of times.
 *
 * @see https://docs.coingecko.com/reference/coins-markets
 */
export class CoingeckoAPI {
  readonly apiUrl: string
  private readonly http: HttpClient

  constructor(options: CoingeckoAPIOptions = {}) {
    this.apiUrl = (options.apiUrl ?? DEFAULT_COINGECKO_API_URL).replace(/\/+$/, '')
    const headers: Record<string, string> = { ...(options.headers ?? {}) }
    if (options.apiKey !== undefined && options.apiKey !== '') {
      const pro = new URL(this.apiUrl).hostname.startsWith('pro-api.')
      headers[pro ? 'x-cg-pro-api-key' : 'x-cg-demo-api-key'] = options.apiKey
    }
    this.http =
      options.http ??
      new HttpClient({ rateLimitFallbackMs: 60_000, maxRetries: 3, ...options, headers })
  }

  /**
   * The top `limit` coins by market cap, in pages of up to 250.
   *
   * @throws RateLimitError when 429s outlast the retries; ResponseValidationError on a bad payload.
   */
  async getTopCoins(
    limit = 100,
    vsCurrency = 'usd',
    options: TopCoinsOptions = {},
  ): Promise<CoinMarket[]> {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`limit must be a positive integer, got ${limit}`)
    }
    const perPage = Math.min(COINGECKO_MAX_PER_PAGE, limit)
    const out: CoinMarket[] = []
    for (let page = 1; out.length < limit; page++) {
      const { data, response } = await this.http.getJson(`${this.apiUrl}/coins/markets`, {
        params: {
          vs_currency: vsCurrency,
          order: 'market_cap_desc',
          per_page: perPage,
          page,
          category: options.category,
        },
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      })
      if (!Array.isArray(data)) {
        throw new ResponseValidationError(response.url, 'expected an array of coins')
      }
      for (const [i, raw] of (data as unknown[]).entries()) {
        out.push(parseCoinMarket(raw, response.url, (page - 1) * perPage + i))
      }
      if (data.length < perPage) break
    }
    return out.slice(0, limit)
  }
}

/** Validates and maps one /coins/markets element. */
export function parseCoinMarket(raw: unknown, url: string, index: number): CoinMarket {
  if (typeof raw !== 'object' || raw === null) {
    throw new ResponseValidationError(url, `coin ${index} is not an object`)
  }
  const c = raw as Record<string, unknown>
  if (typeof c.id !== 'string' || typeof c.symbol !== 'string' || typeof c.name !== 'string') {
    throw new ResponseValidationError(url, `coin ${index} lacks id, symbol or name`)
  }
  return {
    id: c.id,
    symbol: c.symbol,
    name: c.name,
    marketCapRank: numberOrNull(c.market_cap_rank),
    marketCap: numberOrNull(c.market_cap),
    currentPrice: numberOrNull(c.current_price),
    totalVolume: numberOrNull(c.total_volume),
    fullyDilutedValuation: numberOrNull(c.fully_diluted_valuation),
    circulatingSupply: numberOrNull(c.circulating_supply),
    priceChangePercentage24h: numberOrNull(c.price_change_percentage_24h),
    lastUpdated: typeof c.last_updated === 'string' ? c.last_updated : null,
  }
}
