import { readFileSync, rmSync } from 'node:fs'
import {
  listAlertRules,
  removeAlertRule,
  RuleSyntaxError,
  saveAlertRule,
  testAlertRule,
  validateAlertRule,
  type AlertRuleInput,
  type JobResult,
} from '@trading-alerts/trading-alerts'
import {
  alertDeliveries,
  createApp,
  knownHoles,
  recentAlertEvents,
  RUNNABLE_JOBS,
  recentRuns,
  runDaemon,
  runJob,
  runTasks,
  type App,
  type RunnableJob,
} from './app.js'
import { flag, intFlag, parseCommandLine, UsageError, type Values } from './args.js'
import { ConfigError, environment, isInteractive, loadConfig, type Config } from './config.js'
import { ProgressDisplay, ProgressLog, summaryTable, type DisplayLogger } from './display.js'
import { consoleLogger } from './logger.js'

const HELP: Record<string, string> = {
  main: `runner: keeps a PostgreSQL database of crypto market data complete and current

Usage: runner <command> [options]

Commands:
  job <name>                             run one job once, then exit (0 all ok, 1 a task failed, 2 bad configuration)
                                         names: symbols, historical, incremental, indicators, alerts
  start                                  the daemon: cron schedules of every job until SIGINT/SIGTERM
  status [runId] [--gaps|--alerts] [--json]
                                         recent runs; one run's tasks; gaps and holes; alerts and dead letters
  alerts <add|list|remove|test|load|events>
                                         manage alert rules (see "runner alerts --help")
  migrate                                apply the database migrations
  demo                                   offline end to end against the bundled exchange simulator

Options: --help (also after a command), --version

Configuration comes from the environment and a .env file: see the README's configuration table.
Run "runner <command> --help" for a command's options.
`,
  job: `Usage: runner job <symbols|historical|incremental|indicators|alerts>

  indicators  resample the new closed bars to INDICATOR_TIMEFRAMES and compute INDICATORS (and
              what alert rules use) over them, continuing from the saved state
  alerts      evaluate the alert rules on the new closed bars, log and queue what fires, send the
              webhook deliveries that are due (retries with backoff, dead letter after
              ALERT_MAX_ATTEMPTS failures)

Runs the job once and exits: 0 when every task succeeded, 1 when any failed (the others still ran),
2 on a configuration error. Shows live progress on a terminal, JSON-line logs otherwise, and a
summary table at the end. SIGINT/SIGTERM stop it after the current file or batch.
`,
  start: `Usage: runner start

The daemon: node-cron schedules in UTC (SYMBOLS_CRON, then historical; HISTORICAL_CRON;
INCREMENTAL_CRON), one run of a job at a time even across runners sharing a database, catch-up
of what was due while it was down. SIGINT/SIGTERM: stop scheduling, let running jobs finish
their current file or batch within SHUTDOWN_DEADLINE_MS, exit 0.
`,
  status: `Usage: runner status [runId] [--gaps] [--alerts] [--json] [--limit N]

  (no argument)  the recent runs of every job: state, start, duration, symbols ok/failed, rows
  runId          every symbol's task in that run: state, attempts, rows, duration, error
  --gaps         known exchange gaps and failed archive files (holes)
  --alerts       recent alert events, webhook deliveries by state, and the dead letters
  --json         machine-readable output
  --limit N      how many runs to list (default 20)
`,
  alerts: `Usage: runner alerts <command>

  add <name> "<rule>" [--symbols BTCUSDT,ETHUSDT] [--timeframe 1h] [--webhook URL]
      [--preset json|slack|discord|telegram] [--secret S] [--telegram-chat-id ID] [--disabled]
      [--from 2025-03-01T00:00:00Z]
                 add a rule, or replace the rule of that name (it fires on bars that close from
                 now on, or from --from). Rules: packages/trading-alerts/docs/alert-rules.md, e.g.
                 "rsi(14) < 30", "close crosses above sma(200)", "change(1h) >= 5%", "enters top 10"
  list [--json]  every rule
  remove <name|id>
  test "<rule>" --symbol BTCUSDT [--timeframe 1h] [--bars 500]
                 the bars of the stored history the rule would have fired on; writes nothing
  load <file.json>
                 add or replace the rules of a JSON file: [{ "name", "rule", "symbols"?,
                 "timeframe"?, "webhook"?: { "url", "preset"?, "secret"?, "telegramChatId"? } }]
                 (all are validated before any is saved)
  events [--limit N] [--json]
                 the newest alert events and their deliveries
`,
  migrate: `Usage: runner migrate

Applies every pending database migration (jobs also apply them on start).
`,
  demo: `Usage: runner demo

Offline, with no configuration: starts the exchange simulator on 127.0.0.1, then runs symbols,
historical (last month and this month), incremental and indicators into an embedded database in
./.data/demo (wiped first), shows where an alert rule would have fired, and prints the status.
`,
}

