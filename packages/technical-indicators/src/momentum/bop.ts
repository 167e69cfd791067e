import { Kernel, runBarsInto } from '../internal/kernel.js'
import { TA_EPSILON } from '../internal/validate.js'
import { type Bar } from '../stream.js'
/** Streaming balance of power. @see TA-Lib ta_BOP.c */
export class BopStream extends Kernel<Bar, number> {
  readonly lookback = 0

  protected step(bar: Bar): number {
    const range = bar.high - bar.low
    return range < TA_EPSILON ? 0.0 : (bar.close - bar.open) / range
  }
}

/** Balance of power: `(close − open) / (high − low)` (0 for a flat bar). @see TA-Lib ta_BOP.c */
export function bop(
  open: ArrayLike<number>,
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  out?: Float64Array,
): Float64Array {
  return runBarsInto(new BopStream(), { open, high, low, close }, out)
}
