import { createHmac, timingSafeEqual } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import {
  attemptSignal,
  backoffDelay,
  httpStatusError,
  isRetryableError,
  parseRetryAfter,
  transportError,
} from '@trading-alerts/tickerdata'
import { TradingAlertsError } from '../errors.js'

/** What an alert delivery carries; the `json` preset sends it as is. */
export interface AlertMessage {
  /** The same for every attempt of one delivery: receivers de-duplicate on it. */
  readonly deliveryId: string
  readonly ruleId: number
  readonly ruleName: string
  readonly rule: string
  readonly symbol: string
  readonly timeframe: string
  /** Open time of the bar that fired (ISO). */
  readonly barTime: string
  readonly firedAt: string
  readonly values: Readonly<Record<string, number>>
  /** One sentence for people. */
  readonly text: string
}

/** A webhook configuration error (bad URL, unknown preset, telegram without chat id). */
export class WebhookConfigError extends TradingAlertsError {
  override name = 'WebhookConfigError'
  declare readonly code: 'WEBHOOK_CONFIG'

  constructor(message: string, options?: ErrorOptions) {
    super('WEBHOOK_CONFIG', message, options)
  }
}

export const WEBHOOK_PRESETS = ['json', 'slack', 'discord', 'telegram'] as const
export type WebhookPreset = (typeof WEBHOOK_PRESETS)[number]

/** @throws WebhookConfigError listing the presets. */
export function parseWebhookPreset(text: string): WebhookPreset {
  const p = text.trim().toLowerCase()
  if (!(WEBHOOK_PRESETS as readonly string[]).includes(p)) {
    throw new WebhookConfigError(
      `unknown webhook preset "${text}"; use one of ${WEBHOOK_PRESETS.join(', ')}`,
    )
  }
  return p as WebhookPreset
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v)
  const abs = Math.abs(v)
  if (abs !== 0 && (abs >= 1e15 || abs < 1e-6)) return v.toPrecision(8)
  return String(Number(v.toPrecision(8)))
}

/** `BTCUSDT 1h: rsi(14) < 30 (rsi(14) = 28.41, close = 61234.5) at 2025-03-04T10:00:00Z` */
export function alertText(m: Omit<AlertMessage, 'text' | 'deliveryId'>): string {
  const values = Object.entries(m.values)
    .map(([k, v]) => `${k} = ${formatNumber(v)}`)
    .join(', ')
  const at = m.barTime.replace('.000Z', 'Z')
  return `${m.symbol} ${m.timeframe}: ${m.rule}${values === '' ? '' : ` (${values})`} at ${at}`
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

/**
 * The request body of a delivery in the shape each service accepts: `json` (the AlertMessage
 * with `type: "alert"`), Slack incoming webhooks (`text` + a mrkdwn section), Discord webhooks
 * (`content` ≤ 2000 characters + an embed), Telegram's sendMessage (`chat_id` + `text`).
 *
 * @throws WebhookConfigError for telegram without a chat id.
 */
export function buildWebhookBody(
  preset: WebhookPreset,
  message: AlertMessage,
  options: { readonly telegramChatId?: string } = {},
): string {
  switch (preset) {
    case 'json':
      return JSON.stringify({ type: 'alert', ...message })
    case 'slack':
      return JSON.stringify({
        text: clip(message.text, 3000),
        blocks: [
          {
            type: 'section',
            text: { type: 'mrkdwn', text: clip(`*${message.ruleName}*\n${message.text}`, 3000) },
          },
        ],
      })
    case 'discord':
      return JSON.stringify({
        content: clip(message.text, 2000),
        embeds: [
          {
            title: clip(`${message.ruleName}: ${message.symbol} ${message.timeframe}`, 256),
            description: clip(message.rule, 4096),
            timestamp: message.barTime,
            fields: Object.entries(message.values)
              .slice(0, 25)
              .map(([name, value]) => ({
                name: clip(name, 256),
                value: clip(formatNumber(value), 1024),
                inline: true,
              })),
          },
        ],
      })
    case 'telegram':
      if (options.telegramChatId === undefined || options.telegramChatId === '') {
        throw new WebhookConfigError('the telegram preset needs a chat id')
      }
      return JSON.stringify({
        chat_id: options.telegramChatId,
        text: clip(message.text, 4096),
        disable_web_page_preview: true,
      })
  }
}

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` */
export function signWebhook(secret: string, timestampSeconds: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex')}`
}

/** For receivers: checks the signature (timing-safe) and that the timestamp is recent. */
export function verifyWebhookSignature(input: {
  readonly secret: string
  readonly body: string
  readonly timestamp: string | number
  readonly signature: string
  readonly nowSeconds?: number
  readonly toleranceSeconds?: number
}): boolean {
  const ts = Number(input.timestamp)
  if (!Number.isInteger(ts)) return false
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000)
  if (Math.abs(now - ts) > (input.toleranceSeconds ?? 300)) return false
  const want = Buffer.from(signWebhook(input.secret, ts, input.body))
  const got = Buffer.from(input.signature)
  return want.length === got.length && timingSafeEqual(want, got)
}

export type WebhookAttempt =
  | { readonly ok: true; readonly status: number; readonly durationMs: number }
  | {
      readonly ok: false
      readonly status?: number
      readonly error: string
      readonly retryable: boolean
      readonly retryAfterMs?: number
      readonly durationMs: number
    }

/** What one POST got back. */
interface PostAnswer {
  readonly status: number
  readonly retryAfter: string | null
}

type Post = (
  url: URL,
  headers: Readonly<Record<string, string>>,
  body: string,
  signal: AbortSignal,
) => Promise<PostAnswer>

