import { checkParams, rememberParams } from '../internal/params.js'
import { Ring } from '../internal/ring.js'
import { assertSameLength, output } from '../internal/validate.js'

/** Bars before the first CCI value: `period − 1`. */
export function cciLookback(period = 14): number {
  checkParams('cci', { period })
  return period - 1
}

/**
 * Commodity channel index: `(tp − mean(tp)) / (0.015 · mean absolute deviation)` of the typical
 * price `(high + low + close) / 3` over `period` bars; 0 when either part is 0. Sums run over
 * TA-Lib's circular buffer in its slot order, so the results are TA-Lib's to the last bit.
 *
 * Warm-up: NaN for the first `period − 1` bars. Period 2 to 100000.
 * @see TA-Lib ta_CCI.c
 */
export function cci(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  period = 14,
  out?: Float64Array,
): Float64Array {
  const lookback = cciLookback(period)
  const n = assertSameLength(high, low, close)
  const result = output(n, out, lookback)
  if (n <= lookback) return result
  const ring = new Float64Array(period)
  for (let i = 0; i < n; i++) {
    const tp = ((high[i] as number) + (low[i] as number) + (close[i] as number)) / 3
    ring[i % period] = tp
    if (i < lookback) continue
    let average = 0
    for (let j = 0; j < period; j++) average += ring[j] as number
    average /= period
    let deviation = 0
    for (let j = 0; j < period; j++) deviation += Math.abs((ring[j] as number) - average)
    const delta = tp - average
    result[i] = delta !== 0 && deviation !== 0 ? delta / (0.015 * (deviation / period)) : 0
  }
  return result
}

/** Streaming CCI: the same numbers as `cci` at each bar; `replace` swaps the last bar. */
export class CciStream {
  readonly lookback: number
  private readonly period: number
  private readonly ring: Ring
  private count = 0

  constructor(period = 14) {
    rememberParams(this, { period })
    this.lookback = cciLookback(period)
    this.period = period
    this.ring = new Ring(period)
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
    const tp = (bar.high + bar.low + bar.close) / 3
    this.ring.set(i, tp)
    if (i < this.lookback) return Number.NaN
    // The window is full: its slots are TA-Lib's circular buffer, summed in slot order.
    const ring = this.ring.values
    let average = 0
    for (let j = 0; j < p; j++) average += ring[j] as number
    average /= p
    let deviation = 0
    for (let j = 0; j < p; j++) deviation += Math.abs((ring[j] as number) - average)
    const delta = tp - average
    return delta !== 0 && deviation !== 0 ? delta / (0.015 * (deviation / p)) : 0
  }
}
