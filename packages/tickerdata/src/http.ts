import { AsyncLocalStorage } from 'node:async_hooks'
import type { AxiosInstance, AxiosResponse, AxiosStatic } from 'axios'

/**
 * axios, loaded at the first request: importing it costs about 0.2 s, which a command that never
 * sends a request (the runner's `status`) should not pay.
 */
let axiosModule: Promise<{ default: AxiosStatic }> | undefined
const loadAxios = () => (axiosModule ??= import('axios'))
import {
  AbortedError,
  BanTooLongError,
  ExchangeApiError,
  HttpError,
  IpBannedError,
  NetworkError,
  RateLimitError,
  ResponseValidationError,
  RestrictedLocationError,
  TimeoutError,
  type TickerdataError,
  isTickerdataError,
} from './errors.js'

/** Structured logger; every method is optional except info/warn/error. Fields never hold secrets. */
export interface Logger {
  debug?(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

/** Sleeps `ms`, rejecting with AbortedError when `signal` fires. Injectable so tests need not wait. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>

export const defaultSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(new AbortedError())
      return
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(new AbortedError())
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })

/**
 * Bans (HTTP 418) per host, shared by every client in the process that talks to that host, so
 * one banned caller stops all of them until the ban ends.
 */
export class HostBans {
  private readonly until = new Map<string, number>()

  ban(host: string, untilMs: number): void {
    this.until.set(host, Math.max(untilMs, this.until.get(host) ?? 0))
  }

  bannedUntil(host: string, now: number): number | undefined {
    const until = this.until.get(host)
    if (until === undefined || until <= now) return undefined
    return until
  }
}

/** The process-wide ban registry used when none is injected. */
export const sharedHostBans = new HostBans()

export interface HttpClientOptions {
  /** An axios instance to send with (proxies, agents, interceptors). Default: a new one. */
  readonly axios?: AxiosInstance
  /** Per-request timeout; default 30 s. */
  readonly timeoutMs?: number
  /** Retries after the first attempt for network errors, timeouts, 5xx and 429; default 4. */
  readonly maxRetries?: number
  /** First backoff step; doubles each attempt, with full jitter; default 500 ms. */
  readonly baseDelayMs?: number
  /** Largest backoff step; default 30 s. */
  readonly maxDelayMs?: number
  /** Wait used after a 429 without Retry-After; default 60 s (CoinGecko documents none). */
  readonly rateLimitFallbackMs?: number
  /** A 418 ban longer than this fails fast with BanTooLongError; default 5 minutes. */
  readonly maxBanWaitMs?: number
  /** Headers sent with every request (API keys go here: they are never logged nor put in errors). */
  readonly headers?: Readonly<Record<string, string>>
  readonly logger?: Logger
  readonly sleep?: Sleep
  readonly now?: () => number
  readonly random?: () => number
  readonly bans?: HostBans
}

export interface RequestOptions {
  readonly params?: Readonly<Record<string, string | number | undefined>>
  readonly signal?: AbortSignal
  /** Statuses answered normally instead of as errors (e.g. 404 from the archive: "not published"). */
  readonly acceptStatuses?: readonly number[]
  /** Called before every attempt (used to reserve request weight). */
  readonly beforeAttempt?: (signal: AbortSignal | undefined) => Promise<void>
  /** Called with every response (used to read weight headers). */
  readonly onResponse?: (response: HttpResponse) => void
}

export interface HttpResponse {
  readonly status: number
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: Buffer
}

/**
 * Parses a Retry-After header (seconds or an HTTP date) into milliseconds from `now`.
 * Returns undefined for a missing or unreadable value.
 */
export function parseRetryAfter(
  value: string | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === undefined || value.trim() === '') return undefined
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000)
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}

/**
 * `X-RateLimit-Reset` (Unix seconds of the window's end, as Alpaca sends it with a 429 instead of
 * Retry-After) as milliseconds from `now`; undefined when missing, past, or more than 2 minutes away.
 */
export function parseRateLimitReset(
  value: string | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined
  const wait = Number(value.trim()) * 1000 - now
  return wait > 0 && wait <= 120_000 ? wait : undefined
}

/**
 * Whether a failed attempt is worth repeating at all: network errors, timeouts, 5xx and 429 (and
 * a 418 ban, waited out). Not: other statuses (4xx, an unfollowed 3xx, 451), the caller's abort,
 * bad payloads, and errors that are not this package's.
 */
