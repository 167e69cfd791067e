import type { CoinMarket, ExchangePair } from '@trading-alerts/tickerdata'

/** Why a top-N coin has no tracked pair. */
export type ExclusionReason =
  | 'stablecoin'
  | 'wrapped'
  | 'staked'
  | 'exclude-list'
  | 'not-on-binance'
  | 'not-trading'
  | 'duplicate-symbol'
  | 'invalid-data'

/** CoinGecko categories whose coins are never tracked, and the reason recorded for each. */
export const DEFAULT_EXCLUDED_CATEGORIES: Readonly<Record<string, ExclusionReason>> = {
  stablecoins: 'stablecoin',
  'wrapped-tokens': 'wrapped',
  'liquid-staking-tokens': 'staked',
  'liquid-restaking-tokens': 'staked',
  'bridged-stablecoins': 'stablecoin',
  'tokenized-gold': 'exclude-list',
}

export interface MappedCoin {
  readonly coin: CoinMarket
  /** The Binance pair `<SYMBOL><QUOTE>` when exchangeInfo lists it, else null. */
  readonly pair: string | null
  /** Tracked for new data: listed, TRADING, and not excluded. */
  readonly tracked: boolean
  readonly excludedReason: ExclusionReason | null
  readonly pairStatus: string | null
  readonly baseAsset: string | null
  readonly quoteAsset: string | null
}

export interface MapTopCoinsOptions {
  readonly quoteAsset: string
  /** CoinGecko id → reason, for coins found in an excluded category. */
  readonly excludedByCategory: ReadonlyMap<string, ExclusionReason>
  /** CoinGecko ids, or upper-case tickers, never to track. */
  readonly excludeList?: readonly string[]
}

/**
 * Maps CoinGecko's top coins to Binance pairs. Pure: keys on CoinGecko ids (tickers are not
 * unique), maps `<SYMBOL><QUOTE>` only where exchangeInfo lists it, leaves stablecoins, wrapped and
 * staked tokens and the exclude list untracked, and tracks only TRADING pairs. A coin whose data is
 * invalid (a `problems` entry with action `invalid`) is never mapped. Every coin comes back, with
 * its pair or a reason: the daily snapshot keeps them all.
 */
export function mapTopCoinsToPairs(
  coins: readonly CoinMarket[],
  pairs: readonly ExchangePair[],
  options: MapTopCoinsOptions,
): MappedCoin[] {
  const bySymbol = new Map(pairs.map((p) => [p.symbol, p]))
  const excludeList = new Set(
    (options.excludeList ?? []).map((e) => e.trim()).filter((e) => e !== ''),
  )
  const claimed = new Set<string>()
  return coins.map((coin) => {
    if (coin.problems.some((p) => p.action === 'invalid')) {
      // CoinGecko's data for it cannot be mapped (no symbol): kept in the snapshot, never tracked.
      const none = { pair: null, pairStatus: null, baseAsset: null, quoteAsset: null }
      return { coin, ...none, tracked: false, excludedReason: 'invalid-data' as const }
    }
    const candidate = `${coin.symbol.toUpperCase()}${options.quoteAsset}`
    const listed = bySymbol.get(candidate)
    const pair = listed === undefined ? null : candidate
    const base = {
      coin,
      pair,
      pairStatus: listed?.status ?? null,
      baseAsset: listed?.baseAsset ?? null,
      quoteAsset: listed?.quoteAsset ?? null,
    }
    const reason: ExclusionReason | null =
      options.excludedByCategory.get(coin.id) ??
      (excludeList.has(coin.id) || excludeList.has(coin.symbol.toUpperCase())
        ? 'exclude-list'
        : listed === undefined
          ? 'not-on-binance'
          : claimed.has(candidate)
            ? 'duplicate-symbol'
            : listed.status !== 'TRADING'
              ? 'not-trading'
              : null)
    if (pair !== null && reason !== 'duplicate-symbol') claimed.add(candidate)
    return { ...base, tracked: reason === null, excludedReason: reason }
  })
}
