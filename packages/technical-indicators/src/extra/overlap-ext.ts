import type { Bar } from '../stream.js'
import { assertFinite, assertPeriod, assertSameLength, output } from '../internal/validate.js'
import { Kernel, runBars } from './kernel.js'
import { maKernel, type MaType } from './ma.js'

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

const LIMIT = 3e37

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
    assertFinite('startValue', startValue)
    if (Math.abs(startValue) > LIMIT) throw new RangeError(`startValue must be within ±${LIMIT}`)
    const rates = {
      offsetOnReverse,
      accelerationInitLong,
      accelerationLong,
      accelerationMaxLong,
      accelerationInitShort,
      accelerationShort,
      accelerationMaxShort,
    }
    for (const [name, value] of Object.entries(rates)) {
      assertFinite(name, value)
      if (value < 0 || value > LIMIT) throw new RangeError(`${name} must be from 0 to ${LIMIT}`)
    }
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
  const n = assertSameLength(high, low)
  const result = output(n, out, 0)
  runBars(new SarextStream(options), n, { high, low }, (v, i) => {
    result[i] = v
  })
  return result
}

/** One bar of MAVP's input: the value and the period wanted at this bar. */
export interface PeriodValue {
  readonly value: number
  readonly period: number
}

/** Bars before the first MAVP value: the warm-up of the average at `maxPeriod`. */
export function mavpLookback(minPeriod = 2, maxPeriod = 30, maType: MaType = 'sma'): number {
  assertPeriod('minPeriod', minPeriod)
  assertPeriod('maxPeriod', maxPeriod)
  if (maxPeriod < minPeriod) throw new RangeError('maxPeriod must be at least minPeriod')
  return maKernel(maxPeriod, maType).lookback
}

/** Streaming MAVP (also the core of `mavp`): one average per period in [minPeriod, maxPeriod]. */
export class MavpStream extends Kernel<PeriodValue, number> {
  readonly lookback: number
  private readonly minPeriod: number
  private readonly maxPeriod: number
  /** Index `p − minPeriod`: the average of period `p`, and the bar it starts at. */
  private readonly averages: Kernel<number, number>[]
  private readonly starts: Int32Array
  private i = 0

  constructor(minPeriod = 2, maxPeriod = 30, maType: MaType = 'sma') {
    super()
    this.lookback = mavpLookback(minPeriod, maxPeriod, maType)
    this.minPeriod = minPeriod
    this.maxPeriod = maxPeriod
    this.averages = []
    const count = maxPeriod - minPeriod + 1
    this.starts = new Int32Array(count)
    for (let k = 0; k < count; k++) {
      const average = maKernel(minPeriod + k, maType)
      this.averages.push(average)
      // TA-Lib computes every average from MAVP's first output bar (TA_MA with that start index),
      // so each one starts its warm-up that many bars earlier: the EMA family's seeds depend on it.
      this.starts[k] = this.lookback - average.lookback
    }
  }

  protected step(input: PeriodValue): number {
    const i = this.i++
    let result = NaN
    // TA-Lib truncates the period to an integer and clamps it to [minPeriod, maxPeriod]; a NaN
    // period truncates to INT_MIN in C, hence the minimum.
    let period = Math.trunc(input.period)
    if (!(period >= this.minPeriod)) period = this.minPeriod
    else if (period > this.maxPeriod) period = this.maxPeriod
    for (let k = 0; k < this.averages.length; k++) {
      if (i < (this.starts[k] as number)) continue
      const v = (this.averages[k] as Kernel<number, number>).next(input.value)
      if (k === period - this.minPeriod && i >= this.lookback) result = v
    }
    return result
  }
}

/**
 * Moving average with a variable period (TA-Lib's MAVP): at each bar, the `maType` average of
 * `close` whose period is that bar's `periods` value, truncated to an integer and clamped to
 * [`minPeriod`, `maxPeriod`] (a NaN period counts as `minPeriod`). Warm-up: the average's at
 * `maxPeriod`. @see TA-Lib ta_MAVP.c
 */
export function mavp(
  close: ArrayLike<number>,
  periods: ArrayLike<number>,
  minPeriod = 2,
  maxPeriod = 30,
  maType: MaType = 'sma',
  out?: Float64Array,
): Float64Array {
  const n = assertSameLength(close, periods)
  const result = output(n, out, 0)
  const stream = new MavpStream(minPeriod, maxPeriod, maType)
  const input = { value: NaN, period: NaN }
  for (let i = 0; i < n; i++) {
    input.value = close[i] as number
    input.period = periods[i] as number
    result[i] = stream.next(input)
  }
  return result
}
