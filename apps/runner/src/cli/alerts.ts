import { readFileSync } from 'node:fs'
import {
  checkRuleSymbols,
  listAlertRules,
  removeAlertRule,
  retryAlertDelivery,
  RuleSyntaxError,
  saveAlertRule,
  sendTestAlert,
  testAlertRule,
  validateAlertRule,
  type AlertRuleInput,
} from '@trading-alerts/trading-alerts'
import type { App } from '../app.js'
import { flag, intFlag, listFlag, UsageError, type Values } from '../args.js'
import { fail, table, withApp, write, type CommandLine } from './common.js'
import { status } from './status.js'

import { alertsHelp } from './help.js'

export { alertsHelp as help }

/** Errors of the library that mean "your input is wrong": exit 2 with the message. */
const INPUT_ERRORS = [
  'INVALID_RULE',
  'UNKNOWN_INDICATOR',
  'UNKNOWN_SYMBOL',
  'INVALID_OPTION',
  'NOT_FOUND',
  'WEBHOOK_CONFIG',
]

async function add(app: App, name: string, rule: string, values: Values): Promise<number> {
  const url = flag(values, 'webhook')
  const preset = flag(values, 'preset')
  const secret = flag(values, 'secret')
  const chat = flag(values, 'telegram-chat-id')
  const symbols = listFlag(values, 'symbols', 'symbol')
  const timeframe = flag(values, 'timeframe')
  const from = flag(values, 'from')
  const input: AlertRuleInput = {
    ...(from === undefined ? {} : { from }),
    name,
    rule,
    enabled: values.disabled !== true,
    ...(symbols.length === 0 ? {} : { symbols }),
    ...(timeframe === undefined ? {} : { timeframe }),
    ...(url === undefined
      ? {}
      : {
          webhook: {
            url,
            ...(preset === undefined ? {} : { preset }),
            ...(secret === undefined ? {} : { secret }),
            ...(chat === undefined ? {} : { telegramChatId: chat }),
          },
        }),
  }
  const row = await saveAlertRule(app.database.db, input, app.clock)
  write(
    `rule ${row.name} (#${row.id}) saved: ${row.rule} on ${row.timeframe}${row.webhook_url === null ? '' : `, webhook (${row.webhook_preset})`}`,
  )
  return 0
}

async function list(app: App, values: Values): Promise<number> {
  const rules = await listAlertRules(app.database.db)
  const rows = rules.map((r) => ({
    id: Number(r.id),
    name: r.name,
    rule: r.rule,
    timeframe: r.timeframe,
    symbols: (r.symbols as string[]).join(','),
    enabled: r.enabled,
    webhook:
      r.webhook_url === null ? 'log only' : `${r.webhook_preset} ${new URL(r.webhook_url).origin}`,
  }))
  if (values.json === true) write(JSON.stringify(rows, null, 2))
  else if (rows.length === 0) write('no alert rules (runner alerts add --help)')
  else write(table(rows, ['id', 'name', 'rule', 'timeframe', 'symbols', 'enabled', 'webhook']))
  return 0
}

async function test(app: App, rule: string | undefined, values: Values): Promise<number> {
  const symbols = listFlag(values, 'symbol', 'symbols')
  if (rule === undefined || symbols.length === 0)
    return fail('usage: runner alerts test "<rule>" --symbol BTCUSDT [--timeframe 1h] [--bars N]')
  const timeframe = flag(values, 'timeframe')
  const bars = flag(values, 'bars')
  const results = []
  for (const symbol of symbols) {
    results.push(
      await testAlertRule(app.database.db, {
        rule,
        symbol,
        ...(timeframe === undefined ? {} : { timeframe }),
        ...(bars === undefined ? {} : { bars: Number(bars) }),
      }),
    )
  }
  if (values.json === true) {
    write(JSON.stringify(results.length === 1 ? results[0] : results, null, 2))
    return 0
  }
  for (const result of results) {
    write(
      `${result.symbol} ${result.timeframe}: ${result.fired.length} firing(s) in ${result.barsEvaluated} closed bars`,
    )
    if (result.fired.length > 0)
      write(
        table(
          result.fired.map((f) => ({
            bar: f.barTime.toISOString(),
            values: Object.entries(f.values)
              .map(([k, v]) => `${k}=${Number(v.toPrecision(8))}`)
              .join(' '),
          })),
          ['bar', 'values'],
        ),
      )
  }
  return 0
}

