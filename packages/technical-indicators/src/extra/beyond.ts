import type { Bar } from '../stream.js'
import { checkParams } from '../internal/params.js'
import { assertSameLength, output } from '../internal/validate.js'
import { EmaStream } from '../overlap/ema.js'
import { WmaStream } from '../overlap/wma.js'
import { AtrStream } from '../volatility/atr.js'
import { RunningExtreme } from '../internal/extreme.js'
import { Kernel, runBars, runClose } from './kernel.js'
import { Ring } from '../internal/ring.js'

/** Bars before the first HMA value: `period − 1 + ⌊√period⌋ − 1`. */
export function hmaLookback(period = 9): number {
  checkParams('hma', { period })
  return period - 1 + Math.floor(Math.sqrt(period)) - 1
}

/** Streaming Hull moving average (also the core of `hma`). */
export class HmaStream extends Kernel<number, number> {
  readonly lookback: number
  private readonly period: number
  private readonly half: WmaStream
  private readonly full: WmaStream
  private readonly smooth: WmaStream
  private i = 0

  constructor(period = 9) {
    super()
    this.lookback = hmaLookback(period)
    this.period = period
    this.half = new WmaStream(Math.floor(period / 2))
    this.full = new WmaStream(period)
    this.smooth = new WmaStream(Math.floor(Math.sqrt(period)))
  }

  protected step(x: number): number {
    const i = this.i++
    const h = this.half.update(x)
    const f = this.full.update(x)
    if (i < this.period - 1) return NaN
    return this.smooth.update(2 * h - f)
  }
}

/**
 * Hull moving average: `WMA(2·WMA(close, ⌊n/2⌋) − WMA(close, n), ⌊√n⌋)`, with TA-Lib's WMA.
 * Warm-up `n − 1 + ⌊√n⌋ − 1`; period ≥ 4. Source: Alan Hull, "Hull Moving Average" (2005).
 */
export function hma(close: ArrayLike<number>, period = 9, out?: Float64Array): Float64Array {
  return runClose(new HmaStream(period), close, out)
}

export interface Channel {
  readonly upper: Float64Array
  readonly middle: Float64Array
  readonly lower: Float64Array
}

/** Bars before the first Donchian value: `period − 1`. */
export function donchianLookback(period = 20): number {
  checkParams('donchian', { period })
  return period - 1
}

/** Streaming Donchian channel (also the core of `donchian`). */
export class DonchianStream extends Kernel<Bar, { upper: number; middle: number; lower: number }> {
  readonly lookback: number
  private readonly highs: RunningExtreme
  private readonly lows: RunningExtreme

  constructor(period = 20) {
    super()
    this.lookback = donchianLookback(period)
    this.highs = new RunningExtreme(period, true)
    this.lows = new RunningExtreme(period, false)
  }

  protected step(bar: Bar): { upper: number; middle: number; lower: number } {
    const upper = this.highs.push(bar.high)
    const lower = this.lows.push(bar.low)
    if (this.highs.count <= this.lookback) return { upper: NaN, middle: NaN, lower: NaN }
    return { upper, middle: (upper + lower) / 2, lower }
  }
}

/**
 * Donchian channel: the highest high and lowest low of the last `period` bars (this one
 * included), and their midpoint. Warm-up `period − 1`. Source: Richard Donchian; TradingView
 * `ta.highest` / `ta.lowest`. The bands are TA-Lib's MAX of the highs and MIN of the lows, NaN
 * handling included.
 */
export function donchian(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  period = 20,
  out: { upper?: Float64Array; middle?: Float64Array; lower?: Float64Array } = {},
): Channel {
  const n = assertSameLength(high, low)
  const upper = output(n, out.upper, 0)
  const middle = output(n, out.middle, 0)
  const lower = output(n, out.lower, 0)
  runBars(new DonchianStream(period), n, { high, low }, (v, i) => {
    upper[i] = v.upper
    middle[i] = v.middle
    lower[i] = v.lower
  })
  return { upper, middle, lower }
}

/** Bars before the first Keltner value: `max(period − 1, atrPeriod)`. */
export function keltnerLookback(period = 20, multiplier = 2, atrPeriod = 10): number {
  checkParams('keltner', { period, multiplier, atrPeriod })
  return Math.max(period - 1, atrPeriod)
}

