import type { JobResult } from '@trading-alerts/trading-alerts'
import { runJob, type App } from '../app.js'
import { isJob, RUNNABLE_JOBS, type RunnableJob } from '../names.js'
import { ProgressDisplay, ProgressLog, summaryTable, type DisplayLogger } from '../display.js'
import { fail, withApp, write, type CommandLine } from './common.js'

export { jobHelp as help } from './help.js'

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
