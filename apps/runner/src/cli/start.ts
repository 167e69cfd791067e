import type { ServedApi } from '../serve-api.js'
import { withApp } from './common.js'

export { startHelp as help } from './help.js'

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