export function isRetryableError(error: unknown): boolean {
  if (!isTickerdataError(error)) return false
  switch (error.code) {
    case 'NETWORK_ERROR':
    case 'TIMEOUT':
    case 'RATE_LIMITED':
      return true
    case 'HTTP_ERROR':
    case 'EXCHANGE_ERROR':
      return error instanceof HttpError && error.status >= 500
    case 'IP_BANNED':
      return true // waited out through the host ban before the next attempt
    case 'BAN_TOO_LONG':
    case 'RESTRICTED_LOCATION':
    case 'INVALID_RESPONSE':
    case 'ABORTED':
    case 'CHECKSUM_MISMATCH':
    case 'ARCHIVE_FORMAT':
    case 'CALENDAR_RANGE':
    case 'AUTH_FAILED':
    case 'RECENT_SIP_DATA':
      return false
  }
}

/** Whether to repeat a failed attempt: `isRetryableError` within `maxRetries` retries. */
export function shouldRetry(error: unknown, attempt: number, maxRetries: number): boolean {
  return attempt < maxRetries && isRetryableError(error)
}

/**
 * The typed error of a non-2xx answer: RateLimitError (429, with Retry-After), RestrictedLocationError
 * (451), ExchangeApiError (a body with the exchange's `code` and `msg`), else HttpError. A 418 ban
 * is the HttpClient's (it records the ban for the host); here it is a plain HttpError.
 */
export function httpStatusError(answer: {
  readonly status: number
  /** The URL as shown in errors: never the query string. */
  readonly url: string
  readonly body: unknown
  /** From `parseRetryAfter`. */
  readonly retryAfterMs: number | undefined
}): HttpError {
  const { status, url, body, retryAfterMs } = answer
  if (status === 429) return new RateLimitError({ status, url, body, retryAfterMs })
  if (status === 451) return new RestrictedLocationError({ url, body })
  if (
    typeof body === 'object' &&
    body !== null &&
    'code' in body &&
    'msg' in body &&
    typeof body.code === 'number' &&
    typeof body.msg === 'string'
  ) {
    return new ExchangeApiError({
      status,
      url,
      body,
      exchangeCode: body.code,
      exchangeMessage: body.msg,
    })
  }
  return new HttpError({ status, url, body })
}

/**
 * The typed error of an attempt that got no answer: AbortedError when the caller's signal fired,
 * TimeoutError when the attempt's timeout did, else NetworkError (with `detail`, default the
 * cause's message).
 */
export function transportError(
  cause: unknown,
  attempt: {
    readonly url: string
    readonly timeoutMs: number
    readonly aborted: boolean
    readonly timedOut: boolean
    readonly detail?: string
  },
): AbortedError | TimeoutError | NetworkError {
  if (attempt.aborted) return new AbortedError('the request was aborted', { cause })
  if (attempt.timedOut) return new TimeoutError(attempt.url, attempt.timeoutMs, { cause })
  const detail = attempt.detail ?? (cause instanceof Error ? cause.message : String(cause))
  return new NetworkError(attempt.url, detail, { cause })
}

/**
 * The signal of one attempt for a transport without a timeout of its own: fires after
 * `timeoutMs` (a deadline for the whole attempt) or with the caller's `signal`; `timedOut()` says
 * whether the deadline fired. `timeout` makes the deadline's signal (default AbortSignal.timeout;
 * tests inject one they fire).
 */
export function attemptSignal(
  timeoutMs: number,
  signal?: AbortSignal,
  timeout: (ms: number) => AbortSignal = (ms) => AbortSignal.timeout(ms),
): { readonly signal: AbortSignal; timedOut(): boolean } {
  const deadline = timeout(timeoutMs)
  return {
    signal: signal === undefined ? deadline : AbortSignal.any([deadline, signal]),
    timedOut: () => deadline.aborted,
  }
}

/** Exponential backoff with full jitter: a random delay in [base·2^attempt / 2, base·2^attempt], capped. */
export function backoffDelay(
  attempt: number,
  baseDelayMs: number,
  maxDelayMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** attempt)
  return Math.round(ceiling / 2 + (ceiling / 2) * random())
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true
}

function parseBody(body: Buffer): unknown {
  const text = body.toString('utf8')
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text.length > 500 ? `${text.slice(0, 500)}…` : text
  }
}

/** `https://host/path` without the query string (which may carry secrets). */
function publicUrl(url: string): string {
  const u = new URL(url)
  return `${u.origin}${u.pathname}`
}

/** Query parameters that carry secrets: CoinGecko's `x_cg_demo_api_key`/`x_cg_pro_api_key`, and the usual names. */
const SECRET_PARAM =
  /^x[-_]cg[-_][a-z]+[-_]api[-_]key$|api[-_]?key$|token$|secret$|signature$|password$/i

