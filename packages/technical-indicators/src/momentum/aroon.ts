import { RunningExtreme } from '../internal/extreme.js'
import { Kernel, runBarsInto, runBarsOutputs } from '../internal/kernel.js'
import { checkParams, rememberParams } from '../internal/params.js'
import { type Bar } from '../stream.js'
export interface Aroon {
  readonly down: Float64Array
  readonly up: Float64Array
}

/** Bars before the first Aroon value: `period`. */
export function aroonLookback(period = 14): number {
  checkParams('aroon', { period })
  return period
}

/** Streaming Aroon (also the core of `aroon` and `aroonosc`). @see TA-Lib ta_AROON.c */
export class AroonStream extends Kernel<Bar, { down: number; up: number }> {
  readonly lookback: number
  private readonly period: number
  private readonly highs: RunningExtreme
  private readonly lows: RunningExtreme

  constructor(period = 14) {
    super()
    rememberParams(this, { period })
    this.lookback = aroonLookback(period)
    this.period = period
    // The window is period + 1 bars; on ties the latest wins (TA-Lib's `>=` and `<=`).
    this.highs = new RunningExtreme(period + 1, true, true)
    this.lows = new RunningExtreme(period + 1, false, true)
  }

  /** Bars since the highest high and the lowest low, tracked as TA-Lib tracks them. */
  protected ages(bar: Bar): { high: number; low: number } | undefined {
    this.lows.push(bar.low)
    this.highs.push(bar.high)
    if (this.highs.count <= this.period) return undefined
    const today = this.highs.count - 1
    return { high: today - this.highs.index, low: today - this.lows.index }
  }

  protected step(bar: Bar): { down: number; up: number } {
    const a = this.ages(bar)
    if (a === undefined) return { down: NaN, up: NaN }
    const factor = 100.0 / this.period
    return { down: factor * (this.period - a.low), up: factor * (this.period - a.high) }
  }
}

/**
 * Aroon: `100·(period − bars since the highest high) / period` (up) and the same for the lowest
 * low (down). Warm-up `period`. @see TA-Lib ta_AROON.c
 */
export function aroon(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  period = 14,
  out: { down?: Float64Array; up?: Float64Array } = {},
): Aroon {
  return runBarsOutputs(new AroonStream(period), { high, low }, ['down', 'up'], out)
}

/** Streaming Aroon oscillator. @see TA-Lib ta_AROONOSC.c */
export class AroonoscStream extends Kernel<Bar, number> {
  readonly lookback: number
  private readonly period: number
  private readonly aroon: AroonStream

  constructor(period = 14) {
    super()
    rememberParams(this, { period })
    this.lookback = aroonLookback(period)
    this.period = period
    this.aroon = new AroonStream(period)
  }

  protected step(bar: Bar): number {
    const a = (
      this.aroon as unknown as { ages(b: Bar): { high: number; low: number } | undefined }
    ).ages(bar)
    if (a === undefined) return NaN
    // TA-Lib: factor · (highestIdx − lowestIdx) = factor · (low age − high age).
    return (100.0 / this.period) * (a.low - a.high)
  }
}

/** Aroon up − Aroon down, computed as TA-Lib does. Warm-up `period`. @see TA-Lib ta_AROONOSC.c */
export function aroonosc(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  period = 14,
  out?: Float64Array,
): Float64Array {
  return runBarsInto(new AroonoscStream(period), { high, low }, out)
}
