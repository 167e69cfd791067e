import { Kernel, runClose } from '../internal/kernel.js'
import { checkParams, rememberParams } from '../internal/params.js'
import { isZero } from '../internal/validate.js'
/** Bars before the first CMO value: `period`. */
export function cmoLookback(period = 14): number {
  checkParams('cmo', { period })
  return period
}

/** Streaming CMO (also the core of `cmo`). @see TA-Lib ta_CMO.c */
export class CmoStream extends Kernel<number, number> {
  readonly lookback: number
  private readonly period: number
  private i = 0
  private prevValue = 0
  private gain = 0
  private loss = 0

  constructor(period = 14) {
    super()
    rememberParams(this, { period })
    this.lookback = cmoLookback(period)
    this.period = period
  }

  protected step(x: number): number {
    const i = this.i++
    const p = this.period
    if (i === 0) {
      this.prevValue = x
      return NaN
    }
    const diff = x - this.prevValue
    this.prevValue = x
    if (i > p) {
      this.loss *= p - 1
      this.gain *= p - 1
    }
    if (diff < 0) this.loss -= diff
    else this.gain += diff
    if (i < p) return NaN
    this.loss /= p
    this.gain /= p
    const total = this.gain + this.loss
    return !isZero(total) ? 100.0 * ((this.gain - this.loss) / total) : 0.0
  }
}

/**
 * Chande momentum oscillator: `100·(gains − losses) / (gains + losses)` with Wilder smoothing,
 * as TA-Lib computes it. Warm-up `period`. @see TA-Lib ta_CMO.c
 */
export function cmo(close: ArrayLike<number>, period = 14, out?: Float64Array): Float64Array {
  return runClose(new CmoStream(period), close, out)
}
