import { describe, expect, it } from 'vitest'
import {
  HttpError,
  NetworkError,
  RateLimitError,
  RestrictedLocationError,
  TimeoutError,
} from './errors.js'
import { backoffDelay, parseRetryAfter, shouldRetry } from './http.js'

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and ignores nonsense', () => {
    expect(parseRetryAfter('120')).toBe(120_000)
    expect(parseRetryAfter('0.5')).toBe(500)
    expect(
      parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('2015-10-21T07:28:00Z')),
    ).toBe(10_000)
    expect(parseRetryAfter(undefined)).toBeUndefined()
    expect(parseRetryAfter('soon')).toBeUndefined()
  })
})

describe('shouldRetry', () => {
  const url = 'https://api.binance.com/api/v3/klines'
  it('retries network errors, timeouts, 429 and 5xx, within the bound', () => {
    expect(shouldRetry(new NetworkError(url, 'reset'), 0, 3)).toBe(true)
    expect(shouldRetry(new TimeoutError(url, 10), 2, 3)).toBe(true)
    expect(
      shouldRetry(new RateLimitError({ status: 429, url, body: null, retryAfterMs: 1 }), 0, 3),
    ).toBe(true)
    expect(shouldRetry(new HttpError({ status: 503, url, body: null }), 0, 3)).toBe(true)
    expect(shouldRetry(new NetworkError(url, 'reset'), 3, 3)).toBe(false)
  })
  it('never retries 4xx, 451 or foreign errors', () => {
    expect(shouldRetry(new HttpError({ status: 400, url, body: null }), 0, 3)).toBe(false)
    expect(shouldRetry(new RestrictedLocationError({ url, body: null }), 0, 3)).toBe(false)
    expect(shouldRetry(new Error('x'), 0, 3)).toBe(false)
  })
})

describe('backoffDelay', () => {
  it('doubles per attempt with jitter in the upper half, capped', () => {
    expect(backoffDelay(0, 100, 10_000, () => 0)).toBe(50)
    expect(backoffDelay(0, 100, 10_000, () => 1)).toBe(100)
    expect(backoffDelay(3, 100, 10_000, () => 1)).toBe(800)
    expect(backoffDelay(20, 100, 10_000, () => 1)).toBe(10_000)
  })
})
