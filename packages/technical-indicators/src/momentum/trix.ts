import { Kernel, runClose } from '../internal/kernel.js'
import { checkParams, rememberParams } from '../internal/params.js'
import { EmaChain } from '../internal/ema.js'
/** Bars before the first TRIX value: `3·(period − 1) + 1`. */
export function trixLookback(period = 30): number {
  checkParams('trix', { period })
  return 3 * (period - 1) + 1
}

/** Streaming TRIX (also the core of `trix`). @see TA-Lib ta_TRIX.c */
export class TrixStream extends Kernel<number, number> {
  readonly lookback: number
  private readonly chain: EmaChain
  private prev = 0

  constructor(period = 30) {
    super()
    rememberParams(this, { period })
    this.lookback = trixLookback(period)
    this.chain = new EmaChain(period, 3)
  }

  protected step(x: number): number {
    const chain = this.chain
    chain.next(x)
    // The 1-bar rate of change of the third EMA, from its second value on.
    const c = chain.third
    const prev = this.prev
    this.prev = c
    if (chain.count <= this.lookback) return NaN
    return prev !== 0.0 ? (c / prev - 1.0) * 100.0 : 0.0
  }
}

/**
 * TRIX: the 1-bar rate of change (%) of a triple EMA. Warm-up `3·(period − 1) + 1`.
 * @see TA-Lib ta_TRIX.c
 */
export function trix(close: ArrayLike<number>, period = 30, out?: Float64Array): Float64Array {
  return runClose(new TrixStream(period), close, out)
}
