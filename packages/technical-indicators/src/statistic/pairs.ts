import { Kernel } from '../internal/kernel.js'
import { checkParams, rememberParams } from '../internal/params.js'
import { Ring } from '../internal/ring.js'
import { TA_EPSILON, assertSameLength, isZero, output } from '../internal/validate.js'
/** One bar of a two-series indicator: `x` (e.g. the asset) and `y` (e.g. the benchmark). */
export interface Pair {
  readonly x: number
  readonly y: number
}

function runPairs(
  kernel: Kernel<Pair, number>,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  out: Float64Array | undefined,
): Float64Array {
  const n = assertSameLength(x, y)
  const result = output(n, out, 0)
  const pair = { x: NaN, y: NaN }
  for (let i = 0; i < n; i++) {
    pair.x = x[i] as number
    pair.y = y[i] as number
    result[i] = kernel.next(pair)
  }
  return result
}

/** Bars before the first BETA value: `period`. */
export function betaLookback(period = 5): number {
  checkParams('beta', { period })
  return period
}

/** Streaming BETA (also the core of `beta`). @see TA-Lib ta_BETA.c */
export class BetaStream extends Kernel<Pair, number> {
  readonly lookback: number
  private readonly period: number
  private readonly xs: Ring
  private readonly ys: Ring
  private i = 0
  private lastX = 0
  private lastY = 0
  private sxx = 0
  private sxy = 0
  private sx = 0
  private sy = 0

  constructor(period = 5) {
    super()
    rememberParams(this, { period })
    this.lookback = betaLookback(period)
    this.period = period
    this.xs = new Ring(period)
    this.ys = new Ring(period)
  }

  protected step(p: Pair): number {
    const i = this.i++
    if (i === 0) {
      this.lastX = p.x
      this.lastY = p.y
      return NaN
    }
    // The bar's returns (0 after a zero price), as TA-Lib.
    const x = !isZero(this.lastX) ? (p.x - this.lastX) / this.lastX : 0.0
    this.lastX = p.x
    const y = !isZero(this.lastY) ? (p.y - this.lastY) / this.lastY : 0.0
    this.lastY = p.y
    this.xs.push(x)
    this.ys.push(y)
    this.sxx += x * x
    this.sxy += x * y
    this.sx += x
    this.sy += y
    if (i < this.lookback) return NaN
    const n = this.period
    const denominator = n * this.sxx - this.sx * this.sx
    const beta = !isZero(denominator) ? (n * this.sxy - this.sx * this.sy) / denominator : 0.0
    // The oldest return leaves the sums after the output, as in TA-Lib.
    const tx = this.xs.at(n - 1)
    const ty = this.ys.at(n - 1)
    this.sxx -= tx * tx
    this.sxy -= tx * ty
    this.sx -= tx
    this.sy -= ty
    return beta
  }
}

/**
 * Beta of `x` against `y`: the least-squares slope of x's bar returns on y's, over the last
 * `period` returns (`(n·Σxy − Σx·Σy) / (n·Σx² − (Σx)²)` with x the first series, as TA-Lib; 0 when
 * the denominator is 0). Warm-up `period`. @see TA-Lib ta_BETA.c
 */
export function beta(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  period = 5,
  out?: Float64Array,
): Float64Array {
  return runPairs(new BetaStream(period), x, y, out)
}

/** Bars before the first CORREL value: `period − 1`. */
export function correlLookback(period = 30): number {
  checkParams('correl', { period })
  return period - 1
}

/** Streaming CORREL (also the core of `correl`). @see TA-Lib ta_CORREL.c */
export class CorrelStream extends Kernel<Pair, number> {
  readonly lookback: number
  private readonly period: number
  private readonly xs: Ring
  private readonly ys: Ring
  private sumX = 0
  private sumY = 0
  private sumX2 = 0
  private sumY2 = 0
  private sumXY = 0

  constructor(period = 30) {
    super()
    rememberParams(this, { period })
    this.lookback = correlLookback(period)
    this.period = period
    this.xs = new Ring(period)
    this.ys = new Ring(period)
  }

  protected step(p: Pair): number {
    const n = this.period
    if (this.xs.full) {
      // The oldest pair leaves the sums before the new one enters, as in TA-Lib.
      const tx = this.xs.at(n - 1)
      const ty = this.ys.at(n - 1)
      this.sumX -= tx
      this.sumX2 -= tx * tx
      this.sumXY -= tx * ty
      this.sumY -= ty
      this.sumY2 -= ty * ty
    }
    const { x, y } = p
    this.xs.push(x)
    this.ys.push(y)
    this.sumX += x
    this.sumX2 += x * x
    this.sumXY += x * y
    this.sumY += y
    this.sumY2 += y * y
    if (!this.xs.full) return NaN
    const t =
      (this.sumX2 - (this.sumX * this.sumX) / n) * (this.sumY2 - (this.sumY * this.sumY) / n)
    return !(t < TA_EPSILON) ? (this.sumXY - (this.sumX * this.sumY) / n) / Math.sqrt(t) : 0.0
  }
}

/**
 * Pearson's correlation coefficient of `x` and `y` over the last `period` bars, from running sums
 * as TA-Lib (0 when a variance is not positive). Warm-up `period − 1`. @see TA-Lib ta_CORREL.c
 */
export function correl(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  period = 30,
  out?: Float64Array,
): Float64Array {
  return runPairs(new CorrelStream(period), x, y, out)
}
