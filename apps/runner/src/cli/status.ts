import { existsSync } from 'node:fs'
import { TASK_LOG_HEAD, type TaskLogLine } from '@trading-alerts/trading-alerts'
import {
  alertDeliveries,
  knownHoles,
  recentAlertEvents,
  recentRuns,
  runTaskLog,
  runTasks,
  type App,
} from '../app.js'
import { flag, intFlag, UsageError } from '../args.js'
import { DEMO_DATA_DIR, environment } from '../config.js'
import { fail, table, withApp, write, type CommandLine } from './common.js'

export { statusHelp as help } from './help.js'

export interface StatusArgs {
  readonly runId?: string | undefined
  /** With `runId`: that task's state and its log lines. */
  readonly task?: string | undefined
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
  if (args.task !== undefined && args.runId === undefined)
    return fail('status: --task needs the run: runner status --run <id> --task <symbol>')
  if (args.runId !== undefined) {
    const id = Number(args.runId)
    if (!/^\d+$/.test(args.runId) || !Number.isSafeInteger(id))
      return fail(`status: "${args.runId}" is not a run id (see "runner status")`)
    if (args.task !== undefined) return taskStatus(app, id, args.task, args.json)
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

/** A log line as status prints it: time (UTC), level, message, fields as compact JSON. */
export function formatLogLine(line: TaskLogLine): string {
  const fields = Object.keys(line.fields).length === 0 ? '' : `  ${JSON.stringify(line.fields)}`
  return `${line.time.toISOString()}  ${line.level.padEnd(5)}  ${line.message}${fields}`
}

/** `status --run <id> --task <key>`: the task's state line, then its log. Exit 2 when there is none. */
async function taskStatus(app: App, runId: number, key: string, json: boolean): Promise<number> {
  const found = await runTaskLog(app, runId, key)
  if (found.found === 'no-run') return fail(`status: no run ${runId} (see "runner status")`)
  if (found.found === 'no-task') {
    const some = found.keys.slice(0, 10).join(', ')
    const more = found.keys.length > 10 ? `, … (${found.keys.length} in all)` : ''
    return fail(
      `status: run ${runId} has no task "${key}"` +
        (found.keys.length === 0 ? ' (it has no tasks)' : ` (its tasks: ${some}${more})`),
    )
  }
  const { task, log } = found
  if (json) {
    write(JSON.stringify({ task, lines: log.lines, dropped: log.dropped }, null, 2))
    return 0
  }
  const parts = [
    `${task.kind} ${task.key}: ${task.state}`,
    `attempts ${task.attempts}`,
    `rows ${task.rows}`,
    ...(task.durationS === null ? [] : [`${task.durationS} s`]),
    ...(task.errorCode === null ? [] : [`error ${task.errorCode}: ${task.error ?? ''}`]),
  ]
  write(`run ${runId}, ${parts.join(', ')}`)
  if (log.lines.length === 0) write('no log lines')
  log.lines.forEach((line, i) => {
    // The dropped lines were those between the task's first TASK_LOG_HEAD and its last ones.
    if (log.dropped > 0 && i === TASK_LOG_HEAD) write(`… ${log.dropped} lines dropped …`)
    write(formatLogLine(line))
  })
  if (log.dropped > 0 && log.lines.length <= TASK_LOG_HEAD)
    write(`… ${log.dropped} lines dropped …`)
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
    runId: flag(values, 'run') ?? positionals[1],
    task: flag(values, 'task'),
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
