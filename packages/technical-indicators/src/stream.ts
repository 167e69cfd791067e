/** One candle for the streams of indicators that need more than a close. */
export interface Bar {
  readonly open: number
  readonly high: number
  readonly low: number
  readonly close: number
  readonly volume: number
}

/**
 * What every streaming indicator offers. `update` appends a bar and returns the value the batch
 * function gives at that bar (NaN, or an object of NaNs, during the warm-up); `replace` swaps the
 * last bar (the still-open candle changes many times before it closes) and returns the recomputed
 * value, leaving the state as if only the new bar had ever been given. Single-input streams take the
 * value (usually a close) as a number; the others take a `Bar`. Multi-output streams return a fresh
 * object of named numbers at each call.
 */
export interface Stream<In, Out> {
  /** Bars consumed before the first value. */
  readonly lookback: number
  update(input: In): Out
  replace(input: In): Out
}
