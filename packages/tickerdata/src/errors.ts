/**
 * Machine-readable reason for a failure. Branch on `code`, not on `message`.
 *
 * Retryable by nature: `RATE_LIMITED`, `TIMEOUT`, `NETWORK_ERROR` (and 5xx `HTTP_ERROR`s).
 */
export type TickerdataErrorCode =
  | 'HTTP_ERROR'
  | 'RATE_LIMITED'
  | 'IP_BANNED'
  | 'BAN_TOO_LONG'
  | 'RESTRICTED_LOCATION'
  | 'EXCHANGE_ERROR'
  | 'INVALID_RESPONSE'
  | 'TIMEOUT'
  | 'NETWORK_ERROR'
  | 'ABORTED'
  | 'CHECKSUM_MISMATCH'
  | 'ARCHIVE_FORMAT'
  | 'CALENDAR_RANGE'
  | 'AUTH_FAILED'
  | 'RECENT_SIP_DATA'

/** Base class for every error this package throws on purpose. */
export class TickerdataError extends Error {
  override name = 'TickerdataError'
  readonly code: TickerdataErrorCode

  constructor(code: TickerdataErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.code = code
  }
}

/** The API answered with a non-2xx status. `url` never carries the query string. */
export class HttpError extends TickerdataError {
  override name = 'HttpError'
  readonly status: number
  readonly url: string
  /** Parsed JSON body when the API sent one, raw text otherwise. Never contains request headers. */
  readonly body: unknown

  constructor(
    params: {
      status: number
      url: string
      body: unknown
      code?: TickerdataErrorCode
      message?: string
    },
    options?: ErrorOptions,
  ) {
    super(
      params.code ?? 'HTTP_ERROR',
      params.message ?? `HTTP ${params.status} from "${params.url}"`,
      options,
    )
    this.status = params.status
    this.url = params.url
    this.body = params.body
  }
}

/** HTTP 429: slow down. `retryAfterMs` comes from the Retry-After header when present. */
export class RateLimitError extends HttpError {
  override name = 'RateLimitError'
  readonly retryAfterMs: number | undefined

  constructor(
    params: { status: number; url: string; body: unknown; retryAfterMs: number | undefined },
    options?: ErrorOptions,
  ) {
    super(
      {
        ...params,
        code: 'RATE_LIMITED',
        message: `rate limited (HTTP ${params.status}) by "${params.url}"${params.retryAfterMs === undefined ? '' : `; retry after ${Math.ceil(params.retryAfterMs / 1000)} s`}`,
      },
      options,
    )
    this.retryAfterMs = params.retryAfterMs
  }
}

/** HTTP 418 from Binance: the IP is banned until `until` because 429s were ignored. */
export class IpBannedError extends HttpError {
  override name = 'IpBannedError'
  readonly until: Date

  constructor(params: { url: string; body: unknown; until: Date }, options?: ErrorOptions) {
    super(
      {
        status: 418,
        url: params.url,
        body: params.body,
        code: 'IP_BANNED',
        message: `IP banned by "${params.url}" until ${params.until.toISOString()} (HTTP 418: earlier 429s were not respected)`,
      },
      options,
    )
    this.until = params.until
  }
}

/** A 418 ban longer than the configured maximum wait: fail fast rather than hang for hours. */
export class BanTooLongError extends TickerdataError {
  override name = 'BanTooLongError'
  readonly host: string
  readonly until: Date

  constructor(params: { host: string; until: Date; maxWaitMs: number }, options?: ErrorOptions) {
    super(
      'BAN_TOO_LONG',
      `requests to ${params.host} are banned until ${params.until.toISOString()}, longer than the allowed wait of ${Math.round(params.maxWaitMs / 1000)} s; try again after the ban ends`,
      options,
    )
    this.host = params.host
    this.until = params.until
  }
}

/** HTTP 451: the service refuses this location. Fatal: retrying cannot help. */
export class RestrictedLocationError extends HttpError {
  override name = 'RestrictedLocationError'

  constructor(params: { url: string; body: unknown }, options?: ErrorOptions) {
    super(
      {
        status: 451,
        url: params.url,
        body: params.body,
        code: 'RESTRICTED_LOCATION',
        message: `"${params.url}" refuses requests from this location (HTTP 451, restricted by the exchange's terms). Point the client at another base URL (for Binance market data: apiUrl "https://data-api.binance.vision", or BINANCE_API_URL for the runner), or run from a permitted location.`,
      },
      options,
    )
  }
}

/** The exchange answered with its own error body, e.g. Binance `{"code":-1121,"msg":"Invalid symbol."}`. */
export class ExchangeApiError extends HttpError {
  override name = 'ExchangeApiError'
  /** The exchange's own error code (Binance: negative numbers such as -1121). */
  readonly exchangeCode: number
  readonly exchangeMessage: string

