import { XNYS, type TradingCalendar } from '../calendar/calendar.js'
import { AuthError, HttpError, RecentSipDataError, ResponseValidationError } from '../errors.js'
import { WeightBudget } from '../binance/weight-budget.js'
import { HttpClient, type HttpClientOptions, type HttpResponse } from '../http.js'
import type { StockKline } from '../stock-kline.js'
import {
  parseAlpacaBar,
  parseAsset,
  parseCalendarDay,
  type AlpacaAsset,
  type AlpacaCalendarDay,
} from './parse.js'

export const DEFAULT_ALPACA_API_URL = 'https://data.alpaca.markets'
export const DEFAULT_ALPACA_TRADING_URL = 'https://paper-api.alpaca.markets'
/** The most bars one bars request returns. */
export const ALPACA_PAGE_LIMIT = 10_000
/** Requests a minute on Alpaca's free plan. */
export const ALPACA_REQUESTS_PER_MINUTE = 200

export type AlpacaFeed = 'sip' | 'iex'
export type AlpacaAdjustment = 'raw' | 'split' | 'dividend' | 'all'

export interface AlpacaAPIOptions extends HttpClientOptions {
  /** Market data base; default https://data.alpaca.markets. */
  readonly apiUrl?: string
  /** Trading API base (for /v2/calendar and /v2/assets); default https://paper-api.alpaca.markets. */
  readonly tradingUrl?: string
  /** Sent as APCA-API-KEY-ID / APCA-API-SECRET-KEY; never logged nor put in errors. */
  readonly keyId: string
  readonly secretKey: string
  /** Default feed; always sent explicitly (Alpaca's own default differs by plan). Default 'sip'. */
  readonly feed?: AlpacaFeed
  /** Default adjustment; always sent explicitly. Default 'raw'. */
  readonly adjustment?: AlpacaAdjustment
  /** Request budget; default the one shared by every client of the same host, 200 a minute. */
  readonly requestBudget?: WeightBudget
  /** Bars per request, 1–10000; default 10000. */
  readonly pageLimit?: number
  readonly http?: HttpClient
}

export interface BarsOptions {
  readonly feed?: AlpacaFeed
  readonly adjustment?: AlpacaAdjustment
  /**
   * Keep only bars of regular-session minutes by this calendar (pre- and post-market dropped);
   * default XNYS. Null keeps every bar Alpaca sends.
   */
  readonly session?: TradingCalendar | null
  readonly signal?: AbortSignal
}

/** One page of a bars answer, after filtering; `nextPageToken` null on the last page. */
export interface BarsPage {
  readonly bars: StockKline[]
  /** Bars Alpaca sent on the page, before the session filter. */
  readonly received: number
  readonly nextPageToken: string | null
}

export interface MultiBarsPage {
  readonly bars: Map<string, StockKline[]>
  readonly received: number
  readonly nextPageToken: string | null
}

const budgets = new Map<string, WeightBudget>()

/** The process-wide request budget of an Alpaca host (200 a minute, 90 % used). */
export function sharedAlpacaBudget(host: string): WeightBudget {
  let budget = budgets.get(host)
  if (budget === undefined) {
    budget = new WeightBudget({ limit: ALPACA_REQUESTS_PER_MINUTE })
    budgets.set(host, budget)
  }
  return budget
}

const iso = (t: number | Date) => new Date(t).toISOString()