/** Streaming Keltner channel (also the core of `keltner`). */
export class KeltnerStream extends Kernel<Bar, { upper: number; middle: number; lower: number }> {
  readonly lookback: number
  private readonly multiplier: number
  private readonly ema: EmaStream
  private readonly atr: AtrStream

  constructor(period = 20, multiplier = 2, atrPeriod = 10) {
    super()
    this.lookback = keltnerLookback(period, multiplier, atrPeriod)
    this.multiplier = multiplier
    this.ema = new EmaStream(period)
    this.atr = new AtrStream(atrPeriod)
  }

  protected step(bar: Bar): { upper: number; middle: number; lower: number } {
    const middle = this.ema.update(bar.close)
    const atr = this.atr.update(bar)
    if (Number.isNaN(middle) || Number.isNaN(atr)) return { upper: NaN, middle: NaN, lower: NaN }
    const band = this.multiplier * atr
    return { upper: middle + band, middle, lower: middle - band }
  }
}

/**
 * Keltner channel: EMA(close, period) ± multiplier · ATR(atrPeriod) (Wilder's ATR, TA-Lib's EMA
 * seed, so period ≥ 2). Warm-up `max(period − 1, atrPeriod)`. Source: Linda Bradford Raschke's version of Chester
 * Keltner's channel; TradingView `ta.kc` with `useTrueRange`.
 */
export function keltner(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  period = 20,
  multiplier = 2,
  atrPeriod = 10,
  out: { upper?: Float64Array; middle?: Float64Array; lower?: Float64Array } = {},
): Channel {
  const n = assertSameLength(high, low, close)
  const upper = output(n, out.upper, 0)
  const middle = output(n, out.middle, 0)
  const lower = output(n, out.lower, 0)
  runBars(new KeltnerStream(period, multiplier, atrPeriod), n, { high, low, close }, (v, i) => {
    upper[i] = v.upper
    middle[i] = v.middle
    lower[i] = v.lower
  })
  return { upper, middle, lower }
}

export type VwapAnchor = 'none' | 'day' | 'week' | 'month'
const DAY = 86_400_000
const MONDAY = Date.UTC(1970, 0, 5)

/** The session of `openTime` (ms): bars of one session share the key. */
function sessionKey(openTime: number, anchor: VwapAnchor): number {
  switch (anchor) {
    case 'none':
      return 0
    case 'day':
      return Math.floor(openTime / DAY)
    case 'week':
      return Math.floor((openTime - MONDAY) / (7 * DAY))
    case 'month': {
      const d = new Date(openTime)
      return d.getUTCFullYear() * 12 + d.getUTCMonth()
    }
  }
}

/** A bar with its open time (ms since the epoch, UTC), for the anchored VWAP stream. */
export interface TimedBar extends Bar {
  readonly openTime: number
}

/** Streaming anchored VWAP (also the core of `vwap`). */
export class VwapStream extends Kernel<TimedBar, number> {
  readonly lookback = 0
  private readonly anchor: VwapAnchor
  private session = NaN
  private pv = 0
  private volume = 0

  constructor(anchor: VwapAnchor = 'day') {
    super()
    checkParams('vwap', { anchor })
    this.anchor = anchor
  }

  protected step(bar: TimedBar): number {
    const key = sessionKey(bar.openTime, this.anchor)
    if (key !== this.session) {
      this.session = key
      this.pv = 0
      this.volume = 0
    }
    this.pv += ((bar.high + bar.low + bar.close) / 3) * bar.volume
    this.volume += bar.volume
    return this.volume === 0 ? NaN : this.pv / this.volume
  }
}

/**
 * Volume-weighted average price of the typical price `(high + low + close) / 3`, cumulative within
 * each UTC session of `anchor` (day, week from Monday as Binance's 1w, month) and reset at the
 * next; `none` (or no `openTime`) accumulates from the first bar. NaN while the session's volume
 * is 0. Warm-up 0. Source: TradingView `ta.vwap` with `hlc3` and a session anchor.
 */
