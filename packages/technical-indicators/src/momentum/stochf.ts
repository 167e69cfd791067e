import { RunningExtreme } from '../internal/extreme.js'
import { Kernel, type Step, runBarsOutputs } from '../internal/kernel.js'
import { checkParams, rememberParams } from '../internal/params.js'
import { type MaType, maKernel } from '../overlap/ma.js'
import { type Bar } from '../stream.js'
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
  private readonly d: Step<number, number>

  constructor(fastK = 5, fastD = 3, maType: MaType = 'sma') {
    super()
    rememberParams(this, { fastK, fastD, maType })
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
  return runBarsOutputs(
    new StochfStream(fastK, fastD, maType),
    { high, low, close },
    ['k', 'd'],
    out,
  )
}
