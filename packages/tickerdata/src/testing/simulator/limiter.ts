import type { ServerResponse } from 'node:http'
import type { SimulatorOptions } from '../simulator-types.js'
import type { MutableStats } from './context.js'
import { binanceError } from './http.js'

const UNIT_MS = { SECOND: 1_000, MINUTE: 60_000 } as const
const UNIT_LETTER = { SECOND: 's', MINUTE: 'm' } as const

export type WeightLimit = NonNullable<SimulatorOptions['weightLimit']>

/**
 * Binance's request-weight limiter: 429 over the limit, a 418 ban for a client that ignores
 * the 429's Retry-After. Returns `charge(res, weight)`, false when the request was answered.
 */
export function createWeightLimiter(
  options: SimulatorOptions,
  weightLimit: WeightLimit,
  stats: MutableStats,
): (res: ServerResponse, weight: number) => boolean {
  const windowMs = UNIT_MS[weightLimit.interval] * weightLimit.intervalNum
  const weightHeader = `x-mbx-used-weight-${weightLimit.intervalNum}${UNIT_LETTER[weightLimit.interval]}`
  const banMs = (options.banSec ?? Math.max(2, (2 * windowMs) / 1000)) * 1000
  // Binance's limiter works on wall-clock windows (the simulated market clock may be frozen).
  const limiterNow = options.limiterClock ?? (() => Date.now())
  let windowStart = 0
  let usedWeight = 0
  let backoffUntil = 0 // after a 429: requests before this time earn a ban
  let bannedUntil = 0

  return function chargeWeight(res, weight) {
    const t = limiterNow()
    if (t < bannedUntil) {
      stats.banned418 += 1
      binanceError(
        res,
        418,
        -1003,
        `Way too much request weight used; IP banned until ${bannedUntil}. Please use WebSocket Streams for live updates to avoid bans.`,
        { 'retry-after': String(Math.ceil((bannedUntil - t) / 1000)) },
      )
      return false
    }
    if (t < backoffUntil) {
      // The client ignored a 429's Retry-After: Binance escalates to an IP ban.
      bannedUntil = t + banMs
      backoffUntil = 0
      stats.banned418 += 1
      binanceError(
        res,
        418,
        -1003,
        `Way too much request weight used; IP banned until ${bannedUntil}. Please use WebSocket Streams for live updates to avoid bans.`,
        { 'retry-after': String(Math.ceil(banMs / 1000)) },
      )
      return false
    }
    const start = Math.floor(t / windowMs) * windowMs
    if (start !== windowStart) {
      windowStart = start
      usedWeight = 0
    }
    usedWeight += weight
    stats.maxUsedWeight = Math.max(stats.maxUsedWeight, usedWeight)
    res.setHeader(weightHeader, String(usedWeight))
    if (usedWeight > weightLimit.limit) {
      const retryAfterSec =
        options.retryAfterSec ?? Math.max(1, Math.ceil((windowStart + windowMs - t) / 1000))
      backoffUntil = t + retryAfterSec * 1000
      stats.rateLimited429 += 1
      binanceError(
        res,
        429,
        -1003,
        `Too much request weight used; current limit is ${weightLimit.limit} request weight per ${weightLimit.intervalNum} ${weightLimit.interval}. Please use WebSocket Streams for live updates to avoid polling the API.`,
        { 'retry-after': String(retryAfterSec) },
      )
      return false
    }
    return true
  }
}
