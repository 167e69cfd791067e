import { ResponseValidationError } from '../errors.js'

/** One coin of /coins/markets. CoinGecko leaves many numbers null for thin coins: kept as null. */
export interface CoinMarket {
  /** CoinGecko's id: the only unique key (`bitcoin`, `weth`, `binance-peg-weth`). */
  readonly id: string
  /** Lower-case ticker, NOT unique (two `weth`, two `usdc`). Empty only for an invalid coin. */
  readonly symbol: string
  readonly name: string
  readonly marketCapRank: number | null
  readonly marketCap: number | null
  readonly currentPrice: number | null
  readonly totalVolume: number | null
  readonly fullyDilutedValuation: number | null
  readonly circulatingSupply: number | null
  readonly priceChangePercentage24h: number | null
  /** ISO time of CoinGecko's last update, or null. */
  readonly lastUpdated: string | null
  /** What was wrong with this coin's fields and what was done about it; empty for a clean coin. */
  readonly problems: readonly CoinProblem[]
}

/** What was wrong with one field of a coin, and what the client did about it. */
export interface CoinProblem {
  /** CoinGecko's field name, e.g. `name`, `market_cap`. */
  readonly field: string
  readonly problem: CoinProblemKind
  /**
   * `cleaned`: the text kept without its control characters, clipped, or (a missing name) the id;
   * `nulled`: the value dropped; `invalid`: the coin cannot be mapped (it is kept, so that it can
   * be recorded, but must not be tracked).
   */
  readonly action: 'cleaned' | 'nulled' | 'invalid'
}

export type CoinProblemKind =
  | 'control-characters'
  | 'too-long'
  | 'missing'
  | 'not-a-number'
  | 'not-finite'
  | 'negative'
  | 'not-a-rank'
  | 'not-a-date'

/** Longest texts kept: a longer id rejects the coin, a longer symbol or name is clipped. */
export const COIN_TEXT_LIMITS = { id: 100, symbol: 50, name: 200 } as const

const CONTROL = /\p{Cc}/gu
const HAS_CONTROL = /\p{Cc}/u
/** PostgreSQL's `integer`, where ranks are stored. */
const MAX_RANK = 2_147_483_647

/** Text without control characters (NUL included), trimmed, clipped to `max`; problems noted. */
function cleanText(field: string, value: string, max: number, problems: CoinProblem[]): string {
  let text = value.replace(CONTROL, '').trim()
  if (HAS_CONTROL.test(value)) {
    problems.push({ field, problem: 'control-characters', action: 'cleaned' })
  }
  if (text.length > max) {
    text = text.slice(0, max).trim()
    problems.push({ field, problem: 'too-long', action: 'cleaned' })
  }
  return text
}

/** A finite number (not negative unless `signed`), or null with the reason noted. */
function amount(
  field: string,
  value: unknown,
  problems: CoinProblem[],
  signed = false,
): number | null {
  if (value === null || value === undefined) return null
  const problem: CoinProblemKind | null =
    typeof value !== 'number'
      ? 'not-a-number'
      : !Number.isFinite(value)
        ? 'not-finite'
        : !signed && value < 0
          ? 'negative'
          : null
  if (problem === null) return value as number
  problems.push({ field, problem, action: 'nulled' })
  return null
}

/**
 * Validates and maps one /coins/markets element, coin by coin: one bad coin never spoils the
 * others. Texts (`symbol`, `name`) lose their control characters and are clipped to
 * COIN_TEXT_LIMITS; numbers that are not finite, not numbers, or negative (all but the 24 h
 * change) become null; a rank must be a positive integer, `last_updated` a date, else null. Each
 * such change is listed in `problems`. A missing name becomes the id; a missing symbol makes the
 * coin `invalid` (it cannot be mapped to a pair).
 *
 * @throws ResponseValidationError when the element is not an object or has no usable id (a
 *   string of 1–100 characters without whitespace or control characters): without its key a
 *   coin cannot be recorded at all.
 */
export function parseCoinMarket(raw: unknown, url: string, index: number): CoinMarket {
  if (typeof raw !== 'object' || raw === null) {
    throw new ResponseValidationError(url, `coin ${index} is not an object`)
  }
  const c = raw as Record<string, unknown>
  if (typeof c.id !== 'string' || !/^[^\s\p{Cc}]+$/u.test(c.id)) {
    throw new ResponseValidationError(url, `coin ${index} has no usable id`)
  }
  if (c.id.length > COIN_TEXT_LIMITS.id) {
    throw new ResponseValidationError(
      url,
      `coin ${index} has an id longer than ${COIN_TEXT_LIMITS.id} characters`,
    )
  }
  const id = c.id
  const problems: CoinProblem[] = []
  let symbol = ''
  if (typeof c.symbol === 'string')
    symbol = cleanText('symbol', c.symbol, COIN_TEXT_LIMITS.symbol, problems)
  if (symbol === '') problems.push({ field: 'symbol', problem: 'missing', action: 'invalid' })
  let name = ''
  if (typeof c.name === 'string') name = cleanText('name', c.name, COIN_TEXT_LIMITS.name, problems)
  if (name === '') {
    name = id
    problems.push({ field: 'name', problem: 'missing', action: 'cleaned' })
  }
  let marketCapRank: number | null = null
  if (c.market_cap_rank !== null && c.market_cap_rank !== undefined) {
    const rank = c.market_cap_rank
    if (typeof rank === 'number' && Number.isInteger(rank) && rank >= 1 && rank <= MAX_RANK) {
      marketCapRank = rank
    } else {
      problems.push({ field: 'market_cap_rank', problem: 'not-a-rank', action: 'nulled' })
    }
  }
  let lastUpdated: string | null = null
  if (c.last_updated !== null && c.last_updated !== undefined) {
    const text = c.last_updated
    if (typeof text === 'string' && !HAS_CONTROL.test(text) && !Number.isNaN(Date.parse(text))) {
      lastUpdated = text
    } else {
      problems.push({ field: 'last_updated', problem: 'not-a-date', action: 'nulled' })
    }
  }
  return {
    id,
    symbol,
    name,
    marketCapRank,
    marketCap: amount('market_cap', c.market_cap, problems),
    currentPrice: amount('current_price', c.current_price, problems),
    totalVolume: amount('total_volume', c.total_volume, problems),
    fullyDilutedValuation: amount('fully_diluted_valuation', c.fully_diluted_valuation, problems),
    circulatingSupply: amount('circulating_supply', c.circulating_supply, problems),
    priceChangePercentage24h: amount(
      'price_change_percentage_24h',
      c.price_change_percentage_24h,
      problems,
      true,
    ),
    lastUpdated,
    problems,
  }
}
