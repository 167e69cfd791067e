import { Kernel, runClose } from '../internal/kernel.js'
import { checkParams, rememberParams } from '../internal/params.js'
import { Ring } from '../internal/ring.js'
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
    rememberParams(this, { period })
  }
}

/** Streaming LINEARREG_SLOPE. @see TA-Lib ta_LINEARREG_SLOPE.c */
export class LinearregSlopeStream extends RegressionKernel {
  constructor(period = 14) {
    super(period, 'slope')
    rememberParams(this, { period })
  }
}

/** Streaming LINEARREG_INTERCEPT. @see TA-Lib ta_LINEARREG_INTERCEPT.c */
export class LinearregInterceptStream extends RegressionKernel {
  constructor(period = 14) {
    super(period, 'intercept')
    rememberParams(this, { period })
  }
}

/** Streaming LINEARREG_ANGLE. @see TA-Lib ta_LINEARREG_ANGLE.c */
export class LinearregAngleStream extends RegressionKernel {
  constructor(period = 14) {
    super(period, 'angle')
    rememberParams(this, { period })
  }
}

/** Streaming TSF. @see TA-Lib ta_TSF.c */
export class TsfStream extends RegressionKernel {
  constructor(period = 14) {
    super(period, 'tsf')
    rememberParams(this, { period })
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
