import { checkParams, rememberParams } from '../internal/params.js'
import { Ring } from '../internal/ring.js'
import { output, TA_EPSILON } from '../internal/validate.js'
import { sma } from './sma.js'

export interface BollingerBands {
  readonly upper: Float64Array
  readonly middle: Float64Array
  readonly lower: Float64Array
}

/** Bars before the first band: `period − 1`. */
export function bbandsLookback(period = 5): number {
  checkParams('bbands', { period })
  return period - 1
}

/**
 * Bollinger Bands with TA-Lib's defaults (SMA middle band, population standard deviation from
 * running sums of squares): `middle ± dev · σ`. A variance below 1e-14 counts as 0, as in TA-Lib.
 *
 * Warm-up: NaN for the first `period − 1` bars. Period 2 to 100000, deviations −3e37 to 3e37.
 * @see TA-Lib ta_BBANDS.c, ta_STDDEV.c (INT_stddev_using_precalc_ma)
 */
export function bbands(
  close: ArrayLike<number>,
  period = 5,
  devUp = 2,
  devDown = 2,
  out: { upper?: Float64Array; middle?: Float64Array; lower?: Float64Array } = {},
): BollingerBands {
  checkParams('bbands', { period, devUp, devDown })
  const lookback = period - 1
  const n = close.length
  const middle = sma(close, period, out.middle === undefined ? undefined : output(n, out.middle))
  const upper = output(n, out.upper, lookback)
  const lower = output(n, out.lower, lookback)
  if (n <= lookback) return { upper, middle, lower }
  let total2 = 0
  for (let i = 0; i < lookback; i++) {
    const v = close[i] as number
    total2 += v * v
  }
  for (let end = lookback, start = 0; end < n; end++, start++) {
    const v = close[end] as number
    total2 += v * v
    let mean2 = total2 / period
    const old = close[start] as number
    total2 -= old * old
    const mid = middle[end] as number
    mean2 -= mid * mid
    const sd = mean2 < TA_EPSILON ? 0 : Math.sqrt(mean2)
    upper[end] = mid + sd * devUp
    lower[end] = mid - sd * devDown
  }
  return { upper, middle, lower }
}

/** Streaming Bollinger Bands: the same numbers as `bbands` at each bar; `replace` swaps the last bar. */
export class BbandsStream {
  readonly lookback: number
  private readonly period: number
  private readonly devUp: number
  private readonly devDown: number
  private readonly window: Ring
  private total = 0
  private total2 = 0
  private saved = { total: 0, total2: 0 }

  constructor(period = 5, devUp = 2, devDown = 2) {
    rememberParams(this, { period, devUp, devDown })
    checkParams('bbands', { period, devUp, devDown })
    this.lookback = period - 1
    this.period = period
    this.devUp = devUp
    this.devDown = devDown
    this.window = new Ring(period)
  }

  update(value: number): { upper: number; middle: number; lower: number } {
    this.saved = { total: this.total, total2: this.total2 }
    this.window.push(value)
    return this.apply(value)
  }

  replace(value: number): { upper: number; middle: number; lower: number } {
    if (this.window.count === 0) return this.update(value)
    this.total = this.saved.total
    this.total2 = this.saved.total2
    this.window.setLast(value)
    return this.apply(value)
  }

  private apply(value: number): { upper: number; middle: number; lower: number } {
    const p = this.period
    if (!this.window.full) {
      this.total += value
      this.total2 += value * value
      return { upper: Number.NaN, middle: Number.NaN, lower: Number.NaN }
    }
    // The oldest value of the window leaves the sums.
    const old = this.window.at(p - 1)
    const sum = this.total + value
    this.total = sum - old
    const mid = sum / p
    this.total2 += value * value
    let mean2 = this.total2 / p
    this.total2 -= old * old
    mean2 -= mid * mid
    const sd = mean2 < TA_EPSILON ? 0 : Math.sqrt(mean2)
    return { upper: mid + sd * this.devUp, middle: mid, lower: mid - sd * this.devDown }
  }
}
