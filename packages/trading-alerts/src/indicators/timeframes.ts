import { TradingAlertsError } from '../errors.js'

const MINUTE = 60_000

/** The timeframes bars can be resampled to (all divide a week; `1m` is the stored candles). */
export const TIMEFRAMES = {
  '1m': MINUTE,
  '3m': 3 * MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '30m': 30 * MINUTE,
  '1h': 60 * MINUTE,
  '2h': 120 * MINUTE,
  '4h': 240 * MINUTE,
  '6h': 360 * MINUTE,
  '8h': 480 * MINUTE,
  '12h': 720 * MINUTE,
  '1d': 1440 * MINUTE,
  '1w': 7 * 1440 * MINUTE,
} as const

export type Timeframe = keyof typeof TIMEFRAMES

/**
 * Origin of every bucket: Monday 1970-01-05 00:00 UTC, so weeks start on Monday as Binance's `1w`
 * does, and every shorter timeframe (which divides a week) falls on its usual UTC boundaries.
 */
export const BUCKET_ORIGIN_MS = Date.UTC(1970, 0, 5)

export function isTimeframe(value: string): value is Timeframe {
  return Object.hasOwn(TIMEFRAMES, value)
}

/** @throws TradingAlertsError('INVALID_OPTION') naming the valid timeframes. */
export function parseTimeframe(value: string): Timeframe {
  if (!isTimeframe(value)) {
    throw new TradingAlertsError(
      'INVALID_OPTION',
      `"${value}" is not a timeframe; use one of ${Object.keys(TIMEFRAMES).join(', ')}`,
    )
  }
  return value
}

export function timeframeMs(timeframe: Timeframe): number {
  return TIMEFRAMES[timeframe]
}

/** Start of the bar of `timeframe` that contains `ms`. */
export function bucketStart(ms: number, timeframe: Timeframe): number {
  const size = TIMEFRAMES[timeframe]
  return ms - ((((ms - BUCKET_ORIGIN_MS) % size) + size) % size)
}
