import { RunningExtreme } from '../internal/extreme.js'
import { Kernel, runClose } from '../internal/kernel.js'
import { Ring } from '../internal/ring.js'
import { checkParams, rememberParams } from '../internal/params.js'

/** Bars before the first value of MAX, MIN or SUM: `period − 1`. */
function operatorLookback(name: 'max' | 'min' | 'sum', period: number): number {
  checkParams(name, { period })
  return period - 1
}
/** Streaming MAX. @see TA-Lib ta_MAX.c */
export class MaxStream extends Kernel<number, number> {
  readonly lookback: number
  private readonly extreme: RunningExtreme

  constructor(period = 30) {
    super()
    rememberParams(this, { period })
    this.lookback = operatorLookback('max', period)
    this.extreme = new RunningExtreme(period, true)
  }

  protected step(x: number): number {
    return this.extreme.push(x)
  }
}

/** Highest value of the last `period`. Warm-up `period − 1`. @see TA-Lib ta_MAX.c */
export function max(close: ArrayLike<number>, period = 30, out?: Float64Array): Float64Array {
  return runClose(new MaxStream(period), close, out)
}

/** Streaming MIN. @see TA-Lib ta_MIN.c */
export class MinStream extends Kernel<number, number> {
  readonly lookback: number
  private readonly extreme: RunningExtreme

  constructor(period = 30) {
    super()
    rememberParams(this, { period })
    this.lookback = operatorLookback('min', period)
    this.extreme = new RunningExtreme(period, false)
  }

  protected step(x: number): number {
    return this.extreme.push(x)
  }
}

/** Lowest value of the last `period`. Warm-up `period − 1`. @see TA-Lib ta_MIN.c */
export function min(close: ArrayLike<number>, period = 30, out?: Float64Array): Float64Array {
  return runClose(new MinStream(period), close, out)
}

/** Streaming SUM: TA-Lib's running total. @see TA-Lib ta_SUM.c */
export class SumStream extends Kernel<number, number> {
  readonly lookback: number
  private readonly w: Ring
  private total = 0

  constructor(period = 30) {
    super()
    rememberParams(this, { period })
    this.lookback = operatorLookback('sum', period)
    this.w = new Ring(period)
  }

  protected step(x: number): number {
    const w = this.w
    w.push(x)
    if (!w.full) {
      this.total += x
      return NaN
    }
    this.total += x
    const sum = this.total
    this.total -= w.at(this.lookback)
    return sum
  }
}

/** Running sum of the last `period` values. Warm-up `period − 1`. @see TA-Lib ta_SUM.c */
export function sum(close: ArrayLike<number>, period = 30, out?: Float64Array): Float64Array {
  return runClose(new SumStream(period), close, out)
}
