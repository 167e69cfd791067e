import { bucketStart, type Timeframe } from './timeframes.js'

/**
 * End (exclusive) of the closed bars of `timeframe` for a symbol whose candles are complete up to
 * `lastUpdatedAt` (the close time of the newest candle with everything before it loaded): bars
 * that end at or before it are closed and final.
 */
export function closedBarsEnd(lastUpdatedAt: Date, timeframe: Timeframe): number {
  return bucketStart(lastUpdatedAt.getTime() + 1, timeframe)
}
