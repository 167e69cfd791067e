import { Kernel, runClose } from '../internal/kernel.js'
import { checkParams, rememberParams } from '../internal/params.js'
import { type Ring, inputRing } from '../internal/ring.js'
import { isZero } from '../internal/validate.js'
/** Bars before the first KAMA value: `period`. */
export function kamaLookback(period = 30): number {
  checkParams('kama', { period })
  return period
}

const KAMA_MAX = 2.0 / (30.0 + 1.0)

const KAMA_DIFF = 2.0 / (2.0 + 1.0) - KAMA_MAX

/** Streaming KAMA (also the core of `kama`). @see TA-Lib ta_KAMA.c */
export class KamaStream extends Kernel<number, number> {
  readonly lookback: number
  private readonly period: number
  private readonly w: Ring
  private sumROC1 = 0
  private prevKAMA = 0
  private trailingValue = 0

  constructor(period = 30) {
    super()
    rememberParams(this, { period })
    this.lookback = kamaLookback(period)
    this.period = period
    this.w = inputRing(period + 1)
  }

  private smooth(periodROC: number, x: number): number {
    let t =
      this.sumROC1 <= periodROC || isZero(this.sumROC1) ? 1.0 : Math.abs(periodROC / this.sumROC1)
    t = t * KAMA_DIFF + KAMA_MAX
    t *= t
    this.prevKAMA = (x - this.prevKAMA) * t + this.prevKAMA
    return this.prevKAMA
  }

  protected step(x: number): number {
    const w = this.w
    w.push(x)
    const p = this.period
    if (w.count <= p) return NaN
    if (w.count === p + 1) {
      // The window holds x[0…p]: x[j] = w.at(p − j).
      this.sumROC1 = 0
      for (let j = 0; j < p; j++) {
        let t = w.at(p - j)
        t -= w.at(p - j - 1)
        this.sumROC1 += Math.abs(t)
      }
      this.prevKAMA = w.at(1)
      const first = w.at(p)
      this.trailingValue = first
      return this.smooth(x - first, x)
    }
    const trailing = w.at(p)
    const periodROC = x - trailing
    this.sumROC1 -= Math.abs(this.trailingValue - trailing)
    this.sumROC1 += Math.abs(x - w.at(1))
    this.trailingValue = trailing
    return this.smooth(periodROC, x)
  }
}

/**
 * Kaufman's adaptive moving average: an EMA whose factor follows the efficiency ratio between 2
 * and 30 periods. Warm-up `period`. @see TA-Lib ta_KAMA.c
 */
export function kama(close: ArrayLike<number>, period = 30, out?: Float64Array): Float64Array {
  return runClose(new KamaStream(period), close, out)
}
