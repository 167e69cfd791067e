import { assertPeriod, assertSameLength, output, TA_EPSILON } from '../internal/validate.js'

/** Bars before the first ADX value: `2 · period − 1`. */
export function adxLookback(period = 14): number {
  assertPeriod('period', period)
  return 2 * period - 1
}

const isZero = (v: number) => -TA_EPSILON < v && v < TA_EPSILON

/**
 * Average directional index, Wilder's, exactly as TA-Lib: +DM/−DM and true range summed over the
 * first `period − 1` changes then Wilder-smoothed (`x − x/period + new`), DX = `100·|−DI − +DI| /
 * (−DI + +DI)`, the first ADX the mean of `period` DX values, then `(adx·(period−1) + dx) / period`.
 *
 * Warm-up: NaN for the first `2·period − 1` bars. Period 2 to 100000.
 * @see TA-Lib ta_ADX.c
 */
export function adx(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  period = 14,
  out?: Float64Array,
): Float64Array {
  const lookback = adxLookback(period)
  const n = assertSameLength(high, low, close)
  const result = output(n, out, lookback)
  if (n <= lookback) return result
  let prevHigh = high[0] as number
  let prevLow = low[0] as number
  let prevClose = close[0] as number
  let minusDM = 0
  let plusDM = 0
  let tr = 0
  let sumDX = 0
  let prevADX = 0
  // One loop over the bars, in TA-Lib's three phases: plain sums over the first period − 1
  // changes, Wilder smoothing while the first `period` DX values are summed, then the ADX.
  for (let today = 1; today < n; today++) {
    const h = high[today] as number
    const diffP = h - prevHigh
    prevHigh = h
    const l = low[today] as number
    const diffM = prevLow - l
    prevLow = l
    const smooth = today >= period
    if (smooth) {
      minusDM -= minusDM / period
      plusDM -= plusDM / period
    }
    if (diffM > 0 && diffP < diffM) minusDM += diffM
    else if (diffP > 0 && diffP > diffM) plusDM += diffP
    let range = h - l
    const t2 = Math.abs(h - prevClose)
    if (t2 > range) range = t2
    const t3 = Math.abs(l - prevClose)
    if (t3 > range) range = t3
    tr = smooth ? tr - tr / period + range : tr + range
    prevClose = close[today] as number
    if (!smooth) continue
    let dx = Number.NaN
    if (!isZero(tr)) {
      const minusDI = 100.0 * (minusDM / tr)
      const plusDI = 100.0 * (plusDM / tr)
      const sum = minusDI + plusDI
      if (!isZero(sum)) dx = 100.0 * (Math.abs(minusDI - plusDI) / sum)
    }
    if (today < lookback) {
      if (dx === dx) sumDX += dx
    } else if (today === lookback) {
      if (dx === dx) sumDX += dx
      prevADX = sumDX / period
      result[today] = prevADX
    } else {
      if (dx === dx) prevADX = (prevADX * (period - 1) + dx) / period
      result[today] = prevADX
    }
  }
  return result
}
