import { Kernel, runClose } from '../internal/kernel.js'
import { checkParams, rememberParams } from '../internal/params.js'
import { type Ring, inputRing } from '../internal/ring.js'
/** Bars before the first TRIMA value: `period − 1`. */
export function trimaLookback(period = 30): number {
  checkParams('trima', { period })
  return period - 1
}

/** Streaming TRIMA (also the core of `trima`): TA-Lib's running numerator. @see TA-Lib ta_TRIMA.c */
export class TrimaStream extends Kernel<number, number> {
  readonly lookback: number
  private readonly period: number
  private readonly half: number
  private readonly factor: number
  private readonly odd: boolean
  private readonly w: Ring
  private numerator = 0
  private numeratorSub = 0
  private numeratorAdd = 0
  private trailing = 0

  constructor(period = 30) {
    super()
    rememberParams(this, { period })
    this.lookback = trimaLookback(period)
    this.period = period
    this.half = period >> 1
    this.odd = period % 2 === 1
    this.factor = this.odd
      ? 1.0 / ((this.half + 1) * (this.half + 1))
      : 1.0 / (this.half * (this.half + 1))
    this.w = inputRing(period)
  }

  protected step(x: number): number {
    const w = this.w
    w.push(x)
    const p = this.period
    if (w.count < p) return NaN
    const i = this.half
    if (w.count === p) {
      // x[j] of the first window is w.at(p − 1 − j).
      const middle = this.odd ? i : i - 1
      this.numerator = 0
      this.numeratorSub = 0
      for (let j = middle; j >= 0; j--) {
        this.numeratorSub += w.at(p - 1 - j)
        this.numerator += this.numeratorSub
      }
      this.numeratorAdd = 0
      for (let j = middle + 1; j <= p - 1; j++) {
        this.numeratorAdd += w.at(p - 1 - j)
        this.numerator += this.numeratorAdd
      }
      this.trailing = w.at(p - 1)
      return this.numerator * this.factor
    }
    this.numerator -= this.numeratorSub
    this.numeratorSub -= this.trailing
    const mid = w.at(this.odd ? p - i - 1 : p - i)
    this.numeratorSub += mid
    if (this.odd) {
      this.numerator += this.numeratorAdd
      this.numeratorAdd -= mid
    } else {
      this.numeratorAdd -= mid
      this.numerator += this.numeratorAdd
    }
    this.numeratorAdd += x
    this.numerator += x
    this.trailing = w.at(p - 1)
    return this.numerator * this.factor
  }
}

/**
 * Triangular moving average: the SMA of the SMA, weights rising to the middle of the window.
 * Warm-up `period − 1`. @see TA-Lib ta_TRIMA.c
 */
export function trima(close: ArrayLike<number>, period = 30, out?: Float64Array): Float64Array {
  return runClose(new TrimaStream(period), close, out)
}
