/** The one writer of `alert_rule`, `alert_cursor`, `alert_event` and `alert_delivery`, and their reads. */
import type { Insertable, Kysely } from 'kysely'
import type {
  AlertDeliveryRow,
  AlertEventRow,
  AlertRuleRow,
  AlertRuleTable,
  Database,
  DeliveryState,
} from '../db/schema.js'

export type NewAlertRuleRow = Insertable<AlertRuleTable>

/**
 * Inserts a rule, or updates the rule of that name. A changed condition (rule, timeframe or
 * symbols), or `restart`, moves its `evaluate_from` and clears its cursors (it starts afresh); a
 * changed webhook alone keeps the rule's history. One transaction.
 */
export function upsertAlertRule(
  db: Kysely<Database>,
  values: NewAlertRuleRow,
  restart: boolean,
): Promise<AlertRuleRow> {
  return db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('alert_rule')
      .select(['id', 'rule', 'timeframe', 'symbols'])
      .where('name', '=', values.name)
      .executeTakeFirst()
    if (existing === undefined) {
      return trx.insertInto('alert_rule').values(values).returningAll().executeTakeFirstOrThrow()
    }
    return overwriteRule(trx, existing, values, restart)
  })
}

/**
 * Writes `values` (its name too) over the rule `id`, with `upsertAlertRule`'s rule for a changed
 * condition. Undefined when there is no such rule. One transaction, the row locked.
 */
export function rewriteAlertRule(
  db: Kysely<Database>,
  id: number,
  values: NewAlertRuleRow,
  restart: boolean,
): Promise<AlertRuleRow | undefined> {
  return db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('alert_rule')
      .select(['id', 'rule', 'timeframe', 'symbols'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst()
    return existing === undefined ? undefined : overwriteRule(trx, existing, values, restart)
  })
}

async function overwriteRule(
  trx: Kysely<Database>,
  existing: Pick<AlertRuleRow, 'id' | 'rule' | 'timeframe' | 'symbols'>,
  values: NewAlertRuleRow,
  restart: boolean,
): Promise<AlertRuleRow> {
  const sameCondition =
    existing.rule === values.rule &&
    existing.timeframe === values.timeframe &&
    JSON.stringify(existing.symbols) === values.symbols
  const { created_at: _created, evaluate_from: from, ...changes } = values
  const row = await trx
    .updateTable('alert_rule')
    .set(sameCondition && !restart ? changes : { ...changes, evaluate_from: from })
    .where('id', '=', existing.id)
    .returningAll()
    .executeTakeFirstOrThrow()
  if (!sameCondition || restart) {
    await trx.deleteFrom('alert_cursor').where('rule_id', '=', existing.id).execute()
  }
  return row
}

/** Every rule, by name (only the enabled ones, of one kind, when asked). */
export function listAlertRuleRows(
  db: Kysely<Database>,
  filter: {
    readonly enabled?: boolean
    readonly kind?: 'bar' | 'market'
    /** Keyset paging: only the rules named after this one. */
    readonly after?: string
    readonly limit?: number
  } = {},
): Promise<AlertRuleRow[]> {
  let query = db.selectFrom('alert_rule').selectAll()
  if (filter.enabled !== undefined) query = query.where('enabled', '=', filter.enabled)
  if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind)
  if (filter.after !== undefined) query = query.where('name', '>', filter.after)
  query = query.orderBy('name')
  return (filter.limit === undefined ? query : query.limit(filter.limit)).execute()
}

/** One rule by id or by name; undefined when there is none. */
export function findAlertRuleRow(
  db: Kysely<Database>,
  by: { readonly id: number } | { readonly name: string },
): Promise<AlertRuleRow | undefined> {
  return db
    .selectFrom('alert_rule')
    .selectAll()
    .where('id' in by ? 'id' : 'name', '=', 'id' in by ? by.id : by.name)
    .executeTakeFirst()
}

/** The enabled rules in the order the alerts job evaluates them (by id). */
export function listEnabledAlertRules(db: Kysely<Database>): Promise<AlertRuleRow[]> {
  return db.selectFrom('alert_rule').selectAll().where('enabled', '=', true).orderBy('id').execute()
}

