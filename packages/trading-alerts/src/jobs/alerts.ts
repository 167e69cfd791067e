import { sql, type Kysely } from 'kysely'
import type { Database, AlertRuleRow } from '../db/schema.js'
import type { TradingDatabase } from '../db/database.js'
import { closedBarsEnd } from '../indicators/resample.js'
import { parseTimeframe, timeframeMs, type Timeframe } from '../indicators/timeframes.js'
import type { Clock, Logger } from '../ports.js'
import { parseAlertRule, resolveRuleIndicators } from '../alerts/rules.js'
import { bindRule, evaluateBar, evaluateMarket, type Rule } from '../alerts/language.js'
import {
  alertText,
  buildWebhookBody,
  DEFAULT_WEBHOOK_MAX_ATTEMPTS,
  sendWebhook,
  webhookRetryDelayMs,
  type AlertMessage,
} from '../alerts/webhooks.js'
import { describeError, finishJobRun, runPool, startJobRun } from './run-bookkeeping.js'
import type { CommonJobOptions, JobResult, TaskResult } from './types.js'

export interface AlertsDeps {
  readonly database: TradingDatabase
  readonly clock: Clock
  readonly logger: Logger
  /** A fetch to send webhooks with; default node:http(s), one connection per attempt. */
  readonly fetch?: typeof fetch
  /** For the jitter of retry delays; default Math.random. */
  readonly random?: () => number
}

export interface AlertsOptions extends CommonJobOptions {
  /** Failed attempts after which a delivery is dead-lettered; default 8. */
  readonly maxAttempts?: number
  /** Backoff between attempts: base·2^(n−1) with jitter, capped; default 30 s and 1 h. */
  readonly retry?: { readonly baseMs?: number; readonly maxMs?: number }
  /** Timeout of one webhook request; default 10 s. */
  readonly timeoutMs?: number
  /** Evaluate rules (default true); false only delivers what is due. */
  readonly evaluate?: boolean
}

export interface AlertsResult extends JobResult {
  readonly fired: number
  readonly delivered: number
  readonly retrying: number
  readonly dead: number
}

const FIELDS = new Set(['open', 'high', 'low', 'close', 'volume'])

interface FiredEvent {
  symbol: string
  barTime: Date
  values: Record<string, number>
}

/** Bars of one symbol read for a rule: times, fields and indicator series by time. */
async function loadWindow(
  db: Kysely<Database>,
  symbol: string,
  timeframe: Timeframe,
  after: number,
  upTo: number,
  prefix: number,
  series: readonly string[],
): Promise<{
  times: number[]
  fields: Map<string, number[]>
  values: Map<string, Map<number, number>>
  first: number
}> {
  const table = timeframe === '1m' ? sql`tickerdata_1m` : sql`candle`
  const tf = timeframe === '1m' ? sql`` : sql`and timeframe = ${timeframe}`
  type Row = { t: number; o: number; h: number; l: number; c: number; v: number }
  const cols = sql`(extract(epoch from open_time) * 1000)::float8 as t, open::float8 as o,
    high::float8 as h, low::float8 as l, close::float8 as c, volume::float8 as v`
  const before =
    prefix === 0
      ? []
      : (
          await sql<Row>`select ${cols} from ${table} where symbol = ${symbol} ${tf}
          and open_time <= ${new Date(after)} order by open_time desc limit ${prefix}`.execute(db)
        ).rows.reverse()
  const rows = (
    await sql<Row>`select ${cols} from ${table} where symbol = ${symbol} ${tf}
      and open_time > ${new Date(after)} and open_time <= ${new Date(upTo)} order by open_time`.execute(
      db,
    )
  ).rows
  const all = [...before, ...rows]
  const times = all.map((r) => Number(r.t))
  const fields = new Map<string, number[]>([
    ['open', all.map((r) => Number(r.o))],
    ['high', all.map((r) => Number(r.h))],
    ['low', all.map((r) => Number(r.l))],
    ['close', all.map((r) => Number(r.c))],
    ['volume', all.map((r) => Number(r.v))],
  ])
  const values = new Map<string, Map<number, number>>()
  if (times.length > 0) {
    for (const name of series) {
      const got = await db
        .selectFrom('indicator_value')
        .select(['open_time', 'value'])
        .where('symbol', '=', symbol)
        .where('timeframe', '=', timeframe)
        .where('name', '=', name)
        .where('open_time', '>=', new Date(times[0] as number))
        .where('open_time', '<=', new Date(upTo))
        .execute()
      values.set(name, new Map(got.map((g) => [g.open_time.getTime(), Number(g.value)])))
    }
  }
  return { times, fields, values, first: before.length }
}

