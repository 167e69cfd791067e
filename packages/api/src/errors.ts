/** One bad parameter of a request: `name` is the parameter (or body field path), `message` why. */
export interface ParameterError {
  readonly name: string
  readonly message: string
  /** For a rule with a syntax error: the 0-based character position. */
  readonly position?: number
}

/** The problem types this API answers, the last part of each problem's `type` URI. */
export type ProblemKind =
  | 'bad-request'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'method-not-allowed'
  | 'conflict'
  | 'payload-too-large'
  | 'uri-too-long'
  | 'too-many-requests'
  | 'internal'
  | 'unavailable'

const TITLES: Record<ProblemKind, [status: number, title: string]> = {
  'bad-request': [400, 'Bad request'],
  unauthorized: [401, 'Unauthorized'],
  forbidden: [403, 'Forbidden'],
  'not-found': [404, 'Not found'],
  'method-not-allowed': [405, 'Method not allowed'],
  conflict: [409, 'Conflict'],
  'payload-too-large': [413, 'Payload too large'],
  'uri-too-long': [414, 'URI too long'],
  'too-many-requests': [429, 'Too many requests'],
  internal: [500, 'Internal server error'],
  unavailable: [503, 'Service unavailable'],
}

/** The base of every problem URI (documentation, not fetched). */
export const PROBLEM_BASE = 'https://trading-alerts.dev/problems/'

/**
 * An error the API answers as a problem (RFC 9457): thrown by handlers and middleware, turned
 * into `application/problem+json` in one place. Everything else thrown becomes a 500 whose body
 * says nothing about the cause (the cause is logged).
 */
export class ApiError extends Error {
  override name = 'ApiError'
  readonly kind: ProblemKind
  readonly status: number
  readonly title: string
  readonly errors: readonly ParameterError[] | undefined
  readonly headers: Readonly<Record<string, string>>

  constructor(
    kind: ProblemKind,
    detail: string,
    options: {
      readonly errors?: readonly ParameterError[]
      readonly headers?: Record<string, string>
      readonly cause?: unknown
    } = {},
  ) {
    super(detail, { cause: options.cause })
    const [status, title] = TITLES[kind]
    this.kind = kind
    this.status = status
    this.title = title
    this.errors = options.errors
    this.headers = options.headers ?? {}
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError
}

/** A 400 for one bad parameter. */
export function badParameter(name: string, message: string, position?: number): ApiError {
  return new ApiError('bad-request', `${name}: ${message}`, {
    errors: [{ name, message, ...(position === undefined ? {} : { position }) }],
  })
}

/** The problem+json body of `error`. */
export function problemBody(error: ApiError): Record<string, unknown> {
  return {
    type: PROBLEM_BASE + error.kind,
    title: error.title,
    status: error.status,
    detail: error.message,
    ...(error.errors === undefined ? {} : { errors: error.errors }),
  }
}

/** The answer for `error`: `application/problem+json` with its status and headers. */
export function problemResponse(error: ApiError): Response {
  return new Response(JSON.stringify(problemBody(error)), {
    status: error.status,
    headers: { 'content-type': 'application/problem+json', ...error.headers },
  })
}
