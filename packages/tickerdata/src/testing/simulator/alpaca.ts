import type { IncomingMessage, ServerResponse } from 'node:http'
import { XNYS } from '../../calendar/calendar.js'
import { addDays } from '../../calendar/zone.js'
import { CalendarRangeError } from '../../errors.js'
import type { SimStockSpec } from '../simulator-types.js'
import { MINUTE, type SimContext } from './context.js'
import { json, send } from './http.js'
import { centsToNumber, type StockMarket } from './stocks.js'

/** Alpaca's JSON bar, keys in Alpaca's order. */
export interface AlpacaBarJson {
  t: string
  o: number
  h: number
  l: number
  c: number
  v: number
  n: number
  vw: number
}

const ALPACA_EXCHANGE = { XNAS: 'NASDAQ', XNYS: 'NYSE', XSHG: 'SSE' } as const
const PAGE_MAX = 10_000
const SIP_DELAY = 15 * MINUTE

function alpacaError(res: ServerResponse, status: number, message: string, extra = {}): void {
  send(res, status, json({ message }), {
    'content-type': 'application/json; charset=UTF-8',
    ...extra,
  })
}

/** The RFC 3339 form Alpaca puts in page tokens (nanoseconds). */
const nanoIso = (t: number) => new Date(t).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z')

/** Alpaca's bar of one minute on a feed, or null when the minute has no trades. */
export function alpacaBar(
  stocks: StockMarket,
  spec: SimStockSpec,
  t: number,
  regular: boolean,
  feed: 'sip' | 'iex',
): AlpacaBarJson | null {
  const m = stocks.minute(spec, t, !regular)
  if (m === null) return null
  const share = feed === 'iex' ? 0.03 : 1
  const v = Math.max(1, Math.round(m.volume * share))
  const n = Math.max(1, Math.round(m.trades * share))
  const vwCents = (m.open + m.close + m.high + m.low) / 4
  return {
    t: new Date(t).toISOString().replace('.000Z', 'Z'),
    o: centsToNumber(m.open),
    h: centsToNumber(m.high),
    l: centsToNumber(m.low),
    c: centsToNumber(m.close),
    v,
    n,
    vw: Math.round(vwCents * 100) / 10_000,
  }
}

/**
 * Alpaca Market Data v2 (bars, multi-symbol bars) and the trading API's calendar and assets: key
 * headers required, 200 requests a minute, the free plan's 403 for recent SIP data, bars for
 * 04:00–20:00 New York on NYSE days with no-trade minutes omitted.
 */