/** Evaluates a bar rule for one symbol over the closed bars since its cursor. */
async function evaluateBarRule(
  db: Kysely<Database>,
  rule: AlertRuleRow,
  parsed: Extract<Rule, { kind: 'bar' }>,
  symbol: string,
): Promise<{ fired: FiredEvent[]; last: number | undefined }> {
  const timeframe = parseTimeframe(rule.timeframe)
  const size = timeframeMs(timeframe)
  const { maxOffset } = bindRule(parsed, size)
  const indicators = resolveRuleIndicators(parsed)
  const seriesOf = new Map(indicators.map((i) => [i.operand.key, i.seriesName]))
  const instances = [...new Set(indicators.map((i) => i.instance.key))]

  // Evaluate only bars every input is computed for.
  let upTo: number
  if (timeframe === '1m') {
    const s = await db
      .selectFrom('symbol')
      .select('last_updated_at')
      .where('symbol', '=', symbol)
      .executeTakeFirst()
    if (s?.last_updated_at == null) return { fired: [], last: undefined }
    upTo = closedBarsEnd(s.last_updated_at, '1m') - size
  } else {
    const newest = await db
      .selectFrom('candle')
      .select((eb) => eb.fn.max('open_time').as('t'))
      .where('symbol', '=', symbol)
      .where('timeframe', '=', timeframe)
      .executeTakeFirst()
    if (newest?.t == null) return { fired: [], last: undefined }
    upTo = new Date(newest.t).getTime()
  }
  if (instances.length > 0) {
    const states = await db
      .selectFrom('indicator_state')
      .select(['indicator', 'last_open_time'])
      .where('symbol', '=', symbol)
      .where('timeframe', '=', timeframe)
      .where('indicator', 'in', instances)
      .execute()
    if (states.length < instances.length) return { fired: [], last: undefined }
    for (const s of states) upTo = Math.min(upTo, s.last_open_time.getTime())
  }
  const cursor = await db
    .selectFrom('alert_cursor')
    .select('last_bar')
    .where('rule_id', '=', rule.id)
    .where('symbol', '=', symbol)
    .executeTakeFirst()
  // A bar is new to the rule when it closes after the rule's evaluate_from.
  const after = cursor?.last_bar.getTime() ?? rule.evaluate_from.getTime() - size
  if (upTo <= after) return { fired: [], last: undefined }

  const w = await loadWindow(db, symbol, timeframe, after, upTo, maxOffset, [
    ...new Set(seriesOf.values()),
  ])
  const fired: FiredEvent[] = []
  for (let i = w.first; i < w.times.length; i++) {
    const get = (key: string, offset: number): number | undefined => {
      const j = i - offset
      if (j < 0) return undefined
      if (FIELDS.has(key)) return w.fields.get(key)?.[j]
      const name = seriesOf.get(key)
      return name === undefined ? undefined : w.values.get(name)?.get(w.times[j] as number)
    }
    const r = evaluateBar(parsed, size, get)
    if (r?.fired === true) {
      fired.push({ symbol, barTime: new Date(w.times[i] as number), values: r.values })
    }
  }
  const last = w.times.length > w.first ? (w.times[w.times.length - 1] as number) : undefined
  return { fired, last }
}

