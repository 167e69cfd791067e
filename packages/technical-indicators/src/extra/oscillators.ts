import { trueRange } from '../internal/select.js'
import type { Bar } from '../stream.js'
import { RsiStream, rsiLookback } from '../momentum/rsi.js'
import { checkParams } from '../internal/params.js'
import { assertSameLength, isZero, output } from '../internal/validate.js'
import { RunningExtreme } from '../internal/extreme.js'
import { Kernel, runBars, runClose, runCloseOutputs } from './kernel.js'
import { Ring } from '../internal/ring.js'
import { maKernel, type MaType } from './ma.js'
import { EmaKernel } from './overlap.js'

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
  private readonly fast: Kernel<number, number>
  private readonly slow: Kernel<number, number>
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
  }
}

/** Streaming PPO. @see TA-Lib ta_PPO.c */
export class PpoStream extends PriceOscillatorKernel {
  constructor(fast = 12, slow = 26, maType: MaType = 'sma') {
    super(fast, slow, maType, true)
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

export interface MacdPoint {
  readonly macd: number
  readonly signal: number
  readonly histogram: number
}

const NO_MACD: MacdPoint = { macd: NaN, signal: NaN, histogram: NaN }
const MACD_LINES = ['macd', 'signal', 'histogram'] as const

/**
 * INT_MACD and MACDEXT's schedule: each average starts so that both give their first value on the
 * same bar (the larger warm-up's), the signal average runs over the line from there.
 */
class MacdLineKernel extends Kernel<number, MacdPoint> {
  readonly lookback: number
  private readonly fast: Kernel<number, number>
  private readonly slow: Kernel<number, number>
  private readonly signal: Kernel<number, number>
  private readonly largest: number
  private i = 0

  constructor(
    fast: Kernel<number, number>,
    slow: Kernel<number, number>,
    signal: Kernel<number, number>,
  ) {
    super()
    this.fast = fast
    this.slow = slow
    this.signal = signal
    this.largest = Math.max(fast.lookback, slow.lookback)
    this.lookback = this.largest + signal.lookback
  }

  protected step(x: number): MacdPoint {
    const i = this.i++
    const f = i >= this.largest - this.fast.lookback ? this.fast.next(x) : NaN
    const s = i >= this.largest - this.slow.lookback ? this.slow.next(x) : NaN
    if (i < this.largest) return NO_MACD
    const line = f - s
    const signal = this.signal.next(line)
    if (i < this.lookback) return NO_MACD
    return { macd: line, signal, histogram: line - signal }
  }
}

export interface MacdExtOptions {
  readonly fast?: number
  readonly fastMaType?: MaType
  readonly slow?: number
  readonly slowMaType?: MaType
  readonly signal?: number
  readonly signalMaType?: MaType
}

function macdExtKernels(
  o: MacdExtOptions,
): [Kernel<number, number>, Kernel<number, number>, Kernel<number, number>] {
  let { fast = 12, slow = 26, fastMaType = 'sma', slowMaType = 'sma' } = o
  const { signal = 9, signalMaType = 'sma' } = o
  checkParams('macdext', { fast, fastMaType, slow, slowMaType, signal, signalMaType })
  if (slow < fast) {
    ;[fast, slow] = [slow, fast]
    ;[fastMaType, slowMaType] = [slowMaType, fastMaType]
  }
  return [maKernel(fast, fastMaType), maKernel(slow, slowMaType), maKernel(signal, signalMaType)]
}

/** Bars before the first MACDEXT value: the larger average's warm-up plus the signal's. */
export function macdextLookback(options: MacdExtOptions = {}): number {
  const [f, s, g] = macdExtKernels(options)
  return Math.max(f.lookback, s.lookback) + g.lookback
}

/** Streaming MACDEXT. @see TA-Lib ta_MACDEXT.c */
export class MacdextStream extends MacdLineKernel {
  constructor(options: MacdExtOptions = {}) {
    super(...macdExtKernels(options))
  }
}

export interface MacdLines {
  readonly macd: Float64Array
  readonly signal: Float64Array
  readonly histogram: Float64Array
}

/**
 * MACD with a moving-average type per line (SMA for all three by default, as TA-Lib's MACDEXT):
 * `MA(fast) − MA(slow)`, its signal `MA(signal)` and the histogram. The two averages are scheduled
 * to give their first value on the same bar; fast and slow (with their types) are swapped when
 * given the wrong way round. Warm-up: `max(fast warm-up, slow warm-up) + signal warm-up`.
 * @see TA-Lib ta_MACDEXT.c
 */
export function macdext(
  close: ArrayLike<number>,
  options: MacdExtOptions = {},
  out: { macd?: Float64Array; signal?: Float64Array; histogram?: Float64Array } = {},
): MacdLines {
  return runCloseOutputs(new MacdextStream(options), close, MACD_LINES, out)
}

/** Bars before the first MACDFIX value: `25 + signal − 1`. */
export function macdfixLookback(signal = 9): number {
  checkParams('macdfix', { signal })
  return 25 + signal - 1
}

/** Streaming MACDFIX. @see TA-Lib ta_MACDFIX.c */
export class MacdfixStream extends MacdLineKernel {
  constructor(signal = 9) {
    checkParams('macdfix', { signal })
    super(new EmaKernel(12, 0.15), new EmaKernel(26, 0.075), new EmaKernel(signal))
  }
}

/**
 * MACD 12/26 with TA-Lib's fixed smoothing factors 0.15 and 0.075 (the classic Appel constants,
 * not `2/(n+1)`), and an EMA signal of `signal` bars. Warm-up `25 + signal − 1`.
 * @see TA-Lib ta_MACDFIX.c
 */
export function macdfix(
  close: ArrayLike<number>,
  signal = 9,
  out: { macd?: Float64Array; signal?: Float64Array; histogram?: Float64Array } = {},
): MacdLines {
  return runCloseOutputs(new MacdfixStream(signal), close, MACD_LINES, out)
}

export interface FastStochastic {
  readonly k: Float64Array
  readonly d: Float64Array
}

/** Bars before the first STOCHF value: `fastK − 1` plus the %D average's warm-up. */
export function stochfLookback(fastK = 5, fastD = 3, maType: MaType = 'sma'): number {
  checkParams('stochf', { fastK, fastD, maType })
  return fastK - 1 + maKernel(fastD, maType).lookback
}

/** Streaming fast stochastic (also the core of `stochf` and `stochrsi`). @see TA-Lib ta_STOCHF.c */
export class StochfStream extends Kernel<
  Pick<Bar, 'high' | 'low' | 'close'>,
  { k: number; d: number }
> {
  readonly lookback: number
  private readonly first: number
  private readonly highs: RunningExtreme
  private readonly lows: RunningExtreme
  private readonly d: Kernel<number, number>

  constructor(fastK = 5, fastD = 3, maType: MaType = 'sma') {
    super()
    this.lookback = stochfLookback(fastK, fastD, maType)
    this.first = fastK - 1
    this.highs = new RunningExtreme(fastK, true)
    this.lows = new RunningExtreme(fastK, false)
    this.d = maKernel(fastD, maType)
  }

  protected step(bar: Pick<Bar, 'high' | 'low' | 'close'>): { k: number; d: number } {
    const lowest = this.lows.push(bar.low)
    const highest = this.highs.push(bar.high)
    const i = this.highs.count - 1
    if (i < this.first) return { k: NaN, d: NaN }
    const diff = (highest - lowest) / 100.0
    const k = diff !== 0.0 ? (bar.close - lowest) / diff : 0.0
    const d = this.d.next(k)
    if (i < this.lookback) return { k: NaN, d: NaN }
    return { k, d }
  }
}

/**
 * Fast stochastic: `%K = 100·(close − lowest low) / (highest high − lowest low)` over `fastK` bars
 * (0 when the range is 0), `%D` its `fastD`-bar average of `maType`. Warm-up `fastK − 1` plus the
 * average's. @see TA-Lib ta_STOCHF.c
 */
export function stochf(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  fastK = 5,
  fastD = 3,
  maType: MaType = 'sma',
  out: { k?: Float64Array; d?: Float64Array } = {},
): FastStochastic {
  const n = assertSameLength(high, low, close)
  const k = output(n, out.k, 0)
  const d = output(n, out.d, 0)
  runBars(new StochfStream(fastK, fastD, maType), n, { high, low, close }, (v, i) => {
    k[i] = v.k
    d[i] = v.d
  })
  return { k, d }
}

/** Bars before the first STOCHRSI value: the RSI's warm-up plus the fast stochastic's. */
export function stochrsiLookback(
  period = 14,
  fastK = 5,
  fastD = 3,
  maType: MaType = 'sma',
): number {
  checkParams('stochrsi', { period, fastK, fastD, maType })
  return rsiLookback(period) + stochfLookback(fastK, fastD, maType)
}

/** Streaming STOCHRSI (also the core of `stochrsi`). @see TA-Lib ta_STOCHRSI.c */
export class StochrsiStream extends Kernel<number, { k: number; d: number }> {
  readonly lookback: number
  private readonly rsi: RsiStream
  private readonly stoch: StochfStream
  private readonly bar = { open: NaN, high: NaN, low: NaN, close: NaN, volume: NaN }
  private i = 0

  constructor(period = 14, fastK = 5, fastD = 3, maType: MaType = 'sma') {
    super()
    this.lookback = stochrsiLookback(period, fastK, fastD, maType)
    this.rsi = new RsiStream(period)
    this.stoch = new StochfStream(fastK, fastD, maType)
  }

  protected step(x: number): { k: number; d: number } {
    const r = this.rsi.update(x)
    if (this.i++ < this.rsi.lookback) return { k: NaN, d: NaN }
    this.bar.high = r
    this.bar.low = r
    this.bar.close = r
    return this.stoch.next(this.bar)
  }
}

/**
 * Stochastic RSI: the fast stochastic of the RSI (TA-Lib's STOCHRSI: %K over `fastK` RSI values,
 * %D their `fastD`-bar average of `maType`). Warm-up: the RSI's plus the stochastic's.
 * @see TA-Lib ta_STOCHRSI.c
 */
export function stochrsi(
  close: ArrayLike<number>,
  period = 14,
  fastK = 5,
  fastD = 3,
  maType: MaType = 'sma',
  out: { k?: Float64Array; d?: Float64Array } = {},
): FastStochastic {
  return runCloseOutputs(new StochrsiStream(period, fastK, fastD, maType), close, ['k', 'd'], out)
}

/** Bars before the first ULTOSC value: the longest period. */
export function ultoscLookback(period1 = 7, period2 = 14, period3 = 28): number {
  checkParams('ultosc', { period1, period2, period3 })
  return Math.max(period1, period2, period3)
}

/** Streaming ultimate oscillator (also the core of `ultosc`). @see TA-Lib ta_ULTOSC.c */
export class UltoscStream extends Kernel<Bar, number> {
  readonly lookback: number
  /** Periods shortest first: weights 4, 2, 1. */
  private readonly periods: readonly [number, number, number]
  private readonly buying: Ring
  private readonly ranges: Ring
  private readonly a = new Float64Array(3)
  private readonly b = new Float64Array(3)
  private prevClose = NaN
  private i = 0

  constructor(period1 = 7, period2 = 14, period3 = 28) {
    super()
    this.lookback = ultoscLookback(period1, period2, period3)
    const [p1, p2, p3] = [period1, period2, period3].sort((x, y) => x - y) as [
      number,
      number,
      number,
    ]
    this.periods = [p1, p2, p3]
    this.buying = new Ring(p3)
    this.ranges = new Ring(p3)
  }

  protected step(bar: Bar): number {
    const i = this.i++
    const prevClose = this.prevClose
    this.prevClose = bar.close
    if (i === 0) return NaN
    const trueLow = Math.min(bar.low, prevClose)
    const range = trueRange(bar.high, bar.low, prevClose)
    const buying = bar.close - trueLow
    this.buying.push(buying)
    this.ranges.push(range)
    const { a, b, periods, lookback } = this
    for (let k = 0; k < 3; k++) {
      // TA-Lib primes each total from lookback − period + 1 on, in bar order.
      if (i >= lookback - (periods[k] as number) + 1) {
        a[k] = (a[k] as number) + buying
        b[k] = (b[k] as number) + range
      }
    }
    if (i < lookback) return NaN
    let result = 0.0
    if (!isZero(b[0] as number)) result += 4.0 * ((a[0] as number) / (b[0] as number))
    if (!isZero(b[1] as number)) result += 2.0 * ((a[1] as number) / (b[1] as number))
    if (!isZero(b[2] as number)) result += (a[2] as number) / (b[2] as number)
    for (let k = 0; k < 3; k++) {
      const back = (periods[k] as number) - 1
      a[k] = (a[k] as number) - this.buying.at(back)
      b[k] = (b[k] as number) - this.ranges.at(back)
    }
    return 100.0 * (result / 7.0)
  }
}

/**
 * Ultimate oscillator (Larry Williams): buying pressure `close − min(low, previous close)` over
 * true range, summed over three periods and weighted 4:2:1 (shortest first), scaled to 0–100.
 * Warm-up: the longest period. @see TA-Lib ta_ULTOSC.c
 */
export function ultosc(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  period1 = 7,
  period2 = 14,
  period3 = 28,
  out?: Float64Array,
): Float64Array {
  const n = assertSameLength(high, low, close)
  const result = output(n, out, 0)
  runBars(new UltoscStream(period1, period2, period3), n, { high, low, close }, (v, i) => {
    result[i] = v
  })
  return result
}
