/**
 * TA-Lib's INT_EMA, one bar at a time: seeded with the mean of the first `period` values, then
 * `prev = (x − prev)·k + prev`. The one EMA of the package: `EmaStream` is it with TA-Lib's
 * `k = 2 / (period + 1)` and EMA's range; DEMA, TEMA, TRIX, MACDFIX (its fixed factors 0.15 and
 * 0.075, and a signal of period 1) and the MA of type EMA run it as they are.
 */
export class Ema {
  readonly lookback: number
  private readonly period: number
  private readonly k: number
  /** The EMA after the last bar; NaN until the seed (and after a NaN input, as in TA-Lib). */
  private prev = Number.NaN
  /** The EMA before the last bar, for replace. */
  private prevBefore = Number.NaN
  /** Bars taken by the slow path: the warm-up, then bars that follow a NaN. */
  private count = 0
  private sum = 0
  private sumBefore = 0
  /** What the slow path did last: 0 nothing yet, 1 a warm-up bar (or the seed), 2 a bar after NaN. */
  private last = 0

  constructor(period: number, k = 2 / (period + 1)) {
    this.lookback = period - 1
    this.period = period
    this.k = k
  }

  /** `update` without keeping the value before the bar for `replace` (batch use, and EMAs inside
   * a kernel, whose own snapshot serves replace). */
  next(value: number): number {
    const prev = this.prev
    if (prev === prev) return (this.prev = (value - prev) * this.k + prev)
    return this.slow(value)
  }

  update(value: number): number {
    // The recurrence's own latency (subtract, multiply, add) is the floor of an update, so the
    // steady state does nothing else: a number before the bar means the EMA is seeded. NaN before
    // it means warm-up, or a NaN that has been propagating since (the slow path tells them apart).
    const prev = this.prev
    this.prevBefore = prev
    if (prev === prev) return (this.prev = (value - prev) * this.k + prev)
    return this.slow(value)
  }

  replace(value: number): number {
    const prev = this.prevBefore
    // A seeded EMA before the bar, or a NaN one that stays NaN: recompute the bar from it.
    if (prev === prev || this.last === 2) return (this.prev = (value - prev) * this.k + prev)
    if (this.last === 0) return this.update(value)
    // The last bar was a warm-up bar or the seed: take it back and warm up with the new value.
    this.sum = this.sumBefore
    this.count--
    this.prev = prev
    return this.slow(value)
  }

  /**
   * The first `period` bars sum up, and their mean seeds the EMA (TA-Lib's seed); once seeded, a
   * NaN EMA stays NaN (`(x − NaN)·k + NaN`).
   */
  private slow(value: number): number {
    if (this.count >= this.period) {
      this.last = 2
      const prev = this.prev
      return (this.prev = (value - prev) * this.k + prev)
    }
    this.last = 1
    this.sumBefore = this.sum
    this.count++
    this.sum += value
    if (this.count < this.period) return Number.NaN
    return (this.prev = this.sum / this.period)
  }
}

/**
 * EMAs of EMAs as DEMA, TEMA and TRIX chain them (TA-Lib's schedule): each EMA of `period` is
 * fed the one before it from that one's first value on, so the second starts at bar `period − 1`
 * and the third at `2·(period − 1)`. Fields, not arrays: this is the hot loop of all three.
 */
export class EmaChain {
  private readonly lag: number
  private readonly e1: Ema
  private readonly e2: Ema
  private readonly e3: Ema | undefined
  /** The EMAs' values after the last bar; NaN until each has one. */
  first = NaN
  second = NaN
  third = NaN
  /** Bars given. */
  count = 0

  constructor(period: number, depth: 2 | 3) {
    this.lag = period - 1
    this.e1 = new Ema(period)
    this.e2 = new Ema(period)
    this.e3 = depth === 3 ? new Ema(period) : undefined
  }

  next(x: number): void {
    const i = this.count++
    this.first = this.e1.next(x)
    if (i < this.lag) return
    this.second = this.e2.next(this.first)
    if (this.e3 === undefined || i < 2 * this.lag) return
    this.third = this.e3.next(this.second)
  }
}
