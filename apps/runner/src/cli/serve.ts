import { envHelp } from '../config.js'
import { fail, withApp } from './common.js'

export function help(): string {
  return `Usage: runner serve

The HTTP API (DESIGN §9) alone, without the schedules, until SIGINT/SIGTERM (exit 0). Logs one
line "api listening" with its URL. On a loopback API_HOST with no token at all it creates an admin
token and prints it once; a non-loopback API_HOST with no token (API_TOKEN unset, none stored)
is refused with exit 2. "runner start" serves the same API beside the schedules.

Environment:
${envHelp('serve')}
`
}

export async function run(): Promise<number> {
  return withApp('serve', async (app) => {
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
  })
}
