import { Kernel, runBarsInto, runClose } from '../internal/kernel.js'
import { checkParams, rememberParams } from '../internal/params.js'
import { Ring } from '../internal/ring.js'
import { type Bar } from '../stream.js'
/**
 * Bars before the first value of midpoint, midprice, max, min and sum: `period − 1` (the five
 * share TA-Lib's range, 2 to 100000).
 */
export function windowLookback(period = 14): number {
  checkParams('midpoint', { period })
  return period - 1
}

/** Streaming MIDPOINT. @see TA-Lib ta_MIDPOINT.c */
export class MidpointStream extends Kernel<number, number> {
  readonly lookback: number
  private readonly w: Ring

  constructor(period = 14) {
    super()
    rememberParams(this, { period })
    this.lookback = windowLookback(period)
    this.w = new Ring(period)
  }

  protected step(x: number): number {
    this.w.push(x)
    if (!this.w.full) return NaN
    // TA-Lib's scan: from the oldest value, `if (v < lowest) … else if (v > highest) …`.
    const w = this.w
    let lowest = w.at(this.lookback)
    let highest = lowest
    for (let back = this.lookback - 1; back >= 0; back--) {
      const v = w.at(back)
      if (v < lowest) lowest = v
      else if (v > highest) highest = v
    }
    return (highest + lowest) / 2.0
  }
}

/** `(highest + lowest) / 2` of the last `period` values. Warm-up `period − 1`. @see TA-Lib ta_MIDPOINT.c */
export function midpoint(close: ArrayLike<number>, period = 14, out?: Float64Array): Float64Array {
  return runClose(new MidpointStream(period), close, out)
}

/** Streaming MIDPRICE. @see TA-Lib ta_MIDPRICE.c */
export class MidpriceStream extends Kernel<Bar, number> {
  readonly lookback: number
  private readonly highs: Ring
  private readonly lows: Ring

  constructor(period = 14) {
    super()
    rememberParams(this, { period })
    this.lookback = windowLookback(period)
    this.highs = new Ring(period)
    this.lows = new Ring(period)
  }

  protected step(bar: Bar): number {
    this.highs.push(bar.high)
    this.lows.push(bar.low)
    if (!this.highs.full) return NaN
    // TA-Lib's scan: from the oldest bar, the low then the high of each.
    const last = this.lookback
    let lowest = this.lows.at(last)
    let highest = this.highs.at(last)
    for (let back = last - 1; back >= 0; back--) {
      const l = this.lows.at(back)
      if (l < lowest) lowest = l
      const h = this.highs.at(back)
      if (h > highest) highest = h
    }
    return (highest + lowest) / 2.0
  }
}

/** `(highest high + lowest low) / 2` over `period` bars. Warm-up `period − 1`. @see TA-Lib ta_MIDPRICE.c */
export function midprice(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  period = 14,
  out?: Float64Array,
): Float64Array {
  return runBarsInto(new MidpriceStream(period), { high, low }, out)
}
