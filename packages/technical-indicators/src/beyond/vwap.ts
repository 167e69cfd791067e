import { Kernel } from '../internal/kernel.js'
import { checkParams, rememberParams } from '../internal/params.js'
import { assertSameLength, output } from '../internal/validate.js'
import { type Bar } from '../stream.js'
export type VwapAnchor = 'none' | 'day' | 'week' | 'month'

const DAY = 86_400_000

const MONDAY = Date.UTC(1970, 0, 5)

/** The session of `openTime` (ms): bars of one session share the key. */
function sessionKey(openTime: number, anchor: VwapAnchor): number {
  switch (anchor) {
    case 'none':
      return 0
    case 'day':
      return Math.floor(openTime / DAY)
    case 'week':
      return Math.floor((openTime - MONDAY) / (7 * DAY))
    case 'month': {
      const d = new Date(openTime)
      return d.getUTCFullYear() * 12 + d.getUTCMonth()
    }
  }
}

/** A bar with its open time (ms since the epoch, UTC), for the anchored VWAP stream. */
export interface TimedBar extends Bar {
  readonly openTime: number
}

/** Streaming anchored VWAP (also the core of `vwap`). */
export class VwapStream extends Kernel<TimedBar, number> {
  readonly lookback = 0
  private readonly anchor: VwapAnchor
  private session = NaN
  private pv = 0
  private volume = 0

  constructor(anchor: VwapAnchor = 'day') {
    super()
    rememberParams(this, { anchor })
    checkParams('vwap', { anchor })
    this.anchor = anchor
  }

  protected step(bar: TimedBar): number {
    const key = sessionKey(bar.openTime, this.anchor)
    if (key !== this.session) {
      this.session = key
      this.pv = 0
      this.volume = 0
    }
    this.pv += ((bar.high + bar.low + bar.close) / 3) * bar.volume
    this.volume += bar.volume
    return this.volume === 0 ? NaN : this.pv / this.volume
  }
}

/**
 * Volume-weighted average price of the typical price `(high + low + close) / 3`, cumulative within
 * each UTC session of `anchor` (day, week from Monday as Binance's 1w, month) and reset at the
 * next; `none` (or no `openTime`) accumulates from the first bar. NaN while the session's volume
 * is 0. Warm-up 0. Source: TradingView `ta.vwap` with `hlc3` and a session anchor.
 */
export function vwap(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  volume: ArrayLike<number>,
  openTime?: ArrayLike<number>,
  anchor: VwapAnchor = 'day',
  out?: Float64Array,
): Float64Array {
  const n = assertSameLength(high, low, close, volume)
  if (openTime !== undefined && openTime.length !== n) {
    throw new RangeError('inputs must have the same length')
  }
  const result = output(n, out, 0)
  const stream = new VwapStream(openTime === undefined ? 'none' : anchor)
  const bar = { open: NaN, high: 0, low: 0, close: 0, volume: 0, openTime: 0 }
  for (let i = 0; i < n; i++) {
    bar.high = high[i] as number
    bar.low = low[i] as number
    bar.close = close[i] as number
    bar.volume = volume[i] as number
    bar.openTime = openTime === undefined ? 0 : (openTime[i] as number)
    result[i] = stream.next(bar)
  }
  return result
}
