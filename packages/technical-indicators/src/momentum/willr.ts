import { RunningExtreme, hasNaN } from '../internal/extreme.js'
import { checkParams, rememberParams } from '../internal/params.js'
import { assertSameLength, output } from '../internal/validate.js'
import { Kernel, runBars } from '../internal/kernel.js'

/** Bars before the first Williams %R value: `period − 1`. */
export function willrLookback(period = 14): number {
  checkParams('willr', { period })
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
  // With a NaN in the highs or lows, TA-Lib's way of tracking the extremes decides the values.
  if (hasNaN(high) || hasNaN(low)) return willrTracked(high, low, close, period, result)
  return willrDeques(high, low, close, period, result)
}

/** The fast path, without NaN: monotonic deques (its own function: the loop optimises best alone). */
function willrDeques(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  period: number,
  result: Float64Array,
): Float64Array {
  const n = high.length
  const lookback = period - 1
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

/** `willr` through the stream: TA-Lib's tracking of the extremes. */
function willrTracked(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  period: number,
  result: Float64Array,
): Float64Array {
  runBars(new WillrStream(period), high.length, { high, low, close }, (v, i) => (result[i] = v))
  return result
}

type Hlc = { readonly high: number; readonly low: number; readonly close: number }

/**
 * Streaming Williams %R (also `willr` when an input holds NaN): the same numbers as `willr` at each
 * bar; `replace` swaps the last bar. Extremes tracked as TA-Lib tracks them.
 */
export class WillrStream extends Kernel<Hlc, number> {
  readonly lookback: number
  private readonly highs: RunningExtreme
  private readonly lows: RunningExtreme

  constructor(period = 14) {
    super()
    rememberParams(this, { period })
    this.lookback = willrLookback(period)
    this.highs = new RunningExtreme(period, true)
    this.lows = new RunningExtreme(period, false)
  }

  protected step(bar: Hlc): number {
    const lowest = this.lows.push(bar.low)
    const highest = this.highs.push(bar.high)
    if (this.highs.count <= this.lookback) return Number.NaN
    const diff = (highest - lowest) / -100.0
    return diff !== 0 ? (highest - bar.close) / diff : 0
  }
}
