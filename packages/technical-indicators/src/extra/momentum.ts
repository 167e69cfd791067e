import type { Bar } from '../stream.js'
import { checkParams } from '../internal/params.js'
import { assertSameLength, isZero, output, TA_EPSILON } from '../internal/validate.js'
import { RunningExtreme } from '../internal/extreme.js'
import { Kernel, runBars, runClose } from './kernel.js'
import { Ring } from '../internal/ring.js'
import { EmaKernel } from './overlap.js'

type Change = 'mom' | 'rocp' | 'rocr' | 'rocr100'

/** Bars before the first value of mom, rocp, rocr and rocr100: `period`. */
export function changeLookback(period = 10): number {
  checkParams('mom', { period })
  return period
}

class ChangeKernel extends Kernel<number, number> {
  readonly lookback: number
  private readonly w: Ring
  private readonly kind: Change

  constructor(period: number, kind: Change) {
    super()
    this.lookback = changeLookback(period)
    this.w = new Ring(period + 1)
    this.kind = kind
  }

  protected step(x: number): number {
    this.w.push(x)
    if (!this.w.full) return NaN
    const old = this.w.at(this.lookback)
    switch (this.kind) {
      case 'mom':
        return x - old
      case 'rocp':
        return old !== 0 ? (x - old) / old : 0
      case 'rocr':
        return old !== 0 ? x / old : 0
      case 'rocr100':
        return old !== 0 ? (x / old) * 100.0 : 0
    }
  }
}

/** Streaming momentum. @see TA-Lib ta_MOM.c */
export class MomStream extends ChangeKernel {
  constructor(period = 10) {
    super(period, 'mom')
  }
}
/** Streaming ROCP. @see TA-Lib ta_ROCP.c */
export class RocpStream extends ChangeKernel {
  constructor(period = 10) {
    super(period, 'rocp')
  }
}
/** Streaming ROCR. @see TA-Lib ta_ROCR.c */
export class RocrStream extends ChangeKernel {
  constructor(period = 10) {
    super(period, 'rocr')
  }
}
/** Streaming ROCR100. @see TA-Lib ta_ROCR100.c */
export class Rocr100Stream extends ChangeKernel {
  constructor(period = 10) {
    super(period, 'rocr100')
  }
}

/** Momentum: `close − close[period]`. Warm-up `period`. @see TA-Lib ta_MOM.c */
export function mom(close: ArrayLike<number>, period = 10, out?: Float64Array): Float64Array {
  return runClose(new MomStream(period), close, out)
}
/** Rate of change as a fraction: `(close − prev) / prev` (0 when prev is 0). @see TA-Lib ta_ROCP.c */
export function rocp(close: ArrayLike<number>, period = 10, out?: Float64Array): Float64Array {
  return runClose(new RocpStream(period), close, out)
}
/** Rate of change ratio: `close / prev` (0 when prev is 0). @see TA-Lib ta_ROCR.c */
export function rocr(close: ArrayLike<number>, period = 10, out?: Float64Array): Float64Array {
  return runClose(new RocrStream(period), close, out)
}
/** Rate of change ratio × 100: `close / prev · 100`. @see TA-Lib ta_ROCR100.c */
export function rocr100(close: ArrayLike<number>, period = 10, out?: Float64Array): Float64Array {
  return runClose(new Rocr100Stream(period), close, out)
}

/** Bars before the first CMO value: `period`. */
export function cmoLookback(period = 14): number {
  checkParams('cmo', { period })
  return period
}

/** Streaming CMO (also the core of `cmo`). @see TA-Lib ta_CMO.c */
export class CmoStream extends Kernel<number, number> {
  readonly lookback: number
  private readonly period: number
  private i = 0
  private prevValue = 0
  private gain = 0
  private loss = 0

  constructor(period = 14) {
    super()
    this.lookback = cmoLookback(period)
    this.period = period
  }

  protected step(x: number): number {
    const i = this.i++
    const p = this.period
    if (i === 0) {
      this.prevValue = x
      return NaN
    }
    const diff = x - this.prevValue
    this.prevValue = x
    if (i > p) {
      this.loss *= p - 1
      this.gain *= p - 1
    }
    if (diff < 0) this.loss -= diff
    else this.gain += diff
    if (i < p) return NaN
    this.loss /= p
    this.gain /= p
    const total = this.gain + this.loss
    return !isZero(total) ? 100.0 * ((this.gain - this.loss) / total) : 0.0
  }
}

/**
 * Chande momentum oscillator: `100·(gains − losses) / (gains + losses)` with Wilder smoothing,
 * as TA-Lib computes it. Warm-up `period`. @see TA-Lib ta_CMO.c
 */
export function cmo(close: ArrayLike<number>, period = 14, out?: Float64Array): Float64Array {
  return runClose(new CmoStream(period), close, out)
}

/** Bars before the first TRIX value: `3·(period − 1) + 1`. */
export function trixLookback(period = 30): number {
  checkParams('trix', { period })
  return 3 * (period - 1) + 1
}

/** Streaming TRIX (also the core of `trix`). @see TA-Lib ta_TRIX.c */
export class TrixStream extends Kernel<number, number> {
  readonly lookback: number
  private readonly period: number
  private readonly e1: EmaKernel
  private readonly e2: EmaKernel
  private readonly e3: EmaKernel
  private i = 0
  private prev = 0

