import type { Insertable, Kysely } from 'kysely'
import type { AlertRuleRow, AlertRuleTable, Database, WebhookPresetName } from '../db/schema.js'
import { TradingAlertsError } from '../errors.js'
import { resolveIndicator, seriesName } from '../indicators/registry.js'
import { parseTimeframe, timeframeMs, type Timeframe } from '../indicators/timeframes.js'
import type { Clock } from '../ports.js'
import { bindRule, formatRule, parseRule, seriesKeys, type Rule } from './language.js'
import { parseWebhookPreset } from './webhooks.js'

/** A rule as a user writes it (CLI flags or one entry of a rules file). */
export interface AlertRuleInput {
  readonly name: string
  /** The condition, e.g. `rsi(14) < 30` (see docs/alert-rules.md). */
  readonly rule: string
  /** Symbols to watch; default every tracked symbol (`*`). */
  readonly symbols?: readonly string[] | string
  /** Timeframe of the bars the rule reads; default `1h`. Market rules use the daily snapshot. */
  readonly timeframe?: string
  readonly enabled?: boolean
  /** Evaluate bars closing after this time (ISO or Date); default: when the rule is saved. */
  readonly from?: string | Date
  readonly webhook?: {
    readonly url: string
    readonly preset?: string
    readonly secret?: string
    readonly telegramChatId?: string
  }
}

/**
 * Parses a rule with the indicators the pipeline can compute, so `rsx(14)` or `macd(12,26,9)`
 * without an output is a syntax error at the right character.
 *
 * @throws RuleSyntaxError
 */
export function parseAlertRule(text: string): Rule {
  return parseRule(text, {
    isIndicator: (name, params, output) => {
      try {
        seriesName(`${name}(${params.join(',')})${output === undefined ? '' : `.${output}`}`)
        return undefined
      } catch (error) {
        return error instanceof Error ? error.message : String(error)
      }
    },
  })
}

/** The stored series name of a rule's indicator key (`bbands(20).upper` → `bbands(20,2,2).upper`). */
export function ruleSeriesName(key: string): string {
  return seriesName(key)
}

function normaliseSymbols(symbols: AlertRuleInput['symbols']): string[] {
  const list = (typeof symbols === 'string' ? symbols.split(',') : [...(symbols ?? ['*'])])
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s !== '')
  if (list.length === 0 || list.includes('*')) return ['*']
  for (const s of list) {
    if (!/^[A-Z0-9]{2,20}$/.test(s)) {
      throw new TradingAlertsError('INVALID_RULE', `"${s}" is not a symbol like BTCUSDT`)
    }
  }
  return [...new Set(list)].sort()
}

/** Validates a rule input completely (syntax, timeframe, windows, webhook) without writing. */
export function validateAlertRule(input: AlertRuleInput): {
  rule: Rule
  canonical: string
  timeframe: Timeframe
  symbols: string[]
  webhook: {
    url: string
    preset: WebhookPresetName
    secret: string | null
    telegramChatId: string | null
  } | null
} {
  if (!/^[\w.-]{1,80}$/.test(input.name)) {
    throw new TradingAlertsError(
      'INVALID_RULE',
      `rule name "${input.name}" must be 1 to 80 letters, digits, "_", "-" or "."`,
    )
  }
  if (input.from !== undefined && Number.isNaN(new Date(input.from).getTime())) {
    throw new TradingAlertsError(
      'INVALID_RULE',
      `from: "${String(input.from)}" is not a time (example: 2025-03-01T00:00:00Z)`,
    )
  }
  const rule = parseAlertRule(input.rule)
  const timeframe = parseTimeframe(input.timeframe ?? (rule.kind === 'market' ? '1d' : '1h'))
  if (rule.kind === 'bar') bindRule(rule, timeframeMs(timeframe))
  let webhook = null
  if (input.webhook !== undefined) {
    let url: URL
    try {
      url = new URL(input.webhook.url)
    } catch {
      throw new TradingAlertsError('INVALID_RULE', 'the webhook URL is not a URL')
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new TradingAlertsError('INVALID_RULE', 'the webhook URL must be http or https')
    }
    const preset = parseWebhookPreset(input.webhook.preset ?? 'json')
    if (preset === 'telegram' && input.webhook.telegramChatId === undefined) {
      throw new TradingAlertsError(
        'INVALID_RULE',
        'the telegram preset needs a chat id (--telegram-chat-id)',
      )
    }
    webhook = {
      url: input.webhook.url,
      preset,
      secret: input.webhook.secret ?? null,
      telegramChatId: input.webhook.telegramChatId ?? null,
    }
  }
  return {
    rule,
    canonical: formatRule(rule),
    timeframe,
    symbols: normaliseSymbols(input.symbols),
    webhook,
  }
}

