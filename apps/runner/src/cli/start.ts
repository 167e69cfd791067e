import { withApp } from './common.js'

export { startHelp as help } from './help.js'

export async function run(): Promise<number> {
  return withApp('start', async (app) => {
    const { runDaemon } = await import('../daemon.js')
    const controller = new AbortController()
    process.once('SIGINT', () => controller.abort())
    process.once('SIGTERM', () => controller.abort())
    await runDaemon(app, controller.signal)
    return 0
  })
}
