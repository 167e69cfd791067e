import { assertPeriod, output } from '../internal/validate.js'

export interface Macd {
  readonly macd: Float64Array
  readonly signal: Float64Array
  readonly histogram: Float64Array
}

/** Bars before the first MACD value: `max(fast, slow) − 1 + signal − 1`. */
export function macdLookback(fast = 12, slow = 26, signal = 9): number {
  assertPeriod('fast', fast)
  assertPeriod('slow', slow)
  assertPeriod('signal', signal, 1)
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
