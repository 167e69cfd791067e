import { RunningExtreme } from '../internal/extreme.js'
import { Kernel, runBarsOutputs } from '../internal/kernel.js'
import { checkParams, rememberParams } from '../internal/params.js'
import { EmaStream } from '../overlap/ema.js'
import { type Bar } from '../stream.js'
import { AtrStream } from '../volatility/atr.js'
export interface Channel {
  readonly upper: Float64Array
  readonly middle: Float64Array
  readonly lower: Float64Array
}

/** Bars before the first Donchian value: `period − 1`. */
export function donchianLookback(period = 20): number {
  checkParams('donchian', { period })
  return period - 1
}

/** Streaming Donchian channel (also the core of `donchian`). */
export class DonchianStream extends Kernel<Bar, { upper: number; middle: number; lower: number }> {
  readonly lookback: number
  private readonly highs: RunningExtreme
  private readonly lows: RunningExtreme

  constructor(period = 20) {
    super()
    rememberParams(this, { period })
    this.lookback = donchianLookback(period)
    this.highs = new RunningExtreme(period, true)
    this.lows = new RunningExtreme(period, false)
  }

  protected step(bar: Bar): { upper: number; middle: number; lower: number } {
    const upper = this.highs.push(bar.high)
    const lower = this.lows.push(bar.low)
    if (this.highs.count <= this.lookback) return { upper: NaN, middle: NaN, lower: NaN }
    return { upper, middle: (upper + lower) / 2, lower }
  }
}

/**
 * Donchian channel: the highest high and lowest low of the last `period` bars (this one
 * included), and their midpoint. Warm-up `period − 1`. Source: Richard Donchian; TradingView
 * `ta.highest` / `ta.lowest`. The bands are TA-Lib's MAX of the highs and MIN of the lows, NaN
 * handling included.
 */
export function donchian(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  period = 20,
  out: { upper?: Float64Array; middle?: Float64Array; lower?: Float64Array } = {},
): Channel {
  return runBarsOutputs(
    new DonchianStream(period),
    { high, low },
    ['upper', 'middle', 'lower'],
    out,
  )
}

/** Bars before the first Keltner value: `max(period − 1, atrPeriod)`. */
export function keltnerLookback(period = 20, multiplier = 2, atrPeriod = 10): number {
  checkParams('keltner', { period, multiplier, atrPeriod })
  return Math.max(period - 1, atrPeriod)
}

/** Streaming Keltner channel (also the core of `keltner`). */
export class KeltnerStream extends Kernel<Bar, { upper: number; middle: number; lower: number }> {
  readonly lookback: number
  private readonly multiplier: number
  private readonly ema: EmaStream
  private readonly atr: AtrStream

  constructor(period = 20, multiplier = 2, atrPeriod = 10) {
    super()
    rememberParams(this, { period, multiplier, atrPeriod })
    this.lookback = keltnerLookback(period, multiplier, atrPeriod)
    this.multiplier = multiplier
    this.ema = new EmaStream(period)
    this.atr = new AtrStream(atrPeriod)
  }

  protected step(bar: Bar): { upper: number; middle: number; lower: number } {
    const middle = this.ema.update(bar.close)
    const atr = this.atr.update(bar)
    if (Number.isNaN(middle) || Number.isNaN(atr)) return { upper: NaN, middle: NaN, lower: NaN }
    const band = this.multiplier * atr
    return { upper: middle + band, middle, lower: middle - band }
  }
}

/**
 * Keltner channel: EMA(close, period) ± multiplier · ATR(atrPeriod) (Wilder's ATR, TA-Lib's EMA
 * seed, so period ≥ 2). Warm-up `max(period − 1, atrPeriod)`. Source: Linda Bradford Raschke's version of Chester
 * Keltner's channel; TradingView `ta.kc` with `useTrueRange`.
 */
export function keltner(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  period = 20,
  multiplier = 2,
  atrPeriod = 10,
  out: { upper?: Float64Array; middle?: Float64Array; lower?: Float64Array } = {},
): Channel {
  return runBarsOutputs(
    new KeltnerStream(period, multiplier, atrPeriod),
    { high, low, close },
    ['upper', 'middle', 'lower'],
    out,
  )
}
