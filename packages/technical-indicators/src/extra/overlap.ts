import type { Bar } from '../stream.js'
import { checkParams } from '../internal/params.js'
import { assertSameLength, isZero, output } from '../internal/validate.js'
import { RunningExtreme } from '../internal/extreme.js'
import { Kernel, runBars, runClose } from './kernel.js'
import { inputRing, Ring } from '../internal/ring.js'

/** TA-Lib's INT_EMA as a kernel: seeded with the mean of the first `period` values. */
export class EmaKernel extends Kernel<number, number> {
  readonly lookback: number
  private readonly period: number
  private readonly k: number
  private i = 0
  private sum = 0
  private prev = 0

  constructor(period: number, k = 2 / (period + 1)) {
    super()
    this.period = period
    this.lookback = period - 1
    this.k = k
  }

  protected step(x: number): number {
    const i = this.i++
    if (i < this.period) {
      this.sum += x
      if (i < this.period - 1) return NaN
      this.prev = this.sum / this.period
      return this.prev
    }
    this.prev = (x - this.prev) * this.k + this.prev
    return this.prev
  }
}

/** Bars before the first DEMA value: `2·(period − 1)`. */
export function demaLookback(period = 30): number {
  checkParams('dema', { period })
  return 2 * (period - 1)
}

/**
 * Streaming DEMA (also the core of `dema`): `2·EMA − EMA(EMA)`, both EMAs TA-Lib's (SMA seed).
 * @see TA-Lib ta_DEMA.c
 */
export class DemaStream extends Kernel<number, number> {
  readonly lookback: number
  private readonly period: number
  private readonly e1: EmaKernel
  private readonly e2: EmaKernel
  private i = 0

  constructor(period = 30) {
    super()
    this.lookback = demaLookback(period)
    this.period = period
    this.e1 = new EmaKernel(period)
    this.e2 = new EmaKernel(period)
  }

  protected step(x: number): number {
    const i = this.i++
    const a = this.e1.next(x)
    if (i < this.period - 1) return NaN
    const b = this.e2.next(a)
    if (i < this.lookback) return NaN
    return 2.0 * a - b
  }
}

/**
 * Double exponential moving average, `2·EMA − EMA(EMA)` (Mulloy, 1994). Warm-up `2·(period − 1)`.
 * @see TA-Lib ta_DEMA.c
 */
export function dema(close: ArrayLike<number>, period = 30, out?: Float64Array): Float64Array {
  return runClose(new DemaStream(period), close, out)
}

/** Bars before the first TEMA value: `3·(period − 1)`. */
export function temaLookback(period = 30): number {
  checkParams('tema', { period })
  return 3 * (period - 1)
}

/** Streaming TEMA (also the core of `tema`). @see TA-Lib ta_TEMA.c */
export class TemaStream extends Kernel<number, number> {
  readonly lookback: number
  private readonly period: number
  private readonly e1: EmaKernel
  private readonly e2: EmaKernel
  private readonly e3: EmaKernel
  private i = 0

  constructor(period = 30) {
    super()
    this.lookback = temaLookback(period)
    this.period = period
    this.e1 = new EmaKernel(period)
    this.e2 = new EmaKernel(period)
    this.e3 = new EmaKernel(period)
  }

  protected step(x: number): number {
    const i = this.i++
    const a = this.e1.next(x)
    if (i < this.period - 1) return NaN
    const b = this.e2.next(a)
    if (i < 2 * (this.period - 1)) return NaN
    const c = this.e3.next(b)
    if (i < this.lookback) return NaN
    return c + (3.0 * a - 3.0 * b)
  }
}

/**
 * Triple exponential moving average, `EMA3 + 3·EMA1 − 3·EMA2` (Mulloy, 1994). Warm-up
 * `3·(period − 1)`. @see TA-Lib ta_TEMA.c
 */
export function tema(close: ArrayLike<number>, period = 30, out?: Float64Array): Float64Array {
  return runClose(new TemaStream(period), close, out)
}

/** Bars before the first TRIMA value: `period − 1`. */
export function trimaLookback(period = 30): number {
  checkParams('trima', { period })
  return period - 1
}

