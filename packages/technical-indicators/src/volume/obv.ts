import { assertSameLength, output } from '../internal/validate.js'

/** Bars before the first OBV value: 0. */
export function obvLookback(): number {
  return 0
}

/**
 * On-balance volume: starts at the first bar's volume, then adds the volume on an up close and
 * subtracts it on a down close (TA-Lib's start).
 *
 * @see TA-Lib ta_OBV.c
 */
export function obv(
  close: ArrayLike<number>,
  volume: ArrayLike<number>,
  out?: Float64Array,
): Float64Array {
  const n = assertSameLength(close, volume)
  const result = output(n, out, 0)
  if (n === 0) return result
  let prevObv = volume[0] as number
  let prevClose = close[0] as number
  for (let i = 0; i < n; i++) {
    const c = close[i] as number
    if (c > prevClose) prevObv += volume[i] as number
    else if (c < prevClose) prevObv -= volume[i] as number
    result[i] = prevObv
    prevClose = c
  }
  return result
}

/** Streaming OBV: the same numbers as `obv` at each bar; `replace` swaps the last bar. */
export class ObvStream {
  readonly lookback = 0
  private count = 0
  private s = { obv: 0, prevClose: 0 }
  private saved = { obv: 0, prevClose: 0 }

  update(bar: { readonly close: number; readonly volume: number }): number {
    this.saved = { ...this.s }
    this.count++
    return this.apply(bar)
  }

  replace(bar: { readonly close: number; readonly volume: number }): number {
    if (this.count === 0) return this.update(bar)
    this.s = { ...this.saved }
    return this.apply(bar)
  }

  private apply(bar: { readonly close: number; readonly volume: number }): number {
    const s = this.s
    if (this.count === 1) {
      s.obv = bar.volume
      s.prevClose = bar.close
    }
    if (bar.close > s.prevClose) s.obv += bar.volume
    else if (bar.close < s.prevClose) s.obv -= bar.volume
    s.prevClose = bar.close
    return s.obv
  }
}
