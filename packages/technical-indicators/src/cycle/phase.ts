import {
  DEG2RAD,
  DEG2RAD_BY_360,
  HilbertCore,
  RAD2DEG,
  SMOOTH_PRICE_SIZE,
  Trendline,
} from '../internal/hilbert.js'
import { Kernel, runClose, runCloseOutputs } from '../internal/kernel.js'
/**
 * The dominant cycle phase (ta_HT_DCPHASE.c, shared by HT_SINE and HT_TRENDMODE): the Hilbert core
 * from bar 37, the smoothed period, and a one-cycle DFT of the smoothed prices.
 */
class PhaseCore {
  readonly core = new HilbertCore(37)
  private readonly smoothPrice = new Float64Array(SMOOTH_PRICE_SIZE)
  private pos = 0
  smoothPeriod = 0
  dcPhase = 0
  prevDcPhase = 0
  /** The smoothed price of the last bar. */
  current = 0

  step(x: number): boolean {
    if (!this.core.step(x)) return false
    this.smoothPrice[this.pos] = this.core.smoothed
    this.smoothPeriod = 0.33 * this.core.period + 0.67 * this.smoothPeriod
    this.prevDcPhase = this.dcPhase
    const count = Math.trunc(this.smoothPeriod + 0.5)
    let real = 0.0
    let imag = 0.0
    let idx = this.pos
    for (let i = 0; i < count; i++) {
      const t = (i * DEG2RAD_BY_360) / count
      const v = this.smoothPrice[idx] as number
      real += Math.sin(t) * v
      imag += Math.cos(t) * v
      idx = idx === 0 ? SMOOTH_PRICE_SIZE - 1 : idx - 1
    }
    let phase = this.dcPhase
    const size = Math.abs(imag)
    if (size > 0.0) phase = Math.atan(real / imag) * RAD2DEG
    else if (size <= 0.01) {
      if (real < 0.0) phase -= 90.0
      else if (real > 0.0) phase += 90.0
    }
    phase += 90.0
    // Compensate for the one-bar lag of the smoothing.
    phase += 360.0 / this.smoothPeriod
    if (imag < 0.0) phase += 180.0
    if (phase > 315.0) phase -= 360.0
    this.dcPhase = phase
    this.current = this.smoothPrice[this.pos] as number
    this.pos = this.pos === SMOOTH_PRICE_SIZE - 1 ? 0 : this.pos + 1
    return true
  }
}

/** Bars before the first HT_DCPHASE, HT_SINE or HT_TRENDMODE value: 63. */
export function htDcphaseLookback(): number {
  return 63
}

/** Streaming HT_DCPHASE (also the core of `htDcphase`). @see TA-Lib ta_HT_DCPHASE.c */
export class HtDcphaseStream extends Kernel<number, number> {
  readonly lookback = 63
  private readonly phase = new PhaseCore()

  protected step(x: number): number {
    const today = this.phase.core.i
    if (!this.phase.step(x) || today < this.lookback) return NaN
    return this.phase.dcPhase
  }
}

/**
 * Hilbert transform dominant cycle phase (John Ehlers), in degrees (−45…315). Warm-up 63. Built
 * on arctangents, sines and cosines (JavaScript's, not the C library's): close to TA-Lib, not to
 * the bit (see the tests). @see TA-Lib ta_HT_DCPHASE.c
 */
export function htDcphase(close: ArrayLike<number>, out?: Float64Array): Float64Array {
  return runClose(new HtDcphaseStream(), close, out)
}

export interface Sine {
  readonly sine: Float64Array
  readonly leadSine: Float64Array
}

/** Streaming HT_SINE (also the core of `htSine`). @see TA-Lib ta_HT_SINE.c */
export class HtSineStream extends Kernel<number, { sine: number; leadSine: number }> {
  readonly lookback = 63
  private readonly phase = new PhaseCore()

  protected step(x: number): { sine: number; leadSine: number } {
    const today = this.phase.core.i
    if (!this.phase.step(x) || today < this.lookback) return { sine: NaN, leadSine: NaN }
    const p = this.phase.dcPhase
    return { sine: Math.sin(p * DEG2RAD), leadSine: Math.sin((p + 45) * DEG2RAD) }
  }
}

/**
 * Hilbert transform sine wave (John Ehlers): the sine of the dominant cycle phase and the sine
 * 45° ahead; their crossings mark cycle turns. Warm-up 63. Close to TA-Lib, not to the bit (see
 * `htDcphase`). @see TA-Lib ta_HT_SINE.c
 */
export function htSine(
  close: ArrayLike<number>,
  out: { sine?: Float64Array; leadSine?: Float64Array } = {},
): Sine {
  return runCloseOutputs(new HtSineStream(), close, ['sine', 'leadSine'], out)
}

/** Streaming HT_TRENDMODE (also the core of `htTrendmode`). @see TA-Lib ta_HT_TRENDMODE.c */
export class HtTrendmodeStream extends Kernel<number, number> {
  readonly lookback = 63
  private readonly phase = new PhaseCore()
  private readonly line = new Trendline()
  private sine = 0
  private leadSine = 0
  private daysInTrend = 0

  protected step(x: number): number {
    const today = this.phase.core.i
    this.line.push(x)
    const ph = this.phase
    if (!ph.step(x)) return NaN
    const prevSine = this.sine
    const prevLeadSine = this.leadSine
    this.sine = Math.sin(ph.dcPhase * DEG2RAD)
    this.leadSine = Math.sin((ph.dcPhase + 45) * DEG2RAD)
    const trendline = this.line.next(ph.smoothPeriod)
    // Trend unless the sine waves just crossed, the trend is younger than half a cycle, or the
    // phase moves at the cycle's rate; a price 1.5 % off the trendline is a trend regardless.
    let trend = 1
    if (
      (this.sine > this.leadSine && prevSine <= prevLeadSine) ||
      (this.sine < this.leadSine && prevSine >= prevLeadSine)
    ) {
      this.daysInTrend = 0
      trend = 0
    }
    this.daysInTrend++
    if (this.daysInTrend < 0.5 * ph.smoothPeriod) trend = 0
    const change = ph.dcPhase - ph.prevDcPhase
    if (
      ph.smoothPeriod !== 0.0 &&
      change > (0.67 * 360.0) / ph.smoothPeriod &&
      change < (1.5 * 360.0) / ph.smoothPeriod
    ) {
      trend = 0
    }
    if (trendline !== 0.0 && Math.abs((ph.current - trendline) / trendline) >= 0.015) trend = 1
    return today < this.lookback ? NaN : trend
  }
}

/**
 * Hilbert transform trend versus cycle mode (John Ehlers): 1 while the market trends, 0 while it
 * cycles. Warm-up 63. Built on the dominant cycle phase, so on rare bars where TA-Lib's phase and
 * ours differ in the last digits the mode can differ (see the tests). @see TA-Lib ta_HT_TRENDMODE.c
 */
export function htTrendmode(close: ArrayLike<number>, out?: Float64Array): Float64Array {
  return runClose(new HtTrendmodeStream(), close, out)
}
