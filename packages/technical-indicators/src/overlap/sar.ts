import { checkParams, rememberParams } from '../internal/params.js'
import { assertSameLength, output } from '../internal/validate.js'

/** Bars before the first SAR value: 1. */
export function sarLookback(): number {
  return 1
}

/**
 * Parabolic SAR (Wilder), TA-Lib's variant: the first direction from the first bar's −DM, the
 * acceleration factor stepping by `acceleration` up to `maximum` at each new extreme, and the SAR
 * never inside the current or previous bar's range.
 *
 * Warm-up: NaN for the first bar. `acceleration` and `maximum` from 0 to 3e37 (TA-Lib's range); an
 * acceleration above the maximum is capped at it (TA-Lib's rule).
 * @see TA-Lib ta_SAR.c
 */
export function sar(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  acceleration = 0.02,
  maximum = 0.2,
  out?: Float64Array,
): Float64Array {
  checkParams('sar', { acceleration, maximum })
  const n = assertSameLength(high, low)
  const result = output(n, out, 1)
  if (n < 2) return result
  let step = acceleration
  if (step > maximum) step = maximum
  let af = step
  const diffP = (high[1] as number) - (high[0] as number)
  const diffM = (low[0] as number) - (low[1] as number)
  const minusDM = diffM > 0 && diffP < diffM ? diffM : 0
  let isLong = !(minusDM > 0)
  let ep: number
  let value: number
  if (isLong) {
    ep = high[1] as number
    value = low[0] as number
  } else {
    ep = low[1] as number
    value = high[0] as number
  }
  let newLow = low[1] as number
  let newHigh = high[1] as number
  for (let today = 1; today < n; today++) {
    const prevLow = newLow
    const prevHigh = newHigh
    newLow = low[today] as number
    newHigh = high[today] as number
    if (isLong) {
      if (newLow <= value) {
        isLong = false
        value = ep
        if (value < prevHigh) value = prevHigh
        if (value < newHigh) value = newHigh
        result[today] = value
        af = step
        ep = newLow
        value = value + af * (ep - value)
        if (value < prevHigh) value = prevHigh
        if (value < newHigh) value = newHigh
      } else {
        result[today] = value
        if (newHigh > ep) {
          ep = newHigh
          af += step
          if (af > maximum) af = maximum
        }
        value = value + af * (ep - value)
        if (value > prevLow) value = prevLow
        if (value > newLow) value = newLow
      }
    } else if (newHigh >= value) {
      isLong = true
      value = ep
      if (value > prevLow) value = prevLow
      if (value > newLow) value = newLow
      result[today] = value
      af = step
      ep = newHigh
      value = value + af * (ep - value)
      if (value > prevLow) value = prevLow
      if (value > newLow) value = newLow
    } else {
      result[today] = value
      if (newLow < ep) {
        ep = newLow
        af += step
        if (af > maximum) af = maximum
      }
      value = value + af * (ep - value)
      if (value < prevHigh) value = prevHigh
      if (value < newHigh) value = newHigh
    }
  }
  return result
}

interface SarState {
  af: number
  isLong: boolean
  ep: number
  value: number
  newLow: number
  newHigh: number
  high0: number
  low0: number
}

/** Streaming parabolic SAR: the same numbers as `sar` at each bar; `replace` swaps the last bar. */
export class SarStream {
  readonly lookback = 1
  private readonly step: number
  private readonly maximum: number
  private count = 0
  private s: SarState = {
    af: 0,
    isLong: true,
    ep: 0,
    value: 0,
    newLow: 0,
    newHigh: 0,
    high0: 0,
    low0: 0,
  }
  private saved: SarState = { ...this.s }

  constructor(acceleration = 0.02, maximum = 0.2) {
    rememberParams(this, { acceleration, maximum })
    checkParams('sar', { acceleration, maximum })
    this.step = acceleration > maximum ? maximum : acceleration
    this.maximum = maximum
  }

  update(bar: { readonly high: number; readonly low: number }): number {
    this.saved = { ...this.s }
    this.count++
    return this.apply(bar)
  }

  replace(bar: { readonly high: number; readonly low: number }): number {
    if (this.count === 0) return this.update(bar)
    this.s = { ...this.saved }
    return this.apply(bar)
  }

  private apply(bar: { readonly high: number; readonly low: number }): number {
    const s = this.s
    const today = this.count - 1
    if (today === 0) {
      s.high0 = bar.high
      s.low0 = bar.low
      return Number.NaN
    }
    if (today === 1) {
      s.af = this.step
      const diffP = bar.high - s.high0
      const diffM = s.low0 - bar.low
      const minusDM = diffM > 0 && diffP < diffM ? diffM : 0
      s.isLong = !(minusDM > 0)
      if (s.isLong) {
        s.ep = bar.high
        s.value = s.low0
      } else {
        s.ep = bar.low
        s.value = s.high0
      }
      s.newLow = bar.low
      s.newHigh = bar.high
    }
    const step = this.step
    const prevLow = s.newLow
    const prevHigh = s.newHigh
    const newLow = (s.newLow = bar.low)
    const newHigh = (s.newHigh = bar.high)
    let result: number
    if (s.isLong) {
      if (newLow <= s.value) {
        s.isLong = false
        s.value = s.ep
        if (s.value < prevHigh) s.value = prevHigh
        if (s.value < newHigh) s.value = newHigh
        result = s.value
        s.af = step
        s.ep = newLow
        s.value = s.value + s.af * (s.ep - s.value)
        if (s.value < prevHigh) s.value = prevHigh
        if (s.value < newHigh) s.value = newHigh
      } else {
        result = s.value
        if (newHigh > s.ep) {
          s.ep = newHigh
          s.af += step
          if (s.af > this.maximum) s.af = this.maximum
        }
        s.value = s.value + s.af * (s.ep - s.value)
        if (s.value > prevLow) s.value = prevLow
        if (s.value > newLow) s.value = newLow
      }
    } else if (newHigh >= s.value) {
      s.isLong = true
      s.value = s.ep
      if (s.value > prevLow) s.value = prevLow
      if (s.value > newLow) s.value = newLow
      result = s.value
      s.af = step
      s.ep = newHigh
      s.value = s.value + s.af * (s.ep - s.value)
      if (s.value > prevLow) s.value = prevLow
      if (s.value > newLow) s.value = newLow
    } else {
      result = s.value
      if (newLow < s.ep) {
        s.ep = newLow
        s.af += step
        if (s.af > this.maximum) s.af = this.maximum
      }
      s.value = s.value + s.af * (s.ep - s.value)
      if (s.value < prevHigh) s.value = prevHigh
      if (s.value < newHigh) s.value = newHigh
    }
    return result
  }
}
