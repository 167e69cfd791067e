import { ResponseValidationError } from '../errors.js'
import { MINUTE_MS, decimalText, type StockKline } from '../stock-kline.js'

/** A row of Alpaca's /v2/calendar: a trading day, times as America/New_York wall time. */
export interface AlpacaCalendarDay {
  readonly date: string
  /** "09:30" */
  readonly open: string
  /** "16:00", "13:00" on early-close days */
  readonly close: string
  /** Extended hours, "0400" and "2000" as Alpaca writes them. */
  readonly sessionOpen: string | null
  readonly sessionClose: string | null
}

export interface AlpacaAsset {
  readonly symbol: string
  readonly name: string
  /** Alpaca's own exchange name (NASDAQ, NYSE, ARCA, AMEX, BATS, OTC …). */
  readonly alpacaExchange: string
  /** The ISO 10383 MIC: XNAS, XNYS, ARCX, XASE, BATS; null for others (OTC). */
  readonly exchange: string | null
  readonly status: string
  readonly tradable: boolean
  readonly assetClass: string
}

const MICS: Readonly<Record<string, string>> = {
  NASDAQ: 'XNAS',
  NYSE: 'XNYS',
  ARCA: 'ARCX',
  NYSEARCA: 'ARCX',
  AMEX: 'XASE',
  BATS: 'BATS',
}

const RFC3339_MINUTE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00(\.0+)?Z$/

function num(value: unknown, url: string, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ResponseValidationError(url, `${what} is not a non-negative number`)
  }
  return value
}

/** One Alpaca bar `{t,o,h,l,c,v,n,vw}` → StockKline (open time = `t`, the start of the minute). */
export function parseAlpacaBar(raw: unknown, url: string, index: number): StockKline {
  if (typeof raw !== 'object' || raw === null) {
    throw new ResponseValidationError(url, `bar ${index} is not an object`)
  }
  const b = raw as Record<string, unknown>
  if (typeof b.t !== 'string' || !RFC3339_MINUTE.test(b.t)) {
    throw new ResponseValidationError(url, `bar ${index}: t is not an RFC 3339 UTC minute`)
  }
  const openTime = Date.parse(b.t)
  const at = `bar ${index}`
  const trades = b.n === undefined ? null : num(b.n, url, `${at}: n`)
  return {
    openTime,
    open: decimalText(num(b.o, url, `${at}: o`)),
    high: decimalText(num(b.h, url, `${at}: h`)),
    low: decimalText(num(b.l, url, `${at}: l`)),
    close: decimalText(num(b.c, url, `${at}: c`)),
    volume: decimalText(num(b.v, url, `${at}: v`)),
    closeTime: openTime + MINUTE_MS - 1,
    quoteVolume: null,
    trades,
    takerBuyBaseVolume: null,
    takerBuyQuoteVolume: null,
    vwap: b.vw === undefined ? null : decimalText(num(b.vw, url, `${at}: vw`)),
  }
}

export function parseCalendarDay(raw: unknown, url: string, index: number): AlpacaCalendarDay {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>
  const text = (v: unknown) => (typeof v === 'string' ? v : null)
  const date = text(r.date)
  const open = text(r.open)
  const close = text(r.close)
  if (date === null || !/^\d{4}-\d{2}-\d{2}$/.test(date) || open === null || close === null) {
    throw new ResponseValidationError(url, `calendar row ${index} lacks date, open or close`)
  }
  return {
    date,
    open,
    close,
    sessionOpen: text(r.session_open),
    sessionClose: text(r.session_close),
  }
}

export function parseAsset(raw: unknown, url: string): AlpacaAsset {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>
  if (typeof r.symbol !== 'string' || typeof r.exchange !== 'string') {
    throw new ResponseValidationError(url, 'an asset needs symbol and exchange')
  }
  return {
    symbol: r.symbol,
    name: typeof r.name === 'string' ? r.name : '',
    alpacaExchange: r.exchange,
    exchange: MICS[r.exchange] ?? null,
    status: typeof r.status === 'string' ? r.status : '',
    tradable: r.tradable === true,
    assetClass: typeof r.class === 'string' ? r.class : '',
  }
}
