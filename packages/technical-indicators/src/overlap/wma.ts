import { assertPeriod, output } from '../internal/validate.js'

/** Bars before the first WMA value: `period − 1`. */
export function wmaLookback(period = 30): number {
  assertPeriod('period', period)
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
