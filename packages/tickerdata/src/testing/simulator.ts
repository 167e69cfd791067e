import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { KLINE_INTERVALS, type Kline, type KlineInterval } from '../binance/kline.js'
import { DEFAULT_COINS, DEFAULT_PAIRS } from './default-market.js'
import { createMarket, formatUnits, type Market } from './market.js'
import type {
  ExchangeSimulator,
  SimCoin,
  SimFault,
  SimRoute,
  SimulatorOptions,
  SimulatorStats,
} from './simulator-types.js'
import { zipSingleFile } from './zip.js'

const MINUTE = 60_000
const DAY = 86_400_000
const UNIT_MS = { SECOND: 1_000, MINUTE: 60_000 } as const
const UNIT_LETTER = { SECOND: 's', MINUTE: 'm' } as const
const WEIGHTS: Partial<Record<SimRoute, number>> = { klines: 2, exchangeInfo: 20 }
const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/'

interface ActiveFault {
  readonly fault: SimFault
  remaining: number
}

interface ArchiveFile {
  readonly zip: Buffer
  readonly sha256: string
  readonly rows: number
}

type Variant = 'ok' | 'corrupt-zip' | 'bad-csv-row'

function utcDate(t: number): { y: number; m: number; d: number } {
  const date = new Date(t)
  return { y: date.getUTCFullYear(), m: date.getUTCMonth() + 1, d: date.getUTCDate() }
}

const pad2 = (n: number): string => String(n).padStart(2, '0')

/** Parses an archive path's period ('2024-03' or '2024-03-05') into [start, end) in ms. */
function periodBounds(period: string): { start: number; end: number } | null {
  const monthly = /^(\d{4})-(\d{2})$/.exec(period)
  if (monthly) {
    const y = Number(monthly[1])
    const m = Number(monthly[2])
    if (m < 1 || m > 12) return null
    return { start: Date.UTC(y, m - 1, 1), end: Date.UTC(y, m, 1) }
  }
  const daily = /^(\d{4})-(\d{2})-(\d{2})$/.exec(period)
  if (daily) {
    const start = Date.UTC(Number(daily[1]), Number(daily[2]) - 1, Number(daily[3]))
    if (utcDate(start).d !== Number(daily[3])) return null
    return { start, end: start + DAY }
  }
  return null
}

function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
}

/**
 * Starts the exchange simulator on 127.0.0.1: Binance REST, the public archive with its S3
 * listing, and CoinGecko, in the real formats, from a deterministic market. See
 * `simulator-types.ts` for the contract and the package README for a walkthrough.
 */
