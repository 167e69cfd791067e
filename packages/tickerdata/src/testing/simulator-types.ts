import type { Kline } from '../binance/kline.js'
import type { StockKline } from '../stock-kline.js'

/**
 * Public contract of the exchange simulator (`@trading-alerts/tickerdata/testing`).
 *
 * One HTTP server on 127.0.0.1 serves, at the same paths and in the same formats as the real
 * services: Binance REST (`/api/v3/klines`, `/api/v3/exchangeInfo`), the public archive
 * (`/data/spot/{monthly,daily}/klines/...zip` and `.CHECKSUM`), the S3 XML listing (under `/s3`),
 * and CoinGecko (under `/coingecko/api/v3`, e.g. `/coingecko/api/v3/coins/markets`).
 */

/** A tradable pair in the simulated market. */
export interface SimPairSpec {
  readonly symbol: string // e.g. 'BTCUSDT'
  readonly baseAsset: string // e.g. 'BTC'
  readonly quoteAsset: string // e.g. 'USDT'
  /** First minute with data (ms, UTC). Archive files and candles exist from here on. */
  readonly listedAt: number
  /** Binance trading status. Default 'TRADING'. */
  readonly status?:
    'TRADING' | 'BREAK' | 'HALT' | 'END_OF_DAY' | 'PRE_TRADING' | 'POST_TRADING' | 'AUCTION_MATCH'
  /** Last minute with data for a delisted/halted pair (ms); default none. */
  readonly delistedAt?: number
  /** Reference price level of the deterministic price path. */
  readonly basePrice?: number
}

/** A span with no candles at all (an exchange outage): [start, end) in ms, applies to every source. */
export interface SimGap {
  readonly symbol: string // '*' for every pair
  readonly start: number
  readonly end: number
}

/** A CoinGecko coin in the simulated /coins/markets ranking. */
export interface SimCoin {
  readonly id: string
  readonly symbol: string // lowercase, not unique
  readonly name: string
  readonly marketCapRank: number
  /** CoinGecko categories used by ?category= (e.g. 'stablecoins', 'wrapped-tokens', 'liquid-staking-tokens'). */
  readonly categories?: readonly string[]
}

/** A stock in the simulated US or Shanghai market. */
export interface SimStockSpec {
  /** Alpaca's spelling for US stocks (`AAPL`, `BRK.B`), the six-digit code for Shanghai (`600519`). */
  readonly symbol: string
  readonly market: 'us' | 'cn'
  /** ISO 10383 MIC of the listing: XNAS, XNYS or XSHG. */
  readonly exchange: 'XNAS' | 'XNYS' | 'XSHG'
  readonly name: string
  /** Reference price level (USD or CNY) of the deterministic price path. */
  readonly basePrice: number
  /** Market cap in USD or CNY (ranks the screener and the clist). */
  readonly marketCap: number
}

/** A trading halt: no bars for [start, end) in ms. `symbol` '*' halts every stock. */
export interface SimHalt {
  readonly symbol: string
  readonly start: number
  readonly end: number
}

export type SimRoute =
  | 'klines'
  | 'exchangeInfo'
  | 'archive-zip' // a monthly or daily .zip
  | 'archive-checksum' // a .CHECKSUM
  | 'listing' // the S3 XML listing
  | 'coins-markets'
  | 'alpaca-bars' // /v2/stocks/{symbol}/bars
  | 'alpaca-multi-bars' // /v2/stocks/bars?symbols=
  | 'alpaca-calendar' // /v2/calendar
  | 'alpaca-assets' // /v2/assets/{symbol}
  | 'screener' // /api/screener/stocks
  | 'eastmoney-trends' // /api/qt/stock/trends2/get
  | 'eastmoney-clist' // /api/qt/clist/get

export type SimFaultKind =
  | '5xx' // answer `status` (default 503) with a small body
  | 'drop' // destroy the socket without answering
  | 'slow' // wait `delayMs` before answering normally
  | '429' // answer 429 with Retry-After `retryAfterSec`
  | '418' // answer 418 with Retry-After `retryAfterSec`
  | '451' // restricted location
  | 'checksum-mismatch' // the .CHECKSUM names a different sha256 than the zip has
  | 'corrupt-zip' // the zip bytes are truncated/garbled (the CHECKSUM matches the corrupt bytes)
  | 'bad-csv-row' // a valid zip whose CSV has one malformed row (line `line`, default 100)
  | 'invalid-symbol' // 400 {"code":-1121,"msg":"Invalid symbol."}
  | 'coin-fields' // /coins/markets: coin `coin` is sent with `fields` (JSON values) and `rawFields` (JSON text) over its own

export interface SimFault {
  readonly route: SimRoute
  readonly kind: SimFaultKind
  /** Only requests for this symbol (query `symbol`, or the archive path's symbol). */
  readonly symbol?: string
  /** Only archive requests whose file name contains this string, e.g. 'BTCUSDT-1m-2024-03'. */
  readonly file?: string
  /** How many matching requests to hit; default: every one until cleared. */
  readonly times?: number
  readonly status?: number
  readonly retryAfterSec?: number
  readonly delayMs?: number
  readonly line?: number
  /** 'coin-fields': the CoinGecko id of the coin to change. */
  readonly coin?: string
  /** 'coin-fields': fields to send instead of the coin's own, e.g. `{ name: 'Doge\u0000coin', market_cap: -1 }`. */
  readonly fields?: Readonly<Record<string, unknown>>
  /** 'coin-fields': fields sent as this JSON text verbatim, e.g. `{ market_cap: '1e400' }` (Infinity once parsed). */
  readonly rawFields?: Readonly<Record<string, string>>
}

