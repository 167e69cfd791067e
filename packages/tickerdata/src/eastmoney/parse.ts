import { zonedToUtc } from '../calendar/zone.js'
import { ResponseValidationError } from '../errors.js'
import { MINUTE_MS, timesHundred, type StockKline } from '../stock-kline.js'

const ROW = /^(\d{4}-\d{2}-\d{2}) (\d{2}):(\d{2})$/
const DECIMAL = /^\d+(\.\d+)?$/

/**
 * One `data.trends` row `"YYYY-MM-DD HH:MM,open,close,high,low,volume,amount,avg"` → StockKline.
 * The label is the END of the minute in Asia/Shanghai time: openTime = label − 1 minute, in UTC,
 * so the 09:30 row (the opening call auction) is the bar of 09:29. Volume is lots × 100 (shares),
 * amount the traded value in CNY, an open of `0` (older days) null.
 */
export function parseTrendRow(row: unknown, url: string, index: number): StockKline {
  if (typeof row !== 'string')
    throw new ResponseValidationError(url, `trend ${index} is not a string`)
  const cells = row.split(',')
  const [label = '', open = '', close = '', high = '', low = '', lots = '', amount = '', avg] =
    cells
  const m = ROW.exec(label)
  if (m === null || cells.length < 7) {
    throw new ResponseValidationError(
      url,
      `trend ${index} is not "YYYY-MM-DD HH:MM,open,close,high,low,volume,amount,avg"`,
    )
  }
  for (const [what, v] of [
    ['open', open],
    ['close', close],
    ['high', high],
    ['low', low],
    ['volume', lots],
    ['amount', amount],
  ] as const) {
    if (!DECIMAL.test(v))
      throw new ResponseValidationError(url, `trend ${index}: ${what} "${v}" is not a decimal`)
  }
  const end = zonedToUtc('Asia/Shanghai', m[1] ?? '', Number(m[2]) * 60 + Number(m[3]))
  const openTime = end - MINUTE_MS
  return {
    openTime,
    open: Number(open) === 0 ? null : open,
    high,
    low,
    close,
    volume: timesHundred(lots),
    closeTime: openTime + MINUTE_MS - 1,
    quoteVolume: amount,
    trades: null,
    takerBuyBaseVolume: null,
    takerBuyQuoteVolume: null,
    vwap: avg !== undefined && DECIMAL.test(avg) ? avg : null,
  }
}

/** One `clist/get` entry (fields f2 price, f12 code, f14 name, f20 total and f21 float market cap). */
export interface CnStock {
  /** Six-digit code, e.g. "600519". */
  readonly code: string
  /** `<code>.SH` */
  readonly symbol: string
  readonly name: string
  /** Total market cap in CNY; null when Eastmoney writes "-" (suspended). */
  readonly marketCap: number | null
  readonly floatMarketCap: number | null
  /** Last price as text; null for "-". */
  readonly price: string | null
  /** 1-based rank by total market cap in Eastmoney's order. */
  readonly rank: number
}

const numOrNull = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null)

export function parseClistEntry(raw: unknown, url: string, rank: number): CnStock {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>
  const code = r.f12
  if (typeof code !== 'string' || !/^\d{6}$/.test(code)) {
    throw new ResponseValidationError(url, `entry ${rank}: f12 is not a six-digit code`)
  }
  return {
    code,
    symbol: `${code}.SH`,
    name: typeof r.f14 === 'string' ? r.f14 : '',
    marketCap: numOrNull(r.f20),
    floatMarketCap: numOrNull(r.f21),
    price: typeof r.f2 === 'number' && Number.isFinite(r.f2) ? String(r.f2) : null,
    rank,
  }
}
