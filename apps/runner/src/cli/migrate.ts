import { withApp, write } from './common.js'

export { migrateHelp as help } from './help.js'

export async function run(): Promise<number> {
  // createApp has applied them.
  return withApp('migrate', () => {
    write('migrations applied')
    return Promise.resolve(0)
  })
}
