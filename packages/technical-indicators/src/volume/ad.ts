import { Kernel, runBarsInto } from '../internal/kernel.js'
import { checkParams, rememberParams } from '../internal/params.js'
import { type Bar } from '../stream.js'
/** Streaming accumulation/distribution line. @see TA-Lib ta_AD.c */
export class AdStream extends Kernel<Bar, number> {
  readonly lookback = 0
  private ad = 0

  protected step(bar: Bar): number {
    const range = bar.high - bar.low
    if (range > 0.0)
      this.ad += ((bar.close - bar.low - (bar.high - bar.close)) / range) * bar.volume
    return this.ad
  }
}

/** Chaikin A/D line: cumulative `((close − low) − (high − close)) / (high − low) · volume`. @see TA-Lib ta_AD.c */
export function ad(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  volume: ArrayLike<number>,
  out?: Float64Array,
): Float64Array {
  return runBarsInto(new AdStream(), { high, low, close, volume }, out)
}

/** Bars before the first ADOSC value: `max(fast, slow) − 1`. */
export function adoscLookback(fast = 3, slow = 10): number {
  checkParams('adosc', { fast, slow })
  return Math.max(fast, slow) - 1
}

/** Streaming Chaikin oscillator. @see TA-Lib ta_ADOSC.c */
export class AdoscStream extends Kernel<Bar, number> {
  readonly lookback: number
  private readonly fastK: number
  private readonly slowK: number
  private i = 0
  private ad = 0
  private fast = 0
  private slow = 0

  constructor(fast = 3, slow = 10) {
    super()
    rememberParams(this, { fast, slow })
    this.lookback = adoscLookback(fast, slow)
    this.fastK = 2 / (fast + 1)
    this.slowK = 2 / (slow + 1)
  }

  protected step(bar: Bar): number {
    const i = this.i++
    const range = bar.high - bar.low
    if (range > 0.0)
      this.ad += ((bar.close - bar.low - (bar.high - bar.close)) / range) * bar.volume
    if (i === 0) {
      this.fast = this.ad
      this.slow = this.ad
    } else {
      this.fast = this.fastK * this.ad + (1.0 - this.fastK) * this.fast
      this.slow = this.slowK * this.ad + (1.0 - this.slowK) * this.slow
    }
    return i < this.lookback ? NaN : this.fast - this.slow
  }
}

/**
 * Chaikin A/D oscillator: fast EMA − slow EMA of the A/D line, both seeded with its first value
 * (TA-Lib's convention). Warm-up `max(fast, slow) − 1`. @see TA-Lib ta_ADOSC.c
 */
export function adosc(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  volume: ArrayLike<number>,
  fast = 3,
  slow = 10,
  out?: Float64Array,
): Float64Array {
  return runBarsInto(new AdoscStream(fast, slow), { high, low, close, volume }, out)
}
