import { Ring } from './ring.js'
const A = 0.0962

const B = 0.5769

export const RAD2DEG = 180.0 / (4.0 * Math.atan(1))

/** TA-Lib keeps the last 50 smoothed prices (and HT_TRENDLINE the last 50 prices): 50 bars is the longest cycle. */
export const SMOOTH_PRICE_SIZE = 50

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
export class HilbertCore {
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

/**
 * The instantaneous trendline of HT_TRENDLINE (and HT_TRENDMODE): the mean of the last prices over
 * the smoothed cycle period, weighted 4:3:2:1 with the three means before it.
 */
export class Trendline {
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

export const DEG2RAD_BY_360 = Math.atan(1) * 8.0

export const DEG2RAD = 1.0 / RAD2DEG
