import { Kernel, runClose, type Step } from '../internal/kernel.js'
import { checkParams, rememberParams } from '../internal/params.js'
import { isZero } from '../internal/validate.js'
import { type MaType, maKernel } from '../overlap/ma.js'
/** Fast and slow periods in TA-Lib's order: swapped when given the wrong way round. */
function ordered(fast: number, slow: number, maType: MaType): [number, number] {
  // APO and PPO share their ranges.
  checkParams('apo', { fast, slow, maType })
  return slow < fast ? [slow, fast] : [fast, slow]
}

/** Bars before the first APO or PPO value: the slower average's warm-up. */
export function apoLookback(fast = 12, slow = 26, maType: MaType = 'sma'): number {
  const [f, s] = ordered(fast, slow, maType)
  return Math.max(maKernel(f, maType).lookback, maKernel(s, maType).lookback)
}

/** Both averages from the first bar on, TA-Lib's INT_PO; `percent` makes it PPO. */
class PriceOscillatorKernel extends Kernel<number, number> {
  readonly lookback: number
  private readonly fast: Step<number, number>
  private readonly slow: Step<number, number>
  private readonly percent: boolean

  constructor(fast: number, slow: number, maType: MaType, percent: boolean) {
    super()
    const [f, s] = ordered(fast, slow, maType)
    this.fast = maKernel(f, maType)
    this.slow = maKernel(s, maType)
    this.lookback = Math.max(this.fast.lookback, this.slow.lookback)
    this.percent = percent
  }

  protected step(x: number): number {
    const f = this.fast.next(x)
    const s = this.slow.next(x)
    if (!this.percent) return f - s
    if (Number.isNaN(f) || Number.isNaN(s)) return NaN
    return !isZero(s) ? ((f - s) / s) * 100.0 : 0.0
  }
}

/** Streaming APO. @see TA-Lib ta_APO.c */
export class ApoStream extends PriceOscillatorKernel {
  constructor(fast = 12, slow = 26, maType: MaType = 'sma') {
    super(fast, slow, maType, false)
    rememberParams(this, { fast, slow, maType })
  }
}

/** Streaming PPO. @see TA-Lib ta_PPO.c */
export class PpoStream extends PriceOscillatorKernel {
  constructor(fast = 12, slow = 26, maType: MaType = 'sma') {
    super(fast, slow, maType, true)
    rememberParams(this, { fast, slow, maType })
  }
}

/**
 * Absolute price oscillator: `MA(fast) − MA(slow)`, both averages of `maType` (SMA by default, as
 * TA-Lib) started at the first bar. Warm-up: the slow average's. @see TA-Lib ta_APO.c
 */
export function apo(
  close: ArrayLike<number>,
  fast = 12,
  slow = 26,
  maType: MaType = 'sma',
  out?: Float64Array,
): Float64Array {
  return runClose(new ApoStream(fast, slow, maType), close, out)
}

/**
 * Percentage price oscillator: `100·(MA(fast) − MA(slow)) / MA(slow)` (0 where the slow average is
 * 0). Warm-up: the slow average's. @see TA-Lib ta_PPO.c
 */
export function ppo(
  close: ArrayLike<number>,
  fast = 12,
  slow = 26,
  maType: MaType = 'sma',
  out?: Float64Array,
): Float64Array {
  return runClose(new PpoStream(fast, slow, maType), close, out)
}
