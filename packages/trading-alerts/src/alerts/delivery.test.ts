import { describe, expect, it } from 'vitest'
import { nextDeliveryState } from './delivery.js'

const NOW = new Date('2025-03-05T12:00:00.000Z')
const at = (ms: number) => new Date(NOW.getTime() + ms)
/** A jitter source that always answers `value` (0 → half the backoff, 1 → all of it). */
const fixed = (value: number) => () => value

describe('nextDeliveryState', () => {
  it('marks a successful attempt delivered now, counting the attempt and clearing the error', () => {
    expect(
      nextDeliveryState({ attempts: 2 }, { ok: true, status: 204, durationMs: 12 }, NOW),
    ).toEqual({
      state: 'delivered',
      attempts: 3,
      lastStatus: 204,
      lastError: null,
      deliveredAt: NOW,
    })
  })

  it('schedules a retryable failure after the backoff of its attempt, with jitter', () => {
    const outcome = {
      ok: false,
      status: 503,
      error: 'HTTP 503',
      retryable: true,
      durationMs: 5,
    } as const
    // First attempt: base 1 s; jitter 1 → all of it.
    expect(
      nextDeliveryState({ attempts: 0 }, outcome, NOW, {
        retry: { baseMs: 1_000, maxMs: 60_000 },
        random: fixed(1),
      }),
    ).toEqual({
      state: 'pending',
      attempts: 1,
      lastStatus: 503,
      lastError: 'HTTP 503',
      nextAttemptAt: at(1_000),
      delayMs: 1_000,
    })
    // Third attempt: base·2² = 4 s, jitter 0 → half of it.
    expect(
      nextDeliveryState({ attempts: 2 }, outcome, NOW, {
        retry: { baseMs: 1_000, maxMs: 60_000 },
        random: fixed(0),
      }),
    ).toMatchObject({ state: 'pending', attempts: 3, delayMs: 2_000, nextAttemptAt: at(2_000) })
    // The cap holds: base·2⁹ is far above 60 s.
    expect(
      nextDeliveryState({ attempts: 9 }, outcome, NOW, {
        maxAttempts: 20,
        retry: { baseMs: 1_000, maxMs: 60_000 },
        random: fixed(1),
      }),
    ).toMatchObject({ state: 'pending', attempts: 10, delayMs: 60_000 })
  })

  it("waits the endpoint's Retry-After instead of the backoff", () => {
    expect(
      nextDeliveryState(
        { attempts: 0 },
        {
          ok: false,
          status: 429,
          error: 'HTTP 429',
          retryable: true,
          retryAfterMs: 7_000,
          durationMs: 3,
        },
        NOW,
        { retry: { baseMs: 1_000 }, random: fixed(1) },
      ),
    ).toMatchObject({ state: 'pending', attempts: 1, lastStatus: 429, delayMs: 7_000 })
  })

  it('dead-letters a permanent failure at once, whatever the attempts left', () => {
    expect(
      nextDeliveryState(
        { attempts: 0 },
        { ok: false, status: 404, error: 'HTTP 404', retryable: false, durationMs: 4 },
        NOW,
        { maxAttempts: 8 },
      ),
    ).toEqual({
      state: 'dead',
      attempts: 1,
      lastStatus: 404,
      lastError: 'HTTP 404',
      nextAttemptAt: NOW,
    })
    // A failure before any request (no webhook any more, a bad preset): no status.
    expect(
      nextDeliveryState(
        { attempts: 3 },
        { ok: false, error: 'the rule has no webhook any more', retryable: false },
        NOW,
      ),
    ).toEqual({
      state: 'dead',
      attempts: 4,
      lastStatus: null,
      lastError: 'the rule has no webhook any more',
      nextAttemptAt: NOW,
    })
  })

  it('dead-letters a retryable failure on the last allowed attempt, and not one before', () => {
    const outcome = { ok: false, error: 'timed out', retryable: true, durationMs: 10_000 } as const
    const policy = { maxAttempts: 3, retry: { baseMs: 1_000 }, random: fixed(1) }
    expect(nextDeliveryState({ attempts: 1 }, outcome, NOW, policy)).toMatchObject({
      state: 'pending',
      attempts: 2,
      lastStatus: null,
    })
    expect(nextDeliveryState({ attempts: 2 }, outcome, NOW, policy)).toEqual({
      state: 'dead',
      attempts: 3,
      lastStatus: null,
      lastError: 'timed out',
      nextAttemptAt: NOW,
    })
  })

  it('dead-letters on the default 8th attempt', () => {
    const outcome = {
      ok: false,
      error: 'HTTP 500',
      status: 500,
      retryable: true,
      durationMs: 1,
    } as const
    expect(nextDeliveryState({ attempts: 6 }, outcome, NOW).state).toBe('pending')
    expect(nextDeliveryState({ attempts: 7 }, outcome, NOW).state).toBe('dead')
  })
})
