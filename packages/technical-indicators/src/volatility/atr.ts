import { trueRange } from '../internal/select.js'
import { checkParams, rememberParams } from '../internal/params.js'
import { assertSameLength, output } from '../internal/validate.js'

/** Bars before the first true range: 1. */
export function trangeLookback(): number {
  return 1
}

/**
 * True range: the greatest of high − low, |previous close − high| and |low − previous close|.
 *
 * Warm-up: NaN for the first bar.
 * @see TA-Lib ta_TRANGE.c
 */
export function trange(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  out?: Float64Array,
): Float64Array {
  const n = assertSameLength(high, low, close)
  const result = output(n, out, 1)
  for (let i = 1; i < n; i++)
    result[i] = trueRange(high[i] as number, low[i] as number, close[i - 1] as number)
  return result
}

/** Bars before the first ATR value: `period` (1 for period 1, the true range). */
export function atrLookback(period = 14): number {
  checkParams('atr', { period })
  return period
}

/**
 * Average true range with Wilder's smoothing, as TA-Lib: the first value is the mean of the first
 * `period` true ranges (bars 1…period), then `atr = (atr·(period−1) + tr) / period`.
 *
 * Warm-up: NaN for the first `period` bars. Period 1 to 100000 (1 gives the true range).
 * @see TA-Lib ta_ATR.c
 */
export function atr(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  period = 14,
  out?: Float64Array,
): Float64Array {
  const lookback = atrLookback(period)
  const n = assertSameLength(high, low, close)
  if (period === 1) return trange(high, low, close, out)
  const result = output(n, out, lookback)
  if (n <= lookback) return result
  let total = 0
  for (let i = 1; i < period; i++)
    total += trueRange(high[i] as number, low[i] as number, close[i - 1] as number)
  total += trueRange(high[period] as number, low[period] as number, close[period - 1] as number)
  let prev = total / period
  result[period] = prev
  for (let i = period + 1; i < n; i++) {
    prev *= period - 1
    prev += trueRange(high[i] as number, low[i] as number, close[i - 1] as number)
    prev /= period
    result[i] = prev
  }
  return result
}

type Hlc = { readonly high: number; readonly low: number; readonly close: number }

/** Streaming true range: the same numbers as `trange` at each bar; `replace` swaps the last bar. */
export class TrangeStream {
  readonly lookback = 1
  private count = 0
  private previousClose = 0
  private lastClose = 0

  update(bar: Hlc): number {
    if (this.count > 0) this.previousClose = this.lastClose
    this.count++
    this.lastClose = bar.close
    return this.count === 1 ? Number.NaN : trueRange(bar.high, bar.low, this.previousClose)
  }

  replace(bar: Hlc): number {
    if (this.count === 0) return this.update(bar)
    this.lastClose = bar.close
    return this.count === 1 ? Number.NaN : trueRange(bar.high, bar.low, this.previousClose)
  }
}

/** Streaming ATR (Wilder): the same numbers as `atr` at each bar; `replace` swaps the last bar. */
export class AtrStream {
  readonly lookback: number
  private readonly period: number
  private readonly range = new TrangeStream()
  private count = 0
  private s = { total: 0, prev: 0 }
  private saved = { total: 0, prev: 0 }

  constructor(period = 14) {
    rememberParams(this, { period })
    this.lookback = atrLookback(period)
    this.period = period
  }

  update(bar: Hlc): number {
    this.saved = { ...this.s }
    this.count++
    return this.apply(this.range.update(bar))
  }

  replace(bar: Hlc): number {
    if (this.count === 0) return this.update(bar)
    this.s = { ...this.saved }
    return this.apply(this.range.replace(bar))
  }

  private apply(tr: number): number {
    const i = this.count - 1
    const p = this.period
    if (i === 0) return Number.NaN
    if (p === 1) return tr
    const s = this.s
    if (i < p) {
      s.total += tr
      return Number.NaN
    }
    if (i === p) {
      s.total += tr
      s.prev = s.total / p
      return s.prev
    }
    s.prev *= p - 1
    s.prev += tr
    s.prev /= p
    return s.prev
  }
}
