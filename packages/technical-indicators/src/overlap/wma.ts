import { checkParams, rememberParams } from '../internal/params.js'
import { inputRing, type Ring } from '../internal/ring.js'
import { output } from '../internal/validate.js'

/** Bars before the first WMA value: `period − 1`. */
export function wmaLookback(period = 30): number {
  checkParams('wma', { period })
  return period - 1
}

/**
 * Weighted moving average: weights 1…period, newest heaviest, divided by period·(period+1)/2,
 * with TA-Lib's running sums (bit for bit).
 *
 * Warm-up: NaN for the first `period − 1` bars. Period 2 to 100000.
 * @see TA-Lib ta_WMA.c
 */
export function wma(close: ArrayLike<number>, period = 30, out?: Float64Array): Float64Array {
  const lookback = wmaLookback(period)
  const n = close.length
  const result = output(n, out, lookback)
  if (n <= lookback) return result
  const divider = (period * (period + 1)) >> 1
  let periodSum = 0
  let periodSub = 0
  let i = 0
  for (; i < lookback; i++) {
    const v = close[i] as number
    periodSub += v
    periodSum += v * (i + 1)
  }
  let trailingValue = 0
  let trailing = 0
  for (; i < n; i++) {
    const v = close[i] as number
    periodSub += v
    periodSub -= trailingValue
    periodSum += v * period
    trailingValue = close[trailing++] as number
    result[i] = periodSum / divider
    periodSum -= periodSub
  }
  return result
}

/** Streaming WMA: the same numbers as `wma` at each bar; `replace` swaps the last bar. */
export class WmaStream {
  readonly lookback: number
  private readonly period: number
  private readonly divider: number
  private readonly window: Ring
  private s = { periodSum: 0, periodSub: 0, trailingValue: 0 }
  private saved = { periodSum: 0, periodSub: 0, trailingValue: 0 }

  constructor(period = 30) {
    rememberParams(this, { period })
    this.lookback = wmaLookback(period)
    this.period = period
    this.divider = (period * (period + 1)) >> 1
    this.window = inputRing(period)
  }

  /** The same as `update` (batch functions step every stream this way). */
  next(value: number): number {
    return this.update(value)
  }

  update(value: number): number {
    this.saved = { ...this.s }
    this.window.push(value)
    return this.apply(value)
  }

  replace(value: number): number {
    if (this.window.count === 0) return this.update(value)
    this.s = { ...this.saved }
    this.window.setLast(value)
    return this.apply(value)
  }

  private apply(value: number): number {
    const i = this.window.count - 1
    const p = this.period
    const s = this.s
    if (i < this.lookback) {
      s.periodSub += value
      s.periodSum += value * (i + 1)
      return Number.NaN
    }
    s.periodSub += value
    s.periodSub -= s.trailingValue
    s.periodSum += value * p
    // The batch's trailing value is the input `lookback` bars back: the window's oldest slot.
    s.trailingValue = this.window.at(p - 1)
    const result = s.periodSum / this.divider
    s.periodSum -= s.periodSub
    return result
  }
}
