import type { Bar } from '../stream.js'
import { checkParams } from '../internal/params.js'
import { Ring, sharedInput } from '../internal/ring.js'
import type { Stream } from '../stream.js'
import { assertSameLength, output } from '../internal/validate.js'
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
  checkParams('mavp', { minPeriod, maxPeriod, maType })
  if (maxPeriod < minPeriod) {
    throw new RangeError(
      `maxPeriod must be an integer from minPeriod (${minPeriod}) to 100000, got ${maxPeriod}`,
    )
  }
  return maKernel(maxPeriod, maType).lookback
}

/**
 * TA-Lib's period of a bar: the input truncated to an integer and clamped to [minPeriod,
 * maxPeriod]; a NaN period truncates to INT_MIN in C, hence the minimum.
 */
function clampPeriod(period: number, minPeriod: number, maxPeriod: number): number {
  const p = Math.trunc(period)
  if (!(p >= minPeriod)) return minPeriod
  return p > maxPeriod ? maxPeriod : p
}

/**
 * Streaming MAVP: the average of every period in [minPeriod, maxPeriod], each started where TA-Lib
 * starts it (TA_MA from MAVP's first output bar, so its warm-up that many bars earlier: the EMA
 * family's seeds depend on it). An average is made when its first bar comes, and all of them read
 * one history of the input, so memory follows the bars given: a range of 100000 periods fed 10
 * bars holds 10 averages and 10 values, not 100000 windows.
 */
export class MavpStream implements Stream<PeriodValue, number> {
  readonly lookback: number
  private readonly minPeriod: number
  private readonly maxPeriod: number
  private readonly maType: MaType
  /** The input's last `maxPeriod + 1` values, which every average's window reads. */
  private readonly history: Ring
  /** `averages[k]` is the average of period `maxPeriod − k`; they start longest first. */
  private readonly averages: Kernel<number, number>[] = []
  /** The next average to start, made ahead to know its start bar. */
  private next: Kernel<number, number> | undefined

  constructor(minPeriod = 2, maxPeriod = 30, maType: MaType = 'sma') {
    this.lookback = mavpLookback(minPeriod, maxPeriod, maType)
    this.minPeriod = minPeriod
    this.maxPeriod = maxPeriod
    this.maType = maType
    this.history = new Ring(maxPeriod + 1)
    this.next = this.average(maxPeriod)
  }

  private average(period: number): Kernel<number, number> | undefined {
    if (period < this.minPeriod) return undefined
    return sharedInput(this.history, () => maKernel(period, this.maType))
  }

  update(input: PeriodValue): number {
    const today = this.history.count
    this.history.push(input.value)
    // An average of a shorter period warms up in fewer bars, so it starts later.
    while (this.next !== undefined && this.lookback - this.next.lookback <= today) {
      this.averages.push(this.next)
      this.next = this.average(this.maxPeriod - this.averages.length)
    }
    return this.value(input, (average) => average.update(input.value))
  }

  replace(input: PeriodValue): number {
    if (this.history.count === 0) return this.update(input)
    this.history.setLast(input.value)
    return this.value(input, (average) => average.replace(input.value))
  }

  private value(input: PeriodValue, step: (average: Kernel<number, number>) => number): number {
    const wanted = this.maxPeriod - clampPeriod(input.period, this.minPeriod, this.maxPeriod)
    let result = NaN
    for (let k = 0; k < this.averages.length; k++) {
      const v = step(this.averages[k] as Kernel<number, number>)
      if (k === wanted) result = v
    }
    return this.history.count > this.lookback ? result : NaN
  }
}

/**
 * Moving average with a variable period (TA-Lib's MAVP): at each bar, the `maType` average of
 * `close` whose period is that bar's `periods` value, truncated to an integer and clamped to
 * [`minPeriod`, `maxPeriod`] (a NaN period counts as `minPeriod`). Warm-up: the average's at
 * `maxPeriod`. As TA-Lib, one average per distinct period the bars ask for, each over the whole
 * input from its start. @see TA-Lib ta_MAVP.c
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
  const lookback = mavpLookback(minPeriod, maxPeriod, maType)
  const result = output(n, out, lookback)
  // Each bar's period, set to 0 once its value is written.
  const wanted = new Int32Array(n)
  for (let i = lookback; i < n; i++) {
    wanted[i] = clampPeriod(periods[i] as number, minPeriod, maxPeriod)
  }
  for (let first = lookback; first < n; first++) {
    const period = wanted[first] as number
    if (period === 0) continue
    let last = first
    for (let i = first + 1; i < n; i++) if (wanted[i] === period) last = i
    const average = maKernel(period, maType)
    for (let i = lookback - average.lookback; i <= last; i++) {
      const v = average.next(close[i] as number)
      if (wanted[i] === period) {
        result[i] = v
        wanted[i] = 0
      }
    }
  }
  return result
}
