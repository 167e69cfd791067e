import { createHash } from 'node:crypto'
import { ResponseValidationError, ChecksumMismatchError } from '../errors.js'
import { HttpClient, type HttpClientOptions, type HttpResponse, type Logger } from '../http.js'
import {
  archiveFileName,
  archiveFileUrl,
  archiveListingPrefix,
  parseArchivePeriod,
  parseChecksumFile,
  parseKlineCsv,
  parseS3Listing,
  unzipSingleFile,
  type ArchivePeriod,
  type ArchivePeriodKind,
} from './archive.js'
import { KLINE_INTERVALS, type Kline, type KlineColumns, type KlineInterval } from './kline.js'
import {
  BINANCE_ENDPOINT_WEIGHTS,
  rateLimitWindowMs,
  sharedWeightBudget,
  type WeightBudget,
} from './weight-budget.js'

export const DEFAULT_BINANCE_API_URL = 'https://api.binance.com'
export const DEFAULT_BINANCE_DATA_URL = 'https://data.binance.vision'
export const DEFAULT_BINANCE_LISTING_URL =
  'https://s3-ap-northeast-1.amazonaws.com/data.binance.vision'

/** The most candles Binance returns for one klines request. */
export const KLINES_PAGE_LIMIT = 1000

export interface BinanceAPIOptions extends HttpClientOptions {
  /** REST base; default https://api.binance.com (https://data-api.binance.vision also works). */
  readonly apiUrl?: string
  /** Archive base; default https://data.binance.vision. */
  readonly dataUrl?: string
  /** S3 listing of the archive; default https://s3-ap-northeast-1.amazonaws.com/data.binance.vision. */
  readonly listingUrl?: string
  /** Request-weight budget; default: the one shared by every client of the same REST host. */
  readonly weightBudget?: WeightBudget
  /** A ready HttpClient (otherwise one is made from the other options). */
  readonly http?: HttpClient
}

export interface CallOptions {
  readonly signal?: AbortSignal
}

export interface ExchangeInfoOptions extends CallOptions {
  /** Only this pair (a small answer; the rate limits are the same). */
  readonly symbol?: string
}

export interface HistoricalOptions extends CallOptions {
  /** Drop the still-open candle (close time in the future by the client's clock). */
  readonly closedOnly?: boolean
}

/** A pair as `exchangeInfo` lists it. */
export interface ExchangePair {
  readonly symbol: string
  readonly status: string
  readonly baseAsset: string
  readonly quoteAsset: string
}

export interface RateLimit {
  readonly rateLimitType: string
  readonly interval: string
  readonly intervalNum: number
  readonly limit: number
}

export interface ExchangeInfo {
  readonly serverTime: number
  readonly rateLimits: readonly RateLimit[]
  readonly pairs: readonly ExchangePair[]
}

/** One archive file as the listing shows it. */
export interface ArchiveListingEntry extends ArchivePeriod {
  readonly key: string
  readonly size: number
  readonly lastModified: string
}

export type ArchiveDownload =
  | { readonly found: false; readonly fileName: string; readonly url: string }
  | {
      readonly found: true
      readonly fileName: string
      readonly url: string
      readonly zip: Buffer
      /** The verified sha256 (hex) of the zip, equal to its `.CHECKSUM`. */
      readonly sha256: string
    }

export type ArchiveLoad =
  | { readonly found: false; readonly fileName: string; readonly url: string }
  | {
      readonly found: true
      readonly fileName: string
      readonly url: string
      readonly sha256: string
      readonly period: ArchivePeriod
      readonly columns: KlineColumns
    }

const DECIMAL = /^\d+(\.\d+)?$/

function toMs(value: number | Date | undefined): number | undefined {
  if (value === undefined) return undefined
  return value instanceof Date ? value.getTime() : value
}

