import { checkParams, rememberParams } from '../internal/params.js'
import { Ring } from '../internal/ring.js'
import { output } from '../internal/validate.js'

/** Bars before the first ROC value: `period`. */
export function rocLookback(period = 10): number {
  checkParams('roc', { period })
  return period
}

/**
 * Rate of change in percent: `(close / close[period bars ago] − 1) · 100`; 0 where the old close
 * is 0 (TA-Lib's rule).
 *
 * Warm-up: NaN for the first `period` bars. Period 1 to 100000.
 * @see TA-Lib ta_ROC.c
 */
export function roc(close: ArrayLike<number>, period = 10, out?: Float64Array): Float64Array {
  const lookback = rocLookback(period)
  const n = close.length
  const result = output(n, out, lookback)
  for (let i = lookback; i < n; i++) {
    const old = close[i - period] as number
    result[i] = old !== 0 ? ((close[i] as number) / old - 1.0) * 100.0 : 0
  }
  return result
}

/** Streaming ROC: the same numbers as `roc` at each bar; `replace` swaps the last bar. */
export class RocStream {
  readonly lookback: number
  private readonly period: number
  private readonly window: Ring
  private count = 0

  constructor(period = 10) {
    rememberParams(this, { period })
    this.lookback = rocLookback(period)
    this.period = period
    this.window = new Ring(period + 1)
  }

  update(value: number): number {
    this.count++
    return this.apply(value)
  }

  replace(value: number): number {
    if (this.count === 0) return this.update(value)
    return this.apply(value)
  }

  private apply(value: number): number {
    const i = this.count - 1
    this.window.set(i, value)
    if (i < this.lookback) return Number.NaN
    const old = this.window.get(i - this.period)
    return old !== 0 ? (value / old - 1.0) * 100.0 : 0
  }
}
