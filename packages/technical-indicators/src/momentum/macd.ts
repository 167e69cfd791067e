import { checkParams, rememberParams } from '../internal/params.js'
import { Ring } from '../internal/ring.js'
import { output } from '../internal/validate.js'

export interface Macd {
  readonly macd: Float64Array
  readonly signal: Float64Array
  readonly histogram: Float64Array
}

/** Bars before the first MACD value: `max(fast, slow) − 1 + signal − 1`. */
export function macdLookback(fast = 12, slow = 26, signal = 9): number {
  checkParams('macd', { fast, slow, signal })
  return Math.max(fast, slow) - 1 + signal - 1
}

/**
 * MACD as TA-Lib computes it: fast EMA − slow EMA, both started at the slow EMA's first bar (so the
 * fast EMA is seeded with the mean of the `fast` values ending there, TA-Lib's convention), the
 * signal an EMA of that line, the histogram their difference. `fast` and `slow` are swapped if given
 * the wrong way round, as TA-Lib does.
 *
 * Warm-up: NaN for the first `slow − 1 + signal − 1` bars.
 * @see TA-Lib ta_MACD.c (INT_MACD)
 */
export function macd(
  close: ArrayLike<number>,
  fast = 12,
  slow = 26,
  signal = 9,
  out: { macd?: Float64Array; signal?: Float64Array; histogram?: Float64Array } = {},
): Macd {
  const lookback = macdLookback(fast, slow, signal)
  if (slow < fast) [fast, slow] = [slow, fast]
  const n = close.length
  const line = output(n, out.macd, lookback)
  const sig = output(n, out.signal, lookback)
  const hist = output(n, out.histogram, lookback)
  if (n <= lookback) return { macd: line, signal: sig, histogram: hist }
  // One pass, no intermediate arrays: both EMAs start at the slow EMA's first bar (TA-Lib seeds
  // the fast one with the mean of the `fast` values ending there), the MACD line is written
  // straight into `line`, and the signal EMA runs over it.
  const start = slow - 1
  const kSlow = 2 / (slow + 1)
  const kFast = 2 / (fast + 1)
  const kSignal = 2 / (signal + 1)
  let slowSum = 0
  for (let i = 0; i <= start; i++) slowSum += close[i] as number
  let fastSum = 0
  for (let i = start - fast + 1; i <= start; i++) fastSum += close[i] as number
  let slowEma = slowSum / slow
  let fastEma = fastSum / fast
  let signalSum = fastEma - slowEma
  line[start] = signalSum
  for (let i = start + 1; i <= lookback; i++) {
    const v = close[i] as number
    slowEma = (v - slowEma) * kSlow + slowEma
    fastEma = (v - fastEma) * kFast + fastEma
    const m = fastEma - slowEma
    line[i] = m
    signalSum += m
  }
  let signalEma = signalSum / signal
  for (let i = start; i < lookback; i++) line[i] = Number.NaN
  sig[lookback] = signalEma
  hist[lookback] = (line[lookback] as number) - signalEma
  for (let i = lookback + 1; i < n; i++) {
    const v = close[i] as number
    slowEma = (v - slowEma) * kSlow + slowEma
    fastEma = (v - fastEma) * kFast + fastEma
    const m = fastEma - slowEma
    signalEma = (m - signalEma) * kSignal + signalEma
    line[i] = m
    sig[i] = signalEma
    hist[i] = m - signalEma
  }
  return { macd: line, signal: sig, histogram: hist }
}

/** Streaming MACD: the same numbers as `macd` at each bar; `replace` swaps the last bar. */
export class MacdStream {
  readonly lookback: number
  private readonly fast: number
  private readonly slow: number
  private readonly signal: number
  private readonly kFast: number
  private readonly kSlow: number
  private readonly kSignal: number
  /** The first `slow` closes: the seeds are their sums, in TA-Lib's order. */
  private readonly seed: Ring
  private count = 0
  private slowEma = 0
  private fastEma = 0
  private signalSum = 0
  private signalEma = 0
  private saved = { slowEma: 0, fastEma: 0, signalSum: 0, signalEma: 0 }

  constructor(fast = 12, slow = 26, signal = 9) {
    rememberParams(this, { fast, slow, signal })
    this.lookback = macdLookback(fast, slow, signal)
    if (slow < fast) [fast, slow] = [slow, fast]
    this.fast = fast
    this.slow = slow
    this.signal = signal
    this.kFast = 2 / (fast + 1)
    this.kSlow = 2 / (slow + 1)
    this.kSignal = 2 / (signal + 1)
    this.seed = new Ring(slow)
  }

  update(value: number): { macd: number; signal: number; histogram: number } {
    this.saved = {
      slowEma: this.slowEma,
      fastEma: this.fastEma,
      signalSum: this.signalSum,
      signalEma: this.signalEma,
    }
    this.count++
    return this.apply(value)
  }

  replace(value: number): { macd: number; signal: number; histogram: number } {
    if (this.count === 0) return this.update(value)
    this.slowEma = this.saved.slowEma
    this.fastEma = this.saved.fastEma
    this.signalSum = this.saved.signalSum
    this.signalEma = this.saved.signalEma
    return this.apply(value)
  }

  private apply(value: number): { macd: number; signal: number; histogram: number } {
    const i = this.count - 1
    const start = this.slow - 1
    const none = { macd: Number.NaN, signal: Number.NaN, histogram: Number.NaN }
    if (i < start) {
      this.seed.set(i, value)
      return none
    }
    let m: number
    if (i === start) {
      this.seed.set(i, value)
      let slowSum = 0
      for (let j = 0; j <= start; j++) slowSum += this.seed.get(j)
      let fastSum = 0
      for (let j = start - this.fast + 1; j <= start; j++) fastSum += this.seed.get(j)
      this.slowEma = slowSum / this.slow
      this.fastEma = fastSum / this.fast
      m = this.fastEma - this.slowEma
      this.signalSum = m
    } else {
      this.slowEma = (value - this.slowEma) * this.kSlow + this.slowEma
      this.fastEma = (value - this.fastEma) * this.kFast + this.fastEma
      m = this.fastEma - this.slowEma
      if (i <= this.lookback) this.signalSum += m
      else this.signalEma = (m - this.signalEma) * this.kSignal + this.signalEma
    }
    if (i < this.lookback) return none
    if (i === this.lookback) this.signalEma = this.signalSum / this.signal
    return { macd: m, signal: this.signalEma, histogram: m - this.signalEma }
  }
}
