import type { Bar } from '../stream.js'
import { checkParams } from '../internal/params.js'
import { assertSameLength, isZero, output, TA_EPSILON } from '../internal/validate.js'
import { AtrStream, TrangeStream } from '../volatility/atr.js'
import { Kernel, runBars, runClose } from './kernel.js'
import { Ring } from '../internal/ring.js'

/** Streaming variance (also the core of `variance` and `stddev`). @see TA-Lib ta_VAR.c */
export class VarianceStream extends Kernel<number, number> {
  readonly lookback: number
  private readonly period: number
  private readonly w: Ring
  private total1 = 0
  private total2 = 0

  constructor(period = 5) {
    super()
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

type Regression = 'linearreg' | 'slope' | 'intercept' | 'angle' | 'tsf'

/** Bars before the first value of the linear regression family: `period − 1`. */
export function linearregLookback(period = 14): number {
  checkParams('linearreg', { period })
  return period - 1
}

class RegressionKernel extends Kernel<number, number> {
  readonly lookback: number
  private readonly period: number
  private readonly kind: Regression
  private readonly w: Ring
  private readonly sumX: number
  private readonly divisor: number

  constructor(period: number, kind: Regression) {
    super()
    this.lookback = linearregLookback(period)
    this.period = period
    this.kind = kind
    this.w = new Ring(period)
    this.sumX = period * (period - 1) * 0.5
    const sumXSqr = (period * (period - 1) * (2 * period - 1)) / 6
    this.divisor = this.sumX * this.sumX - period * sumXSqr
  }

  protected step(x: number): number {
    this.w.push(x)
    if (!this.w.full) return NaN
    const p = this.period
    let sumXY = 0
    let sumY = 0
    for (let i = p; i-- !== 0;) {
      const v = this.w.at(i)
      sumY += v
      sumXY += i * v
    }
    const m = (p * sumXY - this.sumX * sumY) / this.divisor
    switch (this.kind) {
      case 'slope':
        return m
      case 'angle':
        return Math.atan(m) * (180.0 / Math.PI)
      case 'intercept':
        return (sumY - m * this.sumX) / p
      case 'linearreg': {
        const b = (sumY - m * this.sumX) / p
        return b + m * (p - 1)
      }
      case 'tsf': {
        const b = (sumY - m * this.sumX) / p
        return b + m * p
      }
    }
  }
}

/** Streaming LINEARREG. @see TA-Lib ta_LINEARREG.c */
export class LinearregStream extends RegressionKernel {
  constructor(period = 14) {
    super(period, 'linearreg')
  }
}
/** Streaming LINEARREG_SLOPE. @see TA-Lib ta_LINEARREG_SLOPE.c */
export class LinearregSlopeStream extends RegressionKernel {
  constructor(period = 14) {
    super(period, 'slope')
  }
}
/** Streaming LINEARREG_INTERCEPT. @see TA-Lib ta_LINEARREG_INTERCEPT.c */
export class LinearregInterceptStream extends RegressionKernel {
  constructor(period = 14) {
    super(period, 'intercept')
  }
}
/** Streaming LINEARREG_ANGLE. @see TA-Lib ta_LINEARREG_ANGLE.c */
export class LinearregAngleStream extends RegressionKernel {
  constructor(period = 14) {
    super(period, 'angle')
  }
}
/** Streaming TSF. @see TA-Lib ta_TSF.c */
export class TsfStream extends RegressionKernel {
  constructor(period = 14) {
    super(period, 'tsf')
  }
}

/** Least-squares line over the last `period` values, at the last bar. @see TA-Lib ta_LINEARREG.c */
export function linearreg(close: ArrayLike<number>, period = 14, out?: Float64Array): Float64Array {
  return runClose(new LinearregStream(period), close, out)
}
/** Slope of the least-squares line. @see TA-Lib ta_LINEARREG_SLOPE.c */
export function linearregSlope(
  close: ArrayLike<number>,
  period = 14,
  out?: Float64Array,
): Float64Array {
  return runClose(new LinearregSlopeStream(period), close, out)
}
/** Intercept of the least-squares line (at the window's first bar). @see TA-Lib ta_LINEARREG_INTERCEPT.c */
export function linearregIntercept(
  close: ArrayLike<number>,
  period = 14,
  out?: Float64Array,
): Float64Array {
  return runClose(new LinearregInterceptStream(period), close, out)
}
/** Angle of the least-squares line in degrees. @see TA-Lib ta_LINEARREG_ANGLE.c */
export function linearregAngle(
  close: ArrayLike<number>,
  period = 14,
  out?: Float64Array,
): Float64Array {
  return runClose(new LinearregAngleStream(period), close, out)
}
/** Time series forecast: the least-squares line one bar ahead. @see TA-Lib ta_TSF.c */
export function tsf(close: ArrayLike<number>, period = 14, out?: Float64Array): Float64Array {
  return runClose(new TsfStream(period), close, out)
}

/** Streaming accumulation/distribution line. @see TA-Lib ta_AD.c */
export class AdStream extends Kernel<Bar, number> {
  readonly lookback = 0
  private ad = 0

  protected step(bar: Bar): number {
    const range = bar.high - bar.low
    if (range > 0.0)
      this.ad += ((bar.close - bar.low - (bar.high - bar.close)) / range) * bar.volume
    return this.ad
  }
}

/** Chaikin A/D line: cumulative `((close − low) − (high − close)) / (high − low) · volume`. @see TA-Lib ta_AD.c */
export function ad(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  volume: ArrayLike<number>,
  out?: Float64Array,
): Float64Array {
  const n = assertSameLength(high, low, close, volume)
  const result = output(n, out, 0)
  runBars(new AdStream(), n, { high, low, close, volume }, (v, i) => (result[i] = v))
  return result
}

/** Bars before the first ADOSC value: `max(fast, slow) − 1`. */
export function adoscLookback(fast = 3, slow = 10): number {
  checkParams('adosc', { fast, slow })
  return Math.max(fast, slow) - 1
}

/** Streaming Chaikin oscillator. @see TA-Lib ta_ADOSC.c */
export class AdoscStream extends Kernel<Bar, number> {
  readonly lookback: number
  private readonly fastK: number
  private readonly slowK: number
  private i = 0
  private ad = 0
  private fast = 0
  private slow = 0

  constructor(fast = 3, slow = 10) {
    super()
    this.lookback = adoscLookback(fast, slow)
    this.fastK = 2 / (fast + 1)
    this.slowK = 2 / (slow + 1)
  }

  protected step(bar: Bar): number {
    const i = this.i++
    const range = bar.high - bar.low
    if (range > 0.0)
      this.ad += ((bar.close - bar.low - (bar.high - bar.close)) / range) * bar.volume
    if (i === 0) {
      this.fast = this.ad
      this.slow = this.ad
    } else {
      this.fast = this.fastK * this.ad + (1.0 - this.fastK) * this.fast
      this.slow = this.slowK * this.ad + (1.0 - this.slowK) * this.slow
    }
    return i < this.lookback ? NaN : this.fast - this.slow
  }
}

/**
 * Chaikin A/D oscillator: fast EMA − slow EMA of the A/D line, both seeded with its first value
 * (TA-Lib's convention). Warm-up `max(fast, slow) − 1`. @see TA-Lib ta_ADOSC.c
 */
export function adosc(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  volume: ArrayLike<number>,
  fast = 3,
  slow = 10,
  out?: Float64Array,
): Float64Array {
  const n = assertSameLength(high, low, close, volume)
  const result = output(n, out, 0)
  runBars(new AdoscStream(fast, slow), n, { high, low, close, volume }, (v, i) => (result[i] = v))
  return result
}

/** Bars before the first NATR value: `period`. */
export function natrLookback(period = 14): number {
  checkParams('natr', { period })
  return period
}

/** Streaming NATR. @see TA-Lib ta_NATR.c */
export class NatrStream extends Kernel<Bar, number> {
  readonly lookback: number
  private readonly one: boolean
  private readonly atr: AtrStream
  private readonly range: TrangeStream

  constructor(period = 14) {
    super()
    this.lookback = natrLookback(period)
    this.one = period === 1
    this.atr = new AtrStream(period)
    this.range = new TrangeStream()
  }

  protected step(bar: Bar): number {
    // TA-Lib returns the plain true range for period 1.
    if (this.one) return this.range.update(bar)
    const atr = this.atr.update(bar)
    if (Number.isNaN(atr)) return NaN
    return !isZero(bar.close) ? (atr / bar.close) * 100.0 : 0.0
  }
}

/** Normalized ATR: `ATR / close · 100`. Warm-up `period`. @see TA-Lib ta_NATR.c */
export function natr(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  period = 14,
  out?: Float64Array,
): Float64Array {
  const n = assertSameLength(high, low, close)
  const result = output(n, out, 0)
  runBars(new NatrStream(period), n, { high, low, close }, (v, i) => (result[i] = v))
  return result
}

type Price = 'avg' | 'med' | 'typ' | 'wcl'

class PriceKernel extends Kernel<Bar, number> {
  readonly lookback = 0
  private readonly kind: Price

  constructor(kind: Price) {
    super()
    this.kind = kind
  }

  protected step(b: Bar): number {
    switch (this.kind) {
      case 'avg':
        return (b.high + b.low + b.close + b.open) / 4
      case 'med':
        return (b.high + b.low) / 2.0
      case 'typ':
        return (b.high + b.low + b.close) / 3.0
      case 'wcl':
        return (b.high + b.low + b.close * 2.0) / 4.0
    }
  }
}

/** Streaming AVGPRICE. @see TA-Lib ta_AVGPRICE.c */
export class AvgpriceStream extends PriceKernel {
  constructor() {
    super('avg')
  }
}
/** Streaming MEDPRICE. @see TA-Lib ta_MEDPRICE.c */
export class MedpriceStream extends PriceKernel {
  constructor() {
    super('med')
  }
}
/** Streaming TYPPRICE. @see TA-Lib ta_TYPPRICE.c */
export class TyppriceStream extends PriceKernel {
  constructor() {
    super('typ')
  }
}
/** Streaming WCLPRICE. @see TA-Lib ta_WCLPRICE.c */
export class WclpriceStream extends PriceKernel {
  constructor() {
    super('wcl')
  }
}

/** `(open + high + low + close) / 4`. @see TA-Lib ta_AVGPRICE.c */
export function avgprice(
  open: ArrayLike<number>,
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  out?: Float64Array,
): Float64Array {
  const n = assertSameLength(open, high, low, close)
  const result = output(n, out, 0)
  runBars(new AvgpriceStream(), n, { open, high, low, close }, (v, i) => (result[i] = v))
  return result
}
/** `(high + low) / 2`. @see TA-Lib ta_MEDPRICE.c */
export function medprice(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  out?: Float64Array,
): Float64Array {
  const n = assertSameLength(high, low)
  const result = output(n, out, 0)
  runBars(new MedpriceStream(), n, { high, low }, (v, i) => (result[i] = v))
  return result
}
/** `(high + low + close) / 3`. @see TA-Lib ta_TYPPRICE.c */
export function typprice(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  out?: Float64Array,
): Float64Array {
  const n = assertSameLength(high, low, close)
  const result = output(n, out, 0)
  runBars(new TyppriceStream(), n, { high, low, close }, (v, i) => (result[i] = v))
  return result
}
/** `(high + low + 2·close) / 4`. @see TA-Lib ta_WCLPRICE.c */
export function wclprice(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  out?: Float64Array,
): Float64Array {
  const n = assertSameLength(high, low, close)
  const result = output(n, out, 0)
  runBars(new WclpriceStream(), n, { high, low, close }, (v, i) => (result[i] = v))
  return result
}
