import { Kernel, runClose } from '../internal/kernel.js'
import { checkParams, rememberParams } from '../internal/params.js'
import { EmaChain } from '../internal/ema.js'
/** Bars before the first DEMA value: `2·(period − 1)`. */
export function demaLookback(period = 30): number {
  checkParams('dema', { period })
  return 2 * (period - 1)
}

/**
 * Streaming DEMA (also the core of `dema`): `2·EMA − EMA(EMA)`, both EMAs TA-Lib's (SMA seed).
 * @see TA-Lib ta_DEMA.c
 */
export class DemaStream extends Kernel<number, number> {
  readonly lookback: number
  private readonly chain: EmaChain

  constructor(period = 30) {
    super()
    rememberParams(this, { period })
    this.lookback = demaLookback(period)
    this.chain = new EmaChain(period, 2)
  }

  protected step(x: number): number {
    const chain = this.chain
    chain.next(x)
    if (chain.count <= this.lookback) return NaN
    return 2.0 * chain.first - chain.second
  }
}

/**
 * Double exponential moving average, `2·EMA − EMA(EMA)` (Mulloy, 1994). Warm-up `2·(period − 1)`.
 * @see TA-Lib ta_DEMA.c
 */
export function dema(close: ArrayLike<number>, period = 30, out?: Float64Array): Float64Array {
  return runClose(new DemaStream(period), close, out)
}
