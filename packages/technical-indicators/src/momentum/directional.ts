import { Kernel, runBarsInto } from '../internal/kernel.js'
import { checkParams, rememberParams } from '../internal/params.js'
import { Ring } from '../internal/ring.js'
import { trueRange } from '../internal/select.js'
import { isZero } from '../internal/validate.js'
import { AdxStream, adxLookback } from './adx.js'
import { type Bar } from '../stream.js'
type Directional = 'plusDM' | 'minusDM' | 'plusDI' | 'minusDI' | 'dx'

/** Bars before the first PLUS_DM or MINUS_DM value: `period − 1` (1 for period 1). */
export function dmLookback(period = 14): number {
  checkParams('plusDM', { period })
  return period > 1 ? period - 1 : 1
}

/** Bars before the first PLUS_DI or MINUS_DI value: `period` (1 for period 1). */
export function diLookback(period = 14): number {
  checkParams('plusDI', { period })
  return period > 1 ? period : 1
}

/** Bars before the first DX value: `period`. */
export function dxLookback(period = 14): number {
  checkParams('dx', { period })
  return period
}

/**
 * Wilder's directional movement as TA-Lib computes it for DM, DI and DX: the first `period − 1`
 * moves summed, then each bar `sum − sum/period + move`; the true range likewise.
 */
class DirectionalKernel extends Kernel<Bar, number> {
  readonly lookback: number
  private readonly period: number
  private readonly kind: Directional
  private i = 0
  private prevHigh = 0
  private prevLow = 0
  private prevClose = 0
  private plusDM = 0
  private minusDM = 0
  private tr = 0
  private prev = 0

  constructor(period: number, kind: Directional) {
    super()
    this.kind = kind
    this.period = period
    this.lookback =
      kind === 'dx'
        ? dxLookback(period)
        : kind === 'plusDM' || kind === 'minusDM'
          ? dmLookback(period)
          : diLookback(period)
  }

  protected step(bar: Bar): number {
    const i = this.i++
    const p = this.period
    const { high, low } = bar
    if (i === 0) {
      this.prevHigh = high
      this.prevLow = low
      this.prevClose = bar.close
      return NaN
    }
    const diffP = high - this.prevHigh
    this.prevHigh = high
    const diffM = this.prevLow - low
    this.prevLow = low
    const plus = diffP > 0 && diffP > diffM
    const minus = diffM > 0 && diffP < diffM
    const range = trueRange(high, low, this.prevClose)
    this.prevClose = bar.close
    const kind = this.kind
    if (p === 1) {
      // TA-Lib's period-1 branch: the raw move, and for DI the move over the true range (no ×100).
      if (kind === 'plusDM') return plus ? diffP : 0
      if (kind === 'minusDM') return minus ? diffM : 0
      const move = kind === 'plusDI' ? (plus ? diffP : 0) : minus ? diffM : 0
      if (move === 0) return 0.0
      return isZero(range) ? 0.0 : move / range
    }
    if (i < p) {
      if (plus) this.plusDM += diffP
      if (minus) this.minusDM += diffM
      this.tr += range
      if (i < p - 1 || (kind !== 'plusDM' && kind !== 'minusDM')) return NaN
      return kind === 'plusDM' ? this.plusDM : this.minusDM
    }
    this.plusDM = plus ? this.plusDM - this.plusDM / p + diffP : this.plusDM - this.plusDM / p
    this.minusDM = minus ? this.minusDM - this.minusDM / p + diffM : this.minusDM - this.minusDM / p
    this.tr = this.tr - this.tr / p + range
    switch (kind) {
      case 'plusDM':
        return this.plusDM
      case 'minusDM':
        return this.minusDM
      case 'plusDI':
        return !isZero(this.tr) ? 100.0 * (this.plusDM / this.tr) : 0.0
      case 'minusDI':
        return !isZero(this.tr) ? 100.0 * (this.minusDM / this.tr) : 0.0
      case 'dx': {
        // A zero range repeats the previous DX (0 on the first bar), as TA-Lib.
        const first = i === p
        if (!isZero(this.tr)) {
          const minusDI = 100.0 * (this.minusDM / this.tr)
          const plusDI = 100.0 * (this.plusDM / this.tr)
          const sum = minusDI + plusDI
          if (!isZero(sum)) return (this.prev = 100.0 * (Math.abs(minusDI - plusDI) / sum))
        }
        return first ? (this.prev = 0.0) : this.prev
      }
    }
  }
}

