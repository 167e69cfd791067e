import { assertPeriod, assertSameLength, output } from '../internal/validate.js'

/** Bars before the first MFI value: `period`. */
export function mfiLookback(period = 14): number {
  assertPeriod('period', period)
  return period
}

/**
 * Money flow index: `100 · positive flow / (positive + negative flow)` of the typical price times
 * volume over `period` bars. Like TA-Lib, 0 when the total flow is below 1.0.
 *
 * Warm-up: NaN for the first `period` bars. Period 2 to 100000.
 * @see TA-Lib ta_MFI.c
 */
export function mfi(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  volume: ArrayLike<number>,
  period = 14,
  out?: Float64Array,
): Float64Array {
  const lookback = mfiLookback(period)
  const n = assertSameLength(high, low, close, volume)
  const result = output(n, out, lookback)
  if (n <= lookback) return result
  const pos = new Float64Array(period)
  const neg = new Float64Array(period)
  let posSum = 0
  let negSum = 0
  let prev = ((high[0] as number) + (low[0] as number) + (close[0] as number)) / 3.0
  for (let i = 1; i < n; i++) {
    const slot = (i - 1) % period
    if (i > period) {
      posSum -= pos[slot] as number
      negSum -= neg[slot] as number
    }
    const tp = ((high[i] as number) + (low[i] as number) + (close[i] as number)) / 3.0
    const change = tp - prev
    prev = tp
    const flow = tp * (volume[i] as number)
    if (change < 0) {
      neg[slot] = flow
      negSum += flow
      pos[slot] = 0
    } else if (change > 0) {
      pos[slot] = flow
      posSum += flow
      neg[slot] = 0
    } else {
      pos[slot] = 0
      neg[slot] = 0
    }
    if (i < period) continue
    const total = posSum + negSum
    result[i] = total < 1.0 ? 0 : 100.0 * (posSum / total)
  }
  return result
}
