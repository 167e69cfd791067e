import { keepGreater, keepLess } from '../internal/select.js'
import { checkParams, rememberParams } from '../internal/params.js'
import { assertSameLength, output } from '../internal/validate.js'
import { hasNaN } from '../internal/extreme.js'
import { Kernel, runBars, type Step } from '../internal/kernel.js'
import { maKernel } from '../overlap/ma.js'
import { StochfStream } from './stochf.js'

export interface Stochastic {
  readonly k: Float64Array
  readonly d: Float64Array
}

/** Bars before the first value: `fastK − 1 + slowK − 1 + slowD − 1`. */
export function stochLookback(fastK = 5, slowK = 3, slowD = 3): number {
  checkParams('stoch', { fastK, slowK, slowD })
  return fastK - 1 + slowK - 1 + slowD - 1
}

/**
 * Slow stochastic with TA-Lib's defaults (SMA smoothing): fast %K = `(close − lowest low) /
 * ((highest high − lowest low) / 100)` over `fastK` bars (0 when the range is 0), slow %K its SMA
 * over `slowK`, %D the SMA of slow %K over `slowD`.
 *
 * Warm-up: NaN for the first `fastK − 1 + slowK − 1 + slowD − 1` bars.
 * @see TA-Lib ta_STOCH.c
 */
export function stoch(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  fastK = 5,
  slowK = 3,
  slowD = 3,
  out: { k?: Float64Array; d?: Float64Array } = {},
): Stochastic {
  const lookback = stochLookback(fastK, slowK, slowD)
  const n = assertSameLength(high, low, close)
  const k = output(n, out.k, lookback)
  const d = output(n, out.d, lookback)
  if (n <= lookback) return { k, d }
  // With a NaN in the highs or lows, TA-Lib's way of tracking the extremes decides the values.
  if (hasNaN(high) || hasNaN(low)) return stochTracked(high, low, close, fastK, slowK, slowD, k, d)
  stochBranchFree(high, low, close, fastK, slowK, slowD, k, d)
  return { k, d }
}

/**
 * The fast path, without NaN: the same values as TA-Lib's tracking. Its own function: the hot loop
 * optimises best alone (with the dispatch above in the same function it ran 1.5× slower).
 */
function stochBranchFree(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  fastK: number,
  slowK: number,
  slowD: number,
  k: Float64Array,
  d: Float64Array,
): void {
  const n = high.length
  // One pass, no array of the input's length. Window extremes by van Herk/Gil-Werman: the inputs
  // in blocks of `fastK`; a window is the tail of the previous block (its suffix extremes, computed
  // once per block) and the head of the current one (running prefix extremes), so each bar costs
  // three branch-free comparisons per side whatever the period. Then TA-Lib's two SMAs, each a
  // running total with the oldest value taken off after each output, over small rings.
  const suffixHigh = new Float64Array(fastK)
  const suffixLow = new Float64Array(fastK)
  const fastRing = new Float64Array(slowK)
  const slowRing = new Float64Array(slowD)
  let prefixHigh = 0
  let prefixLow = 0
  let pos = 0
  let fastTotal = 0
  let slowTotal = 0
  let fastCount = 0
  let slowCount = 0
  let fastAt = 0
  let slowAt = 0
  for (let i = 0; i < n; i++, pos++) {
    if (pos === fastK) {
      pos = 0
      // The block that just ended, [i − fastK, i): its suffix extremes, right to left.
      const start = i - fastK
      let sh = high[i - 1] as number
      let sl = low[i - 1] as number
      suffixHigh[fastK - 1] = sh
      suffixLow[fastK - 1] = sl
      for (let j = fastK - 2; j >= 0; j--) {
        sh = keepGreater(sh, high[start + j] as number)
        sl = keepLess(sl, low[start + j] as number)
        suffixHigh[j] = sh
        suffixLow[j] = sl
      }
    }
    const h = high[i] as number
    const l = low[i] as number
    prefixHigh = pos === 0 ? h : keepGreater(prefixHigh, h)
    prefixLow = pos === 0 ? l : keepLess(prefixLow, l)
    if (i < fastK - 1) continue
    let highest = prefixHigh
    let lowest = prefixLow
    if (pos !== fastK - 1) {
      highest = keepGreater(suffixHigh[pos + 1] as number, highest)
      lowest = keepLess(suffixLow[pos + 1] as number, lowest)
    }
    const diff = (highest - lowest) / 100.0
    const fast = diff !== 0 ? ((close[i] as number) - lowest) / diff : 0
    // Slow %K: SMA(slowK) of fast %K, TA-Lib's order of operations. `fastAt` is where this value
    // goes; after the increment it points at the oldest, taken off once the output is formed.
    fastRing[fastAt] = fast
    fastTotal += fast
    if (++fastAt === slowK) fastAt = 0
    if (++fastCount < slowK) continue
    const slowSum = fastTotal
    fastTotal -= fastRing[fastAt] as number
    const slow = slowSum / slowK
    // %D: SMA(slowD) of slow %K.
    slowRing[slowAt] = slow
    slowTotal += slow
    if (++slowAt === slowD) slowAt = 0
    if (++slowCount < slowD) continue
    const signalSum = slowTotal
    slowTotal -= slowRing[slowAt] as number
    k[i] = slow
    d[i] = signalSum / slowD
  }
}

/** `stoch` through the stream: TA-Lib's tracking of the extremes. */
function stochTracked(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  fastK: number,
  slowK: number,
  slowD: number,
  k: Float64Array,
  d: Float64Array,
): Stochastic {
  runBars(new StochStream(fastK, slowK, slowD), high.length, { high, low, close }, (v, i) => {
    k[i] = v.k
    d[i] = v.d
  })
  return { k, d }
}

type Hlc = { readonly high: number; readonly low: number; readonly close: number }

const NONE = { k: Number.NaN, d: Number.NaN }

/**
 * Streaming slow stochastic (also `stoch` when an input holds NaN): the same numbers as `stoch` at
 * each bar; `replace` swaps the last bar. The window extremes are tracked as TA-Lib tracks them,
 * which decides the results when a high or a low is NaN.
 */
export class StochStream extends Kernel<Hlc, { k: number; d: number }> {
  readonly lookback: number
  /** STOCHF with an SMA of `slowK`: its %D is the slow %K. */
  private readonly fast: StochfStream
  private readonly signal: Step<number, number>
  private readonly slowStart: number
  private i = 0

  constructor(fastK = 5, slowK = 3, slowD = 3) {
    super()
    rememberParams(this, { fastK, slowK, slowD })
    this.lookback = stochLookback(fastK, slowK, slowD)
    this.fast = new StochfStream(fastK, slowK, 'sma')
    this.signal = maKernel(slowD, 'sma')
    this.slowStart = fastK - 1 + slowK - 1
  }

  protected step(bar: Hlc): { k: number; d: number } {
    const i = this.i++
    const k = this.fast.next(bar).d
    if (i < this.slowStart) return NONE
    const d = this.signal.next(k)
    if (i < this.lookback) return NONE
    return { k, d }
  }
}
