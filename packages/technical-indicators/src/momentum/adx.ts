import { trueRange } from '../internal/select.js'
import { checkParams, rememberParams } from '../internal/params.js'
import { assertSameLength, isZero, output } from '../internal/validate.js'

/** Bars before the first ADX value: `2 · period − 1`. */
export function adxLookback(period = 14): number {
  checkParams('adx', { period })
  return 2 * period - 1
}

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
    // TA-Lib's `if (diffM > 0 && diffP < diffM) minusDM += diffM; else if (…) plusDM += diffP`
    // and the true-range maxima, branch-free: up or down is a coin toss on prices. A move times 1
    // is itself, times 0 adds ±0 (the sum unchanged); a NaN move comes with a NaN range, which
    // makes every later DX NaN as TA-Lib's does, so the outputs are the same.
    minusDM += diffM * (+(diffM > 0) & +(diffP < diffM))
    plusDM += diffP * (+(diffP > 0) & +(diffP > diffM))
    const range = trueRange(h, l, prevClose)
    tr = smooth ? tr - tr / period + range : tr + range
    prevClose = close[today] as number
    if (!smooth) continue
    // A bar without a DX (no range) leaves the sums as they are, as TA-Lib; a NaN input gives a
    // NaN DX, which TA-Lib carries into every later ADX, and so do we.
    let dx = 0
    let has = false
    if (!isZero(tr)) {
      const minusDI = 100.0 * (minusDM / tr)
      const plusDI = 100.0 * (plusDM / tr)
      const sum = minusDI + plusDI
      if (!isZero(sum)) {
        dx = 100.0 * (Math.abs(minusDI - plusDI) / sum)
        has = true
      }
    }
    if (today < lookback) {
      if (has) sumDX += dx
    } else if (today === lookback) {
      if (has) sumDX += dx
      prevADX = sumDX / period
      result[today] = prevADX
    } else {
      if (has) prevADX = (prevADX * (period - 1) + dx) / period
      result[today] = prevADX
    }
  }
  return result
}

type Hlc = { readonly high: number; readonly low: number; readonly close: number }

interface AdxState {
  prevHigh: number
  prevLow: number
  prevClose: number
  minusDM: number
  plusDM: number
  tr: number
  sumDX: number
  prevADX: number
}

/** Streaming ADX: the same numbers as `adx` at each bar; `replace` swaps the last bar. */
export class AdxStream {
  readonly lookback: number
  private readonly period: number
  private count = 0
  private s: AdxState = {
    prevHigh: 0,
    prevLow: 0,
    prevClose: 0,
    minusDM: 0,
    plusDM: 0,
    tr: 0,
    sumDX: 0,
    prevADX: 0,
  }
  private saved: AdxState = { ...this.s }

  constructor(period = 14) {
    rememberParams(this, { period })
    this.lookback = adxLookback(period)
    this.period = period
  }

  update(bar: Hlc): number {
    this.saved = { ...this.s }
    this.count++
    return this.apply(bar)
  }

  replace(bar: Hlc): number {
    if (this.count === 0) return this.update(bar)
    this.s = { ...this.saved }
    return this.apply(bar)
  }

  private apply(bar: Hlc): number {
    const today = this.count - 1
    const period = this.period
    const s = this.s
    if (today === 0) {
      s.prevHigh = bar.high
      s.prevLow = bar.low
      s.prevClose = bar.close
      return Number.NaN
    }
    const h = bar.high
    const diffP = h - s.prevHigh
    s.prevHigh = h
    const l = bar.low
    const diffM = s.prevLow - l
    s.prevLow = l
    const smooth = today >= period
    if (smooth) {
      s.minusDM -= s.minusDM / period
      s.plusDM -= s.plusDM / period
    }
    if (diffM > 0 && diffP < diffM) s.minusDM += diffM
    else if (diffP > 0 && diffP > diffM) s.plusDM += diffP
    const range = trueRange(h, l, s.prevClose)
    s.tr = smooth ? s.tr - s.tr / period + range : s.tr + range
    s.prevClose = bar.close
    if (!smooth) return Number.NaN
    let dx = 0
    let has = false
    if (!isZero(s.tr)) {
      const minusDI = 100.0 * (s.minusDM / s.tr)
      const plusDI = 100.0 * (s.plusDM / s.tr)
      const sum = minusDI + plusDI
      if (!isZero(sum)) {
        dx = 100.0 * (Math.abs(minusDI - plusDI) / sum)
        has = true
      }
    }
    if (today < this.lookback) {
      if (has) s.sumDX += dx
      return Number.NaN
    }
    if (today === this.lookback) {
      if (has) s.sumDX += dx
      s.prevADX = s.sumDX / period
      return s.prevADX
    }
    if (has) s.prevADX = (s.prevADX * (period - 1) + dx) / period
    return s.prevADX
  }
}
