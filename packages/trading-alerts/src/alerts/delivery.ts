/**
 * Delivery, the third part of the alerts: the deliveries that are due → one webhook attempt each,
 * and what the attempt means for the delivery, decided by the pure `nextDeliveryState`.
 */
import type { TradingDatabase } from '../db/database.js'
import type { Clock, Logger } from '../ports.js'
import { describeError, runPool } from '../jobs/run-bookkeeping.js'
import {
  listDueDeliveries,
  updateAlertDelivery,
  type DeliveryUpdate,
  type DueDelivery,
} from '../store/alerts.js'
import {
  buildWebhookBody,
  DEFAULT_WEBHOOK_MAX_ATTEMPTS,
  sendWebhook,
  webhookRetryDelayMs,
  type AlertMessage,
  type WebhookAttempt,
} from './webhooks.js'

/** When to give up and how long to wait between attempts. */
export interface DeliveryPolicy {
  /** Failed attempts after which a delivery is dead-lettered; default 8. */
  readonly maxAttempts?: number
  /** Backoff between attempts: base·2^(n−1) with jitter, capped; default 30 s and 1 h. */
  readonly retry?: { readonly baseMs?: number; readonly maxMs?: number }
  /** For the jitter of retry delays; default Math.random. */
  readonly random?: () => number
}

/** How an attempt went: the webhook's answer, or a failure before any request (never retried). */
export type DeliveryOutcome =
  | WebhookAttempt
  | {
      readonly ok: false
      readonly error: string
      readonly retryable: false
      readonly status?: number
    }

/** A delivery's next state, and for a retry the delay until its next attempt. */
export type NextDeliveryState = DeliveryUpdate &
  (
    | { readonly state: 'delivered'; readonly deliveredAt: Date }
    | { readonly state: 'pending'; readonly nextAttemptAt: Date; readonly delayMs: number }
    | { readonly state: 'dead'; readonly nextAttemptAt: Date }
  )

/**
 * Pure: what an attempt means for a delivery that had made `delivery.attempts` attempts before it.
 * Success: delivered now. A retryable failure before the last allowed attempt: pending, the next
 * attempt after the endpoint's Retry-After or the backoff of this attempt. A permanent failure,
 * or the last allowed attempt: dead.
 */
export function nextDeliveryState(
  delivery: { readonly attempts: number },
  outcome: DeliveryOutcome,
  now: Date,
  policy: DeliveryPolicy = {},
): NextDeliveryState {
  const attempts = delivery.attempts + 1
  if (outcome.ok) {
    return {
      state: 'delivered',
      attempts,
      lastStatus: outcome.status,
      lastError: null,
      deliveredAt: now,
    }
  }
  const lastStatus = outcome.status ?? null
  const maxAttempts = policy.maxAttempts ?? DEFAULT_WEBHOOK_MAX_ATTEMPTS
  if (!outcome.retryable || attempts >= maxAttempts) {
    return { state: 'dead', attempts, lastStatus, lastError: outcome.error, nextAttemptAt: now }
  }
  const delayMs =
    ('retryAfterMs' in outcome ? outcome.retryAfterMs : undefined) ??
    webhookRetryDelayMs(attempts, policy.retry, policy.random)
  return {
    state: 'pending',
    attempts,
    lastStatus,
    lastError: outcome.error,
    nextAttemptAt: new Date(now.getTime() + delayMs),
    delayMs,
  }
}

export interface DeliveryDeps {
  readonly database: TradingDatabase
  readonly clock: Clock
  readonly logger: Logger
  /** A fetch to send webhooks with; default node:http(s), one connection per attempt. */
  readonly fetch?: typeof fetch
  /** For the jitter of retry delays; default Math.random. */
  readonly random?: () => number
}

export interface DeliveryOptions {
  readonly maxAttempts?: number
  readonly retry?: { readonly baseMs?: number; readonly maxMs?: number }
  /** Timeout of one webhook request; default 10 s. */
  readonly timeoutMs?: number
  readonly signal?: AbortSignal
}

/** One attempt at a due delivery. */
async function attempt(
  deps: DeliveryDeps,
  d: DueDelivery,
  options: DeliveryOptions,
): Promise<DeliveryOutcome> {
  if (d.webhookUrl === null) {
    return { ok: false, error: 'the rule has no webhook any more', retryable: false }
  }
  const message: AlertMessage = {
    deliveryId: String(d.eventId),
    ruleId: d.ruleId,
    ruleName: d.ruleName,
    rule: d.rule,
    symbol: d.symbol,
    timeframe: d.timeframe,
    barTime: d.barTime.toISOString(),
    firedAt: d.firedAt.toISOString(),
    values: d.values,
    text: d.text,
  }
  try {
    const body = buildWebhookBody(d.webhookPreset, message, {
      ...(d.telegramChatId === null ? {} : { telegramChatId: d.telegramChatId }),
    })
    return await sendWebhook(
      {
        url: d.webhookUrl,
        body,
        deliveryId: message.deliveryId,
        timeoutMs: options.timeoutMs ?? 10_000,
        ...(d.webhookSecret === null ? {} : { secret: d.webhookSecret }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      },
      { ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }), now: () => deps.clock.now() },
    )
  } catch (error) {
    return { ok: false, error: describeError(error).message, retryable: false }
  }
}

/**
 * Sends the deliveries that are due, each once: success marks it delivered; a retryable failure
 * schedules the next attempt with backoff (or the endpoint's Retry-After); a permanent failure or
 * the last allowed attempt dead-letters it. Requests run with a timeout, four at a time, so a
 * failing endpoint costs at most one timeout per run and never blocks the pipeline.
 */
export async function deliverDueAlerts(
  deps: DeliveryDeps,
  options: DeliveryOptions = {},
): Promise<{ delivered: number; retrying: number; dead: number }> {
  const { database, clock, logger } = deps
  const due = await listDueDeliveries(database.db, clock.now())
  const counts = { delivered: 0, retrying: 0, dead: 0 }
  const policy: DeliveryPolicy = {
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    ...(deps.random === undefined ? {} : { random: deps.random }),
  }
  await runPool(
    due,
    4,
    async (d) => {
      const outcome = await attempt(deps, d, options)
      const next = nextDeliveryState(d, outcome, clock.now(), policy)
      await updateAlertDelivery(database.db, d.id, next)
      if (next.state === 'delivered') counts.delivered++
      else if (next.state === 'dead') {
        counts.dead++
        logger.error('alert delivery dead-lettered', {
          delivery: d.id,
          rule: d.ruleName,
          attempts: next.attempts,
          error: next.lastError,
        })
      } else {
        counts.retrying++
        logger.warn('alert delivery failed, will retry', {
          delivery: d.id,
          rule: d.ruleName,
          attempt: next.attempts,
          inMs: next.delayMs,
          error: next.lastError,
        })
      }
    },
    undefined,
    () => Promise.resolve(),
  )
  return counts
}
