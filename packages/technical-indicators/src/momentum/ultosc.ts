import { Kernel, runBarsInto } from '../internal/kernel.js'
import { checkParams, rememberParams } from '../internal/params.js'
import { Ring } from '../internal/ring.js'
import { trueRange } from '../internal/select.js'
import { isZero } from '../internal/validate.js'
import { type Bar } from '../stream.js'
/** Bars before the first ULTOSC value: the longest period. */
export function ultoscLookback(period1 = 7, period2 = 14, period3 = 28): number {
  checkParams('ultosc', { period1, period2, period3 })
  return Math.max(period1, period2, period3)
}

/** Streaming ultimate oscillator (also the core of `ultosc`). @see TA-Lib ta_ULTOSC.c */
export class UltoscStream extends Kernel<Bar, number> {
  readonly lookback: number
  /** Periods shortest first: weights 4, 2, 1. */
  private readonly periods: readonly [number, number, number]
  private readonly buying: Ring
  private readonly ranges: Ring
  private readonly a = new Float64Array(3)
  private readonly b = new Float64Array(3)
  private prevClose = NaN
  private i = 0

  constructor(period1 = 7, period2 = 14, period3 = 28) {
    super()
    rememberParams(this, { period1, period2, period3 })
    this.lookback = ultoscLookback(period1, period2, period3)
    const [p1, p2, p3] = [period1, period2, period3].sort((x, y) => x - y) as [
      number,
      number,
      number,
    ]
    this.periods = [p1, p2, p3]
    this.buying = new Ring(p3)
    this.ranges = new Ring(p3)
  }

  protected step(bar: Bar): number {
    const i = this.i++
    const prevClose = this.prevClose
    this.prevClose = bar.close
    if (i === 0) return NaN
    const trueLow = Math.min(bar.low, prevClose)
    const range = trueRange(bar.high, bar.low, prevClose)
    const buying = bar.close - trueLow
    this.buying.push(buying)
    this.ranges.push(range)
    const { a, b, periods, lookback } = this
    for (let k = 0; k < 3; k++) {
      // TA-Lib primes each total from lookback − period + 1 on, in bar order.
      if (i >= lookback - (periods[k] as number) + 1) {
        a[k] = (a[k] as number) + buying
        b[k] = (b[k] as number) + range
      }
    }
    if (i < lookback) return NaN
    let result = 0.0
    if (!isZero(b[0] as number)) result += 4.0 * ((a[0] as number) / (b[0] as number))
    if (!isZero(b[1] as number)) result += 2.0 * ((a[1] as number) / (b[1] as number))
    if (!isZero(b[2] as number)) result += (a[2] as number) / (b[2] as number)
    for (let k = 0; k < 3; k++) {
      const back = (periods[k] as number) - 1
      a[k] = (a[k] as number) - this.buying.at(back)
      b[k] = (b[k] as number) - this.ranges.at(back)
    }
    return 100.0 * (result / 7.0)
  }
}

/**
 * Ultimate oscillator (Larry Williams): buying pressure `close − min(low, previous close)` over
 * true range, summed over three periods and weighted 4:2:1 (shortest first), scaled to 0–100.
 * Warm-up: the longest period. @see TA-Lib ta_ULTOSC.c
 */
export function ultosc(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  period1 = 7,
  period2 = 14,
  period3 = 28,
  out?: Float64Array,
): Float64Array {
  return runBarsInto(new UltoscStream(period1, period2, period3), { high, low, close }, out)
}
