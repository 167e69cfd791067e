import { HilbertCore, Trendline } from '../internal/hilbert.js'
import { Kernel, runClose } from '../internal/kernel.js'
/** Bars before the first HT_TRENDLINE value: 63. */
export function htTrendlineLookback(): number {
  return 63
}

/** Streaming HT_TRENDLINE (also the core of `htTrendline`). @see TA-Lib ta_HT_TRENDLINE.c */
export class HtTrendlineStream extends Kernel<number, number> {
  readonly lookback = 63
  private readonly core = new HilbertCore(37)
  private readonly trendline = new Trendline()
  private smoothPeriod = 0

  protected step(x: number): number {
    const today = this.core.i
    this.trendline.push(x)
    if (!this.core.step(x)) return NaN
    this.smoothPeriod = 0.33 * this.core.period + 0.67 * this.smoothPeriod
    const trend = this.trendline.next(this.smoothPeriod)
    return today < this.lookback ? NaN : trend
  }
}

/**
 * Hilbert transform instantaneous trendline (John Ehlers): the mean of the prices over the
 * smoothed dominant cycle period, weighted 4:3:2:1 over its last four values. Warm-up 63. Equal to
 * TA-Lib on every fixture bar; its cycle period comes from an arctangent (`Math.atan` here, the C
 * library's in TA-Lib), which on rare inputs differ in the last bit. @see TA-Lib ta_HT_TRENDLINE.c
 */
export function htTrendline(close: ArrayLike<number>, out?: Float64Array): Float64Array {
  return runClose(new HtTrendlineStream(), close, out)
}