/** Evaluates a market rule over the snapshot days since its cursor. */
async function evaluateMarketRule(
  db: Kysely<Database>,
  rule: AlertRuleRow,
  parsed: Extract<Rule, { kind: 'market' }>,
  symbols: readonly string[],
): Promise<{ fired: FiredEvent[]; last: number | undefined }> {
  const cursor = await db
    .selectFrom('alert_cursor')
    .select('last_bar')
    .where('rule_id', '=', rule.id)
    .where('symbol', '=', '*')
    .executeTakeFirst()
  const fromDay = new Date(rule.evaluate_from.toISOString().slice(0, 10) + 'T00:00:00Z').getTime()
  const after = cursor?.last_bar.getTime() ?? fromDay - 1
  const days = (
    await sql<{
      day: string
    }>`select distinct day::text as day from top_coin_snapshot order by 1`.execute(db)
  ).rows.map((r) => Date.parse(`${r.day}T00:00:00Z`))
  const fired: FiredEvent[] = []
  let last: number | undefined
  const ranks = async (day: number) => {
    const rows = await db
      .selectFrom('top_coin_snapshot')
      .select(['coingecko_id', 'coin_symbol', 'pair', 'rank'])
      .where('day', '=', new Date(day).toISOString().slice(0, 10))
      .execute()
    return new Map(rows.map((r) => [r.coingecko_id, r]))
  }
  for (let d = 0; d < days.length; d++) {
    const day = days[d] as number
    if (day <= after) continue
    last = day
    if (d === 0) continue
    const previous = await ranks(days[d - 1] as number)
    const current = await ranks(day)
    for (const id of new Set([...previous.keys(), ...current.keys()])) {
      const p = previous.get(id)
      const c = current.get(id)
      const label = c?.pair ?? p?.pair ?? (c ?? p)?.coin_symbol.toUpperCase() ?? id
      if (!symbols.includes('*') && !symbols.includes(label)) continue
      const prev = p === undefined ? undefined : { rank: p.rank }
      const cur = { rank: c?.rank ?? null }
      if (evaluateMarket(parsed, prev, cur)) {
        const values: Record<string, number> = {}
        if (cur.rank !== null) values.rank = cur.rank
        if (prev?.rank != null) values.previousRank = prev.rank
        fired.push({ symbol: label, barTime: new Date(day), values })
      }
    }
  }
  return { fired, last }
}

/** Records the events of one (rule, symbol) with their deliveries and the new cursor, at once. */
async function record(
  database: TradingDatabase,
  rule: AlertRuleRow,
  cursorSymbol: string,
  result: { fired: FiredEvent[]; last: number | undefined },
  now: Date,
  logger: Logger,
): Promise<number> {
  if (result.last === undefined) return 0
  return database.writeTransaction(async (tx) => {
    let inserted = 0
    for (const e of result.fired) {
      const text = alertText({
        ruleId: rule.id,
        ruleName: rule.name,
        rule: rule.rule,
        symbol: e.symbol,
        timeframe: rule.kind === 'market' ? '1d' : rule.timeframe,
        barTime: e.barTime.toISOString(),
        firedAt: now.toISOString(),
        values: e.values,
      })
      const row = await tx.db
        .insertInto('alert_event')
        .values({
          rule_id: rule.id,
          symbol: e.symbol,
          timeframe: rule.kind === 'market' ? '1d' : rule.timeframe,
          bar_time: e.barTime,
          fired_at: now,
          values: JSON.stringify(e.values),
          text,
        })
        .onConflict((oc) => oc.columns(['rule_id', 'symbol', 'bar_time']).doNothing())
        .returning('id')
        .executeTakeFirst()
      if (row === undefined) continue
      inserted++
      logger.info('alert', {
        rule: rule.name,
        symbol: e.symbol,
        bar: e.barTime.toISOString(),
        text,
      })
      if (rule.webhook_url !== null) {
        await tx.db
          .insertInto('alert_delivery')
          .values({ event_id: Number(row.id), state: 'pending', next_attempt_at: now })
          .execute()
      }
    }
    await tx.db
      .insertInto('alert_cursor')
      .values({ rule_id: rule.id, symbol: cursorSymbol, last_bar: new Date(result.last as number) })
      .onConflict((oc) =>
        oc
          .columns(['rule_id', 'symbol'])
          .doUpdateSet((eb) => ({ last_bar: eb.ref('excluded.last_bar') })),
      )
      .execute()
    return inserted
  })
}

