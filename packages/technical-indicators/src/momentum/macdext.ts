import { Kernel, runCloseOutputs, type Step } from '../internal/kernel.js'
import { checkParams, rememberParams } from '../internal/params.js'
import { Ema } from '../internal/ema.js'
import { type MaType, maKernel } from '../overlap/ma.js'
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
  private readonly fast: Step<number, number>
  private readonly slow: Step<number, number>
  private readonly signal: Step<number, number>
  private readonly largest: number
  private i = 0

  constructor(
    fast: Step<number, number>,
    slow: Step<number, number>,
    signal: Step<number, number>,
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
): [Step<number, number>, Step<number, number>, Step<number, number>] {
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
    rememberParams(this, options)
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
    super(new Ema(12, 0.15), new Ema(26, 0.075), new Ema(signal))
    rememberParams(this, { signal })
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
