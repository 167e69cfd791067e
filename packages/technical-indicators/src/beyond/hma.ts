import { Kernel, runClose } from '../internal/kernel.js'
import { checkParams, rememberParams } from '../internal/params.js'
import { WmaStream } from '../overlap/wma.js'
/** Bars before the first HMA value: `period − 1 + ⌊√period⌋ − 1`. */
export function hmaLookback(period = 9): number {
  checkParams('hma', { period })
  return period - 1 + Math.floor(Math.sqrt(period)) - 1
}

/** Streaming Hull moving average (also the core of `hma`). */
export class HmaStream extends Kernel<number, number> {
  readonly lookback: number
  private readonly period: number
  private readonly half: WmaStream
  private readonly full: WmaStream
  private readonly smooth: WmaStream
  private i = 0

  constructor(period = 9) {
    super()
    rememberParams(this, { period })
    this.lookback = hmaLookback(period)
    this.period = period
    this.half = new WmaStream(Math.floor(period / 2))
    this.full = new WmaStream(period)
    this.smooth = new WmaStream(Math.floor(Math.sqrt(period)))
  }

  protected step(x: number): number {
    const i = this.i++
    const h = this.half.update(x)
    const f = this.full.update(x)
    if (i < this.period - 1) return NaN
    return this.smooth.update(2 * h - f)
  }
}

/**
 * Hull moving average: `WMA(2·WMA(close, ⌊n/2⌋) − WMA(close, n), ⌊√n⌋)`, with TA-Lib's WMA.
 * Warm-up `n − 1 + ⌊√n⌋ − 1`; period ≥ 4. Source: Alan Hull, "Hull Moving Average" (2005).
 */
export function hma(close: ArrayLike<number>, period = 9, out?: Float64Array): Float64Array {
  return runClose(new HmaStream(period), close, out)
}