export function createAlpaca(ctx: SimContext, stocks: StockMarket) {
  const { options, now } = ctx
  const perMinute = options.alpacaRequestsPerMinute ?? 200
  const clock = options.limiterClock ?? (() => Date.now())
  let windowStart = 0
  let used = 0

  /** Auth and the rate limit; false when the request was answered. */
  function admit(req: IncomingMessage, res: ServerResponse): boolean {
    const id = req.headers['apca-api-key-id']
    const secret = req.headers['apca-api-secret-key']
    if (typeof id !== 'string' || id === '' || typeof secret !== 'string' || secret === '') {
      alpacaError(res, 401, 'unauthorized.')
      return false
    }
    const keys = options.alpacaKeys
    if (keys !== undefined && (keys.keyId !== id || keys.secretKey !== secret)) {
      alpacaError(res, 403, 'forbidden.')
      return false
    }
    const t = clock()
    const start = Math.floor(t / MINUTE) * MINUTE
    if (start !== windowStart) {
      windowStart = start
      used = 0
    }
    used += 1
    const headers = {
      'x-ratelimit-limit': String(perMinute),
      'x-ratelimit-remaining': String(Math.max(0, perMinute - used)),
      'x-ratelimit-reset': String(Math.ceil((windowStart + MINUTE) / 1000)),
    }
    if (used > perMinute) {
      ctx.stats.rateLimited429 += 1
      alpacaError(res, 429, 'too many requests.', headers)
      return false
    }
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v)
    return true
  }

  function parseTime(value: string | null): number | undefined {
    if (value === null || value === '') return undefined
    const t = /^\d{4}-\d{2}-\d{2}$/.test(value)
      ? Date.parse(`${value}T00:00:00Z`)
      : Date.parse(value)
    return Number.isNaN(t) ? Number.NaN : t
  }

  /** Bars of several symbols (sorted by symbol, then time) after the page token, up to the limit. */
  function bars(
    res: ServerResponse,
    query: URLSearchParams,
    symbols: string[],
    multi: boolean,
  ): void {
    const timeframe = query.get('timeframe')
    if (timeframe !== '1Min' && timeframe !== '1T') {
      alpacaError(res, 422, `invalid timeframe: ${timeframe ?? ''}`)
      return
    }
    const feed = query.get('feed') ?? 'sip'
    if (feed !== 'sip' && feed !== 'iex') {
      alpacaError(res, 422, `invalid feed: ${feed}`)
      return
    }
    const adjustment = query.get('adjustment') ?? 'raw'
    if (!['raw', 'split', 'dividend', 'all'].includes(adjustment)) {
      alpacaError(res, 422, `invalid adjustment: ${adjustment}`)
      return
    }
    const limit = Number(query.get('limit') ?? 1000)
    if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_MAX) {
      alpacaError(res, 422, `invalid limit: ${query.get('limit') ?? ''}`)
      return
    }
    const t = now()
    const start = parseTime(query.get('start')) ?? Math.floor(t / 86_400_000) * 86_400_000
    const freeSip = feed === 'sip' && (options.alpacaPlan ?? 'free') === 'free'
    const end = parseTime(query.get('end')) ?? (freeSip ? t - SIP_DELAY : t)
    if (Number.isNaN(start) || Number.isNaN(end)) {
      alpacaError(res, 422, 'invalid start or end')
      return
    }
    if (freeSip && end > t - SIP_DELAY) {
      alpacaError(res, 403, 'subscription does not permit querying recent SIP data')
      return
    }
    let after: { symbol: string; t: number } | undefined
    const token = query.get('page_token')
    if (token !== null && token !== '') {
      const [symbol = '', , time = ''] = Buffer.from(token, 'base64').toString('utf8').split('|')
      after = { symbol, t: Date.parse(time) }
      if (Number.isNaN(after.t)) {
        alpacaError(res, 422, 'invalid page token')
        return
      }
    }
    const out: Record<string, AlpacaBarJson[]> = {}
    let count = 0
    let last: { symbol: string; t: number } | undefined
    let more = false
    outer: for (const symbol of [...symbols].sort()) {
      if (after !== undefined && symbol < after.symbol) continue
      const spec = stocks.stock(symbol)
      if (spec === undefined || spec.market !== 'us') continue
      const from =
        after !== undefined && symbol === after.symbol ? Math.max(start, after.t + MINUTE) : start
      // closed bars only: a bar exists once its minute has ended
      for (const m of stocks.usMinutes(from, Math.min(end, t - MINUTE))) {
        const bar = alpacaBar(stocks, spec, m.t, m.regular, feed)
        if (bar === null) continue
        if (count === limit) {
          more = true
          break outer
        }
        ;(out[symbol] ??= []).push(bar)
        count += 1
        last = { symbol, t: m.t }
      }
    }
    const next =
      more && last !== undefined
        ? Buffer.from(`${last.symbol}|M|${nanoIso(last.t)}`).toString('base64')
        : null
    const body = multi
      ? { bars: out, next_page_token: next }
      : { bars: out[symbols[0] ?? ''] ?? null, symbol: symbols[0] ?? '', next_page_token: next }
    send(res, 200, json(body), { 'content-type': 'application/json; charset=UTF-8' })
  }

  function calendar(res: ServerResponse, query: URLSearchParams): void {
    const start = query.get('start') ?? ''
    const end = query.get('end') ?? start
    if (!/^\d{4}-\d{2}-\d{2}$/.test(start) || !/^\d{4}-\d{2}-\d{2}$/.test(end)) {
      alpacaError(res, 422, 'start and end must be YYYY-MM-DD')
      return
    }
    const rows: Record<string, string>[] = []
    try {
      for (let d = start; d <= end; d = addDays(d, 1)) {
        const s = XNYS.session(d)
        if (s === null) continue
        rows.push({
          date: d,
          open: '09:30',
          close: s.earlyClose ? '13:00' : '16:00',
          session_open: '0400',
          session_close: s.earlyClose ? '1700' : '2000',
        })
      }
    } catch (error) {
      if (!(error instanceof CalendarRangeError)) throw error
      alpacaError(res, 422, error.message)
      return
    }
    send(res, 200, json(rows), { 'content-type': 'application/json; charset=UTF-8' })
  }

  function asset(res: ServerResponse, symbol: string): void {
    const spec = stocks.stock(symbol)
    if (spec === undefined || spec.market !== 'us') {
      send(res, 404, json({ code: 40410000, message: `asset not found for ${symbol}` }), {
        'content-type': 'application/json; charset=UTF-8',
      })
      return
    }
    send(
      res,
      200,
      json({
        id: `00000000-0000-4000-8000-${String(stocks.stocks.indexOf(spec)).padStart(12, '0')}`,
        class: 'us_equity',
        exchange: ALPACA_EXCHANGE[spec.exchange],
        symbol: spec.symbol,
        name: spec.name,
        status: 'active',
        tradable: true,
        marginable: true,
        maintenance_margin_requirement: 30,
        shortable: true,
        easy_to_borrow: true,
        fractionable: true,
        attributes: [],
      }),
      { 'content-type': 'application/json; charset=UTF-8' },
    )
  }

  return {
    handle(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): void {
      if (!admit(req, res)) return
      if (path === '/v2/stocks/bars') {
        const symbols = (query.get('symbols') ?? '').split(',').filter((s) => s !== '')
        if (symbols.length === 0) {
          alpacaError(res, 422, 'missing symbols')
          return
        }
        bars(res, query, symbols, true)
        return
      }
      if (path === '/v2/calendar') return calendar(res, query)
      const single = /^\/v2\/stocks\/([^/]+)\/bars$/.exec(path)
      if (single !== null) return bars(res, query, [decodeURIComponent(single[1] ?? '')], false)
      const a = /^\/v2\/assets\/([^/]+)$/.exec(path)
      asset(res, decodeURIComponent(a?.[1] ?? ''))
    },
  }
}