  constructor(period = 30) {
    super()
    this.lookback = trixLookback(period)
    this.period = period
    this.e1 = new EmaKernel(period)
    this.e2 = new EmaKernel(period)
    this.e3 = new EmaKernel(period)
  }

  protected step(x: number): number {
    const i = this.i++
    const l = this.period - 1
    const a = this.e1.next(x)
    if (i < l) return NaN
    const b = this.e2.next(a)
    if (i < 2 * l) return NaN
    const c = this.e3.next(b)
    const prev = this.prev
    this.prev = c
    if (i < this.lookback) return NaN
    return prev !== 0.0 ? (c / prev - 1.0) * 100.0 : 0.0
  }
}

/**
 * TRIX: the 1-bar rate of change (%) of a triple EMA. Warm-up `3·(period − 1) + 1`.
 * @see TA-Lib ta_TRIX.c
 */
export function trix(close: ArrayLike<number>, period = 30, out?: Float64Array): Float64Array {
  return runClose(new TrixStream(period), close, out)
}

export interface Aroon {
  readonly down: Float64Array
  readonly up: Float64Array
}

/** Bars before the first Aroon value: `period`. */
export function aroonLookback(period = 14): number {
  checkParams('aroon', { period })
  return period
}

/** Streaming Aroon (also the core of `aroon` and `aroonosc`). @see TA-Lib ta_AROON.c */
export class AroonStream extends Kernel<Bar, { down: number; up: number }> {
  readonly lookback: number
  private readonly period: number
  private readonly highs: RunningExtreme
  private readonly lows: RunningExtreme

  constructor(period = 14) {
    super()
    this.lookback = aroonLookback(period)
    this.period = period
    // The window is period + 1 bars; on ties the latest wins (TA-Lib's `>=` and `<=`).
    this.highs = new RunningExtreme(period + 1, true, true)
    this.lows = new RunningExtreme(period + 1, false, true)
  }

  /** Bars since the highest high and the lowest low, tracked as TA-Lib tracks them. */
  protected ages(bar: Bar): { high: number; low: number } | undefined {
    this.lows.push(bar.low)
    this.highs.push(bar.high)
    if (this.highs.count <= this.period) return undefined
    const today = this.highs.count - 1
    return { high: today - this.highs.index, low: today - this.lows.index }
  }

  protected step(bar: Bar): { down: number; up: number } {
    const a = this.ages(bar)
    if (a === undefined) return { down: NaN, up: NaN }
    const factor = 100.0 / this.period
    return { down: factor * (this.period - a.low), up: factor * (this.period - a.high) }
  }
}

/**
 * Aroon: `100·(period − bars since the highest high) / period` (up) and the same for the lowest
 * low (down). Warm-up `period`. @see TA-Lib ta_AROON.c
 */
export function aroon(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  period = 14,
  out: { down?: Float64Array; up?: Float64Array } = {},
): Aroon {
  const n = assertSameLength(high, low)
  const down = output(n, out.down, 0)
  const up = output(n, out.up, 0)
  runBars(new AroonStream(period), n, { high, low }, (v, i) => {
    down[i] = v.down
    up[i] = v.up
  })
  return { down, up }
}

/** Streaming Aroon oscillator. @see TA-Lib ta_AROONOSC.c */
export class AroonoscStream extends Kernel<Bar, number> {
  readonly lookback: number
  private readonly period: number
  private readonly aroon: AroonStream

  constructor(period = 14) {
    super()
    this.lookback = aroonLookback(period)
    this.period = period
    this.aroon = new AroonStream(period)
  }

  protected step(bar: Bar): number {
    const a = (
      this.aroon as unknown as { ages(b: Bar): { high: number; low: number } | undefined }
    ).ages(bar)
    if (a === undefined) return NaN
    // TA-Lib: factor · (highestIdx − lowestIdx) = factor · (low age − high age).
    return (100.0 / this.period) * (a.low - a.high)
  }
}

/** Aroon up − Aroon down, computed as TA-Lib does. Warm-up `period`. @see TA-Lib ta_AROONOSC.c */
export function aroonosc(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  period = 14,
  out?: Float64Array,
): Float64Array {
  const n = assertSameLength(high, low)
  const result = output(n, out, 0)
  runBars(new AroonoscStream(period), n, { high, low }, (v, i) => (result[i] = v))
  return result
}

/** Streaming balance of power. @see TA-Lib ta_BOP.c */
export class BopStream extends Kernel<Bar, number> {
  readonly lookback = 0

  protected step(bar: Bar): number {
    const range = bar.high - bar.low
    return range < TA_EPSILON ? 0.0 : (bar.close - bar.open) / range
  }
}

/** Balance of power: `(close − open) / (high − low)` (0 for a flat bar). @see TA-Lib ta_BOP.c */
export function bop(
  open: ArrayLike<number>,
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  out?: Float64Array,
): Float64Array {
  const n = assertSameLength(open, high, low, close)
  const result = output(n, out, 0)
  runBars(new BopStream(), n, { open, high, low, close }, (v, i) => (result[i] = v))
  return result
}
