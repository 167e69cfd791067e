import { Kernel, runClose } from '../internal/kernel.js'
import { checkParams, rememberParams } from '../internal/params.js'
import { Ring } from '../internal/ring.js'
import { TA_EPSILON } from '../internal/validate.js'
/** Streaming variance (also the core of `variance` and `stddev`). @see TA-Lib ta_VAR.c */
export class VarianceStream extends Kernel<number, number> {
  readonly lookback: number
  private readonly period: number
  private readonly w: Ring
  private total1 = 0
  private total2 = 0

  constructor(period = 5) {
    super()
    rememberParams(this, { period })
    this.lookback = varianceLookback(period)
    this.period = period
    this.w = new Ring(period)
  }

  protected step(x: number): number {
    const w = this.w
    w.push(x)
    this.total1 += x
    this.total2 += x * x
    if (!w.full) return NaN
    const mean1 = this.total1 / this.period
    const mean2 = this.total2 / this.period
    const old = w.at(this.lookback)
    this.total1 -= old
    this.total2 -= old * old
    return mean2 - mean1 * mean1
  }
}

/** Bars before the first variance or standard deviation: `period − 1`. */
export function varianceLookback(period = 5): number {
  checkParams('variance', { period })
  return period - 1
}

/** Population variance of the last `period` values, from running sums. @see TA-Lib ta_VAR.c */
export function variance(close: ArrayLike<number>, period = 5, out?: Float64Array): Float64Array {
  return runClose(new VarianceStream(period), close, out)
}

/** Streaming standard deviation. @see TA-Lib ta_STDDEV.c */
export class StddevStream extends Kernel<number, number> {
  readonly lookback: number
  private readonly nbDev: number
  private readonly v: VarianceStream

  constructor(period = 5, nbDev = 1) {
    super()
    rememberParams(this, { period, nbDev })
    checkParams('stddev', { period, nbDev })
    this.v = new VarianceStream(period)
    this.lookback = this.v.lookback
    this.nbDev = nbDev
  }

  protected step(x: number): number {
    const v = this.v.next(x)
    // NaN (warm-up) stays NaN: NaN < ε is false and √NaN is NaN.
    return v < TA_EPSILON ? 0.0 : Math.sqrt(v) * this.nbDev
  }
}

/** `nbDev · √variance` (0 when the variance is below 1e-14). Warm-up `period − 1`. @see TA-Lib ta_STDDEV.c */
export function stddev(
  close: ArrayLike<number>,
  period = 5,
  nbDev = 1,
  out?: Float64Array,
): Float64Array {
  return runClose(new StddevStream(period, nbDev), close, out)
}
