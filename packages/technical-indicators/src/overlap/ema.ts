import { checkParams } from '../internal/params.js'
import { output } from '../internal/validate.js'

/** Bars before the first EMA value: `period − 1`. */
export function emaLookback(period = 30): number {
  checkParams('ema', { period })
  return period - 1
}

/**
 * TA-Lib's INT_EMA: the EMA of `input` whose first value is at index `start`, seeded with the
 * mean of the `period` values ending there, then `prev = (x − prev)·k + prev`. Writes into
 * `out[start…]` and returns `out`.
 */
export function emaInto(
  input: ArrayLike<number>,
  start: number,
  period: number,
  k: number,
  out: Float64Array,
): Float64Array {
  const n = input.length
  if (start >= n) return out
  let sum = 0
  for (let i = start - period + 1; i <= start; i++) sum += input[i] as number
  let prev = sum / period
  out[start] = prev
  for (let i = start + 1; i < n; i++) {
    prev = ((input[i] as number) - prev) * k + prev
    out[i] = prev
  }
  return out
}

/**
 * Exponential moving average, TA-Lib's classic form: seeded with the SMA of the first `period`
 * values, then `k = 2 / (period + 1)`.
 *
 * Warm-up: NaN for the first `period − 1` bars. Period 2 to 100000 (TA-Lib's range).
 * @see TA-Lib ta_EMA.c
 */
export function ema(close: ArrayLike<number>, period = 30, out?: Float64Array): Float64Array {
  const lookback = emaLookback(period)
  const result = output(close.length, out, lookback)
  if (close.length <= lookback) return result
  return emaInto(close, lookback, period, 2 / (period + 1), result)
}

/** Streaming EMA: the same numbers as `ema` at each bar; `replace` swaps the last bar. */
export class EmaStream {
  readonly lookback: number
  private readonly period: number
  private readonly k: number
  /** The EMA after the last bar; NaN until the seed (and after a NaN input, as in TA-Lib). */
  private prev = Number.NaN
  /** The EMA before the last bar, for replace. */
  private prevBefore = Number.NaN
  /** Bars taken by the slow path: the warm-up, then bars that follow a NaN. */
  private count = 0
  private sum = 0
  private sumBefore = 0
  /** What the slow path did last: 0 nothing yet, 1 a warm-up bar (or the seed), 2 a bar after NaN. */
  private last = 0

  constructor(period = 30) {
    this.lookback = emaLookback(period)
    this.period = period
    this.k = 2 / (period + 1)
  }

  update(value: number): number {
    // The recurrence's own latency (subtract, multiply, add) is the floor of an update, so the
    // steady state does nothing else: a number before the bar means the EMA is seeded. NaN before
    // it means warm-up, or a NaN that has been propagating since (the slow path tells them apart).
    const prev = this.prev
    this.prevBefore = prev
    if (prev === prev) return (this.prev = (value - prev) * this.k + prev)
    return this.slow(value)
  }

  replace(value: number): number {
    const prev = this.prevBefore
    // A seeded EMA before the bar, or a NaN one that stays NaN: recompute the bar from it.
    if (prev === prev || this.last === 2) return (this.prev = (value - prev) * this.k + prev)
    if (this.last === 0) return this.update(value)
    // The last bar was a warm-up bar or the seed: take it back and warm up with the new value.
    this.sum = this.sumBefore
    this.count--
    this.prev = prev
    return this.slow(value)
  }

  /**
   * The first `period` bars sum up, and their mean seeds the EMA (TA-Lib's seed); once seeded, a
   * NaN EMA stays NaN (`(x − NaN)·k + NaN`).
   */
  private slow(value: number): number {
    if (this.count >= this.period) {
      this.last = 2
      const prev = this.prev
      return (this.prev = (value - prev) * this.k + prev)
    }
    this.last = 1
    this.sumBefore = this.sum
    this.count++
    this.sum += value
    if (this.count < this.period) return Number.NaN
    return (this.prev = this.sum / this.period)
  }
}
