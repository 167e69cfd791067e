// Every command's --help text, in one module that loads no library: "runner <command> --help"
// answers without importing the pipeline (start-up, apps/runner/README.md).
import type { CommandLine } from './common.js'
import { envHelp } from '../env-vars.js'
import { DEMO_DATA_DIR, isJob, RUNNABLE_JOBS, type RunnableJob } from '../names.js'

/** What each job does, for its --help. */
const JOBS: Record<RunnableJob, string> = {
  symbols: `the TOP_N coins by market cap (CoinGecko) matched to the Binance QUOTE_ASSET pairs that
              trade: the symbol table the other jobs work on`,
  historical: `the 1-minute candles of every tracked symbol from HISTORY_START out of the public
              archive (monthly, then daily files), checked against REST where the exchange has
              gaps; retries every recorded hole`,
  incremental: `REST candles of every tracked symbol from its last stored minute up to the last
              closed minute`,
  indicators: `resample the new closed bars to INDICATOR_TIMEFRAMES and compute INDICATORS (and
              what alert rules use) over them, continuing from the saved state`,
  alerts: `evaluate the alert rules on the new closed bars, log and queue what fires, send the
              webhook deliveries that are due (retries with backoff, dead letter after
              ALERT_MAX_ATTEMPTS failures)`,
}

const FOOTER = `Runs the job once and exits: 0 when every task succeeded (or it was stopped by SIGINT/SIGTERM,
which end it after the current file or batch), 1 when any task failed (the others still ran) or
another runner holds the job, 2 on a configuration error. Shows live progress on a terminal,
JSON-line logs on stderr otherwise, and a summary table with the run's warnings at the end.
`

export function jobHelp({ positionals }: CommandLine): string {
  const name = positionals[1]
  if (isJob(name)) {
    return `Usage: runner job ${name}

  ${name.padEnd(11)} ${JOBS[name]}

${FOOTER}
Environment (also from a .env file in the working directory):
${envHelp(name)}
`
  }
  return `Usage: runner job <${RUNNABLE_JOBS.join('|')}>

${RUNNABLE_JOBS.map((j) => `  ${j.padEnd(11)} ${JOBS[j]}`).join('\n')}

${FOOTER}
"runner job <name> --help" lists the environment variables that job reads, with their defaults.
`
}

export function statusHelp(): string {
  return `Usage: runner status [runId | --run <id> [--task <symbol>]] [--gaps] [--alerts] [--json]
                     [--limit N] [--demo]

  (no argument)  the recent runs of every job: state, start, duration, symbols ok/failed, rows
  runId, --run <id>
                 every task of that run (kind, key): state, attempts, rows, duration, error
  --task <symbol>
                 with --run: that task's state and its log lines (time UTC, level, message,
                 fields as JSON; a task keeps its first 200 and last 300 lines, and says how many
                 were dropped between them). The key of a job's one task is the job's name, of
                 an alert rule's task the rule's name. Unknown run or task: exit 2
  --gaps         known exchange gaps and failed archive files (holes)
  --alerts       recent alert events, webhook deliveries by state, and the dead letters
  --json         machine-readable output
  --limit N      how many runs (or events) to list (default 20)
  --demo         read the database "runner demo" wrote (${DEMO_DATA_DIR}) instead of the configured one

Exit codes: 0 shown, 2 bad usage or configuration, 1 the database failed. Piped into a reader that
closes early (| head): the rest of the output is dropped, exit 0.
`
}

export function alertsHelp(): string {
  return `Usage: runner alerts <command>

  add <name> "<rule>" [--symbols BTCUSDT,ETHUSDT] [--timeframe 1h] [--webhook URL]
      [--preset json|slack|discord|telegram] [--secret S] [--telegram-chat-id ID] [--disabled]
      [--from 2025-03-01T00:00:00Z]
                 add a rule, or replace the rule of that name (it fires on bars that close from
                 now on, or from --from). Rules: packages/trading-alerts/docs/alert-rules.md, e.g.
                 "rsi(14) < 30", "close crosses above sma(200)", "change(1h) >= 5%", "enters top 10".
                 Every symbol must be a pair of the symbol table (run "runner job symbols" first);
                 no symbols: every tracked symbol
  list [--json]  every rule
  remove <name|id>
  test "<rule>" --symbol BTCUSDT [--timeframe 1h] [--bars 500] [--json]
                 the bars of the stored history the rule would have fired on; writes nothing
                 (several symbols: one result each; --json then prints an array)
  send-test <name|id>
                 posts one test message to the rule's webhook (its preset and signature, marked
                 as a test) and prints the HTTP status: exit 0 on 2xx, 1 otherwise
  load <file.json>
                 add or replace the rules of a JSON file: [{ "name", "rule", "symbols"?,
                 "timeframe"?, "webhook"?: { "url", "preset"?, "secret"?, "telegramChatId"? } }]
                 (all are validated before any is saved)
  events [--limit N] [--json]
                 the newest alert events and their deliveries
  retry <delivery id>
                 put a dead-lettered webhook delivery back in the queue (pending, attempts reset);
                 the next alerts run sends it. The ids are those of "runner status --alerts"

--symbol and --symbols are the same flag on every command: repeat it (--symbol BTCUSDT --symbol
ETHUSDT) or give a comma-separated list (--symbols BTCUSDT,ETHUSDT).
Exit codes: 0 done, 2 bad usage or an invalid rule (unknown symbol, bad syntax, unknown rule name),
1 the database failed (or send-test got no 2xx). retry of an unknown or not-dead delivery: 2.
`
}

export function demoHelp(): string {
  return `Usage: runner demo

Offline, with no configuration: starts the exchange simulator on 127.0.0.1, then runs symbols,
historical (last month and this month), incremental and indicators into an embedded database in
${DEMO_DATA_DIR} (wiped first), shows where an alert rule would have fired, and prints the status.
Afterwards "runner status --demo" (pnpm status --demo) shows the demo's runs again.
`
}

export function startHelp(): string {
  return `Usage: runner start

The daemon: node-cron schedules in UTC (SYMBOLS_CRON, then historical; HISTORICAL_CRON;
INCREMENTAL_CRON, then indicators and alerts; ALERTS_CRON), one run of a job at a time even across
runners sharing a database. At start it catches up what was due while it was down, one job after
the other: symbols, historical, incremental, indicators, alerts (schedules firing meanwhile are
skipped). It serves the HTTP API too, as "runner serve" does (API_PORT=off: no API).
SIGINT/SIGTERM: stop scheduling, let running jobs finish their current file or batch within
SHUTDOWN_DEADLINE_MS, exit 0. Exit 2 on a configuration error.

Environment (every job's, since the daemon runs them all):
${envHelp('start')}
`
}

export function migrateHelp(): string {
  return `Usage: runner migrate

Applies every pending database migration (jobs also apply them on start). Exit 0 applied, 2 bad
configuration or a database that cannot be opened or migrated.

Environment:
${envHelp('database')}
`
}

/** Each command's help, by command name (main.ts loads only this module for --help). */
export const HELP: Readonly<Record<string, (line: CommandLine) => string>> = {
  job: jobHelp,
  start: startHelp,
  status: statusHelp,
  alerts: alertsHelp,
  migrate: migrateHelp,
  demo: demoHelp,
}
