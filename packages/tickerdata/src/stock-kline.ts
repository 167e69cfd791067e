/**
 * A one-minute stock bar in the project's Kline-like shape: times in ms (UTC), `openTime` the start
 * of the minute, `closeTime` = openTime + 59 999, prices and volumes as exact decimal text. The
 * columns a stock source does not have are null (taker volumes always; `trades` from Eastmoney,
 * `quoteVolume` from Alpaca).
 */
export interface StockKline {
  readonly openTime: number
  /** Null when the source marks the open as missing (Eastmoney's `0` on older days). */
  readonly open: string | null
  readonly high: string
  readonly low: string
  readonly close: string
  /** In shares. */
  readonly volume: string
  readonly closeTime: number
  /** Traded value in the quote currency (Eastmoney: CNY), null when the source has none. */
  readonly quoteVolume: string | null
  readonly trades: number | null
  readonly takerBuyBaseVolume: null
  readonly takerBuyQuoteVolume: null
  /** Volume-weighted (Alpaca) or running average (Eastmoney) price, as sent. */
  readonly vwap: string | null
}

/**
 * A JSON number as its shortest decimal text without an exponent (`174` → "174", `241.6601` →
 * "241.6601", `1e-7` → "0.0000001"). `String(n)` is already the shortest text that round-trips.
 */
export function decimalText(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`not a finite number: ${n}`)
  const s = String(n)
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s)
  if (m === null) return s
  const [, sign = '', lead = '', frac = '', expText = '0'] = m
  const digits = lead + frac
  const exp = Number(expText)
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`
  return sign + digits.padEnd(exp + 1, '0')
}

const DECIMAL = /^\d+(\.\d+)?$/

/** `lots` (non-negative decimal text) × 100, as decimal text: "337" → "33700", "1.5" → "150". */
export function timesHundred(lots: string): string {
  if (!DECIMAL.test(lots)) throw new RangeError(`not a decimal: ${lots}`)
  const [int = '0', frac = ''] = lots.split('.')
  const moved = int + frac.padEnd(2, '0').slice(0, 2)
  const rest = frac.slice(2)
  const whole = moved.replace(/^0+(?=\d)/, '')
  return rest === '' || /^0+$/.test(rest) ? whole : `${whole}.${rest.replace(/0+$/, '')}`
}

export const MINUTE_MS = 60_000
