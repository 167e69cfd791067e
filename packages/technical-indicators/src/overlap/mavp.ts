import { BEFORE_RESTORE, type Step } from '../internal/kernel.js'
import { checkParams, rememberParams } from '../internal/params.js'
import { Ring, sharedInput } from '../internal/ring.js'
import { assertSameLength, output } from '../internal/validate.js'
import { type MaType, maKernel } from './ma.js'
import { type Stream } from '../stream.js'
/** One bar of MAVP's input: the value and the period wanted at this bar. */
export interface PeriodValue {
  readonly value: number
  readonly period: number
}

/** Bars before the first MAVP value: the warm-up of the average at `maxPeriod`. */
export function mavpLookback(minPeriod = 2, maxPeriod = 30, maType: MaType = 'sma'): number {
  checkParams('mavp', { minPeriod, maxPeriod, maType })
  if (maxPeriod < minPeriod) {
    throw new RangeError(
      `maxPeriod must be an integer from minPeriod (${minPeriod}) to 100000, got ${maxPeriod}`,
    )
  }
  return maKernel(maxPeriod, maType).lookback
}

/**
 * TA-Lib's period of a bar: the input truncated to an integer and clamped to [minPeriod,
 * maxPeriod]; a NaN period truncates to INT_MIN in C, hence the minimum.
 */
function clampPeriod(period: number, minPeriod: number, maxPeriod: number): number {
  const p = Math.trunc(period)
  if (!(p >= minPeriod)) return minPeriod
  return p > maxPeriod ? maxPeriod : p
}

/**
 * Streaming MAVP: the average of every period in [minPeriod, maxPeriod], each started where TA-Lib
 * starts it (TA_MA from MAVP's first output bar, so its warm-up that many bars earlier: the EMA
 * family's seeds depend on it). An average is made when its first bar comes, and all of them read
 * one history of the input, so memory follows the bars given: a range of 100000 periods fed 10
 * bars holds 10 averages and 10 values, not 100000 windows.
 */
export class MavpStream implements Stream<PeriodValue, number> {
  readonly lookback: number
  private readonly minPeriod: number
  private readonly maxPeriod: number
  private readonly maType: MaType
  /** The input's last `maxPeriod + 1` values, which every average's window reads. */
  private readonly history: Ring
  /** `averages[k]` is the average of period `maxPeriod − k`; they start longest first. */
  private readonly averages: Step<number, number>[] = []
  /** The next average to start, made ahead to know its start bar. */
  private next: Step<number, number> | undefined

  constructor(minPeriod = 2, maxPeriod = 30, maType: MaType = 'sma') {
    rememberParams(this, { minPeriod, maxPeriod, maType })
    this.lookback = mavpLookback(minPeriod, maxPeriod, maType)
    this.minPeriod = minPeriod
    this.maxPeriod = maxPeriod
    this.maType = maType
    this.history = new Ring(maxPeriod + 1)
    this.next = this.average(maxPeriod)
  }

  private average(period: number): Step<number, number> | undefined {
    if (period < this.minPeriod) return undefined
    return sharedInput(this.history, () => maKernel(period, this.maType))
  }

  /** Starts the averages whose first bar is `today` or earlier. */
  private start(today: number): void {
    // An average of a shorter period warms up in fewer bars, so it starts later.
    while (this.next !== undefined && this.lookback - this.next.lookback <= today) {
      this.averages.push(this.next)
      this.next = this.average(this.maxPeriod - this.averages.length)
    }
  }

  update(input: PeriodValue): number {
    this.start(this.history.count)
    this.history.push(input.value)
    return this.value(input, (average) => average.update(input.value))
  }

  /** Before a saved state is written into this fresh stream: the averages it had started. */
  [BEFORE_RESTORE](state: { readonly history?: { readonly count?: unknown } }): void {
    const count = state.history?.count
    if (typeof count === 'number' && count > 0) this.start(count - 1)
  }

  replace(input: PeriodValue): number {
    if (this.history.count === 0) return this.update(input)
    this.history.setLast(input.value)
    return this.value(input, (average) => average.replace(input.value))
  }

  private value(input: PeriodValue, step: (average: Step<number, number>) => number): number {
    const wanted = this.maxPeriod - clampPeriod(input.period, this.minPeriod, this.maxPeriod)
    let result = NaN
    for (let k = 0; k < this.averages.length; k++) {
      const v = step(this.averages[k] as Step<number, number>)
      if (k === wanted) result = v
    }
    return this.history.count > this.lookback ? result : NaN
  }
}

/**
 * Moving average with a variable period (TA-Lib's MAVP): at each bar, the `maType` average of
 * `close` whose period is that bar's `periods` value, truncated to an integer and clamped to
 * [`minPeriod`, `maxPeriod`] (a NaN period counts as `minPeriod`). Warm-up: the average's at
 * `maxPeriod`. As TA-Lib, one average per distinct period the bars ask for, each over the whole
 * input from its start. @see TA-Lib ta_MAVP.c
 */
export function mavp(
  close: ArrayLike<number>,
  periods: ArrayLike<number>,
  minPeriod = 2,
  maxPeriod = 30,
  maType: MaType = 'sma',
  out?: Float64Array,
): Float64Array {
  const n = assertSameLength(close, periods)
  const lookback = mavpLookback(minPeriod, maxPeriod, maType)
  const result = output(n, out, lookback)
  // Each bar's period, set to 0 once its value is written.
  const wanted = new Int32Array(n)
  for (let i = lookback; i < n; i++) {
    wanted[i] = clampPeriod(periods[i] as number, minPeriod, maxPeriod)
  }
  for (let first = lookback; first < n; first++) {
    const period = wanted[first] as number
    if (period === 0) continue
    let last = first
    for (let i = first + 1; i < n; i++) if (wanted[i] === period) last = i
    const average = maKernel(period, maType)
    for (let i = lookback - average.lookback; i <= last; i++) {
      const v = average.next(close[i] as number)
      if (wanted[i] === period) {
        result[i] = v
        wanted[i] = 0
      }
    }
  }
  return result
}
