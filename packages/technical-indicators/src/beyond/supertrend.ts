import { Kernel, runBarsOutputs } from '../internal/kernel.js'
import { checkParams, rememberParams } from '../internal/params.js'
import { type Bar } from '../stream.js'
import { AtrStream } from '../volatility/atr.js'
export interface Supertrend {
  readonly value: Float64Array
  /** +1 in an uptrend (the line is the lower band), −1 in a downtrend (the upper band). */
  readonly direction: Float64Array
}

/** Bars before the first Supertrend value: `period` (the ATR's). */
export function supertrendLookback(period = 10, multiplier = 3): number {
  checkParams('supertrend', { period, multiplier })
  return period
}

/** Streaming Supertrend (also the core of `supertrend`). */
export class SupertrendStream extends Kernel<Bar, { value: number; direction: number }> {
  readonly lookback: number
  private readonly multiplier: number
  private readonly atr: AtrStream
  private started = false
  private upper = 0
  private lower = 0
  private prevClose = 0
  private direction = -1

  constructor(period = 10, multiplier = 3) {
    super()
    rememberParams(this, { period, multiplier })
    this.lookback = supertrendLookback(period, multiplier)
    this.multiplier = multiplier
    this.atr = new AtrStream(period)
  }

  protected step(bar: Bar): { value: number; direction: number } {
    const atr = this.atr.update(bar)
    const prevClose = this.prevClose
    this.prevClose = bar.close
    if (Number.isNaN(atr)) return { value: NaN, direction: NaN }
    const mid = (bar.high + bar.low) / 2
    let upper = mid + this.multiplier * atr
    let lower = mid - this.multiplier * atr
    if (!this.started) {
      // The first bar with an ATR: a downtrend, as TradingView starts.
      this.started = true
      this.direction = -1
    } else {
      if (!(lower > this.lower || prevClose < this.lower)) lower = this.lower
      if (!(upper < this.upper || prevClose > this.upper)) upper = this.upper
      if (this.direction === -1) this.direction = bar.close > upper ? 1 : -1
      else this.direction = bar.close < lower ? -1 : 1
    }
    this.upper = upper
    this.lower = lower
    return { value: this.direction === 1 ? lower : upper, direction: this.direction }
  }
}

/**
 * Supertrend: bands `(high + low)/2 ± multiplier · ATR(period)` (Wilder's ATR) that only tighten
 * while the trend lasts; the line is the lower band in an uptrend and the upper band in a
 * downtrend, and the trend flips when the close crosses the band. Warm-up `period`. Source:
 * Olivier Seban; TradingView `ta.supertrend` (whose direction sign is the opposite of ours).
 */
export function supertrend(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  period = 10,
  multiplier = 3,
  out: { value?: Float64Array; direction?: Float64Array } = {},
): Supertrend {
  return runBarsOutputs(
    new SupertrendStream(period, multiplier),
    { high, low, close },
    ['value', 'direction'],
    out,
  )
}
