import { HilbertCore, RAD2DEG } from '../internal/hilbert.js'
import { Kernel, runCloseOutputs } from '../internal/kernel.js'
import { checkParams, rememberParams } from '../internal/params.js'
export interface Mama {
  readonly mama: Float64Array
  readonly fama: Float64Array
}

/** Bars before the first MAMA value: 32. */
export function mamaLookback(fastLimit = 0.5, slowLimit = 0.05): number {
  checkParams('mama', { fastLimit, slowLimit })
  return 32
}

/** Streaming MAMA (also the core of `mama`). @see TA-Lib ta_MAMA.c */
export class MamaStream extends Kernel<number, { mama: number; fama: number }> {
  readonly lookback: number
  private readonly fastLimit: number
  private readonly slowLimit: number
  private readonly core = new HilbertCore(12)
  private mama = 0
  private fama = 0
  private prevPhase = 0

  constructor(fastLimit = 0.5, slowLimit = 0.05) {
    super()
    rememberParams(this, { fastLimit, slowLimit })
    this.lookback = mamaLookback(fastLimit, slowLimit)
    this.fastLimit = fastLimit
    this.slowLimit = slowLimit
  }

  protected step(x: number): { mama: number; fama: number } {
    // The phase uses the quadrature and in-phase components before the period update, so the
    // core's step is split: it stores them, and the period it updates is only read next bar.
    const today = this.core.i
    if (!this.core.step(x)) return { mama: NaN, fama: NaN }
    const { q1, i1 } = this.core
    const phase = i1 !== 0.0 ? Math.atan(q1 / i1) * RAD2DEG : 0.0
    let delta = this.prevPhase - phase
    this.prevPhase = phase
    if (delta < 1.0) delta = 1.0
    let alpha: number
    if (delta > 1.0) {
      alpha = this.fastLimit / delta
      if (alpha < this.slowLimit) alpha = this.slowLimit
    } else {
      alpha = this.fastLimit
    }
    this.mama = alpha * x + (1 - alpha) * this.mama
    alpha *= 0.5
    this.fama = alpha * this.mama + (1 - alpha) * this.fama
    if (today < this.lookback) return { mama: NaN, fama: NaN }
    return { mama: this.mama, fama: this.fama }
  }
}

/**
 * MESA adaptive moving average (John Ehlers): an EMA whose factor follows the rate of change of
 * the Hilbert-transform phase, between `slowLimit` and `fastLimit`; FAMA follows MAMA with half
 * the factor. Warm-up 32. TA-Lib takes `atan` from the C library, we from `Math.atan`; they can
 * differ in the last bit, which the adaptive factor carries on: within 4 ulps of TA-Lib, not always
 * to the bit (see the tests). @see TA-Lib ta_MAMA.c
 */
export function mama(
  close: ArrayLike<number>,
  fastLimit = 0.5,
  slowLimit = 0.05,
  out: { mama?: Float64Array; fama?: Float64Array } = {},
): Mama {
  return runCloseOutputs(new MamaStream(fastLimit, slowLimit), close, ['mama', 'fama'], out)
}
