import { HilbertCore } from '../internal/hilbert.js'
import { Kernel, runClose, runCloseOutputs } from '../internal/kernel.js'
/** Bars before the first HT_DCPERIOD or HT_PHASOR value: 32. */
export function htDcperiodLookback(): number {
  return 32
}

/** Streaming HT_DCPERIOD (also the core of `htDcperiod`). @see TA-Lib ta_HT_DCPERIOD.c */
export class HtDcperiodStream extends Kernel<number, number> {
  readonly lookback = 32
  private readonly core = new HilbertCore(12)
  private smoothPeriod = 0

  protected step(x: number): number {
    const today = this.core.i
    if (!this.core.step(x)) return NaN
    this.smoothPeriod = 0.33 * this.core.period + 0.67 * this.smoothPeriod
    return today < this.lookback ? NaN : this.smoothPeriod
  }
}

/**
 * Hilbert transform dominant cycle period (John Ehlers), in bars, smoothed. Warm-up 32. The
 * period is an arctangent (`Math.atan` here, the C library's in TA-Lib) fed back into every
 * transform, so a last-bit difference travels on: within a few ulps of TA-Lib, not to the bit.
 * @see TA-Lib ta_HT_DCPERIOD.c
 */
export function htDcperiod(close: ArrayLike<number>, out?: Float64Array): Float64Array {
  return runClose(new HtDcperiodStream(), close, out)
}

export interface Phasor {
  readonly inPhase: Float64Array
  readonly quadrature: Float64Array
}

/** Streaming HT_PHASOR (also the core of `htPhasor`). @see TA-Lib ta_HT_PHASOR.c */
export class HtPhasorStream extends Kernel<number, { inPhase: number; quadrature: number }> {
  readonly lookback = 32
  private readonly core = new HilbertCore(12)

  protected step(x: number): { inPhase: number; quadrature: number } {
    const today = this.core.i
    if (!this.core.step(x) || today < this.lookback) return { inPhase: NaN, quadrature: NaN }
    return { inPhase: this.core.i1, quadrature: this.core.q1 }
  }
}

/**
 * Hilbert transform phasor components (John Ehlers): the in-phase component (the detrended price
 * three bars back) and the quadrature. Warm-up 32. Within 1e-13 of the series' largest value of
 * TA-Lib's (the cycle period is an arctangent, see `htDcperiod`). @see TA-Lib ta_HT_PHASOR.c
 */
export function htPhasor(
  close: ArrayLike<number>,
  out: { inPhase?: Float64Array; quadrature?: Float64Array } = {},
): Phasor {
  return runCloseOutputs(new HtPhasorStream(), close, ['inPhase', 'quadrature'], out)
}