/** The URL for debug logs: the query kept (symbol, times, page) except parameters that carry secrets. */
export function loggableUrl(url: string | URL): string {
  const u = new URL(url)
  u.username = ''
  u.password = ''
  u.hash = ''
  for (const key of [...u.searchParams.keys()]) {
    if (SECRET_PARAM.test(key)) u.searchParams.delete(key)
  }
  return u.href
}

/** Binance's `X-MBX-USED-WEIGHT-<n><unit>` as a number, when the response has it. */
function usedWeight(headers: Readonly<Record<string, string>>): number | undefined {
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('x-mbx-used-weight-')) return Number(value)
  }
  return undefined
}

/** Where a retry's wait comes from. */
function waitSource(error: TickerdataError): 'retry-after' | 'fallback' | 'ban' | 'backoff' {
  if (error instanceof RateLimitError)
    return error.retryAfterMs === undefined ? 'fallback' : 'retry-after'
  return error instanceof IpBannedError ? 'ban' : 'backoff'
}

/**
 * The one HTTP client of the package: timeouts, bounded retries with backoff and jitter, Retry-After
 * on 429, per-host bans on 418 (with a maximum wait), 451 as a fatal error, cancellation, and no
 * secrets in logs or errors.
 */
/**
 * Counts of the throttling answers (HTTP 429 rate limited, 418 banned) that the clients got while
 * a piece of work ran: a job wraps its run in {@link withHttpStatusTally} and records the counts
 * (the trading-alerts jobs keep them in the run's summary as `throttled`).
 */
export class HttpStatusTally {
  readonly counts: Record<'429' | '418', number> = { '429': 0, '418': 0 }
  /** Counts `status` when it is a throttling answer. */
  record(status: number): void {
    if (status === 429 || status === 418) this.counts[status === 429 ? '429' : '418'] += 1
  }
}

const tallies = new AsyncLocalStorage<HttpStatusTally>()

/** Runs `work` with every HTTP answer of the clients it calls counted in `tally`. */
export function withHttpStatusTally<T>(tally: HttpStatusTally, work: () => Promise<T>): Promise<T> {
  return tallies.run(tally, work)
}

export class HttpClient {
  private axios: AxiosInstance | undefined
  private readonly timeoutMs: number
  private readonly maxRetries: number
  private readonly baseDelayMs: number
  private readonly maxDelayMs: number
  private readonly rateLimitFallbackMs: number
  private readonly maxBanWaitMs: number
  private readonly headers: Readonly<Record<string, string>>
  private readonly logger: Logger | undefined
  private readonly sleep: Sleep
  private readonly now: () => number
  private readonly random: () => number
  private readonly bans: HostBans

  constructor(options: HttpClientOptions = {}) {
    this.axios = options.axios
    this.timeoutMs = options.timeoutMs ?? 30_000
    this.maxRetries = options.maxRetries ?? 4
    this.baseDelayMs = options.baseDelayMs ?? 500
    this.maxDelayMs = options.maxDelayMs ?? 30_000
    this.rateLimitFallbackMs = options.rateLimitFallbackMs ?? 60_000
    this.maxBanWaitMs = options.maxBanWaitMs ?? 5 * 60_000
    this.headers = options.headers ?? {}
    this.logger = options.logger
    this.sleep = options.sleep ?? defaultSleep
    this.now = options.now ?? Date.now
    this.random = options.random ?? Math.random
    this.bans = options.bans ?? sharedHostBans
  }

