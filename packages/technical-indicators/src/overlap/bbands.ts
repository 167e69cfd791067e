import { assertFinite, assertPeriod, output, TA_EPSILON } from '../internal/validate.js'
import { sma } from './sma.js'

export interface BollingerBands {
  readonly upper: Float64Array
  readonly middle: Float64Array
  readonly lower: Float64Array
}

/** Bars before the first band: `period − 1`. */
export function bbandsLookback(period = 5): number {
  assertPeriod('period', period)
  return period - 1
}

/**
 * Bollinger Bands with TA-Lib's defaults (SMA middle band, population standard deviation from
 * running sums of squares): `middle ± dev · σ`. A variance below 1e-14 counts as 0, as in TA-Lib.
 *
 * Warm-up: NaN for the first `period − 1` bars. Period 2 to 100000.
 * @see TA-Lib ta_BBANDS.c, ta_STDDEV.c (INT_stddev_using_precalc_ma)
 */
export function bbands(
  close: ArrayLike<number>,
  period = 5,
  devUp = 2,
  devDown = 2,
  out: { upper?: Float64Array; middle?: Float64Array; lower?: Float64Array } = {},
): BollingerBands {
  const lookback = bbandsLookback(period)
  assertFinite('devUp', devUp)
  assertFinite('devDown', devDown)
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
