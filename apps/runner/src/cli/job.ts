import type { JobResult } from '@trading-alerts/trading-alerts'
import { RUNNABLE_JOBS, runJob, type App, type RunnableJob } from '../app.js'
import { envHelp } from '../config.js'
import { ProgressDisplay, ProgressLog, summaryTable, type DisplayLogger } from '../display.js'
import { fail, withApp, write, type CommandLine } from './common.js'

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

function isJob(name: string | undefined): name is RunnableJob {
  return (RUNNABLE_JOBS as readonly string[]).includes(name ?? '')
}

export function help({ positionals }: CommandLine): string {
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

/** Runs one job with progress, summary (and its warnings) and exit code. */
export async function oneShot(app: App, job: RunnableJob, interactive: boolean): Promise<number> {
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
    for (const warning of result.warnings ?? []) write(`warning: ${warning}`)
    return result.state === 'succeeded' ? 0 : result.state === 'interrupted' ? 0 : 1
  } finally {
    process.off('SIGINT', onInt)
    process.off('SIGTERM', onTerm)
  }
}

export async function run({ positionals }: CommandLine): Promise<number> {
  const name = positionals[1]
  if (!isJob(name))
    return fail(`runner job: expected one of ${RUNNABLE_JOBS.join(', ')}, got "${name ?? ''}"`)
  return withApp('job', (app, interactive) => oneShot(app, name, interactive))
}