/** Streaming TRIMA (also the core of `trima`): TA-Lib's running numerator. @see TA-Lib ta_TRIMA.c */
export class TrimaStream extends Kernel<number, number> {
  readonly lookback: number
  private readonly period: number
  private readonly half: number
  private readonly factor: number
  private readonly odd: boolean
  private readonly w: Ring
  private numerator = 0
  private numeratorSub = 0
  private numeratorAdd = 0
  private trailing = 0

  constructor(period = 30) {
    super()
    this.lookback = trimaLookback(period)
    this.period = period
    this.half = period >> 1
    this.odd = period % 2 === 1
    this.factor = this.odd
      ? 1.0 / ((this.half + 1) * (this.half + 1))
      : 1.0 / (this.half * (this.half + 1))
    this.w = inputRing(period)
  }

  protected step(x: number): number {
    const w = this.w
    w.push(x)
    const p = this.period
    if (w.count < p) return NaN
    const i = this.half
    if (w.count === p) {
      // x[j] of the first window is w.at(p − 1 − j).
      const middle = this.odd ? i : i - 1
      this.numerator = 0
      this.numeratorSub = 0
      for (let j = middle; j >= 0; j--) {
        this.numeratorSub += w.at(p - 1 - j)
        this.numerator += this.numeratorSub
      }
      this.numeratorAdd = 0
      for (let j = middle + 1; j <= p - 1; j++) {
        this.numeratorAdd += w.at(p - 1 - j)
        this.numerator += this.numeratorAdd
      }
      this.trailing = w.at(p - 1)
      return this.numerator * this.factor
    }
    this.numerator -= this.numeratorSub
    this.numeratorSub -= this.trailing
    const mid = w.at(this.odd ? p - i - 1 : p - i)
    this.numeratorSub += mid
    if (this.odd) {
      this.numerator += this.numeratorAdd
      this.numeratorAdd -= mid
    } else {
      this.numeratorAdd -= mid
      this.numerator += this.numeratorAdd
    }
    this.numeratorAdd += x
    this.numerator += x
    this.trailing = w.at(p - 1)
    return this.numerator * this.factor
  }
}

/**
 * Triangular moving average: the SMA of the SMA, weights rising to the middle of the window.
 * Warm-up `period − 1`. @see TA-Lib ta_TRIMA.c
 */
export function trima(close: ArrayLike<number>, period = 30, out?: Float64Array): Float64Array {
  return runClose(new TrimaStream(period), close, out)
}

/** Bars before the first KAMA value: `period`. */
export function kamaLookback(period = 30): number {
  checkParams('kama', { period })
  return period
}

const KAMA_MAX = 2.0 / (30.0 + 1.0)
const KAMA_DIFF = 2.0 / (2.0 + 1.0) - KAMA_MAX

/** Streaming KAMA (also the core of `kama`). @see TA-Lib ta_KAMA.c */
export class KamaStream extends Kernel<number, number> {
  readonly lookback: number
  private readonly period: number
  private readonly w: Ring
  private sumROC1 = 0
  private prevKAMA = 0
  private trailingValue = 0

  constructor(period = 30) {
    super()
    this.lookback = kamaLookback(period)
    this.period = period
    this.w = inputRing(period + 1)
  }

  private smooth(periodROC: number, x: number): number {
    let t =
      this.sumROC1 <= periodROC || isZero(this.sumROC1) ? 1.0 : Math.abs(periodROC / this.sumROC1)
    t = t * KAMA_DIFF + KAMA_MAX
    t *= t
    this.prevKAMA = (x - this.prevKAMA) * t + this.prevKAMA
    return this.prevKAMA
  }