export interface SimulatorOptions {
  /** Port to listen on; default 0 (a free port). Always binds 127.0.0.1. */
  readonly port?: number
  /** The simulated "now" in ms. Default: the real clock. Candles after now do not exist yet. */
  readonly now?: () => number
  /** Pairs; default: a built-in market of ~30 pairs mapped from the real top-100 CoinGecko list. */
  readonly pairs?: readonly SimPairSpec[]
  readonly coins?: readonly SimCoin[]
  readonly gaps?: readonly SimGap[]
  /** Seed of the deterministic price paths; default 1. */
  readonly seed?: number
  /** Request-weight limit advertised in exchangeInfo.rateLimits and enforced; default 6000 per 1 MINUTE. */
  readonly weightLimit?: {
    readonly limit: number
    readonly interval: 'SECOND' | 'MINUTE'
    readonly intervalNum: number
  }
  /** Days after a month's end before its monthly zip is published; default 2. Per-symbol override in `lateMonthly`. */
  readonly monthlyPublishDelayDays?: number
  /** Monthly files published late: symbol → months ('YYYY-MM') whose monthly zip does not exist (daily ones do). */
  readonly lateMonthly?: Readonly<Record<string, readonly string[]>>
  /**
   * Clock (ms) of the weight limiter's windows; default the real clock. Share an injected clock
   * with the client's WeightBudget to test pacing across windows without waiting for them.
   */
  readonly limiterClock?: () => number
  /** Retry-After seconds sent with a 429 from the weight limiter; default 1 with a SECOND window, else seconds to the window's end. */
  readonly retryAfterSec?: number
  /** Length of the IP ban (418) a client earns by ignoring a 429; default twice the weight window (at least 2 s). */
  readonly banSec?: number
  /** Keys per page of the S3 listing; default 1000 like S3. */
  readonly listingPageSize?: number
  /** CoinGecko calls allowed per minute before its 429; default 30 (the demo plan). */
  readonly coingeckoRateLimitPerMinute?: number
  /** Archive files kept in memory (LRU); default 48. */
  readonly archiveCacheSize?: number
  /** US and Shanghai stocks; default DEFAULT_STOCKS (9 US, 6 Shanghai). */
  readonly stocks?: readonly SimStockSpec[]
  /** Trading halts of stocks (no bars from either source). */
  readonly halts?: readonly SimHalt[]
  /** Alpaca keys the simulator accepts; default any non-empty pair. A wrong pair answers 403. */
  readonly alpacaKeys?: { readonly keyId: string; readonly secretKey: string }
  /** Alpaca plan: 'free' (SIP data newer than 15 minutes answers 403) or 'paid'; default 'free'. */
  readonly alpacaPlan?: 'free' | 'paid'
  /** Alpaca requests a minute before its 429 (on `limiterClock`); default 200. */
  readonly alpacaRequestsPerMinute?: number
  /** Eastmoney resets the connection of a request sooner than this after the previous one (real clock); default 100 ms, 0 off. */
  readonly eastmoneyMinIntervalMs?: number
}

/** One request as the simulator received it (path without the query string, so no secrets). */
export interface SimRequestLogEntry {
  readonly route: SimRoute | 'other'
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
}

export interface SimulatorStats {
  /** Requests received per route. */
  readonly requests: Record<SimRoute | 'other', number>
  /** 429s and 418s sent by the rate limiter (not by injected faults). */
  readonly rateLimited429: number
  readonly banned418: number
  /** Highest used weight seen in any window. */
  readonly maxUsedWeight: number
}

export interface ExchangeSimulator {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  /** Base URLs to hand to the clients (BinanceAPI apiUrl/dataUrl/listingUrl, CoingeckoAPI apiUrl). */
  readonly urls: {
    readonly binanceApiUrl: string
    readonly binanceDataUrl: string
    readonly binanceListingUrl: string
    readonly coingeckoApiUrl: string
    readonly alpacaApiUrl: string
    readonly alpacaTradingUrl: string
    readonly usUniverseUrl: string
    readonly eastmoneyApiUrl: string
    readonly eastmoneyListUrl: string
  }
  /**
   * The exact stock bars a correct client ends up with for [startMs, endMs] (open times,
   * inclusive): US regular-session bars as Alpaca serves them (no-trade minutes omitted), Shanghai
   * bars as Eastmoney serves them now (auction bar of 09:29 included; only the last 5 sessions).
   */
  stockBars(
    symbol: string,
    startMs: number,
    endMs: number,
    options?: { readonly feed?: 'sip' | 'iex' },
  ): StockKline[]
  /** The exact candles every source serves for [startMs, endMs] (open times, inclusive), gaps and listing applied, closed candles only unless `includeOpen`. */
  candles(
    symbol: string,
    startMs: number,
    endMs: number,
    options?: { readonly includeOpen?: boolean },
  ): Kline[]
  addFault(fault: SimFault): void
  clearFaults(): void
  readonly stats: SimulatorStats
  /** The last 1000 requests, newest last (for checking which headers a client sent). */
  readonly requestLog: readonly SimRequestLogEntry[]
  resetStats(): void
  close(): Promise<void>
}
