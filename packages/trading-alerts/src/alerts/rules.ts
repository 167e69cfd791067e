import type { Kysely } from 'kysely'
import type { AlertRuleRow, Database, WebhookPresetName } from '../db/schema.js'
import { TradingAlertsError } from '../errors.js'
import { resolveIndicator, seriesName, type IndicatorInstance } from '../indicators/registry.js'
import { parseTimeframe, timeframeMs, type Timeframe } from '../indicators/timeframes.js'
import type { Clock } from '../ports.js'
import {
  deleteAlertRule,
  findAlertRuleRow,
  listAlertRuleRows,
  rewriteAlertRule,
  upsertAlertRule,
  type NewAlertRuleRow,
} from '../store/alerts.js'
import { knownSymbols } from '../store/symbols.js'
import {
  bindRule,
  formatRule,
  parseRule,
  indicatorOperands,
  type IndicatorOperand,
  type ParseOptions,
  type Rule,
} from './language.js'
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
  return parseRule(text, { isIndicator: ruleIndicator })
}

/** A rule's indicator must name one series: one the registry has, with its output when it has several. */
const ruleIndicator: ParseOptions['isIndicator'] = (name, params, output) => {
  try {
    seriesName({ name, params, output })
    return undefined
  } catch (error) {
    if (error instanceof TradingAlertsError) return error.message
    throw error
  }
}

/** An indicator a rule reads, resolved against the registry. */
export interface RuleIndicator {
  /** The operand as parsed. Its `key` is what `evaluateBar` asks the series reader for. */
  readonly operand: IndicatorOperand
  readonly instance: IndicatorInstance
  /** The stored series it reads (`bbands(20).upper` reads `bbands(20,2,2).upper`). */
  readonly seriesName: string
}

/**
 * The indicators a bar rule reads (one per key, sorted), each resolved from its parsed structure.
 *
 * @throws TradingAlertsError('UNKNOWN_INDICATOR') for one the registry no longer has.
 */
export function resolveRuleIndicators(rule: Rule): RuleIndicator[] {
  return indicatorOperands(rule).map((operand) => ({
    operand,
    instance: resolveIndicator(operand).instance,
    seriesName: seriesName(operand),
  }))
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
 * Checks that every symbol a rule names is a pair of the `symbol` table (`*` always is): a typo
 * like NOPEUSDT would otherwise make a rule that never fires.
 *
 * @throws TradingAlertsError UNKNOWN_SYMBOL naming the pairs that are not there
 */
export async function checkRuleSymbols(
  db: Kysely<Database>,
  symbols: readonly string[],
): Promise<void> {
  const named = symbols.filter((s) => s !== '*')
  if (named.length === 0) return
  const found = await knownSymbols(db, named)
  const missing = named.filter((s) => !found.has(s))
  if (missing.length > 0) {
    throw new TradingAlertsError(
      'UNKNOWN_SYMBOL',
      `${missing.join(', ')}: not ${missing.length === 1 ? 'a pair' : 'pairs'} of the symbol table (check the spelling, or run the symbols job first)`,
    )
  }
}

/**
 * Adds a rule, or replaces the rule of that name. Every symbol it names must be in the `symbol`
 * table (UNKNOWN_SYMBOL otherwise). A new rule is evaluated from the time it is
 * added: it never fires on old history (use `alerts test` for that).
 */
export async function saveAlertRule(
  db: Kysely<Database>,
  input: AlertRuleInput,
  clock: Clock,
): Promise<AlertRuleRow> {
  const v = validateAlertRule(input)
  await checkRuleSymbols(db, v.symbols)
  // A changed condition starts afresh from now; a changed webhook keeps the rule's history.
  return upsertAlertRule(db, ruleValues(input, v, clock.now()), input.from !== undefined)
}

/** The row of a validated rule, evaluated from `input.from` or else from `now`. */
function ruleValues(
  input: AlertRuleInput,
  v: ReturnType<typeof validateAlertRule>,
  now: Date,
): NewAlertRuleRow {
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
  }
}

/** A rule by id or name, or undefined. */
export function getAlertRule(
  db: Kysely<Database>,
  nameOrId: string,
): Promise<AlertRuleRow | undefined> {
  return findAlertRuleRow(
    db,
    /^\d+$/.test(nameOrId) ? { id: Number(nameOrId) } : { name: nameOrId },
  )
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
 * @throws NOT_FOUND, INVALID_RULE (also for a name another rule has), UNKNOWN_SYMBOL,
 * RuleSyntaxError
 */
export async function updateAlertRule(
  db: Kysely<Database>,
  id: number,
  patch: AlertRulePatch,
  clock: Clock,
): Promise<AlertRuleRow> {
  const row = await findAlertRuleRow(db, { id })
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
  await checkRuleSymbols(db, v.symbols)
  if (input.name !== row.name && (await findAlertRuleRow(db, { name: input.name })) !== undefined) {
    throw new TradingAlertsError('INVALID_RULE', `another rule is named "${input.name}"`)
  }
  const saved = await rewriteAlertRule(
    db,
    id,
    ruleValues(input, v, clock.now()),
    input.from !== undefined,
  )
  if (saved === undefined) throw new TradingAlertsError('NOT_FOUND', `no alert rule ${id}`)
  return saved
}

/**
 * Every rule, by name; or, with `after` and `limit`, the page of at most `limit` rules named
 * after `after` (keyset pagination).
 */
export function listAlertRules(
  db: Kysely<Database>,
  options: { readonly after?: string; readonly limit?: number } = {},
): Promise<AlertRuleRow[]> {
  return listAlertRuleRows(db, options)
}

/** Removes a rule (by name or id) with its events and deliveries. @throws NOT_FOUND */
export async function removeAlertRule(db: Kysely<Database>, nameOrId: string): Promise<void> {
  const byId = /^\d+$/.test(nameOrId)
  const deleted = await deleteAlertRule(db, byId ? { id: Number(nameOrId) } : { name: nameOrId })
  if (deleted === 0) {
    throw new TradingAlertsError('NOT_FOUND', `no alert rule "${nameOrId}"`)
  }
}

/** The (timeframe, indicator) pairs enabled bar rules read, for the indicators job. */
export async function ruleIndicators(
  db: Kysely<Database>,
): Promise<{ timeframe: Timeframe; instance: IndicatorInstance }[]> {
  const rules = await listAlertRuleRows(db, { enabled: true, kind: 'bar' })
  const out: { timeframe: Timeframe; instance: IndicatorInstance }[] = []
  for (const r of rules) {
    try {
      const timeframe = parseTimeframe(r.timeframe)
      for (const { instance } of resolveRuleIndicators(parseAlertRule(r.rule))) {
        out.push({ timeframe, instance })
      }
    } catch {
      // A rule that no longer parses (an indicator removed) is reported by the alerts job.
    }
  }
  return out
}