/** Streaming +DM. @see TA-Lib ta_PLUS_DM.c */
export class PlusDmStream extends DirectionalKernel {
  constructor(period = 14) {
    super(period, 'plusDM')
    rememberParams(this, { period })
  }
}

/** Streaming −DM. @see TA-Lib ta_MINUS_DM.c */
export class MinusDmStream extends DirectionalKernel {
  constructor(period = 14) {
    super(period, 'minusDM')
    rememberParams(this, { period })
  }
}

/** Streaming +DI. @see TA-Lib ta_PLUS_DI.c */
export class PlusDiStream extends DirectionalKernel {
  constructor(period = 14) {
    super(period, 'plusDI')
    rememberParams(this, { period })
  }
}

/** Streaming −DI. @see TA-Lib ta_MINUS_DI.c */
export class MinusDiStream extends DirectionalKernel {
  constructor(period = 14) {
    super(period, 'minusDI')
    rememberParams(this, { period })
  }
}

/** Streaming DX. @see TA-Lib ta_DX.c */
export class DxStream extends DirectionalKernel {
  constructor(period = 14) {
    super(period, 'dx')
    rememberParams(this, { period })
  }
}

/**
 * Plus directional movement (Wilder): the up-move `high − previous high` when it exceeds the
 * down-move and is positive, Wilder-smoothed over `period` (period 1: the raw move). Warm-up
 * `period − 1`. @see TA-Lib ta_PLUS_DM.c
 */
export function plusDM(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  period = 14,
  out?: Float64Array,
): Float64Array {
  return runBarsInto(new PlusDmStream(period), { high, low }, out)
}

/**
 * Minus directional movement (Wilder): the down-move `previous low − low` when it exceeds the
 * up-move and is positive, Wilder-smoothed over `period`. Warm-up `period − 1`.
 * @see TA-Lib ta_MINUS_DM.c
 */
export function minusDM(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  period = 14,
  out?: Float64Array,
): Float64Array {
  return runBarsInto(new MinusDmStream(period), { high, low }, out)
}

/**
 * Plus directional indicator: `100·(+DM / TR)`, both Wilder-smoothed (period 1: the move over the
 * true range, unscaled, as TA-Lib). Warm-up `period`. @see TA-Lib ta_PLUS_DI.c
 */
export function plusDI(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  period = 14,
  out?: Float64Array,
): Float64Array {
  return runBarsInto(new PlusDiStream(period), { high, low, close }, out)
}

/** Minus directional indicator: `100·(−DM / TR)`. Warm-up `period`. @see TA-Lib ta_MINUS_DI.c */
export function minusDI(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  period = 14,
  out?: Float64Array,
): Float64Array {
  return runBarsInto(new MinusDiStream(period), { high, low, close }, out)
}

/**
 * Directional movement index: `100·|+DI − −DI| / (+DI + −DI)`; where that is undefined (no range)
 * the previous value repeats. Warm-up `period`. @see TA-Lib ta_DX.c
 */
export function dx(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  period = 14,
  out?: Float64Array,
): Float64Array {
  return runBarsInto(new DxStream(period), { high, low, close }, out)
}

/** Bars before the first ADXR value: `3·period − 2`. */
export function adxrLookback(period = 14): number {
  return adxLookback(period) + period - 1
}

/** Streaming ADXR (also the core of `adxr`). @see TA-Lib ta_ADXR.c */
export class AdxrStream extends Kernel<Bar, number> {
  readonly lookback: number
  private readonly adx: AdxStream
  private readonly values: Ring
  private i = 0

  constructor(period = 14) {
    super()
    rememberParams(this, { period })
    this.lookback = adxrLookback(period)
    this.adx = new AdxStream(period)
    this.values = new Ring(period)
  }

  protected step(bar: Bar): number {
    const a = this.adx.update(bar)
    if (this.i++ < this.adx.lookback) return NaN
    this.values.push(a)
    if (!this.values.full) return NaN
    return (a + this.values.at(this.values.size - 1)) / 2.0
  }
}

/**
 * Average directional movement rating: the mean of today's ADX and the ADX `period − 1` bars ago.
 * Warm-up `3·period − 2`. @see TA-Lib ta_ADXR.c
 */
export function adxr(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  period = 14,
  out?: Float64Array,
): Float64Array {
  return runBarsInto(new AdxrStream(period), { high, low, close }, out)
}