/**
 * One POST on node:http(s): one TCP connection per attempt at most (kept alive for the next
 * delivery to the same host when the endpoint answers), destroyed on timeout. The global fetch
 * (undici) is not used by default: after an aborted request it opens a second connection that
 * carries nothing (nodejs/undici#5845), so a hanging endpoint saw two connections per attempt.
 * Redirects are not followed.
 */
const postWithNodeHttp: Post = (url, headers, body, signal) =>
  new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest
    const req = send(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        signal,
      },
      (res) => {
        res.on('error', reject)
        res.on('close', () => {
          if (!res.complete) reject(new Error('the connection closed before the answer ended'))
        })
        res.on('end', () => {
          const header = res.headers['retry-after']
          resolve({ status: res.statusCode ?? 0, retryAfter: header ?? null })
        })
        res.resume()
      },
    )
    req.on('error', reject)
    req.end(body)
  })

function postWithFetch(fetchFn: typeof fetch): Post {
  return async (url, headers, body, signal) => {
    const response = await fetchFn(url, {
      method: 'POST',
      headers,
      body,
      signal,
      redirect: 'error',
    })
    await response.arrayBuffer().catch(() => undefined)
    return { status: response.status, retryAfter: response.headers.get('retry-after') }
  }
}

/** The error's own code (`ECONNREFUSED`), its cause's, or its name. */
function failureReason(error: unknown): string {
  if (!(error instanceof Error)) return 'failed'
  const own = (error as { code?: unknown }).code
  const cause = (error.cause as { code?: unknown } | undefined)?.code
  return typeof own === 'string' ? own : typeof cause === 'string' ? cause : error.name
}

/**
 * One attempt of a delivery: POST with the signature headers when a secret is set, within a
 * timeout, on one connection. Never throws. 2xx is success; what else is retryable, the
 * Retry-After header and the attempt's deadline are tickerdata's shared HTTP behaviour
 * (`isRetryableError`, `parseRetryAfter`, `attemptSignal`): 429, 5xx, timeouts and network errors
 * are retryable, other statuses (4xx, an unfollowed 3xx) and the caller's abort are not. Errors
 * show only the URL's origin: Slack, Discord and Telegram put tokens in the path.
 */
export async function sendWebhook(
  request: {
    readonly url: string
    readonly body: string
    readonly secret?: string
    readonly deliveryId: string
    readonly timeoutMs?: number
    readonly signal?: AbortSignal
  },
  deps: {
    /** Sends with this fetch instead of node:http(s). */
    readonly fetch?: typeof fetch
    readonly now?: () => Date
    /** The attempt's timeout; default AbortSignal.timeout. */
    readonly timeoutSignal?: (ms: number) => AbortSignal
  } = {},
): Promise<WebhookAttempt> {
  const now = deps.now ?? (() => new Date())
  const started = performance.now()
  let target: URL
  try {
    target = new URL(request.url)
  } catch {
    return { ok: false, error: 'invalid webhook URL', retryable: false, durationMs: 0 }
  }
  const where = `POST ${target.origin}/…`
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return { ok: false, error: `${where}: not an http(s) URL`, retryable: false, durationMs: 0 }
  }
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'trading-alerts-webhook/1',
    'x-trading-alerts-delivery': request.deliveryId,
  }
  if (request.secret !== undefined && request.secret !== '') {
    const ts = Math.floor(now().getTime() / 1000)
    headers['x-trading-alerts-timestamp'] = String(ts)
    headers['x-trading-alerts-signature'] = signWebhook(request.secret, ts, request.body)
  }
  const timeoutMs = request.timeoutMs ?? 10_000
  const attempt = attemptSignal(timeoutMs, request.signal, deps.timeoutSignal)
  const post = deps.fetch === undefined ? postWithNodeHttp : postWithFetch(deps.fetch)
  let answer: PostAnswer
  try {
    answer = await post(target, headers, request.body, attempt.signal)
  } catch (cause) {
    const durationMs = performance.now() - started
    const error = transportError(cause, {
      url: where,
      timeoutMs,
      aborted: request.signal?.aborted === true,
      timedOut: attempt.timedOut(),
    })
    const reason =
      error.code === 'TIMEOUT' ? `timed out after ${timeoutMs} ms` : failureReason(cause)
    return {
      ok: false,
      error: `${where} ${reason}`,
      retryable: isRetryableError(error),
      durationMs,
    }
  }
  const durationMs = performance.now() - started
  if (answer.status >= 200 && answer.status < 300) {
    return { ok: true, status: answer.status, durationMs }
  }
  const after = parseRetryAfter(answer.retryAfter ?? undefined, now().getTime())
  const error = httpStatusError({
    status: answer.status,
    url: where,
    body: undefined,
    retryAfterMs: after,
  })
  return {
    ok: false,
    status: answer.status,
    error: `${where} → ${answer.status}`,
    retryable: isRetryableError(error),
    ...(after === undefined ? {} : { retryAfterMs: after }),
    durationMs,
  }
}

/** Failed attempts after which a delivery is dead-lettered. */
export const DEFAULT_WEBHOOK_MAX_ATTEMPTS = 8

/**
 * Delay before the next attempt: between 50% and 100% of min(max, base·2^(attempt−1)), i.e.
 * tickerdata's `backoffDelay` with webhook defaults (base 30 s, max 1 h). `attempt` is 1-based.
 */
export function webhookRetryDelayMs(
  attempt: number,
  policy: { readonly baseMs?: number; readonly maxMs?: number } = {},
  random: () => number = Math.random,
): number {
  return backoffDelay(
    Math.max(0, attempt - 1),
    policy.baseMs ?? 30_000,
    policy.maxMs ?? 3_600_000,
    random,
  )
}
