import { describe, expect, it } from 'vitest'
import {
  AbortedError,
  ExchangeApiError,
  HttpError,
  NetworkError,
  RateLimitError,
  RestrictedLocationError,
  TimeoutError,
} from './errors.js'
import {
  attemptSignal,
  backoffDelay,
  httpStatusError,
  isRetryableError,
  parseRetryAfter,
  shouldRetry,
  transportError,
} from './http.js'

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

describe('httpStatusError', () => {
  const url = 'http://127.0.0.1/hook/…'
  it('types an answer by its status, Retry-After kept on 429', () => {
    const limited = httpStatusError({ status: 429, url, body: null, retryAfterMs: 120_000 })
    expect(limited).toBeInstanceOf(RateLimitError)
    expect(limited).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 120_000 })
    expect(
      httpStatusError({ status: 451, url, body: null, retryAfterMs: undefined }),
    ).toBeInstanceOf(RestrictedLocationError)
    const exchange = httpStatusError({
      status: 400,
      url,
      body: { code: -1121, msg: 'Invalid symbol.' },
      retryAfterMs: undefined,
    })
    expect(exchange).toBeInstanceOf(ExchangeApiError)
    expect(exchange).toMatchObject({ exchangeCode: -1121 })
    const plain = httpStatusError({ status: 302, url, body: undefined, retryAfterMs: undefined })
    expect(plain).toMatchObject({ name: 'HttpError', code: 'HTTP_ERROR', status: 302 })
  })

  it('retries 429 and 5xx only', () => {
    const retryable = (status: number) =>
      isRetryableError(httpStatusError({ status, url, body: null, retryAfterMs: undefined }))
    expect([429, 500, 503, 301, 302, 400, 404, 418, 451].map(retryable)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
      false,
      false,
      false,
    ])
  })
})

describe('transportError and attemptSignal', () => {
  const url = 'http://127.0.0.1/x'
  it('tells the caller’s abort from the timeout from a network error', () => {
    const cause = new Error('connect ECONNREFUSED')
    const base = { url, timeoutMs: 50, aborted: false, timedOut: false }
    expect(transportError(cause, { ...base, aborted: true, timedOut: true })).toBeInstanceOf(
      AbortedError,
    )
    const timeout = transportError(cause, { ...base, timedOut: true })
    expect(timeout).toBeInstanceOf(TimeoutError)
    expect(timeout.cause).toBe(cause)
    const network = transportError(cause, base)
    expect(network).toBeInstanceOf(NetworkError)
    expect(network.message).toContain('connect ECONNREFUSED')
    expect(transportError(cause, { ...base, detail: 'ECONNREFUSED' }).message).toMatch(
      /: ECONNREFUSED$/,
    )
    const aborted = transportError(cause, { ...base, aborted: true })
    expect([aborted, timeout, network].map(isRetryableError)).toEqual([false, true, true])
  })

  it('fires on the deadline or the caller’s signal, and says which', () => {
    const deadline = new AbortController()
    const caller = new AbortController()
    const a = attemptSignal(1000, caller.signal, () => deadline.signal)
    expect(a.signal.aborted).toBe(false)
    caller.abort()
    expect(a.signal.aborted).toBe(true)
    expect(a.timedOut()).toBe(false)
    const b = attemptSignal(1000, undefined, () => deadline.signal)
    deadline.abort()
    expect(b.signal.aborted).toBe(true)
    expect(b.timedOut()).toBe(true)
  })
})
