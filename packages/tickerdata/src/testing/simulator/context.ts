import type { Market } from '../market.js'
import type { SimCoin, SimPairSpec, SimRoute, SimulatorOptions } from '../simulator-types.js'

/** What every route family of one simulator shares. */
export interface SimContext {
  readonly options: SimulatorOptions
  /** The simulated market clock. */
  readonly now: () => number
  readonly market: Market
  readonly pairs: readonly SimPairSpec[]
  readonly coins: readonly SimCoin[]
  readonly stats: MutableStats
}

export interface MutableStats {
  requests: Record<SimRoute | 'other', number>
  rateLimited429: number
  banned418: number
  maxUsedWeight: number
}

export const MINUTE = 60_000
export const DAY = 86_400_000
