import { ResponseValidationError } from '../errors.js'
import { HttpClient, type HttpClientOptions } from '../http.js'

export const DEFAULT_US_UNIVERSE_URL = 'https://api.nasdaq.com/api/screener/stocks'

/** The host answers 403 to clients without a browser-like User-Agent. */
export const BROWSER_USER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36'

export interface UsStock {
  /** Alpaca's spelling: share classes with a dot (`BRK/B` in the screener → `BRK.B`). */
  readonly symbol: string
  /** As the screener wrote it. */
  readonly screenerSymbol: string
  readonly name: string
  /** US dollars; null for "NA" or an empty cell. */
  readonly marketCap: number | null
  /** 1-based rank by market cap among the stocks with one; null without a market cap. */
  readonly rank: number | null
}

export interface SkippedListing {
  readonly symbol: string
  readonly name: string
  readonly reason: 'preferred' | 'warrant' | 'unit' | 'right' | 'invalid'
}

export interface UsUniverse {
  /** Tracked stocks, largest market cap first; those without a market cap last, by symbol. */
  readonly stocks: UsStock[]
  readonly skipped: SkippedListing[]
}

export interface UsUniverseOptions extends HttpClientOptions {
  /** Default https://api.nasdaq.com/api/screener/stocks. */
  readonly url?: string
  /** Sent as User-Agent; default a desktop browser's. */
  readonly userAgent?: string
  readonly http?: HttpClient
}

/** "2,541,133,923,800" → 2541133923800; "NA", "" → null. */
export function parseMarketCap(text: unknown): number | null {
  if (typeof text === 'number') return Number.isFinite(text) && text > 0 ? text : null
  if (typeof text !== 'string') return null
  const digits = text.trim().replace(/,/g, '')
  if (!/^\d+(\.\d+)?$/.test(digits)) return null
  const n = Number(digits)
  return n > 0 ? n : null
}

/** Why a listing is not a tracked stock, or null for a common share, ADR or share class. */
export function skipReason(symbol: string, name: string): SkippedListing['reason'] | null {
  if (!/^[A-Z][A-Z0-9./^-]*$/.test(symbol)) return 'invalid'
  if (symbol.includes('^')) return 'preferred'
  if (/[./](W|WS)$/.test(symbol) || /\bWarrants?\b/i.test(name)) return 'warrant'
  if (/[./]U$/.test(symbol) || /\bUnits?$/i.test(name.trim())) return 'unit'
  if (/[./](R|RT)$/.test(symbol) || /\bRights?$/i.test(name.trim())) return 'right'
  return null
}

/**
 * The daily list of US-listed stocks with market caps, from the Nasdaq screener
 * (`?tableonly=true&download=true`: every NYSE, Nasdaq and NYSE American listing in `data.rows`).
 * Unofficial and keyless; it needs a browser User-Agent. Preferreds (`^`), warrants and units are
 * skipped; share classes become Alpaca's spelling (`BRK/B` → `BRK.B`).
 */
export class UsUniverseAPI {
  readonly url: string
  private readonly http: HttpClient

  constructor(options: UsUniverseOptions = {}) {
    this.url = options.url ?? DEFAULT_US_UNIVERSE_URL
    const headers = {
      'user-agent': options.userAgent ?? BROWSER_USER_AGENT,
      accept: 'application/json, text/plain, */*',
      ...(options.headers ?? {}),
    }
    this.http = options.http ?? new HttpClient({ maxRetries: 3, ...options, headers })
  }

  async getUniverse(signal?: AbortSignal): Promise<UsUniverse> {
    const { data, response } = await this.http.getJson(this.url, {
      params: { tableonly: 'true', download: 'true' },
      ...(signal === undefined ? {} : { signal }),
    })
    const body = (typeof data === 'object' && data !== null ? data : {}) as {
      data?: { rows?: unknown; table?: { rows?: unknown } } | null
    }
    const rows = body.data?.rows ?? body.data?.table?.rows
    if (!Array.isArray(rows)) {
      throw new ResponseValidationError(response.url, 'expected data.rows (or data.table.rows)')
    }
    const skipped: SkippedListing[] = []
    const seen = new Set<string>()
    const found: Omit<UsStock, 'rank'>[] = []
    for (const raw of rows as unknown[]) {
      const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>
      const screenerSymbol = typeof r.symbol === 'string' ? r.symbol.trim() : ''
      const name = typeof r.name === 'string' ? r.name.trim() : ''
      const reason = skipReason(screenerSymbol, name)
      if (reason !== null) {
        skipped.push({ symbol: screenerSymbol, name, reason })
        continue
      }
      const symbol = screenerSymbol.replace(/\//g, '.')
      if (seen.has(symbol)) continue
      seen.add(symbol)
      found.push({ symbol, screenerSymbol, name, marketCap: parseMarketCap(r.marketCap) })
    }
    found.sort(
      (a, b) =>
        (b.marketCap ?? -1) - (a.marketCap ?? -1) ||
        (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0),
    )
    const stocks = found.map((s, i) => ({ ...s, rank: s.marketCap === null ? null : i + 1 }))
    return { stocks, skipped }
  }

  /** The `n` largest by market cap (only stocks with one). */
  async getTopStocks(n: number, signal?: AbortSignal): Promise<UsStock[]> {
    if (!Number.isInteger(n) || n < 1)
      throw new RangeError(`n must be a positive integer, got ${n}`)
    const { stocks } = await this.getUniverse(signal)
    return stocks.filter((s) => s.marketCap !== null).slice(0, n)
  }
}
