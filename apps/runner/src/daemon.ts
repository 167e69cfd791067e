import cron, { type ScheduledTask } from 'node-cron'
import { lastRunStart } from '@trading-alerts/trading-alerts'
import { runJob, type App, type RunnableJob } from './app.js'

/**
 * The jobs the catch-up at start runs, one after the other, for the jobs that are due: symbols
 * before historical (historical loads the symbols it finds), historical before incremental
 * (incremental continues from the history; on a first start it would otherwise run on no
 * symbols at all), then the indicators and alerts over the new bars. A due symbols run brings a
 * historical run with it, a due incremental run its indicators and alerts, as their schedules do.
 */
export function catchUpChain(due: ReadonlySet<RunnableJob>): RunnableJob[] {
  const chain: RunnableJob[] = []
  if (due.has('symbols')) chain.push('symbols', 'historical')
  else if (due.has('historical')) chain.push('historical')
  if (due.has('incremental')) chain.push('incremental', 'indicators', 'alerts')
  else if (due.has('alerts')) chain.push('alerts')
  return chain
}

/**
 * The daemon: node-cron schedules (UTC) of symbols (followed by historical), historical and
 * incremental; no overlapping runs of a job (noOverlap, and the database lock across processes);
 * catch-up at start of what was due while the process was down, in order (`catchUpChain`); the
 * schedules launch nothing before it is done. Resolves when `signal` fires and running jobs have
 * finished their current file or batch (or the deadline passed).
 */
export async function runDaemon(app: App, signal: AbortSignal): Promise<void> {
  const { config, logger } = app
  const jobs = new AbortController()
  const running = new Set<Promise<unknown>>()
  const run = async (chain: readonly RunnableJob[]) => {
    for (const job of chain) {
      if (jobs.signal.aborted) break
      const result = await runJob(app, job, { signal: jobs.signal })
      if (result !== null)
        logger.info('job finished', {
          job,
          runId: result.runId,
          state: result.state,
          rows: result.rowsWritten,
        })
    }
  }
  const launch = (...chain: RunnableJob[]) => {
    const p = (async () => {
      try {
        await run(chain)
      } catch (error) {
        logger.error('job crashed', { job: chain[0], error })
      }
    })()
    running.add(p)
    void p.finally(() => running.delete(p))
    return p
  }
  // Until the catch-up is done the schedules launch nothing: a scheduled incremental must not
  // overtake the history (the catch-up runs what was due; the next fire time runs the rest).
  let caughtUp = false
  const scheduled =
    (...chain: RunnableJob[]) =>
    async () => {
      if (!caughtUp) {
        logger.debug?.('schedule skipped: the catch-up is running', { job: chain[0] })
        return
      }
      if (!jobs.signal.aborted) await launch(...chain)
    }
  const tasks: ScheduledTask[] = [
    cron.schedule(config.symbolsCron, scheduled('symbols', 'historical'), {
      name: 'symbols',
      timezone: 'UTC',
      noOverlap: true,
    }),
    cron.schedule(config.historicalCron, scheduled('historical'), {
      name: 'historical',
      timezone: 'UTC',
      noOverlap: true,
    }),
    // New candles, then the indicators over them, then the alerts on the new closed bars.
    cron.schedule(config.incrementalCron, scheduled('incremental', 'indicators', 'alerts'), {
      name: 'incremental',
      timezone: 'UTC',
      noOverlap: true,
    }),
    // Webhook retries come due between incremental runs too.
    cron.schedule(config.alertsCron, scheduled('alerts'), {
      name: 'alerts',
      timezone: 'UTC',
      noOverlap: true,
    }),
  ]
  logger.info('daemon started', {
    symbols: config.symbolsCron,
    historical: config.historicalCron,
    incremental: config.incrementalCron,
    alerts: config.alertsCron,
  })

  // Catch up: node-cron does not replay runs missed while the process was down.
  const chain = catchUpChain(await dueJobs(app, tasks))
  if (chain.length > 0) logger.info('catching up', { jobs: chain })
  void launch(...chain).finally(() => (caughtUp = true))

  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve()
    else signal.addEventListener('abort', () => resolve(), { once: true })
  })
  logger.info('stopping: no new runs; running jobs finish their current file or batch', {
    deadlineMs: config.shutdownDeadlineMs,
  })
  for (const t of tasks) await t.stop()
  jobs.abort()
  const deadline = new Promise<void>((resolve) =>
    setTimeout(resolve, config.shutdownDeadlineMs).unref(),
  )
  await Promise.race([Promise.allSettled([...running]), deadline])
  for (const t of tasks) await t.destroy()
}

/** Jobs whose last run started before their schedule's previous fire time. */
async function dueJobs(app: App, tasks: readonly ScheduledTask[]): Promise<Set<RunnableJob>> {
  const due = new Set<RunnableJob>()
  // The schedules fire on the system clock; runs are stamped with the app's (shifted in tests).
  const shift = app.clock.now().getTime() - Date.now()
  for (const task of tasks) {
    const job = task.name as RunnableJob
    const [next, after] = task.getNextRuns(2)
    if (next === undefined || after === undefined) continue
    const previousFire = next.getTime() - (after.getTime() - next.getTime())
    const lastStart = (await lastRunStart(app.database.db, job))?.getTime() ?? 0
    if (lastStart < previousFire + shift) due.add(job)
  }
  return due
}
