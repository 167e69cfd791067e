import { Kernel, runClose } from '../internal/kernel.js'
import { checkParams, rememberParams } from '../internal/params.js'
/** Bars before the first T3 value: `6·(period − 1)`. */
export function t3Lookback(period = 5, vFactor = 0.7): number {
  checkParams('t3', { period, vFactor })
  return 6 * (period - 1)
}

/** Streaming T3 (also the core of `t3`). @see TA-Lib ta_T3.c */
export class T3Stream extends Kernel<number, number> {
  readonly lookback: number
  private readonly period: number
  private readonly k: number
  private readonly omk: number
  private readonly c: readonly [number, number, number, number]
  private readonly e = new Float64Array(7)
  private i = 0
  private finalized = 0
  private total = 0

  constructor(period = 5, vFactor = 0.7) {
    super()
    rememberParams(this, { period, vFactor })
    this.lookback = t3Lookback(period, vFactor)
    this.period = period
    this.k = 2.0 / (period + 1.0)
    this.omk = 1.0 - this.k
    const t = vFactor * vFactor
    const c1 = -(t * vFactor)
    const c2 = 3.0 * (t - c1)
    const c3 = -6.0 * t - 3.0 * (vFactor - c1)
    const c4 = 1.0 + 3.0 * vFactor - c1 + 3.0 * t
    this.c = [c1, c2, c3, c4]
  }

  protected step(x: number): number {
    const i = this.i++
    const p = this.period
    const e = this.e
    if (i < p) this.total = i === 0 ? x : this.total + x
    else {
      const m = this.finalized
      e[1] = this.k * x + this.omk * (e[1] as number)
      for (let j = 2; j <= m; j++)
        e[j] = this.k * (e[j - 1] as number) + this.omk * (e[j] as number)
      if (m < 6) this.total += e[m] as number
    }
    while (this.finalized < 6 && (this.finalized + 1) * (p - 1) === i) {
      this.finalized++
      e[this.finalized] = this.total / p
      this.total = e[this.finalized] as number
    }
    if (i < this.lookback) return NaN
    const [c1, c2, c3, c4] = this.c
    return (
      c1 * (e[6] as number) + c2 * (e[5] as number) + c3 * (e[4] as number) + c4 * (e[3] as number)
    )
  }
}

/**
 * Tillson's T3: six EMAs combined with the volume factor `vFactor`. Warm-up `6·(period − 1)`.
 * @see TA-Lib ta_T3.c
 */
export function t3(
  close: ArrayLike<number>,
  period = 5,
  vFactor = 0.7,
  out?: Float64Array,
): Float64Array {
  return runClose(new T3Stream(period, vFactor), close, out)
}
