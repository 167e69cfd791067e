import { checkParams } from '../internal/params.js'
import { Kernel, runClose, runCloseOutputs } from './kernel.js'
import { Ring } from '../internal/ring.js'

// John Ehlers' Hilbert-transform machinery as TA-Lib writes it (ta_MAMA.c, ta_HT_TRENDLINE.c and
// the HILBERT macros of ta_utility.h): a 4-bar WMA of the price, then four Hilbert transforms that
// alternate between two sets of state on even and odd bars, and the dominant cycle period.

const A = 0.0962
const B = 0.5769
const RAD2DEG = 180.0 / (4.0 * Math.atan(1))
/** TA-Lib keeps the last 50 smoothed prices (and HT_TRENDLINE the last 50 prices): 50 bars is the longest cycle. */
const SMOOTH_PRICE_SIZE = 50

/** One Hilbert transform (TA-Lib's DO_HILBERT_TRANSFORM), its even and odd states. */
class Hilbert {
  readonly odd = new Float64Array(3)
  readonly even = new Float64Array(3)
  prevOdd = 0
  prevEven = 0
  prevInputOdd = 0
  prevInputEven = 0

  step(input: number, idx: number, even: boolean, adjustedPrevPeriod: number): number {
    const t = A * input
    const slots = even ? this.even : this.odd
    let v = -(slots[idx] as number)
    slots[idx] = t
    v += t
    if (even) {
      v -= this.prevEven
      this.prevEven = B * this.prevInputEven
      v += this.prevEven
      this.prevInputEven = input
    } else {
      v -= this.prevOdd
      this.prevOdd = B * this.prevInputOdd
      v += this.prevOdd
      this.prevInputOdd = input
    }
    return v * adjustedPrevPeriod
  }
}

/**
 * The shared core: fed every price from the first bar, it smooths (after 3 priming bars), runs
 * the transforms from bar `start` on, and keeps the dominant cycle `period` up to date. `step`
 * returns false while the core is still priming (before `start`).
 */
class HilbertCore {
  private readonly start: number
  private readonly prices = new Ring(4)
  private periodWMASum = 0
  private periodWMASub = 0
  private trailingWMAValue = 0
  private hilbertIdx = 0
  private readonly detrender = new Hilbert()
  private readonly q1h = new Hilbert()
  private readonly jIh = new Hilbert()
  private readonly jQh = new Hilbert()
  private prevI2 = 0
  private prevQ2 = 0
  private re = 0
  private im = 0
  private i1ForOddPrev2 = 0
  private i1ForOddPrev3 = 0
  private i1ForEvenPrev2 = 0
  private i1ForEvenPrev3 = 0
  /** The dominant cycle period after the last bar. */
  period = 0
  /** The in-phase component divisor and quadrature of the last bar (MAMA's phase). */
  q1 = 0
  i1 = 0
  /** The last bar's smoothed price (the 4-bar WMA). */
  smoothed = 0
  i = 0

  constructor(start: number) {
    this.start = start
  }

  /** TA-Lib's DO_PRICE_WMA: a 4-bar WMA with its running sums. */
  private smooth(x: number): number {
    this.periodWMASub += x
    this.periodWMASub -= this.trailingWMAValue
    this.periodWMASum += x * 4.0
    this.trailingWMAValue = this.prices.at(3)
    const smoothed = this.periodWMASum * 0.1
    this.periodWMASum -= this.periodWMASub
    return smoothed
  }

  step(x: number): boolean {
    const today = this.i++
    this.prices.push(x)
    if (today < 3) {
      this.periodWMASub += x
      this.periodWMASum += x * (today + 1)
      return false
    }
    if (today < this.start) {
      this.smooth(x)
      return false
    }
    const adjustedPrevPeriod = 0.075 * this.period + 0.54
    const smoothed = this.smooth(x)
    this.smoothed = smoothed
    const even = today % 2 === 0
    const idx = this.hilbertIdx
    const detrender = this.detrender.step(smoothed, idx, even, adjustedPrevPeriod)
    const q1 = this.q1h.step(detrender, idx, even, adjustedPrevPeriod)
    const i1 = even ? this.i1ForEvenPrev3 : this.i1ForOddPrev3
    const jI = this.jIh.step(i1, idx, even, adjustedPrevPeriod)
    const jQ = this.jQh.step(q1, idx, even, adjustedPrevPeriod)
    if (even && ++this.hilbertIdx === 3) this.hilbertIdx = 0
    const q2 = 0.2 * (q1 + jI) + 0.8 * this.prevQ2
    const i2 = 0.2 * (i1 - jQ) + 0.8 * this.prevI2
    if (even) {
      this.i1ForOddPrev3 = this.i1ForOddPrev2
      this.i1ForOddPrev2 = detrender
    } else {
      this.i1ForEvenPrev3 = this.i1ForEvenPrev2
      this.i1ForEvenPrev2 = detrender
    }
    this.q1 = q1
    this.i1 = i1
    this.re = 0.2 * (i2 * this.prevI2 + q2 * this.prevQ2) + 0.8 * this.re
    this.im = 0.2 * (i2 * this.prevQ2 - q2 * this.prevI2) + 0.8 * this.im
    this.prevQ2 = q2
    this.prevI2 = i2
    const previous = this.period
    let period = previous
    if (this.im !== 0.0 && this.re !== 0.0)
      period = 360.0 / (Math.atan(this.im / this.re) * RAD2DEG)
    let bound = 1.5 * previous
    if (period > bound) period = bound
    bound = 0.67 * previous
    if (period < bound) period = bound
    if (period < 6) period = 6
    else if (period > 50) period = 50
    this.period = 0.2 * period + 0.8 * previous
    return true
  }
}

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

/** Bars before the first HT_TRENDLINE value: 63. */
export function htTrendlineLookback(): number {
  return 63
}

/**
 * The instantaneous trendline of HT_TRENDLINE (and HT_TRENDMODE): the mean of the last prices over
 * the smoothed cycle period, weighted 4:3:2:1 with the three means before it.
 */
class Trendline {
  private readonly prices = new Ring(SMOOTH_PRICE_SIZE)
  private iTrend1 = 0
  private iTrend2 = 0
  private iTrend3 = 0

  push(x: number): void {
    this.prices.push(x)
  }

  next(smoothPeriod: number): number {
    const count = Math.trunc(smoothPeriod + 0.5)
    let mean = 0.0
    for (let back = 0; back < count; back++) mean += this.prices.at(back)
    if (count > 0) mean = mean / count
    const trend = (4.0 * mean + 3.0 * this.iTrend1 + 2.0 * this.iTrend2 + this.iTrend3) / 10.0
    this.iTrend3 = this.iTrend2
    this.iTrend2 = this.iTrend1
    this.iTrend1 = mean
    return trend
  }
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

const DEG2RAD_BY_360 = Math.atan(1) * 8.0
const DEG2RAD = 1.0 / RAD2DEG

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
