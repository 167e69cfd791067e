import { checkParams, rememberParams } from '../internal/params.js'
import { Ring } from '../internal/ring.js'
import { assertSameLength, output } from '../internal/validate.js'

/** Bars before the first MFI value: `period`. */
export function mfiLookback(period = 14): number {
  checkParams('mfi', { period })
  return period
}

/**
 * Money flow index: `100 · positive flow / (positive + negative flow)` of the typical price times
 * volume over `period` bars. Like TA-Lib, 0 when the total flow is below 1.0.
 *
 * Warm-up: NaN for the first `period` bars. Period 2 to 100000.
 * @see TA-Lib ta_MFI.c
 */
export function mfi(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  volume: ArrayLike<number>,
  period = 14,
  out?: Float64Array,
): Float64Array {
  const lookback = mfiLookback(period)
  const n = assertSameLength(high, low, close, volume)
  const result = output(n, out, lookback)
  if (n <= lookback) return result
  const pos = new Float64Array(period)
  const neg = new Float64Array(period)
  let posSum = 0
  let negSum = 0
  let prev = ((high[0] as number) + (low[0] as number) + (close[0] as number)) / 3.0
  for (let i = 1; i < n; i++) {
    const slot = (i - 1) % period
    if (i > period) {
      posSum -= pos[slot] as number
      negSum -= neg[slot] as number
    }
    const tp = ((high[i] as number) + (low[i] as number) + (close[i] as number)) / 3.0
    const change = tp - prev
    prev = tp
    const flow = tp * (volume[i] as number)
    if (change < 0) {
      neg[slot] = flow
      negSum += flow
      pos[slot] = 0
    } else if (change > 0) {
      pos[slot] = flow
      posSum += flow
      neg[slot] = 0
    } else {
      pos[slot] = 0
      neg[slot] = 0
    }
    if (i < period) continue
    const total = posSum + negSum
    result[i] = total < 1.0 ? 0 : 100.0 * (posSum / total)
  }
  return result
}

type Hlcv = {
  readonly high: number
  readonly low: number
  readonly close: number
  readonly volume: number
}

/** Streaming MFI: the same numbers as `mfi` at each bar; `replace` swaps the last bar. */
export class MfiStream {
  readonly lookback: number
  private readonly period: number
  /** Each change's positive and negative flow, by change (bar − 1). */
  private readonly pos: Ring
  private readonly neg: Ring
  private count = 0
  private s = { posSum: 0, negSum: 0, prev: 0, oldPos: 0, oldNeg: 0 }
  private saved = { posSum: 0, negSum: 0, prev: 0, oldPos: 0, oldNeg: 0 }

  constructor(period = 14) {
    rememberParams(this, { period })
    this.lookback = mfiLookback(period)
    this.period = period
    this.pos = new Ring(period)
    this.neg = new Ring(period)
  }

  update(bar: Hlcv): number {
    this.count++
    const i = this.count - 1
    if (i > this.period) {
      // Keep the flows this bar overwrites, for replace().
      this.s.oldPos = this.pos.get(i - 1 - this.period)
      this.s.oldNeg = this.neg.get(i - 1 - this.period)
    }
    this.saved = { ...this.s }
    return this.apply(bar)
  }

  replace(bar: Hlcv): number {
    if (this.count === 0) return this.update(bar)
    this.s = { ...this.saved }
    const i = this.count - 1
    if (i > this.period) {
      this.pos.set(i - 1 - this.period, this.s.oldPos)
      this.neg.set(i - 1 - this.period, this.s.oldNeg)
    }
    return this.apply(bar)
  }

  private apply(bar: Hlcv): number {
    const i = this.count - 1
    const p = this.period
    const s = this.s
    const tp = (bar.high + bar.low + bar.close) / 3.0
    if (i === 0) {
      s.prev = tp
      return Number.NaN
    }
    const change = i - 1
    if (i > p) {
      s.posSum -= this.pos.get(change - p)
      s.negSum -= this.neg.get(change - p)
    }
    const move = tp - s.prev
    s.prev = tp
    const flow = tp * bar.volume
    if (move < 0) {
      this.neg.set(change, flow)
      s.negSum += flow
      this.pos.set(change, 0)
    } else if (move > 0) {
      this.pos.set(change, flow)
      s.posSum += flow
      this.neg.set(change, 0)
    } else {
      this.pos.set(change, 0)
      this.neg.set(change, 0)
    }
    if (i < p) return Number.NaN
    const total = s.posSum + s.negSum
    return total < 1.0 ? 0 : 100.0 * (s.posSum / total)
  }
}
