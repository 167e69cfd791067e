import { assertPeriod, assertSameLength, output } from '../internal/validate.js'

/** Bars before the first true range: 1. */
export function trangeLookback(): number {
  return 1
}

/**
 * True range: the greatest of high − low, |previous close − high| and |low − previous close|.
 *
 * Warm-up: NaN for the first bar.
 * @see TA-Lib ta_TRANGE.c
 */
export function trange(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  out?: Float64Array,
): Float64Array {
  const n = assertSameLength(high, low, close)
  const result = output(n, out, 1)
  for (let i = 1; i < n; i++)
    result[i] = trueRange(high[i] as number, low[i] as number, close[i - 1] as number)
  return result
}

function trueRange(h: number, l: number, previousClose: number): number {
  let greatest = h - l
  const v2 = Math.abs(previousClose - h)
  if (v2 > greatest) greatest = v2
  const v3 = Math.abs(l - previousClose)
  if (v3 > greatest) greatest = v3
  return greatest
}

/** Bars before the first ATR value: `period` (1 for period 1, the true range). */
export function atrLookback(period = 14): number {
  assertPeriod('period', period, 1)
  return period
}

/**
 * Average true range with Wilder's smoothing, as TA-Lib: the first value is the mean of the first
 * `period` true ranges (bars 1…period), then `atr = (atr·(period−1) + tr) / period`.
 *
 * Warm-up: NaN for the first `period` bars. Period 1 to 100000 (1 gives the true range).
 * @see TA-Lib ta_ATR.c
 */
export function atr(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  period = 14,
  out?: Float64Array,
): Float64Array {
  const lookback = atrLookback(period)
  const n = assertSameLength(high, low, close)
  if (period === 1) return trange(high, low, close, out)
  const result = output(n, out, lookback)
  if (n <= lookback) return result
  let total = 0
  for (let i = 1; i < period; i++)
    total += trueRange(high[i] as number, low[i] as number, close[i - 1] as number)
  total += trueRange(high[period] as number, low[period] as number, close[period - 1] as number)
  let prev = total / period
  result[period] = prev
  for (let i = period + 1; i < n; i++) {
    prev *= period - 1
    prev += trueRange(high[i] as number, low[i] as number, close[i - 1] as number)
    prev /= period
    result[i] = prev
  }
  return result
}
