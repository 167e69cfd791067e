import { assertPeriod, output } from '../internal/validate.js'
import { emaInto } from '../overlap/ema.js'

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
  const line = output(n, out.macd)
  const sig = output(n, out.signal)
  const hist = output(n, out.histogram)
  if (n <= lookback) return { macd: line, signal: sig, histogram: hist }
  const start = slow - 1
  const slowEma = emaInto(close, start, slow, 2 / (slow + 1), new Float64Array(n))
  const fastEma = emaInto(close, start, fast, 2 / (fast + 1), new Float64Array(n))
  const raw = new Float64Array(n - start)
  for (let i = start; i < n; i++) raw[i - start] = (fastEma[i] as number) - (slowEma[i] as number)
  const signalEma = emaInto(raw, signal - 1, signal, 2 / (signal + 1), new Float64Array(raw.length))
  for (let i = lookback; i < n; i++) {
    const m = raw[i - start] as number
    const s = signalEma[i - start] as number
    line[i] = m
    sig[i] = s
    hist[i] = m - s
  }
  return { macd: line, signal: sig, histogram: hist }
}
