import { defaultSleep, type Sleep } from '../http.js'

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  SECOND: 1_000,
  MINUTE: 60_000,
  HOUR: 3_600_000,
  DAY: 86_400_000,
}

/** Request weight of each Binance spot endpoint this package calls. */
export const BINANCE_ENDPOINT_WEIGHTS = {
  '/api/v3/klines': 2,
  '/api/v3/exchangeInfo': 20,
  '/api/v3/ping': 1,
  '/api/v3/time': 1,
} as const

export interface WeightBudgetOptions {
  /**
   * Weight allowed per window. Given here, it is known from the start; otherwise 6000 (Binance
   * spot, per IP) until `setLimit` adopts the one exchangeInfo advertises.
   */
  readonly limit?: number
  /** Window length; default one minute. Windows are aligned to the clock, as Binance's are. */
  readonly windowMs?: number
  /** Share of the limit this process allows itself, to absorb skew and requests in flight; default 0.9. */
  readonly safetyFactor?: number
  readonly now?: () => number
  readonly sleep?: Sleep
}

/**
 * Binance's request-weight budget for one host, shared by every concurrent caller. Callers
 * `reserve()` an endpoint's weight before sending; when the window's budget is spent they wait for
 * the next window. Every response's `X-MBX-USED-WEIGHT-<n><unit>` header re-syncs the count with
 * what the server saw (other processes on the same IP included), so a job never earns a 429 in
 * normal operation. Until the limit is known (`limitKnown`), BinanceAPI reads it from
 * exchangeInfo before its first request, so the first window is paced like the others.
 *
 * @see https://developers.binance.com/docs/binance-spot-api-docs/rest-api/limits
 */
export class WeightBudget {
  private limit: number
  private windowMs: number
  private readonly safetyFactor: number
  private readonly now: () => number
  private readonly sleep: Sleep
  private windowStart = 0
  private used = 0
  private known: boolean
  private discovery: Promise<void> | undefined
  private discoveryBlockedUntil = 0

  constructor(options: WeightBudgetOptions = {}) {
    this.known = options.limit !== undefined
    this.limit = options.limit ?? 6000
    this.windowMs = options.windowMs ?? 60_000
    this.safetyFactor = options.safetyFactor ?? 0.9
    this.now = options.now ?? Date.now
    this.sleep = options.sleep ?? defaultSleep
  }

  /** Adopts the REQUEST_WEIGHT limit from `exchangeInfo.rateLimits`. */
  setLimit(limit: number, windowMs: number): void {
    this.limit = limit
    this.windowMs = windowMs
    this.known = true
  }

  /** Whether the limit was given or adopted from exchangeInfo (rather than assumed). */
  get limitKnown(): boolean {
    return this.known
  }

  /**
   * Runs `discover` (which calls `setLimit`) once while the limit is unknown; concurrent callers
   * wait for the same run. After a failed run, the next try waits one window.
   */
  async discoverLimit(discover: () => Promise<boolean>): Promise<void> {
    if (this.known || this.now() < this.discoveryBlockedUntil) return
    this.discovery ??= discover()
      .then((found) => {
        if (!found) this.discoveryBlockedUntil = this.now() + this.windowMs
      })
      .finally(() => {
        this.discovery = undefined
      })
    await this.discovery
  }

  get snapshot(): { limit: number; windowMs: number; used: number } {
    this.roll()
    return { limit: this.limit, windowMs: this.windowMs, used: this.used }
  }

  /**
   * Waits until `weight` fits into the current window, then counts it as used. Resolves with the
   * milliseconds spent waiting.
   */
  async reserve(weight: number, signal?: AbortSignal): Promise<number> {
    let waited = 0
    for (;;) {
      this.roll()
      const usable = Math.max(weight, Math.floor(this.limit * this.safetyFactor))
      if (this.used + weight <= usable) {
        this.used += weight
        return waited
      }
      const wait = Math.max(1, this.windowStart + this.windowMs - this.now() + 5)
      waited += wait
      await this.sleep(wait, signal)
    }
  }

  /** Reads the used-weight headers of a response and re-syncs the count of the current window. */
  observe(headers: Readonly<Record<string, string>>): void {
    for (const [name, value] of Object.entries(headers)) {
      const match = /^x-mbx-used-weight-(\d+)([smhd])$/i.exec(name)
      if (match === null) continue
      const windowMs = Number(match[1]) * (UNIT_MS[(match[2] ?? 'm').toLowerCase()] ?? 60_000)
      if (windowMs !== this.windowMs) continue
      this.observeUsed(Number(value))
    }
  }

  /** Re-syncs the current window with what the server counted (raises the count, never lowers it). */
  observeUsed(seen: number): void {
    if (!Number.isFinite(seen)) return
    this.roll()
    if (seen > this.used) this.used = seen
  }

  private roll(): void {
    const start = Math.floor(this.now() / this.windowMs) * this.windowMs
    if (start !== this.windowStart) {
      this.windowStart = start
      this.used = 0
    }
  }
}

/** Converts a Binance rateLimits interval (`MINUTE`, 1) to milliseconds. */
export function rateLimitWindowMs(interval: string, intervalNum: number): number | undefined {
  const unit = UNIT_MS[interval]
  return unit === undefined ? undefined : unit * intervalNum
}

const budgets = new Map<string, WeightBudget>()

/** The process-wide budget for a host: every BinanceAPI pointed at the same host shares it. */
export function sharedWeightBudget(host: string): WeightBudget {
  let budget = budgets.get(host)
  if (budget === undefined) {
    budget = new WeightBudget()
    budgets.set(host, budget)
  }
  return budget
}
