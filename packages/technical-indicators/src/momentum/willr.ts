import { assertPeriod, assertSameLength, output } from '../internal/validate.js'

/** Bars before the first Williams %R value: `period − 1`. */
export function willrLookback(period = 14): number {
  assertPeriod('period', period)
  return period - 1
}

/**
 * Williams %R: `(highest high − close) / ((highest high − lowest low) / −100)` over `period` bars,
 * 0 when the range is 0 (TA-Lib's order of operations and rule). Rolling extremes with monotonic
 * deques: O(n).
 *
 * Warm-up: NaN for the first `period − 1` bars. Period 2 to 100000.
 * @see TA-Lib ta_WILLR.c
 */
export function willr(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  period = 14,
  out?: Float64Array,
): Float64Array {
  const lookback = willrLookback(period)
  const n = assertSameLength(high, low, close)
  const result = output(n, out, lookback)
  if (n <= lookback) return result
  const maxQ = new Int32Array(n)
  const minQ = new Int32Array(n)
  let maxHead = 0
  let maxTail = 0
  let minHead = 0
  let minTail = 0
  for (let i = 0; i < n; i++) {
    const h = high[i] as number
    const l = low[i] as number
    while (maxTail > maxHead && (high[maxQ[maxTail - 1] as number] as number) <= h) maxTail--
    maxQ[maxTail++] = i
    while (minTail > minHead && (low[minQ[minTail - 1] as number] as number) >= l) minTail--
    minQ[minTail++] = i
    const first = i - period + 1
    if ((maxQ[maxHead] as number) < first) maxHead++
    if ((minQ[minHead] as number) < first) minHead++
    if (i < lookback) continue
    const highest = high[maxQ[maxHead] as number] as number
    const lowest = low[minQ[minHead] as number] as number
    const diff = (highest - lowest) / -100.0
    result[i] = diff !== 0 ? (highest - (close[i] as number)) / diff : 0
  }
  return result
}

/** Streaming Williams %R: the same numbers as `willr` at each bar; `replace` swaps the last bar. */
export class WillrStream {
  readonly lookback: number
  private readonly period: number
  private readonly highs: Float64Array
  private readonly lows: Float64Array
  private count = 0

  constructor(period = 14) {
    this.lookback = willrLookback(period)
    this.period = period
    this.highs = new Float64Array(period)
    this.lows = new Float64Array(period)
  }

  update(bar: { readonly high: number; readonly low: number; readonly close: number }): number {
    this.count++
    return this.apply(bar)
  }

  replace(bar: { readonly high: number; readonly low: number; readonly close: number }): number {
    if (this.count === 0) return this.update(bar)
    return this.apply(bar)
  }

  private apply(bar: {
    readonly high: number
    readonly low: number
    readonly close: number
  }): number {
    const i = this.count - 1
    const p = this.period
    this.highs[i % p] = bar.high
    this.lows[i % p] = bar.low
    if (i < this.lookback) return Number.NaN
    let highest = -Infinity
    let lowest = Infinity
    for (let j = 0; j < p; j++) {
      const h = this.highs[j] as number
      const l = this.lows[j] as number
      if (h > highest) highest = h
      if (l < lowest) lowest = l
    }
    const diff = (highest - lowest) / -100.0
    return diff !== 0 ? (highest - bar.close) / diff : 0
  }
}
