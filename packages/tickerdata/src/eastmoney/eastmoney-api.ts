import { ResponseValidationError, NetworkError, isTickerdataError } from '../errors.js'
import {
  HttpClient,
  defaultSleep,
  shouldRetry,
  type HttpClientOptions,
  type HttpResponse,
  type Logger,
  type Sleep,
} from '../http.js'
import type { StockKline } from '../stock-kline.js'
import { parseClistEntry, parseTrendRow, type CnStock } from './parse.js'

export const DEFAULT_EASTMONEY_API_URL = 'https://push2his.eastmoney.com'
export const DEFAULT_EASTMONEY_LIST_URL = 'https://push2.eastmoney.com'
/** Entries per clist page Eastmoney serves. */
export const EASTMONEY_LIST_PAGE = 100

export interface EastmoneyAPIOptions extends Omit<HttpClientOptions, 'maxRetries'> {
  /** History host (trends2); default https://push2his.eastmoney.com. */
  readonly apiUrl?: string
  /** Quote list host (clist); default https://push2.eastmoney.com. */
  readonly listUrl?: string
  /** Least time between two requests; default 1000 ms (Eastmoney drops clients that poll fast). */
  readonly minIntervalMs?: number
  /** After a connection reset the interval doubles, from at least this; default 5000 ms. */
  readonly resetBackoffMs?: number
  /** Largest interval; default 60 s. */
  readonly maxIntervalMs?: number
  /** Attempts after a failure (each after slowing down); default 4. */
  readonly maxRetries?: number
  readonly http?: HttpClient
}

export interface TrendsAnswer {
  readonly code: string
  readonly name: string
  readonly preClose: string | null
  readonly decimal: number | null
  /** One-minute bars, oldest first (the auction row as the bar of 09:29). */
  readonly bars: StockKline[]
}

/** Eastmoney's `secid` market prefix: 1 for Shanghai (codes from 6 or 9), 0 for Shenzhen and Beijing. */
export function eastmoneySecid(code: string): string {
  if (!/^\d{6}$/.test(code)) throw new RangeError(`not a six-digit A-share code: ${code}`)
  return `${code.startsWith('6') || code.startsWith('9') ? 1 : 0}.${code}`
}

/**
 * A pace for one host: requests at least `interval` apart. A connection reset (Eastmoney's way of
 * refusing a client that polls too fast) doubles the interval; each success after that shrinks it
 * back toward the minimum by a quarter.
 */
class Pace {
  interval: number
  private last = -Infinity
  private readonly min: number
  private readonly resetFloor: number
  private readonly max: number
  private readonly now: () => number
  private readonly sleep: Sleep

  constructor(min: number, resetFloor: number, max: number, now: () => number, sleep: Sleep) {
    this.min = min
    this.interval = min
    this.resetFloor = resetFloor
    this.max = max
    this.now = now
    this.sleep = sleep
  }

  async wait(signal: AbortSignal | undefined): Promise<void> {
    const wait = this.last + this.interval - this.now()
    if (wait > 0) await this.sleep(wait, signal)
    this.last = this.now()
  }

  slowDown(): void {
    this.interval = Math.min(this.max, Math.max(this.resetFloor, this.interval * 2))
  }

  succeeded(): void {
    this.interval = Math.max(this.min, Math.round(this.interval * 0.75))
  }
}

/**
 * Eastmoney A-share data: `trends2/get` one-minute bars of the last 5 trading days, and the
 * `clist/get` quote list of Shanghai A-shares by total market cap. Requests are paced; a connection
 * reset or 5xx slows the pace down before the next attempt instead of retrying at once.
 * Unofficial and keyless: for personal use, and politely.
 */
export class EastmoneyAPI {
  readonly apiUrl: string
  readonly listUrl: string
  private readonly http: HttpClient
  private readonly pace: Pace
  private readonly maxRetries: number
  private readonly logger: Logger | undefined

  constructor(options: EastmoneyAPIOptions = {}) {
    this.apiUrl = (options.apiUrl ?? DEFAULT_EASTMONEY_API_URL).replace(/\/+$/, '')
    this.listUrl = (options.listUrl ?? DEFAULT_EASTMONEY_LIST_URL).replace(/\/+$/, '')
    this.maxRetries = options.maxRetries ?? 4
    this.logger = options.logger
    const headers = { referer: 'https://quote.eastmoney.com/', ...(options.headers ?? {}) }
    this.http = options.http ?? new HttpClient({ ...options, headers, maxRetries: 0 })
    this.pace = new Pace(
      options.minIntervalMs ?? 1000,
      options.resetBackoffMs ?? 5000,
      options.maxIntervalMs ?? 60_000,
      options.now ?? Date.now,
      options.sleep ?? defaultSleep,
    )
  }

