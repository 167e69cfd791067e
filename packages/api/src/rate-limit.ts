import type { Clock } from '@trading-alerts/trading-alerts'

export interface RateLimitOptions {
  /** Requests a client may make at once (the bucket's size); default 120. */
  readonly burst?: number
  /** Requests per second refilled; default 20. */
  readonly perSecond?: number
}

/** Buckets not touched for this long are forgotten (they would be full again anyway). */
const IDLE_MS = 10 * 60_000

/**
 * In-memory token buckets, one per key (a token id): each request takes one token; the bucket
 * refills at `perSecond` up to `burst`. Time comes from the injected clock.
 */
export class TokenBuckets {
  readonly burst: number
  readonly perSecond: number
  readonly #clock: Clock
  readonly #buckets = new Map<string, { tokens: number; at: number }>()
  #lastSweep = 0

  constructor(clock: Clock, options: RateLimitOptions = {}) {
    this.burst = options.burst ?? 120
    this.perSecond = options.perSecond ?? 20
    if (!(this.burst >= 1) || !(this.perSecond > 0)) {
      throw new RangeError('rateLimit: burst must be at least 1 and perSecond above 0')
    }
    this.#clock = clock
  }

  /** Takes a token for `key`: 0 when allowed, else the seconds until one is available. */
  take(key: string): number {
    const now = this.#clock.now().getTime()
    this.#sweep(now)
    const b = this.#buckets.get(key) ?? { tokens: this.burst, at: now }
    const tokens = Math.min(
      this.burst,
      b.tokens + (Math.max(0, now - b.at) / 1000) * this.perSecond,
    )
    if (tokens >= 1) {
      this.#buckets.set(key, { tokens: tokens - 1, at: now })
      return 0
    }
    this.#buckets.set(key, { tokens, at: now })
    return Math.max(1, Math.ceil((1 - tokens) / this.perSecond))
  }

  #sweep(now: number): void {
    if (now - this.#lastSweep < IDLE_MS) return
    this.#lastSweep = now
    for (const [key, b] of this.#buckets) if (now - b.at > IDLE_MS) this.#buckets.delete(key)
  }
}