/**
 * Adds a rule, or replaces the rule of that name. A new rule is evaluated from the time it is
 * added: it never fires on old history (use `alerts test` for that).
 */
export async function saveAlertRule(
  db: Kysely<Database>,
  input: AlertRuleInput,
  clock: Clock,
): Promise<AlertRuleRow> {
  const v = validateAlertRule(input)
  const values = ruleValues(input, v, clock.now())
  const from = values.evaluate_from
  return db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('alert_rule')
      .select(['id', 'rule', 'timeframe', 'symbols'])
      .where('name', '=', input.name)
      .executeTakeFirst()
    if (existing === undefined) {
      return trx.insertInto('alert_rule').values(values).returningAll().executeTakeFirstOrThrow()
    }
    return updateRule(trx, existing, v, values, input.from === undefined ? undefined : from)
  })
}

type RuleValues = Omit<Insertable<AlertRuleTable>, 'id'> & {
  created_at: Date
  evaluate_from: Date
}

/** Writes `values` over the rule `existing`; a changed condition (or a `from`) starts it afresh. */
async function updateRule(
  trx: Kysely<Database>,
  existing: Pick<AlertRuleRow, 'id' | 'rule' | 'timeframe' | 'symbols'>,
  v: ReturnType<typeof validateAlertRule>,
  values: RuleValues,
  from: Date | undefined,
): Promise<AlertRuleRow> {
  const sameCondition =
    existing.rule === v.canonical &&
    existing.timeframe === v.timeframe &&
    JSON.stringify(existing.symbols) === JSON.stringify(v.symbols)
  const { created_at: _created, evaluate_from: evaluateFrom, ...changes } = values
  // A changed condition starts afresh from now; a changed webhook keeps the rule's history.
  const restart = !sameCondition || from !== undefined
  const row = await trx
    .updateTable('alert_rule')
    .set(restart ? { ...changes, evaluate_from: from ?? evaluateFrom } : changes)
    .where('id', '=', existing.id)
    .returningAll()
    .executeTakeFirstOrThrow()
  if (restart) await trx.deleteFrom('alert_cursor').where('rule_id', '=', existing.id).execute()
  return row
}

function ruleValues(input: AlertRuleInput, v: ReturnType<typeof validateAlertRule>, now: Date) {
  return {
    name: input.name,
    rule: v.canonical,
    kind: v.rule.kind,
    symbols: JSON.stringify(v.symbols),
    timeframe: v.timeframe,
    enabled: input.enabled ?? true,
    webhook_url: v.webhook?.url ?? null,
    webhook_preset: v.webhook?.preset ?? 'json',
    webhook_secret: v.webhook?.secret ?? null,
    telegram_chat_id: v.webhook?.telegramChatId ?? null,
    created_at: now,
    evaluate_from: input.from === undefined ? now : new Date(input.from),
  } satisfies RuleValues
}

/** A rule by id or name, or undefined. */
export async function getAlertRule(
  db: Kysely<Database>,
  nameOrId: string,
): Promise<AlertRuleRow | undefined> {
  const byId = /^\d+$/.test(nameOrId)
  return db
    .selectFrom('alert_rule')
    .selectAll()
    .where(byId ? 'id' : 'name', '=', byId ? Number(nameOrId) : nameOrId)
    .executeTakeFirst()
}

/** The changes of a partial edit; `webhook: null` removes the webhook. */
export type AlertRulePatch = Partial<Omit<AlertRuleInput, 'webhook'>> & {
  readonly webhook?: AlertRuleInput['webhook'] | null
}

