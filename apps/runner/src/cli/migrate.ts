import { envHelp } from '../config.js'
import { withApp, write } from './common.js'

export function help(): string {
  return `Usage: runner migrate

Applies every pending database migration (jobs also apply them on start). Exit 0 applied, 2 bad
configuration or a database that cannot be opened or migrated.

Environment:
${envHelp('database')}
`
}

export async function run(): Promise<number> {
  // createApp has applied them.
  return withApp('migrate', () => {
    write('migrations applied')
    return Promise.resolve(0)
  })
}
