/** What the benchmarks share: the series, and the timing of a run. */
import { mulberry32 } from '../scripts/series.mjs'

export const N = 1_000_000
export const RUNS = 5

export function walk(n: number) {
  const rand = mulberry32(42)
  const close = new Float64Array(n)
  const high = new Float64Array(n)
  const low = new Float64Array(n)
  let p = 100
  for (let i = 0; i < n; i++) {
    p *= 1 + (rand() - 0.5) * 0.01
    close[i] = p
    high[i] = p * (1 + rand() * 0.005)
    low[i] = p * (1 - rand() * 0.005)
  }
  return {
    close,
    high,
    low,
    closeArr: Array.from(close),
    highArr: Array.from(high),
    lowArr: Array.from(low),
  }
}

/** Seconds per bar of each of `runs` runs of `fn` after a warm-up, fastest first; throws what `fn` throws. */
export function secondsPerBar(bars: number, fn: () => unknown, runs = RUNS): number[] {
  fn() // warm-up
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    fn()
    times.push((performance.now() - t) / 1000 / bars)
  }
  return times.sort((a, b) => a - b)
}

/** The median of a sorted list. */
export const median = (sorted: readonly number[]): number =>
  sorted[Math.floor(sorted.length / 2)] ?? Number.NaN

/** Median seconds per bar of `fn`, or NaN when the peer cannot run it. */
export function perBar(bars: number, fn: () => unknown): number {
  try {
    return median(secondsPerBar(bars, fn))
  } catch {
    return Number.NaN
  }
}
