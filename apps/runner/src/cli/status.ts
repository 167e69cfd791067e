import { existsSync } from 'node:fs'
import {
  alertDeliveries,
  knownHoles,
  recentAlertEvents,
  recentRuns,
  runTasks,
  type App,
} from '../app.js'
import { intFlag, UsageError } from '../args.js'
import { DEMO_DATA_DIR, environment } from '../config.js'
import { fail, table, withApp, write, type CommandLine } from './common.js'

export { statusHelp as help } from './help.js'

export interface StatusArgs {
  readonly runId?: string | undefined
  readonly gaps: boolean
  readonly alerts?: boolean
  readonly json: boolean
  readonly limit: number
  /** The demo's database is the one shown. */
  readonly demo?: boolean
}

/** Prints the status (see help) of `app`'s database. Returns the exit code. */
export async function status(app: App, args: StatusArgs): Promise<number> {
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
    if (!Number.isSafeInteger(id))
      return fail(`status: "${args.runId}" is not a run id (see "runner status")`)
    const tasks = await runTasks(app, id)
    if (args.json) write(JSON.stringify(tasks, null, 2))
    else if (tasks.length === 0) write(`run ${id}: no tasks`)
    else
      write(
        table(tasks, [
          'kind',
          'key',
          'state',
          'attempts',
          'rows',
          'durationS',
          'errorCode',
          'error',
        ]),
      )
    return 0
  }
  const runs = await recentRuns(app, args.limit)
  if (args.json) write(JSON.stringify(runs, null, 2))
  else if (runs.length === 0)
    write(
      !args.demo && existsSync(DEMO_DATA_DIR)
        ? `no runs yet (the demo's runs: runner status --demo)`
        : 'no runs yet',
    )
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

/** The environment of `--demo`: the demo's embedded database, whatever DATABASE_URL says. */
export function demoEnvironment(): Record<string, string | undefined> {
  return { ...environment(), DATABASE_URL: undefined, DATA_DIR: DEMO_DATA_DIR }
}

export async function run({ values, positionals }: CommandLine): Promise<number> {
  let limit: number
  try {
    limit = intFlag(values, 'limit', 20)
  } catch (error) {
    if (error instanceof UsageError) return fail(error.message)
    throw error
  }
  const args: StatusArgs = {
    runId: positionals[1],
    gaps: values.gaps === true,
    alerts: values.alerts === true,
    json: values.json === true,
    limit,
    demo: values.demo === true,
  }
  return withApp(
    'status',
    (app) => status(app, args),
    values.demo === true ? demoEnvironment() : undefined,
  )
}
