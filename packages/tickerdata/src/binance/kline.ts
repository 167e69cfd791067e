/**
 * One candle as Binance sends it: times in milliseconds since the epoch (UTC), every price and
 * volume the exact decimal string Binance sent (never parsed to a float on the way through).
 *
 * @see https://developers.binance.com/docs/binance-spot-api-docs/rest-api/market-data-endpoints#klinecandlestick-data
 */
export interface Kline {
  readonly openTime: number
  readonly open: string
  readonly high: string
  readonly low: string
  readonly close: string
  readonly volume: string
  readonly closeTime: number
  readonly quoteVolume: string
  readonly trades: number
  readonly takerBuyBaseVolume: string
  readonly takerBuyQuoteVolume: string
}

/** Every kline interval Binance's spot API knows, with its length in milliseconds (1M is calendar-based). */
export const KLINE_INTERVALS = {
  '1s': 1_000,
  '1m': 60_000,
  '3m': 180_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '2h': 7_200_000,
  '4h': 14_400_000,
  '6h': 21_600_000,
  '8h': 28_800_000,
  '12h': 43_200_000,
  '1d': 86_400_000,
  '3d': 259_200_000,
  '1w': 604_800_000,
  '1M': 2_678_400_000, // the longest month; month boundaries are computed on the calendar
} as const

export type KlineInterval = keyof typeof KLINE_INTERVALS

/**
 * The decimal columns of a kline, in the order they appear in Binance's CSV and REST arrays.
 * `KlineColumns.fields` stores, per row, a start and end byte offset for each of them.
 */
export const KLINE_DECIMAL_FIELDS = [
  'open',
  'high',
  'low',
  'close',
  'volume',
  'quoteVolume',
  'takerBuyBaseVolume',
  'takerBuyQuoteVolume',
] as const

export type KlineDecimalField = (typeof KLINE_DECIMAL_FIELDS)[number]

/**
 * A parsed, validated archive file in columnar form: the fast path for bulk loading.
 *
 * Times are numbers in milliseconds (microsecond files already normalised). Decimal values are
 * not copied out of the file: `fields[(row * 8 + k) * 2]` and `fields[(row * 8 + k) * 2 + 1]` are
 * the start (inclusive) and end (exclusive) byte offsets in `bytes` of decimal field `k`
 * (`KLINE_DECIMAL_FIELDS[k]`) of row `row`, so a writer can copy the exact digits byte for byte.
 */
export interface KlineColumns {
  readonly length: number
  readonly bytes: Uint8Array
  readonly openTime: Float64Array
  readonly closeTime: Float64Array
  readonly trades: Float64Array
  readonly fields: Uint32Array
}