export function vwap(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  volume: ArrayLike<number>,
  openTime?: ArrayLike<number>,
  anchor: VwapAnchor = 'day',
  out?: Float64Array,
): Float64Array {
  const n = assertSameLength(high, low, close, volume)
  if (openTime !== undefined && openTime.length !== n) {
    throw new RangeError('inputs must have the same length')
  }
  const result = output(n, out, 0)
  const stream = new VwapStream(openTime === undefined ? 'none' : anchor)
  const bar = { open: NaN, high: 0, low: 0, close: 0, volume: 0, openTime: 0 }
  for (let i = 0; i < n; i++) {
    bar.high = high[i] as number
    bar.low = low[i] as number
    bar.close = close[i] as number
    bar.volume = volume[i] as number
    bar.openTime = openTime === undefined ? 0 : (openTime[i] as number)
    result[i] = stream.next(bar)
  }
  return result
}

export interface Supertrend {
  readonly value: Float64Array
  /** +1 in an uptrend (the line is the lower band), −1 in a downtrend (the upper band). */
  readonly direction: Float64Array
}

/** Bars before the first Supertrend value: `period` (the ATR's). */
export function supertrendLookback(period = 10, multiplier = 3): number {
  checkParams('supertrend', { period, multiplier })
  return period
}

/** Streaming Supertrend (also the core of `supertrend`). */
export class SupertrendStream extends Kernel<Bar, { value: number; direction: number }> {
  readonly lookback: number
  private readonly multiplier: number
  private readonly atr: AtrStream
  private started = false
  private upper = 0
  private lower = 0
  private prevClose = 0
  private direction = -1

  constructor(period = 10, multiplier = 3) {
    super()
    this.lookback = supertrendLookback(period, multiplier)
    this.multiplier = multiplier
    this.atr = new AtrStream(period)
  }

  protected step(bar: Bar): { value: number; direction: number } {
    const atr = this.atr.update(bar)
    const prevClose = this.prevClose
    this.prevClose = bar.close
    if (Number.isNaN(atr)) return { value: NaN, direction: NaN }
    const mid = (bar.high + bar.low) / 2
    let upper = mid + this.multiplier * atr
    let lower = mid - this.multiplier * atr
    if (!this.started) {
      // The first bar with an ATR: a downtrend, as TradingView starts.
      this.started = true
      this.direction = -1
    } else {
      if (!(lower > this.lower || prevClose < this.lower)) lower = this.lower
      if (!(upper < this.upper || prevClose > this.upper)) upper = this.upper
      if (this.direction === -1) this.direction = bar.close > upper ? 1 : -1
      else this.direction = bar.close < lower ? -1 : 1
    }
    this.upper = upper
    this.lower = lower
    return { value: this.direction === 1 ? lower : upper, direction: this.direction }
  }
}

/**
 * Supertrend: bands `(high + low)/2 ± multiplier · ATR(period)` (Wilder's ATR) that only tighten
 * while the trend lasts; the line is the lower band in an uptrend and the upper band in a
 * downtrend, and the trend flips when the close crosses the band. Warm-up `period`. Source:
 * Olivier Seban; TradingView `ta.supertrend` (whose direction sign is the opposite of ours).
 */
export function supertrend(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  period = 10,
  multiplier = 3,
  out: { value?: Float64Array; direction?: Float64Array } = {},
): Supertrend {
  const n = assertSameLength(high, low, close)
  const value = output(n, out.value, 0)
  const direction = output(n, out.direction, 0)
  runBars(new SupertrendStream(period, multiplier), n, { high, low, close }, (v, i) => {
    value[i] = v.value
    direction[i] = v.direction
  })
  return { value, direction }
}

export interface Ichimoku {
  readonly tenkan: Float64Array
  readonly kijun: Float64Array
  readonly spanA: Float64Array
  readonly spanB: Float64Array
}

export interface IchimokuOptions {
  /** Conversion line period (tenkan-sen); default 9. */
  readonly tenkan?: number
  /** Base line period (kijun-sen); default 26. */
  readonly kijun?: number
  /** Leading span B period (senkou span B); default 52. */
  readonly spanB?: number
  /** How far the leading spans are drawn ahead, counting the bar itself; default 26. */
  readonly displacement?: number
}