function write(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
}

function table(rows: readonly object[], columns: readonly string[]): string {
  const cells = rows.map((row) => {
    const r = row as Record<string, string | number | boolean | null | undefined>
    return columns.map((c) => {
      const v = r[c]
      return v === null || v === undefined ? '' : String(v)
    })
  })
  const widths = columns.map((c, i) =>
    Math.max(c.length, ...cells.map((row) => (row[i] ?? '').length)),
  )
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()
  return [line(columns), ...cells.map(line)].join('\n')
}

/** Runs one job with progress, summary and exit code. */
async function oneShot(app: App, job: RunnableJob, interactive: boolean): Promise<number> {
  const controller = new AbortController()
  const stop = (signal: string) => {
    app.logger.warn('stopping after the current file or batch', { signal })
    controller.abort()
  }
  const onInt = () => stop('SIGINT')
  const onTerm = () => stop('SIGTERM')
  process.once('SIGINT', onInt)
  process.once('SIGTERM', onTerm)
  const display = interactive
    ? new ProgressDisplay({ logger: app.logger as DisplayLogger })
    : new ProgressLog(app.logger)
  try {
    display.start()
    let result: JobResult | null
    try {
      result = await runJob(app, job, {
        signal: controller.signal,
        onProgress: (e) => display.update(e),
      })
    } finally {
      display.stop()
    }
    if (result === null) {
      write(`${job}: another runner holds this job's lock; nothing done`)
      return 1
    }
    write(summaryTable(result))
    return result.state === 'succeeded' ? 0 : result.state === 'interrupted' ? 0 : 1
  } finally {
    process.off('SIGINT', onInt)
    process.off('SIGTERM', onTerm)
  }
}

async function status(
  app: App,
  args: {
    runId?: string | undefined
    gaps: boolean
    alerts?: boolean
    json: boolean
    limit: number
  },
): Promise<number> {
  if (args.alerts === true) {
    const deliveries = await alertDeliveries(app, args.limit)
    const events = await recentAlertEvents(app, args.limit)
    if (args.json) write(JSON.stringify({ events, deliveries }, null, 2))
    else {
      write(`alert events (newest ${events.length}):`)
      if (events.length > 0)
        write(table(events, ['id', 'rule', 'symbol', 'bar', 'delivery', 'text']))
      write(
        `webhook deliveries: ${deliveries.delivered} delivered, ${deliveries.pending} pending, ${deliveries.dead} dead`,
      )
      if (deliveries.deadLetters.length > 0) {
        write('dead letters:')
        write(
          table(deliveries.deadLetters, [
            'delivery',
            'rule',
            'symbol',
            'bar',
            'attempts',
            'status',
            'error',
          ]),
        )
      }
    }
    return 0
  }
  if (args.gaps) {
    const holes = await knownHoles(app)
    if (args.json) write(JSON.stringify(holes, null, 2))
    else {
      write(`exchange gaps (${holes.exchangeGaps.length}):`)
      if (holes.exchangeGaps.length > 0)
        write(table(holes.exchangeGaps, ['symbol', 'start', 'end', 'minutes']))
      write(`failed archive files (${holes.failedFiles.length}):`)
      if (holes.failedFiles.length > 0)
        write(table(holes.failedFiles, ['symbol', 'period', 'attempts', 'error']))
    }
    return 0
  }
  if (args.runId !== undefined) {
    const id = Number(args.runId)
    if (!Number.isSafeInteger(id)) {
      process.stderr.write(`status: "${args.runId}" is not a run id (see "runner status")\n`)
      return 2
    }
    const tasks = await runTasks(app, id)
    if (args.json) write(JSON.stringify(tasks, null, 2))
    else if (tasks.length === 0) write(`run ${id}: no tasks`)
    else
      write(
        table(tasks, ['symbol', 'state', 'attempts', 'rows', 'durationS', 'errorCode', 'error']),
      )
    return 0
  }
  const runs = await recentRuns(app, args.limit)
  if (args.json) write(JSON.stringify(runs, null, 2))
  else if (runs.length === 0) write('no runs yet')
  else {
    write(table(runs, ['id', 'job', 'state', 'startedAt', 'durationS', 'ok', 'failed', 'rows']))
    const deliveries = await alertDeliveries(app, 0)
    if (deliveries.dead > 0 || deliveries.pending > 0) {
      write(
        `\nalerts: ${deliveries.pending} webhook deliveries pending, ${deliveries.dead} dead-lettered (runner status --alerts)`,
      )
    }
  }
  return 0
}

