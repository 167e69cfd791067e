import { existsSync } from 'node:fs'
import { DEMO_DATA_DIR, envHelp } from '../config.js'
import { fail, withApp, type CommandLine } from './common.js'
import { demoPort, demoSettings } from './demo.js'
import { demoEnvironment } from './status.js'

export function help(): string {
  return `Usage: runner serve [--demo]

The HTTP API (DESIGN §9) and the dashboard at / alone, without the schedules, until
SIGINT/SIGTERM (exit 0). Logs one line "api listening" with its URL. On a loopback API_HOST with
no token at all it creates an admin token and prints it once, with the dashboard's URL; a
non-loopback API_HOST with no token (API_TOKEN unset, none stored) is refused with exit 2.
"runner start" serves the same API beside the schedules.

--demo  serves the demo's embedded database (${DEMO_DATA_DIR}, written by "runner demo", which
        prints the URL with its token), with the exchange simulator started on 127.0.0.1 so a job
        started from the dashboard runs offline too.

Environment:
${envHelp('serve')}
`
}

export async function run({ values }: CommandLine): Promise<number> {
  let env: Record<string, string | undefined> | undefined
  let closeSim = () => Promise.resolve()
  if (values.demo === true) {
    if (!existsSync(DEMO_DATA_DIR))
      return fail(`serve --demo: no demo database in ${DEMO_DATA_DIR}; run "pnpm demo" first`)
    const { startExchangeSimulator } = await import('@trading-alerts/tickerdata/testing')
    const sim = await startExchangeSimulator()
    closeSim = () => sim.close()
    env = {
      ...demoEnvironment(),
      ...demoSettings(sim),
      COINGECKO_API_KEY: undefined,
      API_HOST: '127.0.0.1',
      API_PORT: demoPort(),
    }
  }
  try {
    return await withApp(
      'serve',
      async (app) => {
        if (app.config.apiPort === null)
          return fail('serve: API_PORT=off turns the API off; set a port (e.g. API_PORT=8080)')
        const { serveApi } = await import('../serve-api.js')
        const stopped = new Promise<void>((resolve) => {
          process.once('SIGINT', () => resolve())
          process.once('SIGTERM', () => resolve())
        })
        const served = await serveApi(app)
        if (served === 2) return 2
        await stopped
        app.logger.info('api stopping')
        await served.close()
        return 0
      },
      env,
    )
  } finally {
    await closeSim()
  }
}