/** Deletes a rule by name or id, with its cursors, events and deliveries. Returns the rows deleted. */
export async function deleteAlertRule(
  db: Kysely<Database>,
  by: { readonly id: number } | { readonly name: string },
): Promise<number> {
  const result = await db
    .deleteFrom('alert_rule')
    .where('id' in by ? 'id' : 'name', '=', 'id' in by ? by.id : by.name)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}

/** The last bar (ms) a rule was evaluated up to for `symbol` (`*` for market rules). */
export async function readAlertCursor(
  db: Kysely<Database>,
  ruleId: number,
  symbol: string,
): Promise<number | undefined> {
  const cursor = await db
    .selectFrom('alert_cursor')
    .select('last_bar')
    .where('rule_id', '=', ruleId)
    .where('symbol', '=', symbol)
    .executeTakeFirst()
  return cursor?.last_bar.getTime()
}

/** Moves a rule's cursor for `symbol` to `lastBar`. */
export async function writeAlertCursor(
  db: Kysely<Database>,
  ruleId: number,
  symbol: string,
  lastBar: number,
): Promise<void> {
  await db
    .insertInto('alert_cursor')
    .values({ rule_id: ruleId, symbol, last_bar: new Date(lastBar) })
    .onConflict((oc) =>
      oc
        .columns(['rule_id', 'symbol'])
        .doUpdateSet((eb) => ({ last_bar: eb.ref('excluded.last_bar') })),
    )
    .execute()
}

/** An event of a rule: what fired, where and when. */
export interface NewAlertEvent {
  readonly ruleId: number
  readonly symbol: string
  readonly timeframe: string
  readonly barTime: Date
  readonly firedAt: Date
  readonly values: Record<string, number>
  readonly text: string
}

/**
 * Records an event unless the rule already fired for that symbol and bar (the database's
 * guarantee). Returns the new event's id, or undefined when it was already recorded.
 */
export async function insertAlertEvent(
  db: Kysely<Database>,
  e: NewAlertEvent,
): Promise<number | undefined> {
  const row = await db
    .insertInto('alert_event')
    .values({
      rule_id: e.ruleId,
      symbol: e.symbol,
      timeframe: e.timeframe,
      bar_time: e.barTime,
      fired_at: e.firedAt,
      values: JSON.stringify(e.values),
      text: e.text,
    })
    .onConflict((oc) => oc.columns(['rule_id', 'symbol', 'bar_time']).doNothing())
    .returning('id')
    .executeTakeFirst()
  return row === undefined ? undefined : Number(row.id)
}

/** Queues the webhook delivery of an event, due at `dueAt`. */
export async function insertAlertDelivery(
  db: Kysely<Database>,
  eventId: number,
  dueAt: Date,
): Promise<void> {
  await db
    .insertInto('alert_delivery')
    .values({ event_id: eventId, state: 'pending', next_attempt_at: dueAt })
    .execute()
}

/** A pending delivery that is due, with its event and rule. */
export interface DueDelivery extends NewAlertEvent {
  readonly id: number
  readonly attempts: number
  readonly eventId: number
  readonly ruleName: string
  readonly rule: string
  readonly webhookUrl: string | null
  readonly webhookPreset: AlertRuleRow['webhook_preset']
  readonly webhookSecret: string | null
  readonly telegramChatId: string | null
}

/** The pending deliveries due at `now`, oldest first. */
export async function listDueDeliveries(db: Kysely<Database>, now: Date): Promise<DueDelivery[]> {
  const rows = await deliveryJoin(db)
    .select([
      'd.id',
      'd.attempts',
      'e.id as event_id',
      'e.symbol',
      'e.timeframe',
      'e.bar_time',
      'e.fired_at',
      'e.values',
      'e.text',
      'r.id as rule_id',
      'r.name',
      'r.rule',
      'r.webhook_url',
      'r.webhook_preset',
      'r.webhook_secret',
      'r.telegram_chat_id',
    ])
    .where('d.state', '=', 'pending')
    .where('d.next_attempt_at', '<=', now)
    .orderBy('d.id')
    .execute()
  return rows.map((d) => ({
    id: Number(d.id),
    attempts: Number(d.attempts),
    eventId: Number(d.event_id),
    symbol: d.symbol,
    timeframe: d.timeframe,
    barTime: d.bar_time,
    firedAt: d.fired_at,
    values: d.values as Record<string, number>,
    text: d.text,
    ruleId: Number(d.rule_id),
    ruleName: d.name,
    rule: d.rule,
    webhookUrl: d.webhook_url,
    webhookPreset: d.webhook_preset,
    webhookSecret: d.webhook_secret,
    telegramChatId: d.telegram_chat_id,
  }))
}

