import { assertFinite, assertSameLength, output } from '../internal/validate.js'

/** Bars before the first SAR value: 1. */
export function sarLookback(): number {
  return 1
}

/**
 * Parabolic SAR (Wilder), TA-Lib's variant: the first direction from the first bar's −DM, the
 * acceleration factor stepping by `acceleration` up to `maximum` at each new extreme, and the SAR
 * never inside the current or previous bar's range.
 *
 * Warm-up: NaN for the first bar. `acceleration` and `maximum` ≥ 0; an acceleration above the
 * maximum is capped at it (TA-Lib's rule).
 * @see TA-Lib ta_SAR.c
 */
export function sar(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  acceleration = 0.02,
  maximum = 0.2,
  out?: Float64Array,
): Float64Array {
  assertFinite('acceleration', acceleration)
  assertFinite('maximum', maximum)
  if (acceleration < 0 || maximum < 0) throw new RangeError('acceleration and maximum must be ≥ 0')
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
