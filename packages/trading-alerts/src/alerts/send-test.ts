import type { Kysely } from 'kysely'
import type { AlertRuleRow, Database } from '../db/schema.js'
import { TradingAlertsError } from '../errors.js'
import type { Clock } from '../ports.js'
import { findAlertRuleRow } from '../store/alerts.js'
import {
  buildWebhookBody,
  sendWebhook,
  type AlertMessage,
  type WebhookAttempt,
} from './webhooks.js'

export interface SendTestOptions {
  readonly clock: Clock
  /** The request's timeout; default 10 s. */
  readonly timeoutMs?: number
  readonly signal?: AbortSignal
  /** Sends with this fetch instead of node:http(s) (as the alerts job does). */
  readonly fetch?: typeof fetch
}

export interface SendTestResult {
  readonly rule: AlertRuleRow
  /** The webhook's origin (the path may hold a token: it is never shown). */
  readonly origin: string
  /** What was posted: the rule's preset body of the test message. */
  readonly body: string
  readonly attempt: WebhookAttempt
}

/**
 * Sends one test message to a rule's webhook, as a real delivery of it would be sent (the rule's
 * preset, its signature headers when it has a secret, one POST within a timeout), but marked as a
 * test: the text starts with "TEST", the `json` preset carries `"test": true`, and the delivery id
 * is `test-<rule id>-<ms>` (never an event's id). Writes nothing.
 *
 * @throws TradingAlertsError NOT_FOUND for an unknown rule, INVALID_OPTION for a rule without webhook
 */
export async function sendTestAlert(
  db: Kysely<Database>,
  nameOrId: string,
  options: SendTestOptions,
): Promise<SendTestResult> {
  const byId = /^\d+$/.test(nameOrId)
  const rule = await findAlertRuleRow(db, byId ? { id: Number(nameOrId) } : { name: nameOrId })
  if (rule === undefined) throw new TradingAlertsError('NOT_FOUND', `no alert rule "${nameOrId}"`)
  if (rule.webhook_url === null) {
    throw new TradingAlertsError(
      'INVALID_OPTION',
      `rule ${rule.name} has no webhook: its alerts are only logged (give it one with --webhook URL)`,
    )
  }
  const now = options.clock.now()
  const symbols = rule.symbols as string[]
  const symbol = symbols.find((s) => s !== '*') ?? 'BTCUSDT'
  const barTime = new Date(Math.floor(now.getTime() / 60_000) * 60_000).toISOString()
  const message: AlertMessage & { readonly test: true } = {
    deliveryId: `test-${rule.id}-${now.getTime()}`,
    ruleId: Number(rule.id),
    ruleName: rule.name,
    rule: rule.rule,
    symbol,
    timeframe: rule.timeframe,
    barTime,
    firedAt: now.toISOString(),
    values: {},
    text: `TEST of rule ${rule.name}: ${rule.rule} on ${symbol} ${rule.timeframe} (a test message, not an alert)`,
    test: true,
  }
  const body = buildWebhookBody(rule.webhook_preset, message, {
    ...(rule.telegram_chat_id === null ? {} : { telegramChatId: rule.telegram_chat_id }),
  })
  const attempt = await sendWebhook(
    {
      url: rule.webhook_url,
      body,
      deliveryId: message.deliveryId,
      ...(rule.webhook_secret === null ? {} : { secret: rule.webhook_secret }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    },
    {
      now: () => options.clock.now(),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    },
  )
  return { rule, origin: new URL(rule.webhook_url).origin, body, attempt }
}