/** A delivery's state after an attempt. */
export interface DeliveryUpdate {
  readonly state: DeliveryState
  readonly attempts: number
  readonly lastStatus: number | null
  readonly lastError: string | null
  readonly nextAttemptAt?: Date
  readonly deliveredAt?: Date
}

/** Writes a delivery's state after an attempt. */
export async function updateAlertDelivery(
  db: Kysely<Database>,
  id: number,
  update: DeliveryUpdate,
): Promise<void> {
  await db
    .updateTable('alert_delivery')
    .set({
      state: update.state,
      attempts: update.attempts,
      last_status: update.lastStatus,
      last_error: update.lastError,
      ...(update.nextAttemptAt === undefined ? {} : { next_attempt_at: update.nextAttemptAt }),
      ...(update.deliveredAt === undefined ? {} : { delivered_at: update.deliveredAt }),
    })
    .where('id', '=', id)
    .execute()
}

/** Alert events, newest first (of one rule or symbol, when given; for the API). */
export function listAlertEvents(
  db: Kysely<Database>,
  filter: { readonly ruleId?: number; readonly symbol?: string; readonly limit?: number } = {},
): Promise<AlertEventRow[]> {
  let query = db.selectFrom('alert_event').selectAll()
  if (filter.ruleId !== undefined) query = query.where('rule_id', '=', filter.ruleId)
  if (filter.symbol !== undefined) query = query.where('symbol', '=', filter.symbol)
  return query
    .orderBy('id', 'desc')
    .limit(filter.limit ?? 100)
    .execute()
}

/** Webhook deliveries, newest first (in one state, when given; for the API). */
export function listAlertDeliveries(
  db: Kysely<Database>,
  filter: { readonly state?: DeliveryState; readonly limit?: number } = {},
): Promise<AlertDeliveryRow[]> {
  let query = db.selectFrom('alert_delivery').selectAll()
  if (filter.state !== undefined) query = query.where('state', '=', filter.state)
  return query
    .orderBy('id', 'desc')
    .limit(filter.limit ?? 100)
    .execute()
}

/** An alert event with its rule's name and its delivery (null for a rule without a webhook). */
export interface AlertEventView {
  readonly id: number
  readonly ruleId: number
  readonly ruleName: string
  readonly symbol: string
  readonly timeframe: string
  readonly barTime: Date
  readonly firedAt: Date
  readonly values: Record<string, number>
  readonly text: string
  readonly delivery: {
    readonly id: number
    readonly state: DeliveryState
    readonly attempts: number
  } | null
}

/**
 * A page of alert events, newest first (by id): of one rule and one symbol when given, with ids
 * below `beforeId` (the keyset of the page before). Fetch `limit + 1` to learn whether more follow.
 */
export async function alertEventPage(
  db: Kysely<Database>,
  filter: {
    readonly ruleId?: number
    readonly symbol?: string
    readonly beforeId?: number
    readonly limit: number
  },
): Promise<AlertEventView[]> {
  let query = db
    .selectFrom('alert_event as e')
    .innerJoin('alert_rule as r', 'r.id', 'e.rule_id')
    .leftJoin('alert_delivery as d', 'd.event_id', 'e.id')
    .select([
      'e.id',
      'e.rule_id',
      'r.name',
      'e.symbol',
      'e.timeframe',
      'e.bar_time',
      'e.fired_at',
      'e.values',
      'e.text',
      'd.id as delivery_id',
      'd.state',
      'd.attempts',
    ])
  if (filter.ruleId !== undefined) query = query.where('e.rule_id', '=', filter.ruleId)
  if (filter.symbol !== undefined) query = query.where('e.symbol', '=', filter.symbol)
  if (filter.beforeId !== undefined) query = query.where('e.id', '<', filter.beforeId)
  const rows = await query.orderBy('e.id', 'desc').limit(filter.limit).execute()
  return rows.map((r) => ({
    id: Number(r.id),
    ruleId: Number(r.rule_id),
    ruleName: r.name,
    symbol: r.symbol,
    timeframe: r.timeframe,
    barTime: r.bar_time,
    firedAt: r.fired_at,
    values: r.values as Record<string, number>,
    text: r.text,
    delivery:
      r.delivery_id === null || r.state === null
        ? null
        : { id: Number(r.delivery_id), state: r.state, attempts: Number(r.attempts ?? 0) },
  }))
}

