import { assertPeriod, assertSameLength, output } from '../internal/validate.js'
import { sma, SmaStream } from '../overlap/sma.js'

export interface Stochastic {
  readonly k: Float64Array
  readonly d: Float64Array
}

/** Bars before the first value: `fastK − 1 + slowK − 1 + slowD − 1`. */
export function stochLookback(fastK = 5, slowK = 3, slowD = 3): number {
  assertPeriod('fastK', fastK, 1)
  assertPeriod('slowK', slowK, 1)
  assertPeriod('slowD', slowD, 1)
  return fastK - 1 + slowK - 1 + slowD - 1
}

/** TA-Lib's MA with the SMA type: a period of 1 is the input itself. */
function smaOrCopy(values: Float64Array, period: number): Float64Array {
  return period === 1 ? values : sma(values, period)
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
  const first = fastK - 1
  const fast = new Float64Array(n - first)
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
    if ((maxQ[maxHead] as number) <= i - fastK) maxHead++
    if ((minQ[minHead] as number) <= i - fastK) minHead++
    if (i < first) continue
    const highest = high[maxQ[maxHead] as number] as number
    const lowest = low[minQ[minHead] as number] as number
    const diff = (highest - lowest) / 100.0
    fast[i - first] = diff !== 0 ? ((close[i] as number) - lowest) / diff : 0
  }
  const slow = smaOrCopy(fast, slowK)
  const signal = smaOrCopy(slow.subarray(slowK - 1), slowD)
  for (let i = lookback; i < n; i++) {
    k[i] = slow[i - first] as number
    d[i] = signal[i - first - (slowK - 1)] as number
  }
  return { k, d }
}

type Hlc = { readonly high: number; readonly low: number; readonly close: number }

/** SMA stream, or the identity for period 1 (smaOrCopy's rule). */
function smoother(period: number): { update(v: number): number; replace(v: number): number } {
  if (period === 1) return { update: (v) => v, replace: (v) => v }
  return new SmaStream(period)
}

/** Streaming slow stochastic: the same numbers as `stoch` at each bar; `replace` swaps the last bar. */
export class StochStream {
  readonly lookback: number
  private readonly fastK: number
  private readonly slowK: number
  private readonly highs: Float64Array
  private readonly lows: Float64Array
  private readonly slow: { update(v: number): number; replace(v: number): number }
  private readonly signal: { update(v: number): number; replace(v: number): number }
  private count = 0

  constructor(fastK = 5, slowK = 3, slowD = 3) {
    this.lookback = stochLookback(fastK, slowK, slowD)
    this.fastK = fastK
    this.slowK = slowK
    this.highs = new Float64Array(fastK)
    this.lows = new Float64Array(fastK)
    this.slow = smoother(slowK)
    this.signal = smoother(slowD)
  }

  update(bar: Hlc): { k: number; d: number } {
    this.count++
    return this.apply(bar, false)
  }

  replace(bar: Hlc): { k: number; d: number } {
    if (this.count === 0) return this.update(bar)
    return this.apply(bar, true)
  }

  private apply(bar: Hlc, replace: boolean): { k: number; d: number } {
    const i = this.count - 1
    const p = this.fastK
    this.highs[i % p] = bar.high
    this.lows[i % p] = bar.low
    const none = { k: Number.NaN, d: Number.NaN }
    const first = p - 1
    if (i < first) return none
    let highest = -Infinity
    let lowest = Infinity
    for (let j = 0; j < p; j++) {
      const h = this.highs[j] as number
      const l = this.lows[j] as number
      if (h > highest) highest = h
      if (l < lowest) lowest = l
    }
    const diff = (highest - lowest) / 100.0
    const fast = diff !== 0 ? (bar.close - lowest) / diff : 0
    const k = replace ? this.slow.replace(fast) : this.slow.update(fast)
    if (i < first + this.slowK - 1) return none
    const d = replace ? this.signal.replace(k) : this.signal.update(k)
    if (i < this.lookback) return none
    return { k, d }
  }
}
