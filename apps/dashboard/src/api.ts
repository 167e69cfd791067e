/**
 * The dashboard's client of the HTTP API (DESIGN §9), on the same origin: the session cookie
 * carries the token, so no request here holds one.
 */

/** A problem+json answer (RFC 9457) of the API, or a network failure (status 0). */
export class ApiProblem extends Error {
  readonly status: number
  readonly title: string
  readonly detail: string
  readonly errors: readonly { name: string; message: string }[]
  readonly retryAfter: number | null

  constructor(
    status: number,
    title: string,
    detail: string,
    errors: readonly { name: string; message: string }[] = [],
    retryAfter: number | null = null,
  ) {
    super(detail === '' ? title : detail)
    this.name = 'ApiProblem'
    this.status = status
    this.title = title
    this.detail = detail
    this.errors = errors
    this.retryAfter = retryAfter
  }
}

type Listener = () => void
const unauthorizedListeners = new Set<Listener>()

/** Called whenever an answer is 401: the session ended (token revoked, cookie cleared). */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener)
  return () => unauthorizedListeners.delete(listener)
}

export type Query = Record<string, string | number | boolean | readonly string[] | undefined | null>

/** `path?query`, repeated keys for arrays (`name=rsi(14)&name=macd(12,26,9)`), empty values left out. */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue
    if (Array.isArray(value)) for (const v of value as readonly string[]) params.append(key, v)
    else params.append(key, String(value))
  }
  const qs = params.toString()
  return qs === '' ? path : `${path}?${qs}`
}

async function problemOf(res: Response): Promise<ApiProblem> {
  let body: { title?: string; detail?: string; errors?: { name: string; message: string }[] } = {}
  try {
    body = (await res.json()) as typeof body
  } catch {
    // not problem+json (a proxy's page): the status says enough
  }
  const retry = res.headers.get('retry-after')
  return new ApiProblem(
    res.status,
    body.title ?? res.statusText,
    body.detail ?? '',
    body.errors ?? [],
    retry === null ? null : Number(retry),
  )
}

async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<T> {
  let res: Response
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers:
        body === undefined
          ? { accept: 'application/json' }
          : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
      signal: signal ?? null,
    })
  } catch (error) {
    if (signal?.aborted === true) throw error
    throw new ApiProblem(0, 'Network error', 'the server cannot be reached')
  }
  if (res.status === 401) for (const l of unauthorizedListeners) l()
  if (!res.ok) throw await problemOf(res)
  if (res.status === 204) return undefined as T
  return (await res.json()) as T
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) =>
    request<T>('GET', withQuery(path, query), undefined, signal),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  delete: <T>(path: string) => request<T>('DELETE', path),
}

// ---- The shapes of §9 the views use ----

export type Scope = 'read' | 'admin'
export interface Session {
  readonly name: string
  readonly scope: Scope
}

export type JobName = 'symbols' | 'historical' | 'incremental' | 'indicators' | 'alerts'
export const JOBS: readonly JobName[] = [
  'symbols',
  'historical',
  'incremental',
  'indicators',
  'alerts',
]
export type RunState = 'running' | 'succeeded' | 'failed' | 'interrupted'
export type TaskState = 'pending' | 'running' | 'succeeded' | 'failed' | 'interrupted' | 'skipped'

export interface Run {
  readonly id: number
  readonly job: JobName
  readonly state: RunState
  readonly startedAt: string
  readonly finishedAt: string | null
  readonly durationS: number | null
  readonly tasks: {
    readonly total: number
    readonly succeeded: number
    readonly failed: number
    readonly running: number
    readonly interrupted: number
    readonly skipped: number
  }
  readonly rows: number
}

export interface RunDetail extends Run {
  readonly params: unknown
  readonly summary: unknown
  readonly error: string | null
}

export interface Task {
  readonly symbol: string | null
  readonly kind: 'symbol' | 'job' | 'rule'
  readonly key: string
  readonly state: TaskState
  readonly attempts: number
  readonly startedAt: string | null
  readonly finishedAt: string | null
  readonly durationS: number | null
  readonly rows: number
  readonly progress: unknown
  readonly error: string | null
  readonly errorCode: string | null
}

export interface LogLine {
  readonly time: string
  readonly level: 'debug' | 'info' | 'warn' | 'error'
  readonly message: string
  readonly fields: Record<string, unknown> | null
}

export interface Page<T> {
  readonly data: T[]
  readonly next: string | null
}

// ---- The Chart view's shapes ----

export interface SymbolInfo {
  readonly symbol: string
  readonly market: string
  readonly status: string
  readonly inTopN: boolean
  readonly firstOpenTime: string | null
  readonly lastUpdatedAt: string | null
}

/** A bar of GET /api/v1/candles (decimals as strings). */
export interface Candle {
  readonly openTime: string
  readonly open: string
  readonly high: string
  readonly low: string
  readonly close: string
  readonly volume: string
}

export interface IndicatorRow {
  readonly openTime: string
  readonly values: Record<string, number | null>
}

export interface CatalogueEntry {
  readonly name: string
  readonly title: string
  readonly family: string
  readonly params: readonly { name: string; default: number; min?: number; max?: number }[]
  readonly outputs: readonly string[]
  readonly overlay: boolean
}

export interface Gap {
  readonly symbol: string
  readonly startTime: string
  readonly endTime: string
  readonly kind: string
}

export interface AlertEvent {
  readonly id: number
  readonly rule: { readonly id: number; readonly name: string }
  readonly symbol: string
  readonly timeframe: string
  readonly barTime: string
  readonly text: string
}

export interface Coverage {
  readonly symbol: string
  readonly firstOpenTime: string | null
  readonly lastUpdatedAt: string | null
  readonly lagSeconds: number | null
  readonly expectedMinutes: number
  readonly storedMinutes: number
  readonly completeness: number | null
  readonly gaps: number
}

export interface TopCoin {
  readonly rank: number | null
  readonly coingeckoId: string
  readonly coinSymbol: string
  readonly name: string
  readonly marketCapUsd: string | null
  readonly priceUsd: string | null
  readonly pair: string | null
  readonly excludedReason: string | null
}

export interface TopDay {
  readonly day: string
  readonly data: TopCoin[]
}