  protected step(x: number): number {
    const w = this.w
    w.push(x)
    const p = this.period
    if (w.count <= p) return NaN
    if (w.count === p + 1) {
      // The window holds x[0…p]: x[j] = w.at(p − j).
      this.sumROC1 = 0
      for (let j = 0; j < p; j++) {
        let t = w.at(p - j)
        t -= w.at(p - j - 1)
        this.sumROC1 += Math.abs(t)
      }
      this.prevKAMA = w.at(1)
      const first = w.at(p)
      this.trailingValue = first
      return this.smooth(x - first, x)
    }
    const trailing = w.at(p)
    const periodROC = x - trailing
    this.sumROC1 -= Math.abs(this.trailingValue - trailing)
    this.sumROC1 += Math.abs(x - w.at(1))
    this.trailingValue = trailing
    return this.smooth(periodROC, x)
  }
}

/**
 * Kaufman's adaptive moving average: an EMA whose factor follows the efficiency ratio between 2
 * and 30 periods. Warm-up `period`. @see TA-Lib ta_KAMA.c
 */
export function kama(close: ArrayLike<number>, period = 30, out?: Float64Array): Float64Array {
  return runClose(new KamaStream(period), close, out)
}

/** Bars before the first T3 value: `6·(period − 1)`. */
export function t3Lookback(period = 5, vFactor = 0.7): number {
  checkParams('t3', { period, vFactor })
  return 6 * (period - 1)
}

/** Streaming T3 (also the core of `t3`). @see TA-Lib ta_T3.c */
export class T3Stream extends Kernel<number, number> {
  readonly lookback: number
  private readonly period: number
  private readonly k: number
  private readonly omk: number
  private readonly c: readonly [number, number, number, number]
  private readonly e = new Float64Array(7)
  private i = 0
  private finalized = 0
  private total = 0

  constructor(period = 5, vFactor = 0.7) {
    super()
    this.lookback = t3Lookback(period, vFactor)
    this.period = period
    this.k = 2.0 / (period + 1.0)
    this.omk = 1.0 - this.k
    const t = vFactor * vFactor
    const c1 = -(t * vFactor)
    const c2 = 3.0 * (t - c1)
    const c3 = -6.0 * t - 3.0 * (vFactor - c1)
    const c4 = 1.0 + 3.0 * vFactor - c1 + 3.0 * t
    this.c = [c1, c2, c3, c4]
  }

  protected step(x: number): number {
    const i = this.i++
    const p = this.period
    const e = this.e
    if (i < p) this.total = i === 0 ? x : this.total + x
    else {
      const m = this.finalized
      e[1] = this.k * x + this.omk * (e[1] as number)
      for (let j = 2; j <= m; j++)
        e[j] = this.k * (e[j - 1] as number) + this.omk * (e[j] as number)
      if (m < 6) this.total += e[m] as number
    }
    while (this.finalized < 6 && (this.finalized + 1) * (p - 1) === i) {
      this.finalized++
      e[this.finalized] = this.total / p
      this.total = e[this.finalized] as number
    }
    if (i < this.lookback) return NaN
    const [c1, c2, c3, c4] = this.c
    return (
      c1 * (e[6] as number) + c2 * (e[5] as number) + c3 * (e[4] as number) + c4 * (e[3] as number)
    )
  }
}

/**
 * Tillson's T3: six EMAs combined with the volume factor `vFactor`. Warm-up `6·(period − 1)`.
 * @see TA-Lib ta_T3.c
 */
export function t3(
  close: ArrayLike<number>,
  period = 5,
  vFactor = 0.7,
  out?: Float64Array,
): Float64Array {
  return runClose(new T3Stream(period, vFactor), close, out)
}

/**
 * Bars before the first value of midpoint, midprice, max, min and sum: `period − 1` (the five
 * share TA-Lib's range, 2 to 100000).
 */
export function windowLookback(period = 14): number {
  checkParams('midpoint', { period })
  return period - 1
}

/** Streaming MIDPOINT. @see TA-Lib ta_MIDPOINT.c */
export class MidpointStream extends Kernel<number, number> {
  readonly lookback: number
  private readonly w: Ring

  constructor(period = 14) {
    super()
    this.lookback = windowLookback(period)
    this.w = new Ring(period)
  }

  protected step(x: number): number {
    this.w.push(x)
    if (!this.w.full) return NaN
    // TA-Lib's scan: from the oldest value, `if (v < lowest) … else if (v > highest) …`.
    const w = this.w
    let lowest = w.at(this.lookback)
    let highest = lowest
    for (let back = this.lookback - 1; back >= 0; back--) {
      const v = w.at(back)
      if (v < lowest) lowest = v
      else if (v > highest) highest = v
    }
    return (highest + lowest) / 2.0
  }
}

