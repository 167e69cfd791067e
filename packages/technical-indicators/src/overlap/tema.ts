import { Kernel, runClose } from '../internal/kernel.js'
import { checkParams, rememberParams } from '../internal/params.js'
import { EmaChain } from '../internal/ema.js'
/** Bars before the first TEMA value: `3·(period − 1)`. */
export function temaLookback(period = 30): number {
  checkParams('tema', { period })
  return 3 * (period - 1)
}

/** Streaming TEMA (also the core of `tema`). @see TA-Lib ta_TEMA.c */
export class TemaStream extends Kernel<number, number> {
  readonly lookback: number
  private readonly chain: EmaChain

  constructor(period = 30) {
    super()
    rememberParams(this, { period })
    this.lookback = temaLookback(period)
    this.chain = new EmaChain(period, 3)
  }

  protected step(x: number): number {
    const chain = this.chain
    chain.next(x)
    if (chain.count <= this.lookback) return NaN
    return chain.third + (3.0 * chain.first - 3.0 * chain.second)
  }
}

/**
 * Triple exponential moving average, `EMA3 + 3·EMA1 − 3·EMA2` (Mulloy, 1994). Warm-up
 * `3·(period − 1)`. @see TA-Lib ta_TEMA.c
 */
export function tema(close: ArrayLike<number>, period = 30, out?: Float64Array): Float64Array {
  return runClose(new TemaStream(period), close, out)
}