function ichimokuParams(o: IchimokuOptions): Required<IchimokuOptions> {
  const { tenkan = 9, kijun = 26, spanB = 52, displacement = 26 } = o
  checkParams('ichimoku', { tenkan, kijun, spanB, displacement })
  return { tenkan, kijun, spanB, displacement }
}

/**
 * Bars before every Ichimoku line has a value: the leading spans', `max(tenkan, kijun, spanB) − 1
 * + displacement − 1`. Tenkan and kijun start earlier (`tenkan − 1`, `kijun − 1`).
 */
export function ichimokuLookback(options: IchimokuOptions = {}): number {
  const p = ichimokuParams(options)
  return Math.max(p.tenkan, p.kijun, p.spanB) - 1 + p.displacement - 1
}

type IchimokuPoint = { tenkan: number; kijun: number; spanA: number; spanB: number }

/** Streaming Ichimoku (also the core of `ichimoku`). */
export class IchimokuStream extends Kernel<Bar, IchimokuPoint> {
  readonly lookback: number
  private readonly p: Required<IchimokuOptions>
  /** Highest highs and lowest lows of the tenkan, kijun and span B windows (TA-Lib's MAX / MIN). */
  private readonly highs: RunningExtreme[]
  private readonly lows: RunningExtreme[]
  /** Leading spans as computed, `displacement` of them: the oldest is drawn over this bar. */
  private readonly leadA: Ring
  private readonly leadB: Ring

  constructor(options: IchimokuOptions = {}) {
    super()
    this.p = ichimokuParams(options)
    this.lookback = ichimokuLookback(options)
    const periods = [this.p.tenkan, this.p.kijun, this.p.spanB]
    this.highs = periods.map((period) => new RunningExtreme(period, true))
    this.lows = periods.map((period) => new RunningExtreme(period, false))
    this.leadA = new Ring(this.p.displacement)
    this.leadB = new Ring(this.p.displacement)
  }

  /** The midpoint of the highest high and lowest low of window `k` (NaN until it is full). */
  private mid(k: number, bar: Bar): number {
    const high = (this.highs[k] as RunningExtreme).push(bar.high)
    const low = (this.lows[k] as RunningExtreme).push(bar.low)
    return (high + low) / 2
  }

  protected step(bar: Bar): IchimokuPoint {
    const tenkan = this.mid(0, bar)
    const kijun = this.mid(1, bar)
    this.leadA.push((tenkan + kijun) / 2)
    this.leadB.push(this.mid(2, bar))
    const d = this.p.displacement
    const spanA = this.leadA.full ? this.leadA.at(d - 1) : NaN
    const spanB = this.leadB.full ? this.leadB.at(d - 1) : NaN
    return { tenkan, kijun, spanA, spanB }
  }
}

/**
 * Ichimoku Kinko Hyo (Goichi Hosoda): tenkan-sen and kijun-sen are the midpoints of the highest
 * high and lowest low of the last 9 and 26 bars (TA-Lib's MAX and MIN, NaN handling included); the leading spans A (`(tenkan + kijun) / 2`) and
 * B (the 52-bar midpoint) are drawn `displacement` bars ahead counting the bar itself, so the value
 * at bar `i` is the one computed at bar `i − displacement + 1` (TradingView's built-in, `offset =
 * displacement − 1`): the cloud over bar `i`. The lagging span (chikou) is the close drawn
 * `displacement − 1` bars back; it is not causal, so it is not an output: compare `close[i]` with
 * the bar `displacement − 1` before it. Each line is NaN until it has its bars.
 */
export function ichimoku(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  options: IchimokuOptions = {},
  out: {
    tenkan?: Float64Array
    kijun?: Float64Array
    spanA?: Float64Array
    spanB?: Float64Array
  } = {},
): Ichimoku {
  const n = assertSameLength(high, low)
  const tenkan = output(n, out.tenkan, 0)
  const kijun = output(n, out.kijun, 0)
  const spanA = output(n, out.spanA, 0)
  const spanB = output(n, out.spanB, 0)
  runBars(new IchimokuStream(options), n, { high, low }, (v, i) => {
    tenkan[i] = v.tenkan
    kijun[i] = v.kijun
    spanA[i] = v.spanA
    spanB[i] = v.spanB
  })
  return { tenkan, kijun, spanA, spanB }
}