  /** The current least time between requests (grows after resets). */
  get intervalMs(): number {
    return this.pace.interval
  }

  /** One-minute bars of a Shanghai/Shenzhen code for the last `ndays` (1–5) trading days. */
  async getTrends(code: string, ndays = 5, signal?: AbortSignal): Promise<TrendsAnswer> {
    if (!Number.isInteger(ndays) || ndays < 1 || ndays > 5) {
      throw new RangeError(`ndays must be 1..5, got ${ndays}`)
    }
    const { data, response } = await this.request(
      `${this.apiUrl}/api/qt/stock/trends2/get`,
      {
        fields1: 'f1,f2,f3,f4,f5,f6,f7,f8,f9,f10,f11,f12,f13',
        fields2: 'f51,f52,f53,f54,f55,f56,f57,f58',
        ndays,
        iscr: 0,
        secid: eastmoneySecid(code),
      },
      signal,
    )
    const body = (typeof data === 'object' && data !== null ? data : {}) as { data?: unknown }
    if (body.data === null || body.data === undefined) {
      return { code, name: '', preClose: null, decimal: null, bars: [] }
    }
    const d = body.data as Record<string, unknown>
    if (!Array.isArray(d.trends))
      throw new ResponseValidationError(response.url, 'data.trends is not an array')
    const bars = (d.trends as unknown[]).map((row, i) => parseTrendRow(row, response.url, i))
    return {
      code: typeof d.code === 'string' ? d.code : code,
      name: typeof d.name === 'string' ? d.name : '',
      preClose: typeof d.preClose === 'number' ? String(d.preClose) : null,
      decimal: typeof d.decimal === 'number' ? d.decimal : null,
      bars,
    }
  }

  /** The `n` largest Shanghai A-shares (main board and STAR) by total market cap. */
  async getTopStocks(n: number, signal?: AbortSignal): Promise<CnStock[]> {
    if (!Number.isInteger(n) || n < 1)
      throw new RangeError(`n must be a positive integer, got ${n}`)
    const out: CnStock[] = []
    for (let pn = 1; out.length < n; pn++) {
      const { data, response } = await this.request(
        `${this.listUrl}/api/qt/clist/get`,
        {
          pn,
          pz: EASTMONEY_LIST_PAGE,
          po: 1,
          np: 1,
          fltt: 2,
          invt: 2,
          fid: 'f20',
          fs: 'm:1+t:2,m:1+t:23',
          fields: 'f2,f12,f14,f20,f21',
        },
        signal,
      )
      const body = (typeof data === 'object' && data !== null ? data : {}) as {
        data?: { total?: unknown; diff?: unknown } | null
      }
      if (body.data === null || body.data === undefined) break
      const diff = body.data.diff
      const list: unknown[] = Array.isArray(diff)
        ? (diff as unknown[])
        : typeof diff === 'object' && diff !== null
          ? Object.values(diff)
          : []
      if (diff === undefined)
        throw new ResponseValidationError(response.url, 'data.diff is missing')
      for (const raw of list) {
        if (out.length >= n) break
        out.push(parseClistEntry(raw, response.url, out.length + 1))
      }
      const total = typeof body.data.total === 'number' ? body.data.total : 0
      if (list.length < EASTMONEY_LIST_PAGE || pn * EASTMONEY_LIST_PAGE >= total) break
    }
    return out
  }

  private async request(
    url: string,
    params: Record<string, string | number>,
    signal: AbortSignal | undefined,
  ): Promise<{ data: unknown; response: HttpResponse }> {
    for (let attempt = 0; ; attempt++) {
      await this.pace.wait(signal)
      try {
        const answer = await this.http.getJson(url, {
          params,
          ...(signal === undefined ? {} : { signal }),
        })
        this.pace.succeeded()
        return answer
      } catch (error) {
        if (!isTickerdataError(error) || !shouldRetry(error, attempt, this.maxRetries)) throw error
        this.pace.slowDown()
        this.logger?.warn('Eastmoney refused or failed a request; slowing down', {
          code: error.code,
          reset: error instanceof NetworkError,
          attempt: attempt + 1,
          intervalMs: this.pace.interval,
        })
      }
    }
  }
}
