import { RunningExtreme } from '../internal/extreme.js'
import { Kernel, runBarsOutputs } from '../internal/kernel.js'
import { checkParams, rememberParams } from '../internal/params.js'
import { Ring } from '../internal/ring.js'
import { type Bar } from '../stream.js'
export interface Ichimoku {
  readonly tenkan: Float64Array
  readonly kijun: Float64Array
  readonly spanA: Float64Array
  readonly spanB: Float64Array
}

export interface IchimokuOptions {
  /** Conversion line period (tenkan-sen); default 9. */
  readonly tenkan?: number
  /** Base line period (kijun-sen); default 26. */
  readonly kijun?: number
  /** Leading span B period (senkou span B); default 52. */
  readonly spanB?: number
  /** How far the leading spans are drawn ahead, counting the bar itself; default 26. */
  readonly displacement?: number
}

function ichimokuParams(o: IchimokuOptions): Required<IchimokuOptions> {
  const { tenkan = 9, kijun = 26, spanB = 52, displacement = 26 } = o
  checkParams('ichimoku', { tenkan, kijun, spanB, displacement })
  return { tenkan, kijun, spanB, displacement }
}

/**
 * Bars before every Ichimoku line has a value: the leading spans', `max(tenkan, kijun, spanB) − 1
 * + displacement − 1`. Tenkan and kijun start earlier (`tenkan − 1`, `kijun − 1`).
 */
export function ichimokuLookback(options: IchimokuOptions = {}): number {
  const p = ichimokuParams(options)
  return Math.max(p.tenkan, p.kijun, p.spanB) - 1 + p.displacement - 1
}

type IchimokuPoint = { tenkan: number; kijun: number; spanA: number; spanB: number }

/** Streaming Ichimoku (also the core of `ichimoku`). */
export class IchimokuStream extends Kernel<Bar, IchimokuPoint> {
  readonly lookback: number
  private readonly p: Required<IchimokuOptions>
  /** Highest highs and lowest lows of the tenkan, kijun and span B windows (TA-Lib's MAX / MIN). */
  private readonly highs: RunningExtreme[]
  private readonly lows: RunningExtreme[]
  /** Leading spans as computed, `displacement` of them: the oldest is drawn over this bar. */
  private readonly leadA: Ring
  private readonly leadB: Ring

  constructor(options: IchimokuOptions = {}) {
    super()
    rememberParams(this, options)
    this.p = ichimokuParams(options)
    this.lookback = ichimokuLookback(options)
    const periods = [this.p.tenkan, this.p.kijun, this.p.spanB]
    this.highs = periods.map((period) => new RunningExtreme(period, true))
    this.lows = periods.map((period) => new RunningExtreme(period, false))
    this.leadA = new Ring(this.p.displacement)
    this.leadB = new Ring(this.p.displacement)
  }

  /** The midpoint of the highest high and lowest low of window `k` (NaN until it is full). */
  private mid(k: number, bar: Bar): number {
    const high = (this.highs[k] as RunningExtreme).push(bar.high)
    const low = (this.lows[k] as RunningExtreme).push(bar.low)
    return (high + low) / 2
  }

  protected step(bar: Bar): IchimokuPoint {
    const tenkan = this.mid(0, bar)
    const kijun = this.mid(1, bar)
    this.leadA.push((tenkan + kijun) / 2)
    this.leadB.push(this.mid(2, bar))
    const d = this.p.displacement
    const spanA = this.leadA.full ? this.leadA.at(d - 1) : NaN
    const spanB = this.leadB.full ? this.leadB.at(d - 1) : NaN
    return { tenkan, kijun, spanA, spanB }
  }
}

/**
 * Ichimoku Kinko Hyo (Goichi Hosoda): tenkan-sen and kijun-sen are the midpoints of the highest
 * high and lowest low of the last 9 and 26 bars (TA-Lib's MAX and MIN, NaN handling included); the leading spans A (`(tenkan + kijun) / 2`) and
 * B (the 52-bar midpoint) are drawn `displacement` bars ahead counting the bar itself, so the value
 * at bar `i` is the one computed at bar `i − displacement + 1` (TradingView's built-in, `offset =
 * displacement − 1`): the cloud over bar `i`. The lagging span (chikou) is the close drawn
 * `displacement − 1` bars back; it is not causal, so it is not an output: compare `close[i]` with
 * the bar `displacement − 1` before it. Each line is NaN until it has its bars.
 */
export function ichimoku(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  options: IchimokuOptions = {},
  out: {
    tenkan?: Float64Array
    kijun?: Float64Array
    spanA?: Float64Array
    spanB?: Float64Array
  } = {},
): Ichimoku {
  return runBarsOutputs(
    new IchimokuStream(options),
    { high, low },
    ['tenkan', 'kijun', 'spanA', 'spanB'],
    out,
  )
}
