import { valueIf } from '../internal/select.js'
import { checkParams, rememberParams } from '../internal/params.js'
import { isZero, output } from '../internal/validate.js'

/** Bars before the first RSI value: `period`. */
export function rsiLookback(period = 14): number {
  checkParams('rsi', { period })
  return period
}

/** `100 · gain / (gain + loss)`, and 0 where gain + loss is (near) zero, as TA-Lib. */
function rsiOf(gain: number, loss: number): number {
  const sum = gain + loss
  return isZero(sum) ? 0 : 100 * (gain / sum)
}

/**
 * Relative strength index with Wilder's smoothing, exactly as TA-Lib: the first average gain and
 * loss are plain means of the first `period` changes; then `avg = (avg·(period−1) + change) / period`;
 * `RSI = 100 · gain / (gain + loss)`, and 0 when gain + loss is below 1e-14 (a flat series gives 0,
 * like TA-Lib; not 50).
 *
 * Warm-up: NaN for the first `period` bars. Period 2 to 100000.
 * @see TA-Lib ta_RSI.c
 */
export function rsi(close: ArrayLike<number>, period = 14, out?: Float64Array): Float64Array {
  const lookback = rsiLookback(period)
  const n = close.length
  const result = output(n, out, lookback)
  if (n <= lookback) return result
  let prevValue = close[0] as number
  let gain = 0
  let loss = 0
  for (let i = 1; i <= period; i++) {
    const v = close[i] as number
    const diff = v - prevValue
    prevValue = v
    if (diff < 0) loss -= diff
    else gain += diff
  }
  loss /= period
  gain /= period
  result[period] = rsiOf(gain, loss)
  for (let i = period + 1; i < n; i++) {
    const v = close[i] as number
    const diff = v - prevValue
    prevValue = v
    loss *= period - 1
    gain *= period - 1
    // TA-Lib's `if (diff < 0) loss -= diff; else gain += diff`, branch-free: up or down is a coin
    // toss on prices; subtracting or adding 0 leaves the other sum as it was.
    const down = diff < 0
    loss -= valueIf(down, diff)
    gain += valueIf(!down, diff)
    loss /= period
    gain /= period
    result[i] = rsiOf(gain, loss)
  }
  return result
}

/** Streaming RSI: the same numbers as `rsi` at each bar; `replace` swaps the last bar. */
export class RsiStream {
  readonly lookback: number
  private readonly period: number
  private count = 0
  private prevValue = 0
  private gain = 0
  private loss = 0
  // The state before the last bar, for replace: plain fields, so an update allocates nothing.
  private savedPrev = 0
  private savedGain = 0
  private savedLoss = 0

  constructor(period = 14) {
    rememberParams(this, { period })
    this.lookback = rsiLookback(period)
    this.period = period
  }

  update(value: number): number {
    this.savedPrev = this.prevValue
    this.savedGain = this.gain
    this.savedLoss = this.loss
    this.count++
    return this.apply(value)
  }

  replace(value: number): number {
    if (this.count === 0) return this.update(value)
    this.prevValue = this.savedPrev
    this.gain = this.savedGain
    this.loss = this.savedLoss
    return this.apply(value)
  }

  private apply(value: number): number {
    const i = this.count - 1
    const p = this.period
    if (i <= p) return this.warm(value, i)
    // Wilder's step in TA-Lib's order (multiply by period − 1, add the change, divide by period),
    // branch-free as in `rsi`.
    const diff = value - this.prevValue
    this.prevValue = value
    const down = diff < 0
    const loss = (this.loss * (p - 1) - valueIf(down, diff)) / p
    const gain = (this.gain * (p - 1) + valueIf(!down, diff)) / p
    this.loss = loss
    this.gain = gain
    return rsiOf(gain, loss)
  }

  /** Bars 0 to `period`: the changes are summed, and their means seed the averages at `period`. */
  private warm(value: number, i: number): number {
    if (i === 0) {
      this.prevValue = value
      return Number.NaN
    }
    const diff = value - this.prevValue
    this.prevValue = value
    if (diff < 0) this.loss -= diff
    else this.gain += diff
    if (i < this.period) return Number.NaN
    this.loss /= this.period
    this.gain /= this.period
    return rsiOf(this.gain, this.loss)
  }
}
