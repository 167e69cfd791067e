import { assertPeriod, output } from '../internal/validate.js'

/** Bars before the first EMA value: `period − 1`. */
export function emaLookback(period = 30): number {
  assertPeriod('period', period, 1)
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
 * Warm-up: NaN for the first `period − 1` bars. Period 1 to 100000.
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
  private count = 0
  private sum = 0
  private prev = 0
  private sumBefore = 0
  private prevBefore = 0

  constructor(period = 30) {
    this.lookback = emaLookback(period)
    this.period = period
    this.k = 2 / (period + 1)
  }

  update(value: number): number {
    // Steady state first and short: the recurrence's own latency (subtract, multiply, add) is the
    // floor of an update, so nothing else may sit on that path.
    const prev = this.prev
    this.prevBefore = prev
    if (this.count >= this.period) {
      this.count++
      return (this.prev = (value - prev) * this.k + prev)
    }
    return this.warm(value)
  }

  replace(value: number): number {
    // Steady state (the last bar was past the seed): recompute it from the value before it.
    if (this.count > this.period) {
      const prev = this.prevBefore
      return (this.prev = (value - prev) * this.k + prev)
    }
    if (this.count === 0) return this.update(value)
    this.prev = this.prevBefore
    this.count--
    if (this.count < this.period) this.sum = this.sumBefore
    return this.update(value)
  }

  /** The first `period` bars: their sum seeds the EMA with their mean (TA-Lib's seed). */
  private warm(value: number): number {
    this.sumBefore = this.sum
    this.count++
    this.sum += value
    if (this.count < this.period) return Number.NaN
    return (this.prev = this.sum / this.period)
  }
}