/**
 * Binance spot market data: REST klines and exchangeInfo, and the public data archive.
 *
 * Every REST call reserves its request weight in a budget shared by all clients of the same host,
 * and re-syncs it from `X-MBX-USED-WEIGHT-*` headers, so concurrent jobs stay under the limit.
 *
 * ### Examples
 * ```ts
 * const binance = new BinanceAPI()
 * const candles = await binance.getHistorical('BTCUSDT', Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 2))
 * // 1441 candles, oldest first; prices as Binance's exact decimal strings
 * ```
 */
export class BinanceAPI {
  readonly apiUrl: string
  readonly dataUrl: string
  readonly listingUrl: string
  readonly weightBudget: WeightBudget
  private readonly http: HttpClient
  private readonly now: () => number
  private readonly logger: Logger | undefined

  constructor(options: BinanceAPIOptions = {}) {
    this.apiUrl = (options.apiUrl ?? DEFAULT_BINANCE_API_URL).replace(/\/+$/, '')
    this.dataUrl = (options.dataUrl ?? DEFAULT_BINANCE_DATA_URL).replace(/\/+$/, '')
    this.listingUrl = (options.listingUrl ?? DEFAULT_BINANCE_LISTING_URL).replace(/\/+$/, '')
    this.http = options.http ?? new HttpClient(options)
    this.now = options.now ?? Date.now
    this.logger = options.logger
    this.weightBudget = options.weightBudget ?? sharedWeightBudget(new URL(this.apiUrl).host)
  }

  /**
   * Every candle whose open time is in [startTs, endTs], oldest first, paged at 1000 a request.
   * Without `startTs`, Binance's most recent 1000 candles (up to `endTs`).
   *
   * @throws ExchangeApiError for an invalid symbol, RateLimitError/IpBannedError when retries run out.
   */
  async getHistorical(
    symbol: string,
    startTs?: number | Date,
    endTs?: number | Date,
    granularity: KlineInterval = '1m',
    options: HistoricalOptions = {},
  ): Promise<Kline[]> {
    const out: Kline[] = []
    for await (const page of this.iterateHistorical(symbol, startTs, endTs, granularity, options)) {
      for (const k of page) out.push(k)
    }
    return out
  }

  /** Like getHistorical, one page (≤ 1000 candles) at a time, for callers that write page by page. */
  async *iterateHistorical(
    symbol: string,
    startTs?: number | Date,
    endTs?: number | Date,
    granularity: KlineInterval = '1m',
    options: HistoricalOptions = {},
  ): AsyncGenerator<Kline[], void, undefined> {
    assertInterval(granularity)
    const end = toMs(endTs)
    let start = toMs(startTs)
    if (start !== undefined && end !== undefined && start > end) return
    for (;;) {
      const page = await this.getKlines(
        { symbol, interval: granularity, startTime: start, endTime: end, limit: KLINES_PAGE_LIMIT },
        options,
      )
      const full = page.length === KLINES_PAGE_LIMIT
      const kept = options.closedOnly === true ? page.filter((k) => k.closeTime < this.now()) : page
      if (kept.length > 0) yield kept
      const last = page[page.length - 1]
      if (start === undefined || last === undefined || !full) return
      start = last.openTime + 1
      if (end !== undefined && start > end) return
    }
  }

  /** How many klines requests a range needs at 1000 candles a request (0 for an empty range). */
  countRequests(
    startTs: number | Date,
    endTs: number | Date,
    granularity: KlineInterval = '1m',
  ): number {
    assertInterval(granularity)
    const start = toMs(startTs) ?? 0
    const end = toMs(endTs) ?? 0
    if (end < start) return 0
    let candles: number
    if (granularity === '1M') {
      const a = new Date(start)
      const b = new Date(end)
      candles =
        (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth()) + 1
    } else {
      const step = KLINE_INTERVALS[granularity]
      candles = Math.floor(end / step) - Math.ceil(start / step) + 1
    }
    return Math.max(0, Math.ceil(candles / KLINES_PAGE_LIMIT))
  }