/** `runner alerts …`: returns the exit code (2 for a bad rule or usage). */
async function alerts(app: App, positionals: readonly string[], values: Values): Promise<number> {
  const [, sub, a, b] = positionals
  const fail = (message: string) => {
    process.stderr.write(`${message}\n`)
    return 2
  }
  try {
    switch (sub) {
      case 'add': {
        if (a === undefined || b === undefined)
          return fail('usage: runner alerts add <name> "<rule>" [options]')
        const url = flag(values, 'webhook')
        const preset = flag(values, 'preset')
        const secret = flag(values, 'secret')
        const chat = flag(values, 'telegram-chat-id')
        const symbols = flag(values, 'symbols')
        const timeframe = flag(values, 'timeframe')
        const from = flag(values, 'from')
        const input: AlertRuleInput = {
          ...(from === undefined ? {} : { from }),
          name: a,
          rule: b,
          enabled: values.disabled !== true,
          ...(symbols === undefined ? {} : { symbols }),
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
      case 'list': {
        const rules = await listAlertRules(app.database.db)
        const rows = rules.map((r) => ({
          id: Number(r.id),
          name: r.name,
          rule: r.rule,
          timeframe: r.timeframe,
          symbols: (r.symbols as string[]).join(','),
          enabled: r.enabled,
          webhook:
            r.webhook_url === null
              ? 'log only'
              : `${r.webhook_preset} ${new URL(r.webhook_url).origin}`,
        }))
        if (values.json === true) write(JSON.stringify(rows, null, 2))
        else if (rows.length === 0) write('no alert rules (runner alerts add --help)')
        else
          write(table(rows, ['id', 'name', 'rule', 'timeframe', 'symbols', 'enabled', 'webhook']))
        return 0
      }
      case 'remove':
        if (a === undefined) return fail('usage: runner alerts remove <name|id>')
        await removeAlertRule(app.database.db, a)
        write(`rule ${a} removed`)
        return 0
      case 'test': {
        const symbol = flag(values, 'symbol')
        if (a === undefined || symbol === undefined)
          return fail(
            'usage: runner alerts test "<rule>" --symbol BTCUSDT [--timeframe 1h] [--bars N]',
          )
        const timeframe = flag(values, 'timeframe')
        const bars = flag(values, 'bars')
        const result = await testAlertRule(app.database.db, {
          rule: a,
          symbol,
          ...(timeframe === undefined ? {} : { timeframe }),
          ...(bars === undefined ? {} : { bars: Number(bars) }),
        })
        if (values.json === true) write(JSON.stringify(result, null, 2))
        else {
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
      case 'load': {
        if (a === undefined) return fail('usage: runner alerts load <file.json>')
        let inputs: AlertRuleInput[]
        try {
          inputs = JSON.parse(readFileSync(a, 'utf8')) as AlertRuleInput[]
        } catch (error) {
          return fail(`${a}: ${error instanceof Error ? error.message : String(error)}`)
        }
        if (!Array.isArray(inputs)) return fail(`${a}: expected a JSON array of rules`)
        // Validate every rule first: a file with one bad rule changes nothing.
        for (const [i, input] of inputs.entries()) {
          try {
            validateAlertRule(input)
          } catch (error) {
            return fail(
              `${a}: rule ${i + 1} (${String(input.name)}): ${error instanceof Error ? error.message : String(error)}`,
            )
          }
        }
        for (const input of inputs) await saveAlertRule(app.database.db, input, app.clock)
        write(`${inputs.length} rule(s) loaded from ${a}`)
        return 0
      }
      case 'events': {
        const limit = intFlag(values, 'limit', 20)
        return status(app, { gaps: false, alerts: true, json: values.json === true, limit })
      }
      case undefined:
      default:
        return fail(
          `runner alerts: expected add, list, remove, test, load or events, got "${sub ?? ''}"\n\n${HELP.alerts ?? ''}`,
        )
    }
  } catch (error) {
    if (error instanceof UsageError) return fail(error.message)
    if (error instanceof RuleSyntaxError) return fail(`invalid rule: ${error.message}`)
    const code = (error as { code?: unknown }).code
    if (
      typeof code === 'string' &&
      [
        'INVALID_RULE',
        'UNKNOWN_INDICATOR',
        'INVALID_OPTION',
        'NOT_FOUND',
        'WEBHOOK_CONFIG',
      ].includes(code)
    ) {
      return fail((error as Error).message)
    }
    throw error
  }
}

async function demo(): Promise<number> {
  const { startExchangeSimulator } = await import('@trading-alerts/tickerdata/testing')
  const sim = await startExchangeSimulator()
  const dataDir = './.data/demo'
  rmSync(dataDir, { recursive: true, force: true })
  const now = new Date()
  const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1))
    .toISOString()
    .slice(0, 7)
  const config = loadConfig({
    DATA_DIR: dataDir,
    BINANCE_API_URL: sim.urls.binanceApiUrl,
    BINANCE_DATA_URL: sim.urls.binanceDataUrl,
    BINANCE_LISTING_URL: sim.urls.binanceListingUrl,
    COINGECKO_API_URL: sim.urls.coingeckoApiUrl,
    TOP_N: '6',
    HISTORY_START: lastMonth,
    CONCURRENCY: '4',
  })
  const interactive = isInteractive()
  const logger = consoleLogger({ level: 'info', json: !interactive })
  write(
    `demo: exchange simulator on ${sim.url}; embedded database in ${dataDir}; history from ${lastMonth}`,
  )
  const app = await createApp(config, logger)
  let code = 0
  try {
    for (const job of ['symbols', 'historical', 'incremental', 'indicators'] as const) {
      write(`\n== job ${job}`)
      code = Math.max(code, await oneShot(app, job, interactive))
    }
    const rule = 'rsi(14) crosses below 30'
    write(`\n== alerts test "${rule}" --symbol BTCUSDT --timeframe 1h`)
    code = Math.max(
      code,
      await alerts(app, ['alerts', 'test', rule], { symbol: 'BTCUSDT', bars: '240' }),
    )
    write('\n== status')
    await status(app, { gaps: false, json: false, limit: 10 })
  } finally {
    await app.close()
    await sim.close()
  }
  return code
}

/** The runner's package version (package.json next to dist/). */
function runnerVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
  return pkg.version
}

/** The CLI. Returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>
  try {
    parsed = parseCommandLine(argv)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    process.stderr.write(`${error.message}\n`)
    return 2
  }
  const { values, positionals } = parsed
  const [command, arg] = positionals
  if (command === undefined && values.version === true) {
    write(runnerVersion())
    return 0
  }
  if (command === undefined || command === 'help') {
    write(HELP.main ?? '')
    return command === undefined && values.help !== true ? 2 : 0
  }
  if (values.help === true) {
    write(HELP[command] ?? HELP.main ?? '')
    return 0
  }
  if (command === 'demo') return demo()
  if (!['job', 'start', 'status', 'migrate', 'alerts'].includes(command)) {
    process.stderr.write(`unknown command "${command}"\n\n${HELP.main}`)
    return 2
  }
  if (command === 'job' && !(RUNNABLE_JOBS as readonly string[]).includes(arg ?? '')) {
    process.stderr.write(
      `runner job: expected one of ${RUNNABLE_JOBS.join(', ')}, got "${arg ?? ''}"\n`,
    )
    return 2
  }

  let limit: number
  try {
    limit = intFlag(values, 'limit', 20)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    process.stderr.write(`${error.message}\n`)
    return 2
  }

  let config: Config
  try {
    config = loadConfig(environment())
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`)
      return 2
    }
    throw error
  }
  const interactive = isInteractive()
  const logger = consoleLogger({ level: config.logLevel, json: !interactive })
  let app: App
  try {
    app = await createApp(config, logger)
  } catch (error) {
    logger.error('cannot open the database', { error })
    return 2
  }
  try {
    switch (command) {
      case 'migrate':
        write('migrations applied')
        return 0
      case 'status':
        return await status(app, {
          runId: arg,
          gaps: values.gaps === true,
          alerts: values.alerts === true,
          json: values.json === true,
          limit,
        })
      case 'job':
        return await oneShot(app, arg as RunnableJob, interactive)
      case 'alerts':
        return await alerts(app, positionals, values)
      case 'start': {
        const controller = new AbortController()
        process.once('SIGINT', () => controller.abort())
        process.once('SIGTERM', () => controller.abort())
        await runDaemon(app, controller.signal)
        return 0
      }
      default:
        return 2
    }
  } catch (error) {
    // One line naming the error and its code (the stack with LOG_LEVEL=debug), exit 1.
    logger.error(`${command} failed`, { error })
    return 1
  } finally {
    await app.close()
  }
}