/** A webhook delivery with its event and rule (never the rule's webhook URL or secret). */
export interface AlertDeliveryView {
  readonly id: number
  readonly eventId: number
  readonly ruleId: number
  readonly ruleName: string
  readonly symbol: string
  readonly barTime: Date
  readonly state: DeliveryState
  readonly attempts: number
  readonly nextAttemptAt: Date
  readonly lastStatus: number | null
  readonly lastError: string | null
  readonly deliveredAt: Date | null
}

/** Each delivery (`d`) with its event (`e`) and the event's rule (`r`). */
function deliveryJoin(db: Kysely<Database>) {
  return db
    .selectFrom('alert_delivery as d')
    .innerJoin('alert_event as e', 'e.id', 'd.event_id')
    .innerJoin('alert_rule as r', 'r.id', 'e.rule_id')
}

function deliveryQuery(db: Kysely<Database>) {
  return deliveryJoin(db).select([
    'd.id',
    'd.event_id',
    'e.rule_id',
    'r.name',
    'e.symbol',
    'e.bar_time',
    'd.state',
    'd.attempts',
    'd.next_attempt_at',
    'd.last_status',
    'd.last_error',
    'd.delivered_at',
  ])
}

type DeliveryJoinRow = Awaited<ReturnType<ReturnType<typeof deliveryQuery>['execute']>>[number]

function deliveryView(d: DeliveryJoinRow): AlertDeliveryView {
  return {
    id: Number(d.id),
    eventId: Number(d.event_id),
    ruleId: Number(d.rule_id),
    ruleName: d.name,
    symbol: d.symbol,
    barTime: d.bar_time,
    state: d.state,
    attempts: Number(d.attempts),
    nextAttemptAt: d.next_attempt_at,
    lastStatus: d.last_status,
    lastError: d.last_error,
    deliveredAt: d.delivered_at,
  }
}

/** A page of webhook deliveries, newest first (by id), like {@link alertEventPage}. */
export async function alertDeliveryPage(
  db: Kysely<Database>,
  filter: {
    readonly state?: DeliveryState
    readonly ruleId?: number
    readonly beforeId?: number
    readonly limit: number
  },
): Promise<AlertDeliveryView[]> {
  let query = deliveryQuery(db)
  if (filter.state !== undefined) query = query.where('d.state', '=', filter.state)
  if (filter.ruleId !== undefined) query = query.where('e.rule_id', '=', filter.ruleId)
  if (filter.beforeId !== undefined) query = query.where('d.id', '<', filter.beforeId)
  const rows = await query.orderBy('d.id', 'desc').limit(filter.limit).execute()
  return rows.map(deliveryView)
}

/** What {@link retryAlertDelivery} did. */
export type RetryOutcome =
  | { readonly outcome: 'retried'; readonly delivery: AlertDeliveryView }
  | { readonly outcome: 'not-found' }
  | { readonly outcome: 'not-dead'; readonly state: DeliveryState }

/**
 * Puts a dead-lettered delivery back in the queue: `pending`, due at `now`, with its attempts
 * reset (the alerts job's next run delivers it). Only a `dead` delivery moves: a pending one is
 * already queued and a delivered one was received, so both answer `not-dead` and change nothing.
 */
export async function retryAlertDelivery(
  db: Kysely<Database>,
  id: number,
  now: Date,
): Promise<RetryOutcome> {
  const moved = await db
    .updateTable('alert_delivery')
    .set({ state: 'pending', attempts: 0, next_attempt_at: now, last_error: null })
    .where('id', '=', id)
    .where('state', '=', 'dead')
    .returning('id')
    .executeTakeFirst()
  const row = await deliveryQuery(db).where('d.id', '=', id).executeTakeFirst()
  if (row === undefined) return { outcome: 'not-found' }
  if (moved === undefined) return { outcome: 'not-dead', state: row.state }
  return { outcome: 'retried', delivery: deliveryView(row) }
}
