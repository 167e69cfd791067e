import { type MA_TYPES } from '../catalogue.js'
import { Ema } from '../internal/ema.js'
import { Kernel, runClose, type Step } from '../internal/kernel.js'
import { checkParams, rememberParams } from '../internal/params.js'
import { DemaStream } from './dema.js'
import { SmaStream } from './sma.js'
import { WmaStream } from './wma.js'
import { KamaStream } from './kama.js'
import { T3Stream } from './t3.js'
import { TemaStream } from './tema.js'
import { TrimaStream } from './trima.js'
/**
 * The moving averages TA-Lib's MA-type parameter selects (TA_MAType, in its order: SMA 0, EMA 1,
 * WMA 2, DEMA 3, TEMA 4, TRIMA 5, KAMA 6, MAMA 7, T3 8). MAMA is not a type here: it has two
 * outputs and limits instead of a period (TA_MA silently uses fixed limits), so it is its own
 * function, `mama`.
 */
export type MaType = (typeof MA_TYPES)[number]

/** The MA types, indexed by TA-Lib's TA_MAType code (MAMA, code 7, is `undefined`). */
export const TALIB_MA_TYPES: readonly (MaType | undefined)[] = [
  'sma',
  'ema',
  'wma',
  'dema',
  'tema',
  'trima',
  'kama',
  undefined,
  't3',
]

/** TA_MA with a period of 1: the input itself. */
class Identity extends Kernel<number, number> {
  readonly lookback = 0
  protected step(x: number): number {
    return x
  }
}

/** A moving average of `type` as a kernel, as TA_MA builds it (period 1: the input itself). */
export function maKernel(period: number, type: MaType): Step<number, number> {
  checkParams('ma', { period, maType: type })
  if (period === 1) return new Identity()
  switch (type) {
    case 'sma':
      return new SmaStream(period)
    case 'ema':
      return new Ema(period)
    case 'wma':
      return new WmaStream(period)
    case 'dema':
      return new DemaStream(period)
    case 'tema':
      return new TemaStream(period)
    case 'trima':
      return new TrimaStream(period)
    case 'kama':
      return new KamaStream(period)
    case 't3':
      return new T3Stream(period, 0.7)
    default:
      throw new RangeError(`unknown moving average type ${String(type)}`)
  }
}

/** Bars before the first value of `ma(…, period, type)`. */
export function maLookback(period = 30, type: MaType = 'sma'): number {
  return maKernel(period, type).lookback
}

/**
 * Streaming MA of any type (also the core of `ma`).
 * @see TA-Lib ta_MA.c
 */
export class MaStream extends Kernel<number, number> {
  readonly lookback: number
  private readonly inner: Step<number, number>

  constructor(period = 30, type: MaType = 'sma') {
    super()
    rememberParams(this, { period, maType: type })
    this.inner = maKernel(period, type)
    this.lookback = this.inner.lookback
  }

  protected step(x: number): number {
    return this.inner.next(x)
  }
}

/**
 * The moving average of the chosen type, TA-Lib's MA: SMA, EMA, WMA, DEMA, TEMA, TRIMA, KAMA or
 * T3 (vFactor 0.7). Period 1 returns the input. Warm-up: that average's. @see TA-Lib ta_MA.c
 */
export function ma(
  close: ArrayLike<number>,
  period = 30,
  type: MaType = 'sma',
  out?: Float64Array,
): Float64Array {
  return runClose(new MaStream(period, type), close, out)
}
