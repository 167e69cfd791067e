import { Kernel, runBarsInto } from '../internal/kernel.js'
import { checkParams, rememberParams } from '../internal/params.js'
import { isZero } from '../internal/validate.js'
import { type Bar } from '../stream.js'
import { AtrStream, TrangeStream } from './atr.js'
/** Bars before the first NATR value: `period`. */
export function natrLookback(period = 14): number {
  checkParams('natr', { period })
  return period
}

/** Streaming NATR. @see TA-Lib ta_NATR.c */
export class NatrStream extends Kernel<Bar, number> {
  readonly lookback: number
  private readonly one: boolean
  private readonly atr: AtrStream
  private readonly range: TrangeStream

  constructor(period = 14) {
    super()
    rememberParams(this, { period })
    this.lookback = natrLookback(period)
    this.one = period === 1
    this.atr = new AtrStream(period)
    this.range = new TrangeStream()
  }

  protected step(bar: Bar): number {
    // TA-Lib returns the plain true range for period 1.
    if (this.one) return this.range.update(bar)
    const atr = this.atr.update(bar)
    if (Number.isNaN(atr)) return NaN
    return !isZero(bar.close) ? (atr / bar.close) * 100.0 : 0.0
  }
}

/** Normalized ATR: `ATR / close · 100`. Warm-up `period`. @see TA-Lib ta_NATR.c */
export function natr(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  period = 14,
  out?: Float64Array,
): Float64Array {
  return runBarsInto(new NatrStream(period), { high, low, close }, out)
}
