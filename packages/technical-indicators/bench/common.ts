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

/** Median seconds per bar of `fn`, or NaN when the peer cannot run it. */
export function perBar(bars: number, fn: () => unknown): number {
  const times: number[] = []
  try {
    fn() // warm-up
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now()
      fn()
      times.push(performance.now() - t)
    }
  } catch {
    return Number.NaN
  }
  times.sort((a, b) => a - b)
  return (times[Math.floor(times.length / 2)] ?? Number.NaN) / 1000 / bars
}
