import { envHelp } from '../config.js'
import type { ServedApi } from '../serve-api.js'
import { withApp } from './common.js'

export function help(): string {
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

export async function run(): Promise<number> {
  return withApp('start', async (app) => {
    const { runDaemon } = await import('../daemon.js')
    const controller = new AbortController()
    process.once('SIGINT', () => controller.abort())
    process.once('SIGTERM', () => controller.abort())
    let served: ServedApi | undefined
    if (app.config.apiPort !== null) {
      const { serveApi } = await import('../serve-api.js')
      const result = await serveApi(app)
      if (result === 2) return 2
      served = result
    }
    try {
      await runDaemon(app, controller.signal)
    } finally {
      await served?.close()
    }
    return 0
  })
}