  constructor(
    params: {
      status: number
      url: string
      body: unknown
      exchangeCode: number
      exchangeMessage: string
    },
    options?: ErrorOptions,
  ) {
    super(
      {
        ...params,
        code: 'EXCHANGE_ERROR',
        message: `"${params.url}" answered ${params.status}: ${params.exchangeMessage} (code ${params.exchangeCode})`,
      },
      options,
    )
    this.exchangeCode = params.exchangeCode
    this.exchangeMessage = params.exchangeMessage
  }
}

/** The API answered 2xx but the payload did not have the shape we rely on. */
export class ResponseValidationError extends TickerdataError {
  override name = 'ResponseValidationError'
  readonly url: string

  constructor(url: string, detail: string, options?: ErrorOptions) {
    super('INVALID_RESPONSE', `unexpected response shape from "${url}": ${detail}`, options)
    this.url = url
  }
}

/** No answer within the timeout. */
export class TimeoutError extends TickerdataError {
  override name = 'TimeoutError'
  readonly url: string

  constructor(url: string, timeoutMs: number, options?: ErrorOptions) {
    super('TIMEOUT', `no answer from "${url}" within ${timeoutMs} ms`, options)
    this.url = url
  }
}

/** The connection failed or was dropped before an answer. */
export class NetworkError extends TickerdataError {
  override name = 'NetworkError'
  readonly url: string

  constructor(url: string, detail: string, options?: ErrorOptions) {
    super('NETWORK_ERROR', `network error on "${url}": ${detail}`, options)
    this.url = url
  }
}

/** The caller's AbortSignal fired. */
export class AbortedError extends TickerdataError {
  override name = 'AbortedError'

  constructor(message = 'the request was aborted', options?: ErrorOptions) {
    super('ABORTED', message, options)
  }
}

/** An archive file's sha256 differs from its `.CHECKSUM`. */
export class ChecksumMismatchError extends TickerdataError {
  override name = 'ChecksumMismatchError'
  readonly file: string
  readonly expected: string
  readonly actual: string

  constructor(params: { file: string; expected: string; actual: string }, options?: ErrorOptions) {
    super(
      'CHECKSUM_MISMATCH',
      `checksum mismatch for ${params.file}: the .CHECKSUM says ${params.expected}, the file hashes to ${params.actual}`,
      options,
    )
    this.file = params.file
    this.expected = params.expected
    this.actual = params.actual
  }
}

/** An archive file (zip, CSV or CHECKSUM) is malformed. `line` is 1-based when known. */
export class ArchiveFormatError extends TickerdataError {
  override name = 'ArchiveFormatError'
  readonly file: string
  readonly line: number | undefined

  constructor(params: { file: string; line?: number; detail: string }, options?: ErrorOptions) {
    super(
      'ARCHIVE_FORMAT',
      `${params.file}${params.line === undefined ? '' : `, line ${params.line}`}: ${params.detail}`,
      options,
    )
    this.file = params.file
    this.line = params.line
  }
}

/** A calendar question about dates outside the years the calendar carries (never a silent guess). */
export class CalendarRangeError extends TickerdataError {
  override name = 'CalendarRangeError'
  readonly calendar: string
  readonly firstYear: number
  readonly lastYear: number

  constructor(
    params: { calendar: string; asked: string; firstYear: number; lastYear: number },
    options?: ErrorOptions,
  ) {
    super(
      'CALENDAR_RANGE',
      `the ${params.calendar} calendar covers ${params.firstYear}-${params.lastYear} only; asked about ${params.asked}`,
      options,
    )
    this.calendar = params.calendar
    this.firstYear = params.firstYear
    this.lastYear = params.lastYear
  }
}

/** HTTP 401/403 for a missing, wrong or insufficient API key (Alpaca). The key is never in the message. */
export class AuthError extends HttpError {
  override name = 'AuthError'

  constructor(params: { status: number; url: string; body: unknown }, options?: ErrorOptions) {
    super(
      {
        ...params,
        code: 'AUTH_FAILED',
        message: `"${params.url}" refused the API key (HTTP ${params.status}); check the key id and secret`,
      },
      options,
    )
  }
}

/**
 * Alpaca's 403 `subscription does not permit querying recent SIP data`: on the free plan the SIP
 * feed serves only data older than 15 minutes. Ask for an earlier `end`, or use `feed: 'iex'`.
 */
export class RecentSipDataError extends HttpError {
  override name = 'RecentSipDataError'

  constructor(params: { url: string; body: unknown }, options?: ErrorOptions) {
    super(
      {
        status: 403,
        url: params.url,
        body: params.body,
        code: 'RECENT_SIP_DATA',
        message: `"${params.url}": subscription does not permit querying recent SIP data (the free plan serves SIP bars older than 15 minutes; end earlier or use the iex feed)`,
      },
      options,
    )
  }
}

/** True for every error this package throws on purpose. */
export function isTickerdataError(error: unknown): error is TickerdataError {
  return error instanceof TickerdataError
}