/**
 * Edits the rule `id` with the fields of `patch` (the others kept, the webhook secret too unless
 * the webhook is replaced), validated as a whole like a new rule. A changed condition starts the
 * rule afresh from now, as `saveAlertRule` does.
 *
 * @throws NOT_FOUND, INVALID_RULE (also for a name another rule has), RuleSyntaxError
 */
export async function updateAlertRule(
  db: Kysely<Database>,
  id: number,
  patch: AlertRulePatch,
  clock: Clock,
): Promise<AlertRuleRow> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('alert_rule')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst()
    if (row === undefined) throw new TradingAlertsError('NOT_FOUND', `no alert rule ${id}`)
    const current: AlertRuleInput = {
      name: row.name,
      rule: row.rule,
      symbols: row.symbols as string[],
      timeframe: row.timeframe,
      enabled: row.enabled,
      ...(row.webhook_url === null
        ? {}
        : {
            webhook: {
              url: row.webhook_url,
              preset: row.webhook_preset,
              ...(row.webhook_secret === null ? {} : { secret: row.webhook_secret }),
              ...(row.telegram_chat_id === null ? {} : { telegramChatId: row.telegram_chat_id }),
            },
          }),
    }
    const { webhook, ...rest } = patch
    const input: AlertRuleInput = {
      ...current,
      ...Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined)),
      ...(webhook === undefined ? {} : { webhook: webhook ?? undefined }),
    }
    const v = validateAlertRule(input)
    if (input.name !== row.name) {
      const other = await trx
        .selectFrom('alert_rule')
        .select('id')
        .where('name', '=', input.name)
        .executeTakeFirst()
      if (other !== undefined) {
        throw new TradingAlertsError('INVALID_RULE', `another rule is named "${input.name}"`)
      }
    }
    const now = clock.now()
    const values = ruleValues(input, v, now)
    return updateRule(
      trx,
      row,
      v,
      values,
      input.from === undefined ? undefined : values.evaluate_from,
    )
  })
}

/**
 * Every rule, by name; or, with `after` and `limit`, the page of at most `limit` rules named
 * after `after` (keyset pagination).
 */
export async function listAlertRules(
  db: Kysely<Database>,
  options: { readonly after?: string; readonly limit?: number } = {},
): Promise<AlertRuleRow[]> {
  let q = db.selectFrom('alert_rule').selectAll().orderBy('name')
  if (options.after !== undefined) q = q.where('name', '>', options.after)
  if (options.limit !== undefined) q = q.limit(options.limit)
  return q.execute()
}

/** Removes a rule (by name or id) with its events and deliveries. @throws NOT_FOUND */
export async function removeAlertRule(db: Kysely<Database>, nameOrId: string): Promise<void> {
  const byId = /^\d+$/.test(nameOrId)
  const result = await db
    .deleteFrom('alert_rule')
    .where(byId ? 'id' : 'name', '=', byId ? Number(nameOrId) : nameOrId)
    .executeTakeFirst()
  if (Number(result.numDeletedRows) === 0) {
    throw new TradingAlertsError('NOT_FOUND', `no alert rule "${nameOrId}"`)
  }
}

/** The (timeframe, indicator) pairs enabled bar rules read, for the indicators job. */
export async function ruleIndicators(
  db: Kysely<Database>,
): Promise<{ timeframe: Timeframe; indicator: string }[]> {
  const rules = await db
    .selectFrom('alert_rule')
    .select(['rule', 'timeframe'])
    .where('enabled', '=', true)
    .where('kind', '=', 'bar')
    .execute()
  const out: { timeframe: Timeframe; indicator: string }[] = []
  for (const r of rules) {
    try {
      const rule = parseAlertRule(r.rule)
      for (const key of seriesKeys(rule)) {
        out.push({
          timeframe: parseTimeframe(r.timeframe),
          indicator: resolveIndicator(key).instance.key,
        })
      }
    } catch {
      // A rule that no longer parses (an indicator removed) is reported by the alerts job.
    }
  }
  return out
}
