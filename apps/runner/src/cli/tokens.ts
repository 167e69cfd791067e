import {
  createApiToken,
  isTradingAlertsError,
  listApiTokens,
  revokeApiToken,
} from '@trading-alerts/trading-alerts'
import { flag } from '../args.js'
import { fail, table, withApp, write, type CommandLine } from './common.js'

export function help(): string {
  return `Usage: runner tokens <create|list|revoke> [options]

Tokens of the HTTP API (only their sha256 is stored).

  create --scope read|admin [--name N]   a new token, printed once ("read" may GET; "admin" may
                                         also POST, PATCH and DELETE); name default: the scope
  list [--json]                          every token: id, name, scope, created, last used, revoked
  revoke ID|NAME                         revokes the token of that id, or every token of that name

Exit codes: 0 done, 2 bad usage or an unknown token, 1 the database failed.
`
}

export async function run({ values, positionals }: CommandLine): Promise<number> {
  const action = positionals[1] ?? ''
  const json = values.json === true
  switch (action) {
    case 'create': {
      const scope = flag(values, 'scope')
      if (scope === undefined) return fail('tokens create: --scope read or --scope admin is needed')
      const name = flag(values, 'name') ?? scope
      return withApp('tokens', async (app) => {
        try {
          const created = await createApiToken(app.database.db, { name, scope }, app.clock)
          if (json) write(JSON.stringify(created, null, 2))
          else
            write(
              `token ${created.id} "${created.name}" (${created.scope}); shown once, only its hash is stored:\n${created.token}`,
            )
          return 0
        } catch (error) {
          if (isTradingAlertsError(error) && error.code === 'INVALID_OPTION')
            return fail(`tokens create: ${error.message}`)
          throw error
        }
      })
    }
    case 'list':
      return withApp('tokens', async (app) => {
        const tokens = await listApiTokens(app.database.db)
        if (json) write(JSON.stringify(tokens, null, 2))
        else if (tokens.length === 0) write('no tokens (runner tokens create --scope read)')
        else
          write(
            table(
              tokens.map((t) => ({
                ...t,
                createdAt: t.createdAt.toISOString(),
                lastUsedAt: t.lastUsedAt?.toISOString(),
                revokedAt: t.revokedAt?.toISOString(),
              })),
              ['id', 'name', 'scope', 'createdAt', 'lastUsedAt', 'revokedAt'],
            ),
          )
        return 0
      })
    case 'revoke': {
      const target = positionals[2]
      if (target === undefined) return fail('tokens revoke: name the token (ID or NAME)')
      return withApp('tokens', async (app) => {
        try {
          const n = await revokeApiToken(app.database.db, target, app.clock)
          write(`revoked ${n} token${n === 1 ? '' : 's'} "${target}"`)
          return 0
        } catch (error) {
          if (isTradingAlertsError(error) && error.code === 'NOT_FOUND')
            return fail(`tokens revoke: ${error.message} (see "runner tokens list")`)
          throw error
        }
      })
    }
    default:
      return fail(
        `tokens: ${action === '' ? 'a subcommand is needed' : `unknown subcommand "${action}"`}\n\n${help()}`,
      )
  }
}