  /** GET `url` with retries; resolves with the raw response (2xx or an accepted status). */
  async get(url: string, options: RequestOptions = {}): Promise<HttpResponse> {
    const target = new URL(url)
    for (const [key, value] of Object.entries(options.params ?? {})) {
      if (value !== undefined) target.searchParams.set(key, String(value))
    }
    const host = target.host
    const shownUrl = publicUrl(target.href)
    const logUrl = loggableUrl(target)
    const debug = this.logger?.debug?.bind(this.logger)
    for (let attempt = 0; ; attempt++) {
      await this.waitForBan(host, options.signal)
      await options.beforeAttempt?.(options.signal)
      let error: TickerdataError
      const began = performance.now()
      try {
        const response = await this.send(target.href, shownUrl, options.signal)
        tallies.getStore()?.record(response.status)
        debug?.('http request', {
          url: logUrl,
          status: response.status,
          ms: Math.round(performance.now() - began),
          bytes: response.body.length,
          usedWeight: usedWeight(response.headers),
        })
        options.onResponse?.(response)
        if (
          (response.status >= 200 && response.status < 300) ||
          options.acceptStatuses?.includes(response.status) === true
        ) {
          return response
        }
        error = this.statusError(response, host)
      } catch (caught) {
        if (!isTickerdataError(caught)) throw caught
        error = caught
        debug?.('http request', {
          url: logUrl,
          status: null,
          ms: Math.round(performance.now() - began),
          code: error.code,
        })
      }
      const decision = {
        url: logUrl,
        attempt: attempt + 1,
        code: error.code,
        ...(error instanceof HttpError ? { status: error.status } : {}),
      }
      if (!shouldRetry(error, attempt, this.maxRetries)) {
        const retryable = isRetryableError(error)
        debug?.('http retry decision', {
          ...decision,
          decision: 'give up',
          why: retryable ? `retries exhausted (${this.maxRetries})` : 'not retryable',
        })
        throw error
      }
      const wait =
        error instanceof RateLimitError
          ? (error.retryAfterMs ?? this.rateLimitFallbackMs)
          : error instanceof IpBannedError
            ? 0
            : backoffDelay(attempt, this.baseDelayMs, this.maxDelayMs, this.random)
      debug?.('http retry decision', {
        ...decision,
        decision: 'retry',
        why: `${error.code} is retryable`,
        waitMs: wait,
        waitFrom: waitSource(error),
      })
      this.logger?.warn('request failed, retrying', {
        url: shownUrl,
        code: error.code,
        error: error.message,
        attempt: attempt + 1,
        waitMs: wait,
      })
      await this.sleep(wait, options.signal)
    }
  }

  /** GET and parse JSON. */
  async getJson(
    url: string,
    options: RequestOptions = {},
  ): Promise<{ data: unknown; response: HttpResponse }> {
    const response = await this.get(url, options)
    try {
      return { data: JSON.parse(response.body.toString('utf8')) as unknown, response }
    } catch (cause) {
      throw new ResponseValidationError(response.url, 'the body is not JSON', { cause })
    }
  }

  private async waitForBan(host: string, signal: AbortSignal | undefined): Promise<void> {
    const until = this.bans.bannedUntil(host, this.now())
    if (until === undefined) return
    const wait = until - this.now()
    if (wait > this.maxBanWaitMs) {
      throw new BanTooLongError({ host, until: new Date(until), maxWaitMs: this.maxBanWaitMs })
    }
    this.logger?.warn('host is banned, waiting for the ban to end', { host, waitMs: wait })
    await this.sleep(wait, signal)
  }

  private async send(
    href: string,
    shownUrl: string,
    signal: AbortSignal | undefined,
  ): Promise<HttpResponse> {
    if (isAborted(signal)) throw new AbortedError()
    let response: AxiosResponse<ArrayBuffer>
    try {
      this.axios ??= (await loadAxios()).default.create()
      response = await this.axios.request<ArrayBuffer>({
        method: 'GET',
        url: href,
        headers: { ...this.headers, 'accept-encoding': 'gzip, deflate' },
        timeout: this.timeoutMs,
        responseType: 'arraybuffer',
        validateStatus: () => true,
        maxRedirects: 5,
        ...(signal === undefined ? {} : { signal }),
      })
    } catch (cause) {
      const code =
        typeof cause === 'object' && cause !== null && 'isAxiosError' in cause && 'code' in cause
          ? String(cause.code)
          : undefined
      throw transportError(cause, {
        url: shownUrl,
        timeoutMs: this.timeoutMs,
        aborted: isAborted(signal),
        timedOut: code === 'ECONNABORTED' || code === 'ETIMEDOUT',
      })
    }
    const headers: Record<string, string> = {}
    for (const [key, value] of Object.entries(response.headers)) {
      if (typeof value === 'string') headers[key.toLowerCase()] = value
      else if (typeof value === 'number') headers[key.toLowerCase()] = String(value)
    }
    return { status: response.status, url: shownUrl, headers, body: Buffer.from(response.data) }
  }

  private statusError(response: HttpResponse, host: string): TickerdataError {
    const body = parseBody(response.body)
    const { status, url } = response
    const retryAfterMs =
      parseRetryAfter(response.headers['retry-after'], this.now()) ??
      parseRateLimitReset(response.headers['x-ratelimit-reset'], this.now())
    if (status === 418) {
      const until = this.now() + (retryAfterMs ?? 120_000)
      this.bans.ban(host, until)
      this.logger?.error('IP banned by the exchange (HTTP 418)', {
        host,
        until: new Date(until).toISOString(),
      })
      return new IpBannedError({ url, body, until: new Date(until) })
    }
    return httpStatusError({ status, url, body, retryAfterMs })
  }
}
