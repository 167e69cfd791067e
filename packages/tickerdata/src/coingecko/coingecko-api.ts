import { ResponseValidationError } from '../errors.js'
import { HttpClient, type HttpClientOptions, type Logger } from '../http.js'
import { parseCoinMarket, type CoinMarket } from './coin-market.js'

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

export interface TopCoinsOptions {
  /** Only coins of a CoinGecko category, e.g. 'stablecoins', 'wrapped-tokens', 'liquid-staking-tokens'. */
  readonly category?: string
  readonly signal?: AbortSignal
}

/** A /coins/markets element that cannot be used as a coin (no usable id, or an id seen already). */
export interface RejectedCoin {
  /** 0-based position in CoinGecko's ranking (page by page). */
  readonly index: number
  /** The id as sent, when it was a string, without control characters and clipped to 100 characters. */
  readonly id: string | null
  readonly reason: string
}

export interface TopCoinsReport {
  /** Every usable coin, in CoinGecko's order; `problems` lists what was cleaned or dropped. */
  readonly coins: CoinMarket[]
  readonly rejected: RejectedCoin[]
}

/**
 * CoinGecko market data. A 429 is backed off (about a minute, since CoinGecko sends no
 * Retry-After) and retried a bounded number of times.
 *
 * @see https://docs.coingecko.com/reference/coins-markets
 */
export class CoingeckoAPI {
  readonly apiUrl: string
  private readonly http: HttpClient
  private readonly logger: Logger | undefined

  constructor(options: CoingeckoAPIOptions = {}) {
    this.apiUrl = (options.apiUrl ?? DEFAULT_COINGECKO_API_URL).replace(/\/+$/, '')
    this.logger = options.logger
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
   * The top `limit` coins by market cap, in pages of up to 250. Each coin is validated on its
   * own (see `parseCoinMarket`): bad text is cleaned, bad numbers become null, both listed in the
   * coin's `problems`. An element that cannot be a coin (no usable id, or an id seen already) is
   * left out and logged as a warning; `getTopCoinsReport` returns those too.
   *
   * @throws RateLimitError when 429s outlast the retries; ResponseValidationError when a page is
   *   not an array.
   */
  async getTopCoins(
    limit = 100,
    vsCurrency = 'usd',
    options: TopCoinsOptions = {},
  ): Promise<CoinMarket[]> {
    const { coins, rejected } = await this.getTopCoinsReport(limit, vsCurrency, options)
    if (rejected.length > 0) {
      this.logger?.warn('CoinGecko sent coins that cannot be used; left out', { rejected })
    }
    return coins
  }

  /** Like getTopCoins, with the elements left out and why, for callers that record them. */
  async getTopCoinsReport(
    limit = 100,
    vsCurrency = 'usd',
    options: TopCoinsOptions = {},
  ): Promise<TopCoinsReport> {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`limit must be a positive integer, got ${limit}`)
    }
    const perPage = Math.min(COINGECKO_MAX_PER_PAGE, limit)
    const coins: CoinMarket[] = []
    const rejected: RejectedCoin[] = []
    const seen = new Map<string, number>()
    for (let page = 1; (page - 1) * perPage < limit; page++) {
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
        const index = (page - 1) * perPage + i
        if (index >= limit) break
        let coin: CoinMarket
        try {
          coin = parseCoinMarket(raw, response.url, index)
        } catch (error) {
          if (!(error instanceof ResponseValidationError)) throw error
          rejected.push({ index, id: shownId(raw), reason: error.message })
          continue
        }
        const first = seen.get(coin.id)
        if (first !== undefined) {
          const reason = `coin ${index} has the id "${coin.id}" of coin ${first}`
          rejected.push({ index, id: coin.id, reason })
          continue
        }
        seen.set(coin.id, index)
        coins.push(coin)
      }
      if (data.length < perPage) break
    }
    return { coins, rejected }
  }
}

/** An element's id for people: a string without control characters, at most 100 characters. */
function shownId(raw: unknown): string | null {
  const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined
  return typeof id === 'string' ? id.replace(/\p{Cc}/gu, '').slice(0, 100) : null
}