export async function startExchangeSimulator(
  options: SimulatorOptions = {},
): Promise<ExchangeSimulator> {
  const now = options.now ?? (() => Date.now())
  const pairs = options.pairs ?? DEFAULT_PAIRS
  const coins: readonly SimCoin[] = options.coins ?? DEFAULT_COINS
  const market: Market = createMarket({ seed: options.seed ?? 1, pairs, gaps: options.gaps ?? [] })
  const weightLimit = options.weightLimit ?? { limit: 6000, interval: 'MINUTE', intervalNum: 1 }
  const windowMs = UNIT_MS[weightLimit.interval] * weightLimit.intervalNum
  const weightHeader = `x-mbx-used-weight-${weightLimit.intervalNum}${UNIT_LETTER[weightLimit.interval]}`
  const monthlyDelayMs = (options.monthlyPublishDelayDays ?? 2) * DAY
  const lateMonthly = options.lateMonthly ?? {}
  const listingPageSize = options.listingPageSize ?? 1000
  const banMs = (options.banSec ?? Math.max(2, (2 * windowMs) / 1000)) * 1000
  const coingeckoPerMinute = options.coingeckoRateLimitPerMinute ?? 30

  const faults: ActiveFault[] = []
  const cache = new Map<string, ArchiveFile>()
  const sockets = new Set<Socket>()
  const requestLog: { route: SimRoute | 'other'; path: string; headers: Record<string, string> }[] =
    []
  const stats = {
    requests: {
      klines: 0,
      exchangeInfo: 0,
      'archive-zip': 0,
      'archive-checksum': 0,
      listing: 0,
      'coins-markets': 0,
      other: 0,
    } as Record<SimRoute | 'other', number>,
    rateLimited429: 0,
    banned418: 0,
    maxUsedWeight: 0,
  }

  // Binance's limiter works on wall-clock windows (the simulated market clock may be frozen).
  const limiterNow = options.limiterClock ?? (() => Date.now())
  let windowStart = 0
  let usedWeight = 0
  let backoffUntil = 0 // after a 429: requests before this time earn a ban
  let bannedUntil = 0
  const coingeckoCalls: number[] = []

  function takeFault(route: SimRoute, symbol: string | undefined, file: string | undefined) {
    for (const active of faults) {
      const f = active.fault
      if (f.route !== route || active.remaining <= 0) continue
      if (f.symbol !== undefined && f.symbol !== symbol) continue
      if (f.file !== undefined && (file === undefined || !file.includes(f.file))) continue
      if (
        f.kind === 'checksum-mismatch' ||
        f.kind === 'corrupt-zip' ||
        f.kind === 'bad-csv-row' ||
        f.kind === 'coin-fields'
      ) {
        continue // content faults are applied where the file or the body is built
      }
      active.remaining -= 1
      return f
    }
    return undefined
  }

  /** A content fault for this archive file, if any (counted on zip requests only). */
  function contentFault(file: string, symbol: string, consume: boolean): SimFault | undefined {
    for (const active of faults) {
      const f = active.fault
      if (f.route !== 'archive-zip' && f.route !== 'archive-checksum') continue
      if (f.kind !== 'checksum-mismatch' && f.kind !== 'corrupt-zip' && f.kind !== 'bad-csv-row') {
        continue
      }
      if (active.remaining <= 0) continue
      if (f.symbol !== undefined && f.symbol !== symbol) continue
      if (f.file !== undefined && !file.includes(f.file)) continue
      if (consume) active.remaining -= 1
      return f
    }
    return undefined
  }

  function send(
    res: ServerResponse,
    status: number,
    body: string | Buffer,
    headers: Record<string, string> = {},
  ): void {
    const payload = typeof body === 'string' ? Buffer.from(body) : body
    res.writeHead(status, { 'content-length': String(payload.length), ...headers })
    res.end(payload)
  }

  const json = (value: unknown) => JSON.stringify(value)

  function binanceError(
    res: ServerResponse,
    status: number,
    code: number,
    msg: string,
    extra = {},
  ) {
    send(res, status, json({ code, msg }), {
      'content-type': 'application/json;charset=UTF-8',
      ...extra,
    })
  }

  /** CoinGecko's answer to a caller over its rate limit (the public API's own words). */
  function coingeckoRateLimited(res: ServerResponse): void {
    send(
      res,
      429,
      json({
        status: {
          error_code: 429,
          error_message:
            "You've exceeded the Rate Limit. Please visit https://www.coingecko.com/en/api/pricing to subscribe to our API plans for higher rate limits.",
        },
      }),
      { 'content-type': 'application/json' },
    )
  }

  /** Applies Binance's weight limiter; returns false when the request was answered 429/418. */
  function chargeWeight(res: ServerResponse, weight: number): boolean {
    const t = limiterNow()
    if (t < bannedUntil) {
      stats.banned418 += 1
      binanceError(
        res,
        418,
        -1003,
        `Way too much request weight used; IP banned until ${bannedUntil}. Please use WebSocket Streams for live updates to avoid bans.`,
        { 'retry-after': String(Math.ceil((bannedUntil - t) / 1000)) },
      )
      return false
    }
    if (t < backoffUntil) {
      // The client ignored a 429's Retry-After: Binance escalates to an IP ban.
      bannedUntil = t + banMs
      backoffUntil = 0
      stats.banned418 += 1
      binanceError(
        res,
        418,
        -1003,
        `Way too much request weight used; IP banned until ${bannedUntil}. Please use WebSocket Streams for live updates to avoid bans.`,
        { 'retry-after': String(Math.ceil(banMs / 1000)) },
      )
      return false
    }
    const start = Math.floor(t / windowMs) * windowMs
    if (start !== windowStart) {
      windowStart = start
      usedWeight = 0
    }
    usedWeight += weight
    stats.maxUsedWeight = Math.max(stats.maxUsedWeight, usedWeight)
    res.setHeader(weightHeader, String(usedWeight))
    if (usedWeight > weightLimit.limit) {
      const retryAfterSec =
        options.retryAfterSec ?? Math.max(1, Math.ceil((windowStart + windowMs - t) / 1000))
      backoffUntil = t + retryAfterSec * 1000
      stats.rateLimited429 += 1
      binanceError(
        res,
        429,
        -1003,
        `Too much request weight used; current limit is ${weightLimit.limit} request weight per ${weightLimit.intervalNum} ${weightLimit.interval}. Please use WebSocket Streams for live updates to avoid polling the API.`,
        { 'retry-after': String(retryAfterSec) },
      )
      return false
    }
    return true
  }

  /** Answers an injected fault; returns true when the request was consumed by it. */
  function applyFault(res: ServerResponse, fault: SimFault | undefined, route: SimRoute): boolean {
    if (fault === undefined) return false
    switch (fault.kind) {
      case '5xx':
        send(
          res,
          fault.status ?? 503,
          route === 'coins-markets'
            ? 'Service Unavailable'
            : '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>',
          { 'content-type': 'text/html' },
        )
        return true
      case 'drop':
        res.socket?.destroy()
        return true
      case '429':
        if (route === 'coins-markets') {
          coingeckoRateLimited(res)
        } else {
          binanceError(res, 429, -1003, 'Too much request weight used.', {
            'retry-after': String(fault.retryAfterSec ?? 1),
          })
        }
        return true
      case '418':
        binanceError(res, 418, -1003, 'Way too much request weight used; IP banned.', {
          'retry-after': String(fault.retryAfterSec ?? 2),
        })
        return true
      case '451':
        send(
          res,
          451,
          json({
            code: 0,
            msg: "Service unavailable from a restricted location according to 'b. Eligibility' in https://www.binance.com/en/terms. Please contact customer service if you believe you received this message in error.",
          }),
          { 'content-type': 'application/json' },
        )
        return true
      case 'invalid-symbol':
        binanceError(res, 400, -1121, 'Invalid symbol.')
        return true
      case 'slow':
      case 'coin-fields':
      case 'checksum-mismatch':
      case 'corrupt-zip':
      case 'bad-csv-row':
        return false
    }
  }

  function slowDelay(fault: SimFault | undefined): number {
    return fault?.kind === 'slow' ? (fault.delayMs ?? 2_000) : 0
  }

  // ---------------------------------------------------------------- Binance REST

  function klineArray(k: Kline): unknown[] {
    return [
      k.openTime,
      k.open,
      k.high,
      k.low,
      k.close,
      k.volume,
      k.closeTime,
      k.quoteVolume,
      k.trades,
      k.takerBuyBaseVolume,
      k.takerBuyQuoteVolume,
      '0',
    ]
  }

  function handleKlines(res: ServerResponse, query: URLSearchParams): void {
    const symbol = query.get('symbol')
    const interval = query.get('interval')
    if (symbol === null || symbol === '')
      return binanceError(
        res,
        400,
        -1102,
        "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.",
      )
    if (interval === null || interval === '')
      return binanceError(
        res,
        400,
        -1102,
        "Mandatory parameter 'interval' was not sent, was empty/null, or malformed.",
      )
    if (!market.hasSymbol(symbol)) return binanceError(res, 400, -1121, 'Invalid symbol.')
    if (!(interval in KLINE_INTERVALS)) return binanceError(res, 400, -1120, 'Invalid interval.')
    const limit = query.has('limit') ? Number(query.get('limit')) : 500
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      return binanceError(res, 400, -1130, "Data sent for parameter 'limit' is not valid.")
    }
    const t = now()
    const start = query.has('startTime') ? Number(query.get('startTime')) : undefined
    const end = query.has('endTime') ? Number(query.get('endTime')) : undefined
    if (
      (start !== undefined && !Number.isFinite(start)) ||
      (end !== undefined && !Number.isFinite(end))
    ) {
      return binanceError(
        res,
        400,
        -1100,
        "Illegal characters found in parameter 'startTime'; legal range is '^[0-9]{1,20}$'.",
      )
    }
    if (start !== undefined && end !== undefined && start > end) {
      return binanceError(res, 400, -1023, 'Start time is greater than end time.')
    }
    const iv = interval as KlineInterval
    const rows =
      start !== undefined
        ? market.klines(symbol, iv, start, end ?? Number.MAX_SAFE_INTEGER, t, limit)
        : market.latestKlines(symbol, iv, end ?? t, t, limit)
    send(res, 200, json(rows.map(klineArray)), { 'content-type': 'application/json;charset=UTF-8' })
  }

  function exchangeInfoBody(query: URLSearchParams): unknown {
    let list = pairs
    const one = query.get('symbol')
    const many = query.get('symbols')
    if (one !== null) list = pairs.filter((p) => p.symbol === one)
    if (many !== null) {
      const wanted = new Set(JSON.parse(many) as string[])
      list = pairs.filter((p) => wanted.has(p.symbol))
    }
    return {
      timezone: 'UTC',
      serverTime: now(),
      rateLimits: [
        {
          rateLimitType: 'REQUEST_WEIGHT',
          interval: weightLimit.interval,
          intervalNum: weightLimit.intervalNum,
          limit: weightLimit.limit,
        },
        { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
        { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
        { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
      ],
      exchangeFilters: [],
      symbols: list.map((p) => {
        const price = market.priceAt(p.symbol, now())
        const tick = price === null ? 1 : 10 ** Math.max(0, Math.floor(Math.log10(price)) - 6)
        return {
          symbol: p.symbol,
          status: p.status ?? 'TRADING',
          baseAsset: p.baseAsset,
          baseAssetPrecision: 8,
          quoteAsset: p.quoteAsset,
          quotePrecision: 8,
          quoteAssetPrecision: 8,
          baseCommissionPrecision: 8,
          quoteCommissionPrecision: 8,
          orderTypes: [
            'LIMIT',
            'LIMIT_MAKER',
            'MARKET',
            'STOP_LOSS',
            'STOP_LOSS_LIMIT',
            'TAKE_PROFIT',
            'TAKE_PROFIT_LIMIT',
          ],
          icebergAllowed: true,
          ocoAllowed: true,
          otoAllowed: true,
          quoteOrderQtyMarketAllowed: true,
          allowTrailingStop: true,
          cancelReplaceAllowed: true,
          isSpotTradingAllowed: true,
          isMarginTradingAllowed: false,
          filters: [
            {
              filterType: 'PRICE_FILTER',
              minPrice: formatUnits(tick),
              maxPrice: '1000000.00000000',
              tickSize: formatUnits(tick),
            },
            {
              filterType: 'LOT_SIZE',
              minQty: '0.00001000',
              maxQty: '9000.00000000',
              stepSize: '0.00001000',
            },
          ],
          permissions: [],
          permissionSets: [['SPOT']],
          defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
          allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
        }
      }),
    }
  }

  // ---------------------------------------------------------------- archive

  /** When a file becomes public (ms), or null if it never will be. */
  function publishedAt(kind: 'monthly' | 'daily', symbol: string, period: string): number | null {
    const bounds = periodBounds(period)
    if (bounds === null) return null
    if (kind === 'monthly') {
      if (lateMonthly[symbol]?.includes(period) === true) return null
      return bounds.end + monthlyDelayMs
    }
    return bounds.end
  }

  function isPublished(kind: 'monthly' | 'daily', symbol: string, period: string): boolean {
    if (!market.hasSymbol(symbol)) return false
    const at = publishedAt(kind, symbol, period)
    const bounds = periodBounds(period)
    if (at === null || bounds === null || now() < at) return false
    return !market.isEmptySpan(symbol, bounds.start, bounds.end)
  }

  /** The CSV of one archive period: Binance's 12 columns, µs timestamps from 2025 on. */
  function buildCsv(
    symbol: string,
    start: number,
    end: number,
    badLine: number | undefined,
  ): { csv: Buffer; rows: number } {
    const micro = start >= Date.UTC(2025, 0, 1)
    const parts: string[] = []
    let rows = 0
    for (
      let t = market.nextCandidate(symbol, start);
      t < end;
      t = market.nextCandidate(symbol, t + MINUTE)
    ) {
      const row = market.minute(symbol, t)
      if (row === null) continue
      rows += 1
      const open = micro ? `${t}000` : String(t)
      const close = micro ? `${t + MINUTE - 1}999` : String(t + MINUTE - 1)
      if (badLine === rows) {
        parts.push(
          `${open},${formatUnits(row.open)},not-a-number,${formatUnits(row.low)},${formatUnits(row.close)},${formatUnits(row.volume)},${close}\n`,
        )
        continue
      }
      parts.push(
        `${open},${formatUnits(row.open)},${formatUnits(row.high)},${formatUnits(row.low)},${formatUnits(row.close)},${formatUnits(row.volume)},${close},${formatUnits(row.quoteVolume)},${row.trades},${formatUnits(row.takerBase)},${formatUnits(row.takerQuote)},0\n`,
      )
    }
    return { csv: Buffer.from(parts.join('')), rows }
  }

  function archiveFile(
    symbol: string,
    name: string,
    period: string,
    variant: Variant,
    line: number | undefined,
  ): ArchiveFile {
    const key = `${name}#${variant}#${line ?? ''}`
    const hit = cache.get(key)
    if (hit !== undefined) {
      cache.delete(key)
      cache.set(key, hit)
      return hit
    }
    const bounds = periodBounds(period)
    if (bounds === null) throw new Error(`bad period ${period}`)
    const { csv, rows } = buildCsv(
      symbol,
      bounds.start,
      bounds.end,
      variant === 'bad-csv-row' ? (line ?? 100) : undefined,
    )
    let zip = zipSingleFile(name.replace(/\.zip$/, '.csv'), csv, new Date(bounds.end))
    if (variant === 'corrupt-zip') {
      zip = Buffer.from(zip)
      // Garble the deflate stream in the middle of the file (the CHECKSUM still matches these bytes).
      for (
        let i = Math.floor(zip.length / 3);
        i < Math.floor(zip.length / 3) + 64 && i < zip.length;
        i++
      ) {
        zip[i] = (zip[i] ?? 0) ^ 0x5a
      }
    }
    const file: ArchiveFile = { zip, sha256: createHash('sha256').update(zip).digest('hex'), rows }
    cache.set(key, file)
    while (cache.size > (options.archiveCacheSize ?? 48)) {
      const oldest = cache.keys().next().value
      if (oldest === undefined) break
      cache.delete(oldest)
    }
    return file
  }

  const ARCHIVE_PATH =
    /^\/data\/spot\/(monthly|daily)\/klines\/([A-Z0-9]+)\/1m\/(\2)-1m-(\d{4}-\d{2}(?:-\d{2})?)\.zip(\.CHECKSUM)?$/

  function notFound(res: ServerResponse, key: string): void {
    send(
      res,
      404,
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>${escapeXml(key)}</Key></Error>`,
      { 'content-type': 'application/xml' },
    )
  }

  async function handleArchive(res: ServerResponse, path: string, route: SimRoute): Promise<void> {
    const match = ARCHIVE_PATH.exec(path)
    const key = path.slice(1)
    if (match === null) return notFound(res, key)
    const kind = match[1] as 'monthly' | 'daily'
    const symbol = match[2] ?? ''
    const period = match[4] ?? ''
    const isMonthly = kind === 'monthly'
    if (isMonthly !== /^\d{4}-\d{2}$/.test(period)) return notFound(res, key)
    const fileName = `${symbol}-1m-${period}.zip`
    const fault = takeFault(route, symbol, fileName)
    await delay(slowDelay(fault))
    if (applyFault(res, fault, route)) return
    if (!isPublished(kind, symbol, period)) return notFound(res, key)
    const content = contentFault(fileName, symbol, route === 'archive-zip')
    const variant: Variant =
      content?.kind === 'corrupt-zip'
        ? 'corrupt-zip'
        : content?.kind === 'bad-csv-row'
          ? 'bad-csv-row'
          : 'ok'
    const file = archiveFile(symbol, fileName, period, variant, content?.line)
    const lastModified = new Date(publishedAt(kind, symbol, period) ?? 0).toUTCString()
    if (route === 'archive-zip') {
      send(res, 200, file.zip, {
        'content-type': 'application/zip',
        'last-modified': lastModified,
        etag: `"${file.sha256.slice(0, 32)}"`,
      })
      return
    }
    const sha =
      content?.kind === 'checksum-mismatch'
        ? createHash('sha256').update(`${fileName}:mismatch`).digest('hex')
        : file.sha256
    // Monthly CHECKSUM files end without a newline, like the real one in shared/realdata.
    const line = `${sha}  ${fileName}${isMonthly ? '' : '\n'}`
    send(res, 200, line, { 'content-type': 'binary/octet-stream', 'last-modified': lastModified })
  }

  /** Every published key under a prefix, sorted as S3 lists them. */
  function listingKeys(prefix: string): { keys: string[]; prefixes: string[] } {
    const m = /^data\/spot\/(monthly|daily)\/klines\/(?:([A-Z0-9]+)\/(?:1m\/)?)?$/.exec(prefix)
    if (m === null) return { keys: [], prefixes: [] }
    const kind = m[1] as 'monthly' | 'daily'
    const symbol = m[2]
    if (symbol === undefined) {
      return {
        keys: [],
        prefixes: market.symbols.map((s) => `data/spot/${kind}/klines/${s}/`).sort(),
      }
    }
    if (!market.hasSymbol(symbol)) return { keys: [], prefixes: [] }
    if (!prefix.endsWith('1m/'))
      return { keys: [], prefixes: [`data/spot/${kind}/klines/${symbol}/1m/`] }
    const spec = market.pair(symbol)
    if (spec === undefined) return { keys: [], prefixes: [] }
    const keys: string[] = []
    const t = now()
    for (let start = spec.listedAt; start < t;) {
      const { y, m: mo, d } = utcDate(start)
      const period = kind === 'monthly' ? `${y}-${pad2(mo)}` : `${y}-${pad2(mo)}-${pad2(d)}`
      const bounds = periodBounds(period)
      if (bounds === null) break
      if (isPublished(kind, symbol, period)) {
        const name = `${prefix}${symbol}-1m-${period}.zip`
        keys.push(name, `${name}.CHECKSUM`)
      }
      start = bounds.end
    }
    return { keys: keys.sort(), prefixes: [] }
  }

  function handleListing(res: ServerResponse, query: URLSearchParams): void {
    const prefix = query.get('prefix') ?? ''
    const delimiter = query.get('delimiter')
    const marker = query.get('marker') ?? ''
    const maxKeys = Math.min(
      listingPageSize,
      Number(query.get('max-keys') ?? listingPageSize) || listingPageSize,
    )
    const { keys, prefixes } = listingKeys(prefix)
    const entries = [
      ...keys.map((k) => ({ k, isPrefix: false })),
      ...prefixes.map((k) => ({ k, isPrefix: true })),
    ]
      .filter((e) => e.k > marker)
      .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    const page = entries.slice(0, maxKeys)
    const truncated = entries.length > page.length
    const xml: string[] = [
      '<?xml version="1.0" encoding="UTF-8"?>\n',
      `<ListBucketResult xmlns="${S3_NS}"><Name>data.binance.vision</Name><Prefix>${escapeXml(prefix)}</Prefix><Marker>${escapeXml(marker)}</Marker>`,
    ]
    if (truncated && delimiter !== null) {
      xml.push(`<NextMarker>${escapeXml(page[page.length - 1]?.k ?? '')}</NextMarker>`)
    }
    xml.push(`<MaxKeys>${maxKeys}</MaxKeys>`)
    if (delimiter !== null) xml.push(`<Delimiter>${escapeXml(delimiter)}</Delimiter>`)
    xml.push(`<IsTruncated>${truncated}</IsTruncated>`)
    for (const e of page) {
      if (e.isPrefix) {
        xml.push(`<CommonPrefixes><Prefix>${escapeXml(e.k)}</Prefix></CommonPrefixes>`)
        continue
      }
      const isChecksum = e.k.endsWith('.CHECKSUM')
      const periodMatch = /-1m-(\d{4}-\d{2}(?:-\d{2})?)\.zip/.exec(e.k)
      const period = periodMatch?.[1] ?? ''
      const kind = e.k.includes('/monthly/') ? 'monthly' : 'daily'
      const symbol = /klines\/([A-Z0-9]+)\//.exec(e.k)?.[1] ?? ''
      const modified = new Date(publishedAt(kind, symbol, period) ?? 0).toISOString()
      const etag = createHash('md5').update(e.k).digest('hex')
      // Sizes are those of the cached file when it was built already, else an estimate (documented).
      const cached = cache.get(`${e.k.split('/').pop()?.replace('.CHECKSUM', '')}#ok#`)
      const size = isChecksum
        ? 92
        : (cached?.zip.length ?? (kind === 'monthly' ? 1_900_000 : 63_000))
      xml.push(
        `<Contents><Key>${escapeXml(e.k)}</Key><LastModified>${modified}</LastModified><ETag>&quot;${etag}&quot;</ETag><Size>${size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
      )
    }
    xml.push('</ListBucketResult>')
    send(res, 200, xml.join(''), { 'content-type': 'application/xml' })
  }

  // ---------------------------------------------------------------- CoinGecko

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
    send(res, 200, withCoinFaults(body), { 'content-type': 'application/json; charset=utf-8' })
  }

  /** The /coins/markets body as JSON, with the 'coin-fields' faults applied to their coins. */
  function withCoinFaults(body: Record<string, unknown>[]): string {
    const raw: string[] = []
    for (const active of faults) {
      const f = active.fault
      if (f.kind !== 'coin-fields' || active.remaining <= 0) continue
      const coin = body.find((c) => c.id === f.coin)
      if (coin === undefined) continue
      active.remaining -= 1
      Object.assign(coin, f.fields ?? {})
      for (const [key, text] of Object.entries(f.rawFields ?? {})) {
        coin[key] = `@@raw${raw.length}@@`
        raw.push(text)
      }
    }
    return json(body).replace(/"@@raw(\d+)@@"/g, (_, i: string) => raw[Number(i)] ?? 'null')
  }

  // ---------------------------------------------------------------- dispatch

  function routeOf(path: string): SimRoute | 'other' {
    if (path === '/api/v3/klines') return 'klines'
    if (path === '/api/v3/exchangeInfo') return 'exchangeInfo'
    if (path.startsWith('/data/'))
      return path.endsWith('.CHECKSUM') ? 'archive-checksum' : 'archive-zip'
    if (path === '/s3' || path === '/s3/') return 'listing'
    if (path === '/coingecko/api/v3/coins/markets') return 'coins-markets'
    return 'other'
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const route = routeOf(url.pathname)
    stats.requests[route] += 1
    const headers: Record<string, string> = {}
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === 'string') headers[k] = v
    }
    requestLog.push({ route, path: url.pathname, headers })
    if (requestLog.length > 1000) requestLog.shift()
    if (route === 'other') {
      send(res, 404, json({ code: -1, msg: 'Not found' }), { 'content-type': 'application/json' })
      return
    }
    const query = url.searchParams
    if (route === 'archive-zip' || route === 'archive-checksum')
      return handleArchive(res, url.pathname, route)
    const fault = takeFault(route, query.get('symbol') ?? undefined, undefined)
    await delay(slowDelay(fault))
    if (route === 'klines' || route === 'exchangeInfo') {
      if (applyFault(res, fault, route)) return
      if (!chargeWeight(res, WEIGHTS[route] ?? 1)) return
      if (route === 'klines') return handleKlines(res, query)
      send(res, 200, json(exchangeInfoBody(query)), {
        'content-type': 'application/json;charset=UTF-8',
      })
      return
    }
    if (applyFault(res, fault, route)) return
    if (route === 'listing') return handleListing(res, query)
    return handleCoinsMarkets(res, query)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, json({ code: -1000, msg: String(error) }))
      else res.destroy()
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const url = `http://127.0.0.1:${port}`

  return {
    url,
    urls: {
      binanceApiUrl: url,
      binanceDataUrl: url,
      binanceListingUrl: `${url}/s3`,
      coingeckoApiUrl: `${url}/coingecko/api/v3`,
    },
    candles(symbol, startMs, endMs, candleOptions) {
      const t = now()
      const rows = market.klines(symbol, '1m', startMs, endMs, t, Number.MAX_SAFE_INTEGER)
      if (candleOptions?.includeOpen === true) return rows
      return rows.filter((k) => k.closeTime < t)
    },
    addFault(fault) {
      faults.push({ fault, remaining: fault.times ?? Number.POSITIVE_INFINITY })
    },
    clearFaults() {
      faults.length = 0
    },
    get stats(): SimulatorStats {
      return { ...stats, requests: { ...stats.requests } }
    },
    requestLog,
    resetStats() {
      for (const k of Object.keys(stats.requests) as (SimRoute | 'other')[]) stats.requests[k] = 0
      stats.rateLimited429 = 0
      stats.banned418 = 0
      stats.maxUsedWeight = 0
      requestLog.length = 0
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function delay(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms))
}
