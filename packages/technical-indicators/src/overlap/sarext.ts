import { Kernel, runBarsInto } from '../internal/kernel.js'
import { checkParams, rememberParams } from '../internal/params.js'
import { type Bar } from '../stream.js'
export interface SarExtOptions {
  /** 0: direction from the first bar's −DM (as SAR); > 0: start long at this SAR; < 0: short at its absolute value. */
  readonly startValue?: number
  /** Fraction added to (short) or taken from (long) the SAR on a reversal; default 0. */
  readonly offsetOnReverse?: number
  readonly accelerationInitLong?: number
  readonly accelerationLong?: number
  readonly accelerationMaxLong?: number
  readonly accelerationInitShort?: number
  readonly accelerationShort?: number
  readonly accelerationMaxShort?: number
}

/** Bars before the first SAREXT value: 1. */
export function sarextLookback(): number {
  return 1
}

/** Streaming SAREXT (also the core of `sarext`). @see TA-Lib ta_SAREXT.c */
export class SarextStream extends Kernel<Bar, number> {
  readonly lookback = 1
  private readonly startValue: number
  private readonly offset: number
  private readonly initLong: number
  private readonly stepLong: number
  private readonly maxLong: number
  private readonly initShort: number
  private readonly stepShort: number
  private readonly maxShort: number
  private i = 0
  private high0 = 0
  private low0 = 0
  private isLong = true
  private ep = 0
  private sar = 0
  private afLong: number
  private afShort: number
  private newLow = 0
  private newHigh = 0

  constructor(options: SarExtOptions = {}) {
    super()
    rememberParams(this, options)
    const {
      startValue = 0,
      offsetOnReverse = 0,
      accelerationInitLong = 0.02,
      accelerationLong = 0.02,
      accelerationMaxLong = 0.2,
      accelerationInitShort = 0.02,
      accelerationShort = 0.02,
      accelerationMaxShort = 0.2,
    } = options
    checkParams('sarext', {
      startValue,
      offsetOnReverse,
      accelerationInitLong,
      accelerationLong,
      accelerationMaxLong,
      accelerationInitShort,
      accelerationShort,
      accelerationMaxShort,
    })
    this.startValue = startValue
    this.offset = offsetOnReverse
    // TA-Lib caps the initial and step accelerations at their maxima.
    this.maxLong = accelerationMaxLong
    this.initLong = Math.min(accelerationInitLong, accelerationMaxLong)
    this.stepLong = Math.min(accelerationLong, accelerationMaxLong)
    this.maxShort = accelerationMaxShort
    this.initShort = Math.min(accelerationInitShort, accelerationMaxShort)
    this.stepShort = Math.min(accelerationShort, accelerationMaxShort)
    this.afLong = this.initLong
    this.afShort = this.initShort
  }

  protected step(bar: Bar): number {
    const i = this.i++
    if (i === 0) {
      this.high0 = bar.high
      this.low0 = bar.low
      return NaN
    }
    if (i === 1) {
      const start = this.startValue
      if (start === 0) {
        const diffP = bar.high - this.high0
        const diffM = this.low0 - bar.low
        const minusDM = diffM > 0 && diffP < diffM ? diffM : 0
        this.isLong = !(minusDM > 0)
        this.ep = this.isLong ? bar.high : bar.low
        this.sar = this.isLong ? this.low0 : this.high0
      } else {
        this.isLong = start > 0
        this.ep = this.isLong ? bar.high : bar.low
        this.sar = Math.abs(start)
      }
      this.newLow = bar.low
      this.newHigh = bar.high
    }
    const prevLow = this.newLow
    const prevHigh = this.newHigh
    const newLow = (this.newLow = bar.low)
    const newHigh = (this.newHigh = bar.high)
    let sar = this.sar
    let result: number
    if (this.isLong) {
      if (newLow <= sar) {
        this.isLong = false
        sar = this.ep
        if (sar < prevHigh) sar = prevHigh
        if (sar < newHigh) sar = newHigh
        if (this.offset !== 0.0) sar += sar * this.offset
        result = -sar
        this.afShort = this.initShort
        this.ep = newLow
        sar = sar + this.afShort * (this.ep - sar)
        if (sar < prevHigh) sar = prevHigh
        if (sar < newHigh) sar = newHigh
      } else {
        result = sar
        if (newHigh > this.ep) {
          this.ep = newHigh
          this.afLong += this.stepLong
          if (this.afLong > this.maxLong) this.afLong = this.maxLong
        }
        sar = sar + this.afLong * (this.ep - sar)
        if (sar > prevLow) sar = prevLow
        if (sar > newLow) sar = newLow
      }
    } else if (newHigh >= sar) {
      this.isLong = true
      sar = this.ep
      if (sar > prevLow) sar = prevLow
      if (sar > newLow) sar = newLow
      if (this.offset !== 0.0) sar -= sar * this.offset
      result = sar
      this.afLong = this.initLong
      this.ep = newHigh
      sar = sar + this.afLong * (this.ep - sar)
      if (sar > prevLow) sar = prevLow
      if (sar > newLow) sar = newLow
    } else {
      result = -sar
      if (newLow < this.ep) {
        this.ep = newLow
        this.afShort += this.stepShort
        if (this.afShort > this.maxShort) this.afShort = this.maxShort
      }
      sar = sar + this.afShort * (this.ep - sar)
      if (sar < prevHigh) sar = prevHigh
      if (sar < newHigh) sar = newHigh
    }
    this.sar = sar
    return result
  }
}

/**
 * Parabolic SAR, extended (TA-Lib's SAREXT): separate initial, step and maximum accelerations for
 * long and short positions, an optional start value and an offset on reversal. The value is
 * **negative while short** (TA-Lib's convention: the sign tells the position; the SAR is its
 * absolute value). Warm-up 1. @see TA-Lib ta_SAREXT.c
 */
export function sarext(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  options: SarExtOptions = {},
  out?: Float64Array,
): Float64Array {
  return runBarsInto(new SarextStream(options), { high, low }, out)
}
