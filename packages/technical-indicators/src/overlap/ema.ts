import { Ema } from '../internal/ema.js'
import { checkParams, rememberParams } from '../internal/params.js'
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
function emaInto(
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
export class EmaStream extends Ema {
  constructor(period = 30) {
    emaLookback(period)
    super(period)
    rememberParams(this, { period })
  }
}
