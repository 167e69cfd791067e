import { Ring } from './ring.js'

/**
 * TA-Lib's running highest (or lowest) of the last `period` values, tracked as ta_MAX.c, ta_MIN.c,
 * ta_STOCH.c, ta_WILLR.c and ta_AROON.c do: the extreme's index is kept; when it leaves the window,
 * the window is scanned again from its oldest value (a strict comparison, or `>=` / `<=` with
 * `ties`, AROON's rule: the latest of equal extremes); otherwise a new value at least as extreme
 * takes its place. The first value comes when `period` values are in. With NaN inputs this gives
 * TA-Lib's results exactly: a scan that starts at a NaN keeps NaN, a NaN met later is passed over.
 * Plain data (numbers and a ring), so a stream holding it can save and restore its state.
 */
export class RunningExtreme {
  private readonly ring: Ring
  private readonly period: number
  private readonly highest: boolean
  private readonly ties: boolean
  /** Values pushed so far. */
  count = 0
  /** Absolute index (0 = the first value pushed) of the current extreme. */
  index = -1
  value = 0

  constructor(period: number, highest: boolean, ties = false) {
    this.ring = new Ring(period)
    this.period = period
    this.highest = highest
    this.ties = ties
  }

  private better(candidate: number, current: number, ties: boolean): boolean {
    if (this.highest) return ties ? candidate >= current : candidate > current
    return ties ? candidate <= current : candidate < current
  }

  /** Appends `v`; returns the extreme of the last `period` values, NaN until there are that many. */
  push(v: number): number {
    const today = this.count++
    const p = this.period
    const ring = this.ring
    ring.set(today, v)
    if (today < p - 1) return Number.NaN
    const trailing = today - p + 1
    if (this.index < trailing) {
      this.index = trailing
      this.value = ring.get(trailing)
      for (let i = trailing + 1; i <= today; i++) {
        const t = ring.get(i)
        if (this.better(t, this.value, this.ties)) {
          this.index = i
          this.value = t
        }
      }
    } else if (this.better(v, this.value, true)) {
      this.index = today
      this.value = v
    }
    return this.value
  }
}

/** Whether any of the values is NaN (batch functions take a branch-free path when none is). */
export function hasNaN(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++)
    if ((values[i] as number) !== (values[i] as number)) return true
  return false
}