  /** One `GET /api/v3/klines` request. */
  async getKlines(
    params: {
      readonly symbol: string
      readonly interval: KlineInterval
      readonly startTime?: number | undefined
      readonly endTime?: number | undefined
      readonly limit?: number | undefined
    },
    options: CallOptions = {},
  ): Promise<Kline[]> {
    const { data, response } = await this.restJson('/api/v3/klines', params, options)
    if (!Array.isArray(data)) {
      throw new ResponseValidationError(response.url, 'expected an array of klines')
    }
    return data.map((row, i) => parseRestKline(row, response.url, i))
  }

  /** `GET /api/v3/exchangeInfo`: pairs with status and assets, and the rate limits (adopted by the budget). */
  async getExchangeInfo(options: ExchangeInfoOptions = {}): Promise<ExchangeInfo> {
    const params = options.symbol === undefined ? {} : { symbol: options.symbol }
    const { data, response } = await this.restJson('/api/v3/exchangeInfo', params, options)
    const info = parseExchangeInfo(data, response.url)
    const weight = info.rateLimits.find((r) => r.rateLimitType === 'REQUEST_WEIGHT')
    const windowMs = weight && rateLimitWindowMs(weight.interval, weight.intervalNum)
    if (weight !== undefined && windowMs !== undefined) {
      this.weightBudget.setLimit(weight.limit, windowMs)
    }
    return info
  }

  /**
   * Reads the weight limit from exchangeInfo (for one pair: a small answer) so the first requests
   * are paced by the real limit. A failure is logged, not thrown: the request goes on under the
   * assumed limit, and its own answer tells what is wrong.
   */
  private async discoverWeightLimit(symbol: unknown, options: CallOptions): Promise<boolean> {
    try {
      await this.getExchangeInfo({
        ...options,
        ...(typeof symbol === 'string' ? { symbol } : {}),
      })
      return this.weightBudget.limitKnown
    } catch (error) {
      if (options.signal?.aborted === true) throw error
      this.logger?.warn('could not read the request-weight limit from exchangeInfo', {
        assumedLimit: this.weightBudget.snapshot.limit,
        error: error instanceof Error ? error.message : String(error),
      })
      return false
    }
  }

  /**
   * The archive files that exist for a symbol (S3 XML listing, every page), oldest first.
   * Only `.zip` files are returned; their `.CHECKSUM` siblings are implied.
   */
  async listArchive(
    symbol: string,
    kind: ArchivePeriodKind,
    interval: KlineInterval = '1m',
    options: CallOptions = {},
  ): Promise<ArchiveListingEntry[]> {
    const prefix = archiveListingPrefix(symbol, kind, interval)
    const out: ArchiveListingEntry[] = []
    let marker: string | undefined
    for (let pages = 0; pages < 10_000; pages++) {
      const response = await this.http.get(this.listingUrl, {
        params: { delimiter: '/', prefix, marker },
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      })
      const page = parseS3Listing(response.body.toString('utf8'))
      for (const entry of page.keys) {
        if (!entry.key.endsWith('.zip')) continue
        const name = entry.key.slice(prefix.length)
        const period = name.slice(`${symbol}-${interval}-`.length, -'.zip'.length)
        try {
          out.push({ ...parseArchivePeriod(period), ...entry })
        } catch {
          // A key that is not one of this symbol's period files: not ours to list.
        }
      }
      if (!page.isTruncated || page.nextMarker === undefined) break
      marker = page.nextMarker
    }
    return out.sort((a, b) => a.start - b.start)
  }

