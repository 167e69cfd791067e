import { checkParams, rememberParams } from '../internal/params.js'
import { inputRing, type Ring } from '../internal/ring.js'
import { output } from '../internal/validate.js'

/** Bars before the first SMA value: `period − 1`. */
export function smaLookback(period = 30): number {
  checkParams('sma', { period })
  return period - 1
}

/**
 * Simple moving average: the mean of the last `period` values, as TA-Lib computes it (a running
 * total: add the new value, take the mean, subtract the oldest), bit for bit.
 *
 * Warm-up: NaN for the first `period − 1` bars. Period 2 to 100000 (TA-Lib's range).
 * @see TA-Lib ta_SMA.c
 */
export function sma(close: ArrayLike<number>, period = 30, out?: Float64Array): Float64Array {
  const lookback = smaLookback(period)
  const n = close.length
  const result = output(n, out, lookback)
  if (n <= lookback) return result
  let total = 0
  let trailing = 0
  for (let i = 0; i < lookback; i++) total += close[i] as number
  for (let i = lookback; i < n; i++) {
    total += close[i] as number
    const sum = total
    total -= close[trailing++] as number
    result[i] = sum / period
  }
  return result
}

/**
 * Streaming SMA: one bar at a time, the same numbers as `sma` at that bar, bit for bit. `replace`
 * swaps the last bar (a still-open candle) without disturbing the state.
 */
export class SmaStream {
  readonly lookback: number
  private readonly period: number
  private readonly window: Ring
  private total = 0
  private totalBefore = 0

  constructor(period = 30) {
    rememberParams(this, { period })
    this.lookback = smaLookback(period)
    this.period = period
    this.window = inputRing(period)
  }

  /** The same as `update` (batch functions step every stream this way). */
  next(value: number): number {
    return this.update(value)
  }

  /** Appends a bar; returns the SMA at it (NaN during warm-up). */
  update(value: number): number {
    this.totalBefore = this.total
    this.window.push(value)
    return this.apply(value)
  }

  /** Replaces the last bar; returns the recomputed SMA. */
  replace(value: number): number {
    if (this.window.count === 0) return this.update(value)
    this.total = this.totalBefore
    this.window.setLast(value)
    return this.apply(value)
  }

  private apply(value: number): number {
    const p = this.period
    if (!this.window.full) {
      this.total += value
      return Number.NaN
    }
    const sum = this.total + value
    // The oldest value of the window leaves the total.
    this.total = sum - this.window.at(p - 1)
    return sum / p
  }
}
