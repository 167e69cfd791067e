import { XNYS, XSHG, type Session } from '../../calendar/calendar.js'
import { addDays, zonedDate, zonedToUtc } from '../../calendar/zone.js'
import { CalendarRangeError } from '../../errors.js'
import { hash01, stringKey } from '../market.js'
import type { SimHalt, SimStockSpec } from '../simulator-types.js'
import { MINUTE } from './context.js'

/** One simulated minute of a stock, prices in cents (integers), volume in shares. */
export interface StockMinute {
  readonly openTime: number
  readonly open: number
  readonly high: number
  readonly low: number
  readonly close: number
  readonly volume: number
  readonly trades: number
}

export interface StockMarket {
  readonly stocks: readonly SimStockSpec[]
  stock(symbol: string): SimStockSpec | undefined
  /** The minute's bar, or null when nothing traded (omitted by Alpaca) or the stock is halted. */
  minute(spec: SimStockSpec, openTime: number, extended: boolean): StockMinute | null
  /** Price in cents at a minute (also for minutes without a bar). */
  priceAt(spec: SimStockSpec, t: number): number
  halted(spec: SimStockSpec, t: number): boolean
  /** US minutes Alpaca has bars for in [from, to]: 04:00–20:00 New York on NYSE days, oldest first. */
  usMinutes(from: number, to: number): Generator<{ t: number; regular: boolean }, void, undefined>
  /** The SSE sessions whose opening auction is at or before `now`, newest last, at most `n`. */
  lastCnSessions(now: number, n: number): Session[]
}

function sessionOf(calendar: typeof XNYS, date: string): Session | null {
  try {
    return calendar.session(date)
  } catch (error) {
    if (error instanceof CalendarRangeError) return null
    throw error
  }
}

/**
 * Deterministic stock prices: a pure function of (seed, symbol, minute), like the crypto market.
 * About 1 % of regular US minutes and 60 % of extended-hours minutes have no trades (no bar).
 */
export function createStockMarket(options: {
  seed: number
  stocks: readonly SimStockSpec[]
  halts: readonly SimHalt[]
}): StockMarket {
  const { seed, stocks, halts } = options
  const bySymbol = new Map(stocks.map((s) => [s.symbol, s]))
  const keys = new Map(stocks.map((s) => [s.symbol, stringKey(s.symbol)]))
  const key = (spec: SimStockSpec) => keys.get(spec.symbol) ?? stringKey(spec.symbol)

  function priceAt(spec: SimStockSpec, t: number): number {
    const m = Math.floor(t / MINUTE)
    const k = key(spec)
    const phase = (k % 1000) / 159
    const wave = 0.04 * Math.sin(m / 2900 + phase) + 0.01 * Math.sin(m / 47 + phase * 3)
    const noise = 0.002 * (hash01(seed, k, m, 7) - 0.5)
    return Math.max(1, Math.round(spec.basePrice * 100 * (1 + wave + noise)))
  }

  function halted(spec: SimStockSpec, t: number): boolean {
    return halts.some(
      (h) => (h.symbol === spec.symbol || h.symbol === '*') && t >= h.start && t < h.end,
    )
  }

  return {
    stocks,
    stock: (symbol) => bySymbol.get(symbol),
    priceAt,
    halted,
    minute(spec, openTime, extended) {
      if (halted(spec, openTime)) return null
      const k = key(spec)
      const m = Math.floor(openTime / MINUTE)
      if (spec.market === 'us' && hash01(seed, k, m, 1) < (extended ? 0.6 : 0.01)) return null
      const open = priceAt(spec, openTime)
      const close = priceAt(spec, openTime + MINUTE)
      const spread = Math.max(1, Math.round(open * 0.0005 * hash01(seed, k, m, 2)))
      const volume = Math.round((extended ? 50 : 200) + 20_000 * hash01(seed, k, m, 3))
      return {
        openTime,
        open,
        close,
        high: Math.max(open, close) + spread,
        low: Math.max(1, Math.min(open, close) - spread),
        volume: spec.market === 'cn' ? Math.round(volume / 100) * 100 : volume,
        trades: Math.max(1, Math.round(volume / 40)),
      }
    },
    *usMinutes(from, to) {
      const last = zonedDate('America/New_York', to)
      for (let d = zonedDate('America/New_York', from); d <= last; d = addDays(d, 1)) {
        const s = sessionOf(XNYS, d)
        if (s === null) continue
        const extOpen = zonedToUtc('America/New_York', d, 4 * 60)
        const extClose = zonedToUtc('America/New_York', d, s.earlyClose ? 17 * 60 : 20 * 60)
        const first = Math.max(extOpen, Math.ceil(from / MINUTE) * MINUTE)
        for (let t = first; t < extClose && t <= to; t += MINUTE) {
          yield { t, regular: t >= s.open && t < s.close }
        }
      }
    },
    lastCnSessions(now, n) {
      const out: Session[] = []
      let d = zonedDate('Asia/Shanghai', now)
      for (let i = 0; i < 40 && out.length < n; i++, d = addDays(d, -1)) {
        const s = sessionOf(XSHG, d)
        if (s !== null && (s.auctionBar ?? s.open) + MINUTE <= now) out.unshift(s)
      }
      return out
    },
  }
}

/** Cents → Alpaca's JSON number (174.5, 241.66). */
export const centsToNumber = (cents: number): number => cents / 100
/** Cents → Eastmoney's two-decimal text ("1291.00"). */
export const centsToText = (cents: number): string =>
  `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`
