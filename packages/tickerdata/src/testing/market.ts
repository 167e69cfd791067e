import type { Kline, KlineInterval } from '../binance/kline.js'
import { KLINE_INTERVALS } from '../binance/kline.js'
import type { SimGap, SimPairSpec } from './simulator-types.js'

/**
 * The simulated market: a pure function of (seed, symbol, minute). No state accumulates, so a
 * candle is identical whichever source serves it (REST, monthly zip, daily zip) and whatever range
 * was asked for. Prices and volumes are integers in units of 1e-8 (Binance's 8 decimals), so
 * aggregation to higher intervals is exact.
 */

const MINUTE = 60_000
const DAY = 86_400_000
const UNITS = 100_000_000 // 1e8 units per 1.0

/** One 1-minute candle in integer units of 1e-8. */
export interface MinuteRow {
  readonly openTime: number
  readonly open: number
  readonly high: number
  readonly low: number
  readonly close: number
  readonly volume: number
  readonly quoteVolume: number
  readonly trades: number
  readonly takerBase: number
  readonly takerQuote: number
}

interface PairState {
  readonly spec: SimPairSpec
  readonly key: number
  readonly base: number
  readonly tickUnits: number
  readonly phases: readonly [number, number, number]
  readonly gaps: readonly SimGap[]
}

/** A 32-bit integer hash of several integers (murmur3-style finaliser), as a float in [0, 1). */
export function hash01(a: number, b: number, c: number, d: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13) ^ b, 0xc2b2ae35)
  h = Math.imul(h ^ (h >>> 16) ^ c, 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13) ^ d, 0xc2b2ae35)
  h ^= h >>> 16
  return (h >>> 0) / 4294967296
}

export function stringKey(value: string): number {
  let h = 2166136261
  for (let i = 0; i < value.length; i++) {
    h = Math.imul(h ^ value.charCodeAt(i), 16777619)
  }
  return h >>> 0
}

/** Formats an integer amount of 1e-8 units as Binance does: always 8 decimals. */
export function formatUnits(units: number | bigint): string {
  const digits = units.toString().padStart(9, '0')
  return `${digits.slice(0, -8)}.${digits.slice(-8)}`
}

export interface Market {
  readonly symbols: readonly string[]
  hasSymbol(symbol: string): boolean
  pair(symbol: string): SimPairSpec | undefined
  /** The 1-minute candle opening at `openTime` (ms, minute-aligned), or null where none exists. */
  minute(symbol: string, openTime: number): MinuteRow | null
  /** True when no minute of [start, end) can exist (before listing, after delisting, inside one gap). */
  isEmptySpan(symbol: string, start: number, end: number): boolean
  /** The next minute ≥ t that is not excluded by listing or a gap (cheap skip over empty spans). */
  nextCandidate(symbol: string, t: number): number
  /** Candles of `interval` whose open time is in [start, end], oldest first; the candle containing `now` is partial. */
  klines(
    symbol: string,
    interval: KlineInterval,
    start: number,
    end: number,
    now: number,
    limit: number,
  ): Kline[]
  /** The newest `limit` candles with open time ≤ end. */
  latestKlines(
    symbol: string,
    interval: KlineInterval,
    end: number,
    now: number,
    limit: number,
  ): Kline[]
  /** The current price in units (the close of the minute containing `now`, or the last one before). */
  priceAt(symbol: string, now: number): number | null
}

