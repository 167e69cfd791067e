/**
 * The outbox, the second part of the alerts: a rule's events → `alert_event` rows, each with its
 * `alert_delivery` row when the rule has a webhook, and the rule's new cursor, in ONE transaction:
 * an event is never recorded without its delivery, nor a cursor moved past an unrecorded event.
 */
import type { TradingDatabase } from '../db/database.js'
import type { AlertRuleRow } from '../db/schema.js'
import type { Logger } from '../ports.js'
import { insertAlertDelivery, insertAlertEvent, writeAlertCursor } from '../store/alerts.js'
import type { Evaluation } from './evaluation.js'
import { alertText } from './webhooks.js'

/**
 * Records what evaluating `rule` for `cursorSymbol` (`*` for a market rule) found, at `now`.
 * Events already recorded (a re-run) are skipped. Returns the events new to the table.
 */
export async function recordEvaluation(
  database: TradingDatabase,
  rule: AlertRuleRow,
  cursorSymbol: string,
  result: Evaluation,
  now: Date,
  logger: Logger,
): Promise<number> {
  const { last } = result
  if (last === undefined) return 0
  const timeframe = rule.kind === 'market' ? '1d' : rule.timeframe
  return database.writeTransaction(async (tx) => {
    let inserted = 0
    for (const e of result.fired) {
      const text = alertText({
        ruleId: rule.id,
        ruleName: rule.name,
        rule: rule.rule,
        symbol: e.symbol,
        timeframe,
        barTime: e.barTime.toISOString(),
        firedAt: now.toISOString(),
        values: e.values,
      })
      const eventId = await insertAlertEvent(tx.db, {
        ruleId: rule.id,
        symbol: e.symbol,
        timeframe,
        barTime: e.barTime,
        firedAt: now,
        values: e.values,
        text,
      })
      if (eventId === undefined) continue
      inserted++
      logger.info('alert', {
        rule: rule.name,
        symbol: e.symbol,
        bar: e.barTime.toISOString(),
        text,
      })
      if (rule.webhook_url !== null) await insertAlertDelivery(tx.db, eventId, now)
    }
    await writeAlertCursor(tx.db, rule.id, cursorSymbol, last)
    return inserted
  })
}
