import { describe, expect, it } from 'vitest'
import { TokenBuckets } from './rate-limit.js'

function clockAt(start: number) {
  let t = start
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) }
}

describe('TokenBuckets', () => {
  it('allows a burst, then answers the seconds until the next token, per key', () => {
    const clock = clockAt(Date.UTC(2026, 0, 1))
    const buckets = new TokenBuckets(clock, { burst: 3, perSecond: 0.5 })
    expect([buckets.take('a'), buckets.take('a'), buckets.take('a')]).toEqual([0, 0, 0])
    expect(buckets.take('a')).toBe(2)
    expect(buckets.take('b')).toBe(0)
    clock.advance(1000)
    expect(buckets.take('a')).toBe(1)
    clock.advance(1000)
    expect(buckets.take('a')).toBe(0)
    expect(buckets.take('a')).toBe(2)
  })

  it('refills up to the burst, not beyond', () => {
    const clock = clockAt(0)
    const buckets = new TokenBuckets(clock, { burst: 2, perSecond: 10 })
    buckets.take('a')
    clock.advance(3_600_000)
    expect([buckets.take('a'), buckets.take('a'), buckets.take('a')]).toEqual([0, 0, 1])
  })

  it('rejects a limit that admits nothing', () => {
    expect(() => new TokenBuckets(clockAt(0), { burst: 0 })).toThrow(RangeError)
    expect(() => new TokenBuckets(clockAt(0), { perSecond: 0 })).toThrow(RangeError)
  })
})