  /**
   * The sha256 an archive file's `.CHECKSUM` announces, or null when the file is not published.
   * Cheap (about 100 bytes): use it to tell whether a loaded file was re-published.
   */
  async getArchiveChecksum(
    symbol: string,
    period: string,
    interval: KlineInterval = '1m',
    options: CallOptions = {},
  ): Promise<string | null> {
    const fileName = archiveFileName(symbol, interval, period)
    const url = archiveFileUrl(this.dataUrl, symbol, interval, period)
    const checksum = await this.http.get(`${url}.CHECKSUM`, {
      acceptStatuses: [404],
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    })
    if (checksum.status === 404) return null
    return parseChecksumFile(checksum.body.toString('utf8'), fileName)
  }

  /**
   * Downloads an archive zip and its `.CHECKSUM` and verifies the sha256.
   * A file that does not exist (yet) is `{ found: false }`: a normal answer, not an error.
   *
   * @throws ChecksumMismatchError when the zip does not hash to its `.CHECKSUM`.
   */
  async downloadArchiveFile(
    symbol: string,
    period: string,
    interval: KlineInterval = '1m',
    options: CallOptions = {},
  ): Promise<ArchiveDownload> {
    const fileName = archiveFileName(symbol, interval, period)
    const url = archiveFileUrl(this.dataUrl, symbol, interval, period)
    const signal = options.signal === undefined ? {} : { signal: options.signal }
    const began = performance.now()
    const checksum = await this.http.get(`${url}.CHECKSUM`, { acceptStatuses: [404], ...signal })
    if (checksum.status === 404) return { found: false, fileName, url }
    const expected = parseChecksumFile(checksum.body.toString('utf8'), fileName)
    const zip = await this.http.get(url, { acceptStatuses: [404], ...signal })
    if (zip.status === 404) return { found: false, fileName, url }
    const actual = createHash('sha256').update(zip.body).digest('hex')
    if (actual !== expected) throw new ChecksumMismatchError({ file: fileName, expected, actual })
    this.logger?.debug?.('archive file fetched', {
      file: fileName,
      bytes: zip.body.length,
      ms: Math.round(performance.now() - began),
    })
    return { found: true, fileName, url, zip: zip.body, sha256: actual }
  }

  /**
   * Downloads, verifies, unzips and parses one archive file into validated columns.
   *
   * @throws ChecksumMismatchError, ArchiveFormatError (naming file and line) — never a partial result.
   */
  async loadArchiveFile(
    symbol: string,
    period: string,
    interval: KlineInterval = '1m',
    options: CallOptions = {},
  ): Promise<ArchiveLoad> {
    const bounds = parseArchivePeriod(period)
    const download = await this.downloadArchiveFile(symbol, period, interval, options)
    if (!download.found) return download
    const csvName = download.fileName.replace(/\.zip$/, '.csv')
    const csv = unzipSingleFile(download.zip, download.fileName)
    const columns = parseKlineCsv(csv, {
      fileName: csvName,
      interval,
      periodStart: bounds.start,
      periodEnd: bounds.end,
    })
    return {
      found: true,
      fileName: download.fileName,
      url: download.url,
      sha256: download.sha256,
      period: bounds,
      columns,
    }
  }

  private async restJson(
    path: keyof typeof BINANCE_ENDPOINT_WEIGHTS,
    params: Readonly<Record<string, string | number | undefined>>,
    options: CallOptions,
  ): Promise<{ data: unknown; response: HttpResponse }> {
    const weight = BINANCE_ENDPOINT_WEIGHTS[path]
    const budget = this.weightBudget
    if (path !== '/api/v3/exchangeInfo') {
      // A caller whose own signal did not fire goes on if the shared discovery was aborted.
      await budget
        .discoverLimit(() => this.discoverWeightLimit(params.symbol, options))
        .catch((error: unknown) => {
          if (options.signal?.aborted === true) throw error
        })
    }
    return this.http.getJson(`${this.apiUrl}${path}`, {
      params,
      beforeAttempt: async (signal) => {
        const waitedMs = await budget.reserve(weight, signal)
        if (waitedMs > 0) {
          const { limit, windowMs } = budget.snapshot
          this.logger?.debug?.('waited for request weight', {
            path,
            weight,
            waitedMs,
            limit,
            windowMs,
          })
        }
      },
      onResponse: (response) => budget.observe(response.headers),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    })
  }
}