/** `(highest + lowest) / 2` of the last `period` values. Warm-up `period − 1`. @see TA-Lib ta_MIDPOINT.c */
export function midpoint(close: ArrayLike<number>, period = 14, out?: Float64Array): Float64Array {
  return runClose(new MidpointStream(period), close, out)
}

/** Streaming MAX. @see TA-Lib ta_MAX.c */
export class MaxStream extends Kernel<number, number> {
  readonly lookback: number
  private readonly extreme: RunningExtreme

  constructor(period = 30) {
    super()
    this.lookback = windowLookback(period)
    this.extreme = new RunningExtreme(period, true)
  }

  protected step(x: number): number {
    return this.extreme.push(x)
  }
}

/** Highest value of the last `period`. Warm-up `period − 1`. @see TA-Lib ta_MAX.c */
export function max(close: ArrayLike<number>, period = 30, out?: Float64Array): Float64Array {
  return runClose(new MaxStream(period), close, out)
}

/** Streaming MIN. @see TA-Lib ta_MIN.c */
export class MinStream extends Kernel<number, number> {
  readonly lookback: number
  private readonly extreme: RunningExtreme

  constructor(period = 30) {
    super()
    this.lookback = windowLookback(period)
    this.extreme = new RunningExtreme(period, false)
  }

  protected step(x: number): number {
    return this.extreme.push(x)
  }
}

/** Lowest value of the last `period`. Warm-up `period − 1`. @see TA-Lib ta_MIN.c */
export function min(close: ArrayLike<number>, period = 30, out?: Float64Array): Float64Array {
  return runClose(new MinStream(period), close, out)
}

/** Streaming SUM: TA-Lib's running total. @see TA-Lib ta_SUM.c */
export class SumStream extends Kernel<number, number> {
  readonly lookback: number
  private readonly w: Ring
  private total = 0

  constructor(period = 30) {
    super()
    this.lookback = windowLookback(period)
    this.w = new Ring(period)
  }

  protected step(x: number): number {
    const w = this.w
    w.push(x)
    if (!w.full) {
      this.total += x
      return NaN
    }
    this.total += x
    const sum = this.total
    this.total -= w.at(this.lookback)
    return sum
  }
}

/** Running sum of the last `period` values. Warm-up `period − 1`. @see TA-Lib ta_SUM.c */
export function sum(close: ArrayLike<number>, period = 30, out?: Float64Array): Float64Array {
  return runClose(new SumStream(period), close, out)
}

/** Streaming MIDPRICE. @see TA-Lib ta_MIDPRICE.c */
export class MidpriceStream extends Kernel<Bar, number> {
  readonly lookback: number
  private readonly highs: Ring
  private readonly lows: Ring

  constructor(period = 14) {
    super()
    this.lookback = windowLookback(period)
    this.highs = new Ring(period)
    this.lows = new Ring(period)
  }

  protected step(bar: Bar): number {
    this.highs.push(bar.high)
    this.lows.push(bar.low)
    if (!this.highs.full) return NaN
    // TA-Lib's scan: from the oldest bar, the low then the high of each.
    const last = this.lookback
    let lowest = this.lows.at(last)
    let highest = this.highs.at(last)
    for (let back = last - 1; back >= 0; back--) {
      const l = this.lows.at(back)
      if (l < lowest) lowest = l
      const h = this.highs.at(back)
      if (h > highest) highest = h
    }
    return (highest + lowest) / 2.0
  }
}

/** `(highest high + lowest low) / 2` over `period` bars. Warm-up `period − 1`. @see TA-Lib ta_MIDPRICE.c */
export function midprice(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  period = 14,
  out?: Float64Array,
): Float64Array {
  const n = assertSameLength(high, low)
  const result = output(n, out, 0)
  runBars(new MidpriceStream(period), n, { high, low }, (v, i) => (result[i] = v))
  return result
}
