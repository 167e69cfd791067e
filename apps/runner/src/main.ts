import { rmSync } from 'node:fs'
import { parseArgs } from 'node:util'
import type { JobResult } from '@trading-alerts/trading-alerts'
import {
  createApp,
  knownHoles,
  recentRuns,
  runDaemon,
  runJob,
  runTasks,
  type App,
  type RunnableJob,
} from './app.js'
import { ConfigError, environment, isInteractive, loadConfig, type Config } from './config.js'
import { ProgressDisplay, summaryTable } from './display.js'
import { consoleLogger } from './logger.js'

const HELP: Record<string, string> = {
  main: `runner: keeps a PostgreSQL database of crypto market data complete and current

Usage: runner <command> [options]

Commands:
  job <symbols|historical|incremental>   run one job once, then exit (0 all ok, 1 a task failed, 2 bad configuration)
  start                                  the daemon: cron schedules of every job until SIGINT/SIGTERM
  status [runId] [--gaps] [--json]       recent runs; one run's tasks; known gaps and holes
  migrate                                apply the database migrations
  demo                                   offline end to end against the bundled exchange simulator

Configuration comes from the environment and a .env file: see the README's configuration table.
Run "runner <command> --help" for a command's options.
`,
  job: `Usage: runner job <symbols|historical|incremental>

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
  status: `Usage: runner status [runId] [--gaps] [--json] [--limit N]

  (no argument)  the recent runs of every job: state, start, duration, symbols ok/failed, rows
  runId          every symbol's task in that run: state, attempts, rows, duration, error
  --gaps         known exchange gaps and failed archive files (holes)
  --json         machine-readable output
  --limit N      how many runs to list (default 20)
`,
  migrate: `Usage: runner migrate

Applies every pending database migration (jobs also apply them on start).
`,
  demo: `Usage: runner demo

Offline, with no configuration: starts the exchange simulator on 127.0.0.1, then runs symbols,
historical (last month and this month) and incremental into an embedded database in ./.data/demo
(wiped first), and prints the status.
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
  const display = interactive ? new ProgressDisplay() : undefined
  const logger = app.logger as { quiet?: boolean }
  try {
    if (display !== undefined) {
      logger.quiet = true
      display.start()
    }
    const result: JobResult | null = await runJob(app, job, {
      signal: controller.signal,
      ...(display === undefined ? {} : { onProgress: (e) => display.update(e) }),
    })
    display?.stop()
    logger.quiet = false
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
  args: { runId?: string | undefined; gaps: boolean; json: boolean; limit: number },
): Promise<number> {
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
  else write(table(runs, ['id', 'job', 'state', 'startedAt', 'durationS', 'ok', 'failed', 'rows']))
  return 0
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
    for (const job of ['symbols', 'historical', 'incremental'] as const) {
      write(`\n== job ${job}`)
      code = Math.max(code, await oneShot(app, job, interactive))
    }
    write('\n== status')
    await status(app, { gaps: false, json: false, limit: 10 })
  } finally {
    await app.close()
    await sim.close()
  }
  return code
}

/** The CLI. Returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: false,
    options: {
      help: { type: 'boolean', short: 'h' },
      json: { type: 'boolean' },
      gaps: { type: 'boolean' },
      limit: { type: 'string' },
    },
  })
  const [command, arg] = positionals
  if (command === undefined || command === 'help') {
    write(HELP.main ?? '')
    return command === undefined && values.help !== true ? 2 : 0
  }
  if (values.help === true) {
    write(HELP[command] ?? HELP.main ?? '')
    return 0
  }
  if (command === 'demo') return demo()
  if (!['job', 'start', 'status', 'migrate'].includes(command)) {
    process.stderr.write(`unknown command "${command}"\n\n${HELP.main}`)
    return 2
  }
  if (command === 'job' && !['symbols', 'historical', 'incremental'].includes(arg ?? '')) {
    process.stderr.write(
      `runner job: expected symbols, historical or incremental, got "${arg ?? ''}"\n`,
    )
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
          json: values.json === true,
          limit: Number(typeof values.limit === 'string' ? values.limit : 20) || 20,
        })
      case 'job':
        return await oneShot(app, arg as RunnableJob, interactive)
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
  } finally {
    await app.close()
  }
}