function obj(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Alpaca Market Data v2: one-minute stock bars (single and multi-symbol, paged through
 * `next_page_token`), the trading calendar and assets. `feed` and `adjustment` are sent with every
 * bars request; 200 requests a minute are budgeted across every client of the host and re-synced
 * from `X-RateLimit-Remaining`. Prices stay the shortest decimal text of Alpaca's JSON numbers.
 * Alpaca's terms forbid redistributing its data: each user brings their own key.
 *
 * @see https://docs.alpaca.markets/reference/stockbars
 */
export class AlpacaAPI {
  readonly apiUrl: string
  readonly tradingUrl: string
  readonly requestBudget: WeightBudget
  private readonly http: HttpClient
  private readonly feed: AlpacaFeed
  private readonly adjustment: AlpacaAdjustment
  private readonly pageLimit: number

  constructor(options: AlpacaAPIOptions) {
    if (options.keyId === '' || options.secretKey === '') {
      throw new RangeError('AlpacaAPI needs keyId and secretKey (each user brings their own key)')
    }
    this.apiUrl = (options.apiUrl ?? DEFAULT_ALPACA_API_URL).replace(/\/+$/, '')
    this.tradingUrl = (options.tradingUrl ?? DEFAULT_ALPACA_TRADING_URL).replace(/\/+$/, '')
    this.feed = options.feed ?? 'sip'
    this.adjustment = options.adjustment ?? 'raw'
    this.pageLimit = options.pageLimit ?? ALPACA_PAGE_LIMIT
    if (
      !Number.isInteger(this.pageLimit) ||
      this.pageLimit < 1 ||
      this.pageLimit > ALPACA_PAGE_LIMIT
    ) {
      throw new RangeError(`pageLimit must be 1..${ALPACA_PAGE_LIMIT}, got ${this.pageLimit}`)
    }
    const headers = {
      ...(options.headers ?? {}),
      'APCA-API-KEY-ID': options.keyId,
      'APCA-API-SECRET-KEY': options.secretKey,
    }
    this.http = options.http ?? new HttpClient({ ...options, headers })
    this.requestBudget = options.requestBudget ?? sharedAlpacaBudget(new URL(this.apiUrl).host)
  }

  /** Every one-minute bar of `symbol` in [start, end] (Alpaca's bounds are inclusive), oldest first. */
  async getBars(
    symbol: string,
    start: number | Date,
    end: number | Date,
    options: BarsOptions = {},
  ): Promise<StockKline[]> {
    const out: StockKline[] = []
    for await (const page of this.iterateBars(symbol, start, end, options)) out.push(...page.bars)
    return out
  }

  /** Like getBars, one page at a time (page through `next_page_token` until it is null). */
  async *iterateBars(
    symbol: string,
    start: number | Date,
    end: number | Date,
    options: BarsOptions = {},
  ): AsyncGenerator<BarsPage, void, undefined> {
    let token: string | null = null
    do {
      const { data, response } = await this.request(
        `${this.apiUrl}/v2/stocks/${encodeURIComponent(symbol)}/bars`,
        { ...this.barParams(start, end, options), page_token: token ?? undefined },
        options.signal,
      )
      if (!obj(data) || !(data.bars === null || Array.isArray(data.bars))) {
        throw new ResponseValidationError(response.url, 'expected { bars: [...] | null }')
      }
      const raw = (data.bars ?? []) as unknown[]
      token = nextToken(data, response)
      yield {
        bars: this.keep(raw, response.url, options),
        received: raw.length,
        nextPageToken: token,
      }
    } while (token !== null)
  }

  /** One-minute bars of several symbols in [start, end], paged; every symbol's bars oldest first. */
  async getMultiBars(
    symbols: readonly string[],
    start: number | Date,
    end: number | Date,
    options: BarsOptions = {},
  ): Promise<Map<string, StockKline[]>> {
    const out = new Map<string, StockKline[]>()
    for await (const page of this.iterateMultiBars(symbols, start, end, options)) {
      for (const [symbol, bars] of page.bars) {
        const list = out.get(symbol)
        if (list === undefined) out.set(symbol, bars)
        else list.push(...bars)
      }
    }
    return out
  }

  async *iterateMultiBars(
    symbols: readonly string[],
    start: number | Date,
    end: number | Date,
    options: BarsOptions = {},
  ): AsyncGenerator<MultiBarsPage, void, undefined> {
    if (symbols.length === 0) return
    let token: string | null = null
    do {
      const { data, response } = await this.request(
        `${this.apiUrl}/v2/stocks/bars`,
        {
          symbols: symbols.join(','),
          ...this.barParams(start, end, options),
          page_token: token ?? undefined,
        },
        options.signal,
      )
      if (!obj(data) || !(data.bars === null || obj(data.bars))) {
        throw new ResponseValidationError(response.url, 'expected { bars: { SYMBOL: [...] } }')
      }
      const bars = new Map<string, StockKline[]>()
      let received = 0
      for (const [symbol, list] of Object.entries(data.bars ?? {})) {
        if (!Array.isArray(list)) {
          throw new ResponseValidationError(response.url, `bars of ${symbol} are not an array`)
        }
        received += list.length
        bars.set(symbol, this.keep(list as unknown[], response.url, options))
      }
      token = nextToken(data, response)
      yield { bars, received, nextPageToken: token }
    } while (token !== null)
  }

  /** The trading days of [start, end] (dates YYYY-MM-DD) from the trading API's /v2/calendar. */
  async getCalendar(
    start: string,
    end: string,
    signal?: AbortSignal,
  ): Promise<AlpacaCalendarDay[]> {
    const { data, response } = await this.request(
      `${this.tradingUrl}/v2/calendar`,
      { start, end },
      signal,
    )
    if (!Array.isArray(data))
      throw new ResponseValidationError(response.url, 'expected an array of days')
    return data.map((row: unknown, i) => parseCalendarDay(row, response.url, i))
  }

  /** An asset (its listing `exchange` as an ISO MIC), or null when Alpaca does not know the symbol. */
  async getAsset(symbol: string, signal?: AbortSignal): Promise<AlpacaAsset | null> {
    const { data, response } = await this.request(
      `${this.tradingUrl}/v2/assets/${encodeURIComponent(symbol)}`,
      {},
      signal,
      [404],
    )
    if (response.status === 404) return null
    return parseAsset(data, response.url)
  }

  private barParams(start: number | Date, end: number | Date, options: BarsOptions) {
    return {
      timeframe: '1Min',
      start: iso(start),
      end: iso(end),
      limit: this.pageLimit,
      feed: options.feed ?? this.feed,
      adjustment: options.adjustment ?? this.adjustment,
      sort: 'asc',
    }
  }

  private keep(raw: readonly unknown[], url: string, options: BarsOptions): StockKline[] {
    const calendar = options.session === undefined ? XNYS : options.session
    const bars = raw.map((b, i) => parseAlpacaBar(b, url, i))
    return calendar === null ? bars : bars.filter((b) => calendar.isOpen(b.openTime))
  }

  private async request(
    url: string,
    params: Record<string, string | number | undefined>,
    signal: AbortSignal | undefined,
    acceptStatuses: readonly number[] = [],
  ): Promise<{ data: unknown; response: HttpResponse }> {
    const budget = this.requestBudget
    try {
      return await this.http.getJson(url, {
        params,
        acceptStatuses,
        ...(signal === undefined ? {} : { signal }),
        beforeAttempt: async (s) => {
          await budget.reserve(1, s)
        },
        onResponse: (response) => {
          const limit = Number(response.headers['x-ratelimit-limit'])
          const remaining = Number(response.headers['x-ratelimit-remaining'])
          if (Number.isFinite(limit) && Number.isFinite(remaining)) {
            budget.observeUsed(Math.round((limit - remaining) * (budget.snapshot.limit / limit)))
          }
        },
      })
    } catch (error) {
      throw alpacaError(error)
    }
  }
}

function nextToken(data: Record<string, unknown>, response: HttpResponse): string | null {
  const token = data.next_page_token
  if (token === null || token === undefined || token === '') return null
  if (typeof token !== 'string') {
    throw new ResponseValidationError(response.url, 'next_page_token is not a string')
  }
  return token
}

/** 401/403 as AuthError, the "recent SIP data" 403 as RecentSipDataError; others unchanged. */
function alpacaError(error: unknown): unknown {
  if (!(error instanceof HttpError) || (error.status !== 401 && error.status !== 403)) return error
  const message =
    obj(error.body) && typeof error.body.message === 'string' ? error.body.message : ''
  if (error.status === 403 && /recent SIP data/i.test(message)) {
    return new RecentSipDataError({ url: error.url, body: error.body }, { cause: error })
  }
  return new AuthError({ status: error.status, url: error.url, body: error.body }, { cause: error })
}
