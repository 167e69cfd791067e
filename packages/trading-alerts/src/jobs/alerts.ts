import type { AlertRuleRow } from '../db/schema.js'
import { deliverDueAlerts, type DeliveryDeps, type DeliveryOptions } from '../alerts/delivery.js'
import { evaluateBarRule, evaluateMarketRule, type Evaluation } from '../alerts/evaluation.js'
import { recordEvaluation } from '../alerts/outbox.js'
import { parseAlertRule } from '../alerts/rules.js'
import { listEnabledAlertRules } from '../store/alerts.js'
import { listLoadedSymbols } from '../store/symbols.js'
import { runJobTasks, startJobRun } from './run-bookkeeping.js'
import type { CommonJobOptions, JobResult } from './types.js'

export { deliverDueAlerts }

export type AlertsDeps = DeliveryDeps

export interface AlertsOptions extends CommonJobOptions, Omit<DeliveryOptions, 'signal'> {
  /** Evaluate rules (default true); false only delivers what is due. */
  readonly evaluate?: boolean
}

export interface AlertsResult extends JobResult {
  readonly fired: number
  readonly delivered: number
  readonly retrying: number
  readonly dead: number
}

/**
 * alerts: evaluates every enabled rule on the closed bars it has not seen (each rule fires at most
 * once per bar and symbol, guaranteed by the database), records each event with its webhook
 * delivery (the outbox), and sends the deliveries that are due. Each rule is one task (kind
 * 'rule', key its name): a rule that fails (e.g. an indicator removed) is recorded in its task and
 * the others go on.
 */
export async function runAlerts(
  deps: AlertsDeps,
  options: AlertsOptions = {},
): Promise<AlertsResult> {
  const { database, clock } = deps
  const db = database.db
  const run = await startJobRun(db, 'alerts', {}, clock, options.host)
  const rules = options.evaluate === false ? [] : await listEnabledAlertRules(db)
  let fired = 0
  let delivery = { delivered: 0, retrying: 0, dead: 0 }
  const result = await runJobTasks(
    deps,
    run,
    // One rule at a time, in order: a rule's events are logged and queued before the next's.
    { ...options, concurrency: 1 },
    {
      items: rules,
      taskOf: (rule: AlertRuleRow) => ({ kind: 'rule', key: rule.name, params: {} }),
      work: async (rule, task) => {
        const parsed = parseAlertRule(rule.rule)
        const symbols = rule.symbols as string[]
        let count = 0
        // Symbols with new bars to evaluate, and the firings found (a re-run's are not new events).
        let evaluated = 0
        let matched = 0
        const record = async (cursor: string, r: Evaluation) => {
          if (r.last !== undefined) evaluated++
          matched += r.fired.length
          // Each new event is logged ('alert') in the rule's task log too.
          count += await recordEvaluation(database, rule, cursor, r, clock.now(), task.logger)
        }
        let list: readonly string[] = symbols
        if (parsed.kind === 'market') {
          await record('*', await evaluateMarketRule(db, rule, parsed, symbols))
        } else {
          list = symbols.includes('*')
            ? (await listLoadedSymbols(db, { inTopN: true, orderBy: 'symbol' })).map(
                (s) => s.symbol,
              )
            : symbols
          for (const symbol of list)
            await record(symbol, await evaluateBarRule(db, rule, parsed, symbol))
        }
        task.logger.info('rule evaluated', {
          rule: rule.rule,
          timeframe: parsed.kind === 'market' ? '1d' : rule.timeframe,
          symbols: list.length,
          evaluated,
          matched,
          events: count,
        })
        fired += count
        task.tally.rows = count
        return { state: 'succeeded' }
      },
      afterTasks: async () => {
        delivery = await deliverDueAlerts(deps, {
          ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
          ...(options.retry === undefined ? {} : { retry: options.retry }),
          ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        })
        // The run's summary also counts what fired and what the deliveries did.
        return { fired, ...delivery }
      },
    },
  )
  return { ...result, fired, ...delivery }
}