function assertInterval(interval: string): asserts interval is KlineInterval {
  if (!(interval in KLINE_INTERVALS)) {
    throw new RangeError(
      `"${interval}" is not a Binance kline interval (${Object.keys(KLINE_INTERVALS).join(', ')})`,
    )
  }
}

/** Validates one REST kline array: times and trades as integers, decimals as strings. */
export function parseRestKline(row: unknown, url: string, index: number): Kline {
  const bad = (detail: string): never => {
    throw new ResponseValidationError(url, `kline ${index}: ${detail}`)
  }
  if (!Array.isArray(row) || row.length < 11) return bad('expected an array of 12 fields')
  const [
    openTime,
    open,
    high,
    low,
    close,
    volume,
    closeTime,
    quoteVolume,
    trades,
    takerBase,
    takerQuote,
  ] = row as unknown[]
  if (!Number.isSafeInteger(openTime)) bad('open time is not an integer')
  if (!Number.isSafeInteger(closeTime)) bad('close time is not an integer')
  if (!Number.isSafeInteger(trades)) bad('trade count is not an integer')
  for (const [name, value] of [
    ['open', open],
    ['high', high],
    ['low', low],
    ['close', close],
    ['volume', volume],
    ['quote volume', quoteVolume],
    ['taker buy base volume', takerBase],
    ['taker buy quote volume', takerQuote],
  ] as const) {
    if (typeof value !== 'string' || !DECIMAL.test(value)) bad(`${name} is not a decimal string`)
  }
  return {
    openTime: openTime as number,
    open: open as string,
    high: high as string,
    low: low as string,
    close: close as string,
    volume: volume as string,
    closeTime: closeTime as number,
    quoteVolume: quoteVolume as string,
    trades: trades as number,
    takerBuyBaseVolume: takerBase as string,
    takerBuyQuoteVolume: takerQuote as string,
  }
}

function parseExchangeInfo(data: unknown, url: string): ExchangeInfo {
  const bad = (detail: string): never => {
    throw new ResponseValidationError(url, detail)
  }
  if (typeof data !== 'object' || data === null) return bad('expected an object')
  const body = data as { serverTime?: unknown; rateLimits?: unknown; symbols?: unknown }
  if (!Array.isArray(body.symbols)) return bad('no symbols array')
  const pairs: ExchangePair[] = []
  for (const s of body.symbols as unknown[]) {
    const p = s as Partial<Record<keyof ExchangePair, unknown>>
    if (
      typeof p.symbol !== 'string' ||
      typeof p.status !== 'string' ||
      typeof p.baseAsset !== 'string' ||
      typeof p.quoteAsset !== 'string'
    ) {
      return bad('a symbol lacks symbol, status, baseAsset or quoteAsset')
    }
    pairs.push({
      symbol: p.symbol,
      status: p.status,
      baseAsset: p.baseAsset,
      quoteAsset: p.quoteAsset,
    })
  }
  const rateLimits: RateLimit[] = []
  for (const r of Array.isArray(body.rateLimits) ? (body.rateLimits as unknown[]) : []) {
    const l = r as Partial<Record<keyof RateLimit, unknown>>
    if (
      typeof l.rateLimitType === 'string' &&
      typeof l.interval === 'string' &&
      typeof l.intervalNum === 'number' &&
      typeof l.limit === 'number'
    ) {
      rateLimits.push({
        rateLimitType: l.rateLimitType,
        interval: l.interval,
        intervalNum: l.intervalNum,
        limit: l.limit,
      })
    }
  }
  return {
    serverTime: typeof body.serverTime === 'number' ? body.serverTime : 0,
    rateLimits,
    pairs,
  }
}