async function sendTest(app: App, name: string): Promise<number> {
  const { rule, origin, attempt } = await sendTestAlert(app.database.db, name, {
    clock: app.clock,
    timeoutMs: app.config.webhookTimeoutMs,
  })
  const ms = Math.round(attempt.durationMs)
  if (attempt.ok) {
    write(
      `rule ${rule.name}: test message (${rule.webhook_preset}) to ${origin} → HTTP ${attempt.status} in ${ms} ms`,
    )
    return 0
  }
  write(
    `rule ${rule.name}: test message (${rule.webhook_preset}) to ${origin} failed: ${attempt.status === undefined ? attempt.error : `HTTP ${attempt.status}`} in ${ms} ms`,
  )
  return 1
}

/** Queues a dead-lettered delivery again: the alerts job's next run sends it. */
async function retry(app: App, id: number): Promise<number> {
  const result = await retryAlertDelivery(app.database.db, id, app.clock.now())
  if (result.outcome === 'not-found') return fail(`no delivery ${id}`)
  if (result.outcome === 'not-dead')
    return fail(`delivery ${id} is ${result.state}: only a dead delivery can be retried`)
  const d = result.delivery
  write(
    `delivery ${id} (rule ${d.ruleName}, ${d.symbol} ${d.barTime.toISOString()}) is pending again: the next alerts run sends it`,
  )
  return 0
}

async function load(app: App, file: string): Promise<number> {
  let inputs: AlertRuleInput[]
  try {
    inputs = JSON.parse(readFileSync(file, 'utf8')) as AlertRuleInput[]
  } catch (error) {
    return fail(`${file}: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (!Array.isArray(inputs)) return fail(`${file}: expected a JSON array of rules`)
  // Validate every rule first: a file with one bad rule changes nothing.
  for (const [i, input] of inputs.entries()) {
    try {
      await checkRuleSymbols(app.database.db, validateAlertRule(input).symbols)
    } catch (error) {
      return fail(
        `${file}: rule ${i + 1} (${String(input.name)}): ${error instanceof Error ? error.message : String(error)}`,
      )
    }
  }
  for (const input of inputs) await saveAlertRule(app.database.db, input, app.clock)
  write(`${inputs.length} rule(s) loaded from ${file}`)
  return 0
}

/** `runner alerts …` on an open app: returns the exit code (2 for a bad rule or usage). */
export async function alerts(
  app: App,
  positionals: readonly string[],
  values: Values,
): Promise<number> {
  const [, sub, a, b] = positionals
  try {
    switch (sub) {
      case 'add':
        if (a === undefined || b === undefined)
          return fail('usage: runner alerts add <name> "<rule>" [options]')
        return await add(app, a, b, values)
      case 'list':
        return await list(app, values)
      case 'remove':
        if (a === undefined) return fail('usage: runner alerts remove <name|id>')
        await removeAlertRule(app.database.db, a)
        write(`rule ${a} removed`)
        return 0
      case 'test':
        return await test(app, a, values)
      case 'send-test':
        if (a === undefined) return fail('usage: runner alerts send-test <name|id>')
        return await sendTest(app, a)
      case 'load':
        if (a === undefined) return fail('usage: runner alerts load <file.json>')
        return await load(app, a)
      case 'retry':
        if (a === undefined || !/^[1-9]\d{0,14}$/.test(a))
          return fail('usage: runner alerts retry <delivery id> (the ids of status --alerts)')
        return await retry(app, Number(a))
      case 'events': {
        const limit = intFlag(values, 'limit', 20)
        return await status(app, { gaps: false, alerts: true, json: values.json === true, limit })
      }
      case undefined:
      default:
        return fail(
          `runner alerts: expected add, list, remove, test, send-test, load, events or retry, got "${sub ?? ''}"\n\n${alertsHelp()}`,
        )
    }
  } catch (error) {
    if (error instanceof UsageError) return fail(error.message)
    if (error instanceof RuleSyntaxError) return fail(`invalid rule: ${error.message}`)
    const code = (error as { code?: unknown }).code
    if (typeof code === 'string' && INPUT_ERRORS.includes(code))
      return fail((error as Error).message)
    throw error
  }
}

export async function run({ values, positionals }: CommandLine): Promise<number> {
  try {
    intFlag(values, 'limit', 20)
  } catch (error) {
    if (error instanceof UsageError) return fail(error.message)
    throw error
  }
  return withApp('alerts', (app) => alerts(app, positionals, values))
}