/**
 * Sends the deliveries that are due, each once: success marks it delivered; a retryable failure
 * schedules the next attempt with backoff (or the endpoint's Retry-After); a permanent failure or
 * the last allowed attempt dead-letters it. Requests run with a timeout, four at a time, so a
 * failing endpoint costs at most one timeout per run and never blocks the pipeline.
 */
export async function deliverDueAlerts(
  deps: AlertsDeps,
  options: AlertsOptions = {},
): Promise<{ delivered: number; retrying: number; dead: number }> {
  const { database, clock, logger } = deps
  const db = database.db
  const now = clock.now()
  const due = await db
    .selectFrom('alert_delivery as d')
    .innerJoin('alert_event as e', 'e.id', 'd.event_id')
    .innerJoin('alert_rule as r', 'r.id', 'e.rule_id')
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
  const counts = { delivered: 0, retrying: 0, dead: 0 }
  const maxAttempts = options.maxAttempts ?? DEFAULT_WEBHOOK_MAX_ATTEMPTS
  await runPool(
    due,
    4,
    async (d) => {
      const attempt = Number(d.attempts) + 1
      if (d.webhook_url === null) {
        await db
          .updateTable('alert_delivery')
          .set({ state: 'dead', attempts: attempt, last_error: 'the rule has no webhook any more' })
          .where('id', '=', d.id)
          .execute()
        counts.dead++
        return
      }
      const message: AlertMessage = {
        deliveryId: String(d.event_id),
        ruleId: Number(d.rule_id),
        ruleName: d.name,
        rule: d.rule,
        symbol: d.symbol,
        timeframe: d.timeframe,
        barTime: d.bar_time.toISOString(),
        firedAt: d.fired_at.toISOString(),
        values: d.values as Record<string, number>,
        text: d.text,
      }
      let outcome
      try {
        const body = buildWebhookBody(d.webhook_preset, message, {
          ...(d.telegram_chat_id === null ? {} : { telegramChatId: d.telegram_chat_id }),
        })
        outcome = await sendWebhook(
          {
            url: d.webhook_url,
            body,
            deliveryId: message.deliveryId,
            timeoutMs: options.timeoutMs ?? 10_000,
            ...(d.webhook_secret === null ? {} : { secret: d.webhook_secret }),
            ...(options.signal === undefined ? {} : { signal: options.signal }),
          },
          { ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }), now: () => clock.now() },
        )
      } catch (error) {
        outcome = {
          ok: false as const,
          error: describeError(error).message,
          retryable: false,
          durationMs: 0,
        }
      }
      if (outcome.ok) {
        await db
          .updateTable('alert_delivery')
          .set({
            state: 'delivered',
            attempts: attempt,
            last_status: outcome.status,
            last_error: null,
            delivered_at: clock.now(),
          })
          .where('id', '=', d.id)
          .execute()
        counts.delivered++
        return
      }
      const dead = !outcome.retryable || attempt >= maxAttempts
      const delay = outcome.retryAfterMs ?? webhookRetryDelayMs(attempt, options.retry, deps.random)
      await db
        .updateTable('alert_delivery')
        .set({
          state: dead ? 'dead' : 'pending',
          attempts: attempt,
          last_status: outcome.status ?? null,
          last_error: outcome.error,
          next_attempt_at: new Date(clock.now().getTime() + (dead ? 0 : delay)),
        })
        .where('id', '=', d.id)
        .execute()
      if (dead) {
        counts.dead++
        logger.error('alert delivery dead-lettered', {
          delivery: d.id,
          rule: d.name,
          attempts: attempt,
          error: outcome.error,
        })
      } else {
        counts.retrying++
        logger.warn('alert delivery failed, will retry', {
          delivery: d.id,
          rule: d.name,
          attempt,
          inMs: delay,
          error: outcome.error,
        })
      }
    },
    undefined,
    () => Promise.resolve(),
  )
  return counts
}