export function createMarket(options: {
  readonly seed: number
  readonly pairs: readonly SimPairSpec[]
  readonly gaps: readonly SimGap[]
}): Market {
  const pairs = new Map<string, PairState>()
  for (const spec of options.pairs) {
    const key = stringKey(spec.symbol) ^ Math.imul(options.seed, 0x27d4eb2d)
    const base = spec.basePrice ?? 1 + 1000 * hash01(key, 1, 2, 3)
    const magnitude = Math.floor(Math.log10(base * UNITS))
    const tickUnits = 10 ** Math.max(0, magnitude - 6)
    pairs.set(spec.symbol, {
      spec,
      key,
      base,
      tickUnits,
      phases: [
        hash01(key, 7, 0, 0) * 2 * Math.PI,
        hash01(key, 8, 0, 0) * 2 * Math.PI,
        hash01(key, 9, 0, 0) * 2 * Math.PI,
      ],
      gaps: options.gaps.filter((g) => g.symbol === spec.symbol || g.symbol === '*'),
    })
  }

  function exists(p: PairState, t: number): boolean {
    if (t < p.spec.listedAt) return false
    if (p.spec.delistedAt !== undefined && t > p.spec.delistedAt) return false
    for (const g of p.gaps) {
      if (t >= g.start && t < g.end) return false
    }
    return true
  }

  /** Trading-free minutes: zero trades and volume, every price equal to the previous close. */
  function isQuiet(p: PairState, m: number): boolean {
    return hash01(p.key, m, 5, 0) < 0.01
  }

  function rawClose(p: PairState, m: number): number {
    const [a, b, c] = p.phases
    const x =
      0.15 * Math.sin((2 * Math.PI * m) / (1440 * 37) + a) +
      0.05 * Math.sin((2 * Math.PI * m) / (1440 * 3.3) + b) +
      0.01 * Math.sin((2 * Math.PI * m) / (60 * 7.1) + c) +
      0.004 * (hash01(p.key, m, 1, 0) - 0.5)
    const price = p.base * Math.exp(x)
    return Math.max(1, Math.round((price * UNITS) / p.tickUnits)) * p.tickUnits
  }

  function closeOf(p: PairState, m: number): number {
    let k = m
    // A quiet minute repeats the previous close; runs of them are short (1% each).
    while (isQuiet(p, k)) k -= 1
    return rawClose(p, k)
  }

  function minuteRow(p: PairState, openTime: number): MinuteRow {
    const m = Math.floor(openTime / MINUTE)
    const open = closeOf(p, m - 1)
    if (isQuiet(p, m)) {
      return {
        openTime,
        open,
        high: open,
        low: open,
        close: open,
        volume: 0,
        quoteVolume: 0,
        trades: 0,
        takerBase: 0,
        takerQuote: 0,
      }
    }
    const close = rawClose(p, m)
    const top = Math.max(open, close)
    const bottom = Math.min(open, close)
    const wickUp = Math.round((hash01(p.key, m, 2, 0) * 0.0015 * top) / p.tickUnits) * p.tickUnits
    const wickDown =
      Math.round((hash01(p.key, m, 3, 0) * 0.0015 * bottom) / p.tickUnits) * p.tickUnits
    const high = top + wickUp
    const low = Math.max(p.tickUnits, bottom - wickDown)
    // Around 20k to 100k quote units traded a minute, in whole base-asset units of 1e-8.
    const quoteTarget = 20_000 + 80_000 * hash01(p.key, m, 4, 0)
    const volume = Math.max(1, Math.round((quoteTarget / (close / UNITS)) * UNITS))
    const quoteVolume = Math.round((volume / UNITS) * close)
    const takerShare = hash01(p.key, m, 6, 0)
    return {
      openTime,
      open,
      high,
      low,
      close,
      volume,
      quoteVolume,
      trades: 1 + Math.floor(hash01(p.key, m, 7, 0) * 900),
      takerBase: Math.round(volume * takerShare),
      takerQuote: Math.round(quoteVolume * takerShare),
    }
  }

  function nextCandidate(p: PairState, t: number): number {
    let next = Math.max(t, p.spec.listedAt)
    let moved = true
    while (moved) {
      moved = false
      for (const g of p.gaps) {
        if (next >= g.start && next < g.end) {
          next = Math.ceil(g.end / MINUTE) * MINUTE
          moved = true
        }
      }
    }
    return next
  }

  /** Start of the interval containing t (UTC; weeks start on Monday, months on the 1st). */
  function intervalStart(interval: KlineInterval, t: number): number {
    if (interval === '1M') {
      const d = new Date(t)
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)
    }
    const len = KLINE_INTERVALS[interval]
    if (interval === '1w') {
      const monday = 4 * DAY // 1970-01-05 was a Monday
      return Math.floor((t - monday) / len) * len + monday
    }
    return Math.floor(t / len) * len
  }

  function intervalEnd(interval: KlineInterval, start: number): number {
    if (interval === '1M') {
      const d = new Date(start)
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)
    }
    return start + KLINE_INTERVALS[interval]
  }

  function toKline(row: MinuteRow, closeTime: number): Kline {
    return {
      openTime: row.openTime,
      open: formatUnits(row.open),
      high: formatUnits(row.high),
      low: formatUnits(row.low),
      close: formatUnits(row.close),
      volume: formatUnits(row.volume),
      closeTime,
      quoteVolume: formatUnits(row.quoteVolume),
      trades: row.trades,
      takerBuyBaseVolume: formatUnits(row.takerBase),
      takerBuyQuoteVolume: formatUnits(row.takerQuote),
    }
  }

  /** The still-open minute: the part of the candle that has traded by `now`. */
  function partialMinute(p: PairState, openTime: number, now: number): MinuteRow {
    const full = minuteRow(p, openTime)
    const f = Math.min(1, Math.max(0, (now - openTime) / MINUTE))
    const close = Math.round((full.open + (full.close - full.open) * f) / p.tickUnits) * p.tickUnits
    const scale = (v: number) => Math.round(v * f)
    return {
      ...full,
      close,
      high: Math.max(full.open, close),
      low: Math.min(full.open, close),
      volume: scale(full.volume),
      quoteVolume: scale(full.quoteVolume),
      trades: Math.floor(full.trades * f),
      takerBase: scale(full.takerBase),
      takerQuote: scale(full.takerQuote),
    }
  }

  /** The candle of `interval` opening at `start`, or null if it has no minute. */
  function candle(p: PairState, interval: KlineInterval, start: number, now: number): Kline | null {
    const end = intervalEnd(interval, start)
    if (interval === '1s') {
      const minuteOpen = Math.floor(start / MINUTE) * MINUTE
      if (!exists(p, minuteOpen) || start > now) return null
      const row = minuteRow(p, minuteOpen)
      const s = Math.floor((start - minuteOpen) / 1000)
      const share = (v: number) => Math.round(v / 60)
      return toKline(
        {
          openTime: start,
          open: row.open,
          high: row.open,
          low: row.open,
          close: row.open,
          volume: s === 59 ? row.volume - share(row.volume) * 59 : share(row.volume),
          quoteVolume:
            s === 59 ? row.quoteVolume - share(row.quoteVolume) * 59 : share(row.quoteVolume),
          trades: s === 0 ? row.trades : 0,
          takerBase: s === 59 ? row.takerBase - share(row.takerBase) * 59 : share(row.takerBase),
          takerQuote:
            s === 59 ? row.takerQuote - share(row.takerQuote) * 59 : share(row.takerQuote),
        },
        end - 1,
      )
    }
    let first: MinuteRow | null = null
    let high = 0
    let low = 0
    let close = 0
    let trades = 0
    let volume = 0n
    let quoteVolume = 0n
    let takerBase = 0n
    let takerQuote = 0n
    for (let t = nextCandidate(p, start); t < end && t <= now; t = nextCandidate(p, t + MINUTE)) {
      if (!exists(p, t)) continue
      const row = t + MINUTE > now ? partialMinute(p, t, now) : minuteRow(p, t)
      if (first === null) {
        first = row
        high = row.high
        low = row.low
      } else {
        if (row.high > high) high = row.high
        if (row.low < low) low = row.low
      }
      close = row.close
      trades += row.trades
      volume += BigInt(row.volume)
      quoteVolume += BigInt(row.quoteVolume)
      takerBase += BigInt(row.takerBase)
      takerQuote += BigInt(row.takerQuote)
    }
    if (first === null) return null
    return {
      openTime: start,
      open: formatUnits(first.open),
      high: formatUnits(high),
      low: formatUnits(low),
      close: formatUnits(close),
      volume: formatUnits(volume),
      closeTime: end - 1,
      quoteVolume: formatUnits(quoteVolume),
      trades,
      takerBuyBaseVolume: formatUnits(takerBase),
      takerBuyQuoteVolume: formatUnits(takerQuote),
    }
  }

  function mustPair(symbol: string): PairState {
    const p = pairs.get(symbol)
    if (p === undefined) throw new RangeError(`unknown simulated symbol "${symbol}"`)
    return p
  }

  return {
    symbols: [...pairs.keys()],
    hasSymbol: (symbol) => pairs.has(symbol),
    pair: (symbol) => pairs.get(symbol)?.spec,
    minute(symbol, openTime) {
      const p = mustPair(symbol)
      return exists(p, openTime) ? minuteRow(p, openTime) : null
    },
    isEmptySpan(symbol, start, end) {
      const p = mustPair(symbol)
      if (end <= p.spec.listedAt) return true
      if (p.spec.delistedAt !== undefined && start > p.spec.delistedAt) return true
      return nextCandidate(p, start) >= end
    },
    nextCandidate: (symbol, t) => nextCandidate(mustPair(symbol), t),
    klines(symbol, interval, start, end, now, limit) {
      const p = mustPair(symbol)
      const out: Kline[] = []
      let t = intervalStart(interval, start)
      if (t < start) t = intervalEnd(interval, t)
      const last = Math.min(end, now)
      while (t <= last && out.length < limit) {
        if (p.spec.delistedAt !== undefined && t > p.spec.delistedAt) break
        const next = intervalEnd(interval, t)
        const k = candle(p, interval, t, now)
        if (k !== null) {
          out.push(k)
          t = next
        } else {
          // Skip an empty span (pre-listing, gap) in one step, then realign to the interval grid.
          const candidate = nextCandidate(p, next)
          const aligned = intervalStart(interval, candidate)
          t = aligned > t ? aligned : next
        }
      }
      return out
    },
    latestKlines(symbol, interval, end, now, limit) {
      const p = mustPair(symbol)
      const out: Kline[] = []
      let t = intervalStart(interval, Math.min(end, now))
      const floor = intervalStart(interval, p.spec.listedAt)
      while (t >= floor && out.length < limit) {
        const k = candle(p, interval, t, now)
        if (k !== null) out.push(k)
        t = intervalStart(interval, t - 1)
      }
      return out.reverse()
    },
    priceAt(symbol, now) {
      const p = mustPair(symbol)
      let t = Math.floor(now / MINUTE) * MINUTE
      for (let i = 0; i < 10_000 && t >= p.spec.listedAt; i++, t -= MINUTE) {
        if (exists(p, t)) return minuteRow(p, t).close
      }
      return null
    },
  }
}

/** Binance's close time of a candle: one millisecond before the next one opens. */
export function closeTimeOf(openTime: number, interval: KlineInterval): number {
  return openTime + KLINE_INTERVALS[interval] - 1
}
