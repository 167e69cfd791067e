import { Kernel, runCloseOutputs } from '../internal/kernel.js'
import { checkParams, rememberParams } from '../internal/params.js'
import { RsiStream, rsiLookback } from './rsi.js'
import { type FastStochastic, StochfStream, stochfLookback } from './stochf.js'
import { type MaType } from '../overlap/ma.js'
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
    rememberParams(this, { period, fastK, fastD, maType })
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