/**
 * alerts: evaluates every enabled rule on the closed bars it has not seen (each rule fires at most
 * once per bar and symbol, guaranteed by the database), logs each event, queues its webhook, and
 * sends the deliveries that are due. A rule that fails (e.g. an indicator removed) is recorded in
 * its task and the others go on.
 */
export async function runAlerts(
  deps: AlertsDeps,
  options: AlertsOptions = {},
): Promise<AlertsResult> {
  const { database, clock, logger } = deps
  const db = database.db
  const run = await startJobRun(db, 'alerts', {}, clock, options.host)
  const rules =
    options.evaluate === false
      ? []
      : await db
          .selectFrom('alert_rule')
          .selectAll()
          .where('enabled', '=', true)
          .orderBy('id')
          .execute()
  const tasks: TaskResult[] = []
  let fired = 0
  for (const rule of rules) {
    if (options.signal?.aborted === true) break
    const started = clock.now()
    let task: TaskResult
    try {
      const parsed = parseAlertRule(rule.rule)
      const symbols = rule.symbols as string[]
      let count = 0
      if (parsed.kind === 'market') {
        const r = await evaluateMarketRule(db, rule, parsed, symbols)
        count += await record(database, rule, '*', r, clock.now(), logger)
      } else {
        const list = symbols.includes('*')
          ? (
              await db
                .selectFrom('symbol')
                .select('symbol')
                .where('in_top_n', '=', true)
                .where('last_updated_at', 'is not', null)
                .orderBy('symbol')
                .execute()
            ).map((s) => s.symbol)
          : symbols
        for (const symbol of list) {
          const r = await evaluateBarRule(db, rule, parsed, symbol)
          count += await record(database, rule, symbol, r, clock.now(), logger)
        }
      }
      fired += count
      task = { symbol: `rule:${rule.name}`, state: 'succeeded', rows: count, attempts: 1 }
    } catch (error) {
      const { message, code } = describeError(error)
      logger.error('alert rule failed', { rule: rule.name, error: message, code })
      task = {
        symbol: `rule:${rule.name}`,
        state: 'failed',
        rows: 0,
        attempts: 1,
        error: message,
        errorCode: code,
      }
    }
    tasks.push(task)
    await db
      .insertInto('task_run')
      .values({
        job_run_id: run.id,
        job: 'alerts',
        symbol: task.symbol,
        params: JSON.stringify({ job: 'alerts', rule: rule.name }),
        state: task.state,
        attempts: 1,
        started_at: started,
        finished_at: clock.now(),
        rows_written: task.rows,
        error: task.error ?? null,
        error_code: task.errorCode ?? null,
      })
      .execute()
  }
  const delivery = await deliverDueAlerts(deps, options)
  const result = await finishJobRun(db, run, tasks, clock, options.signal?.aborted === true)
  // The run's summary also counts what fired and what the deliveries did.
  await db
    .updateTable('job_run')
    .set({
      summary: JSON.stringify({
        tasks: tasks.length,
        succeeded: tasks.filter((t) => t.state === 'succeeded').length,
        failed: tasks.filter((t) => t.state === 'failed').length,
        rows: fired,
        fired,
        ...delivery,
      }),
    })
    .where('id', '=', run.id)
    .execute()
  return { ...result, fired, ...delivery }
}
