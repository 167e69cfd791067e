import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type { ApiTokenScope, Database } from '../db/schema.js'
import { TradingAlertsError } from '../errors.js'
import type { Clock } from '../ports.js'

/** Every token starts with this, so a leaked one is easy to recognise (and to grep for). */
export const API_TOKEN_PREFIX = 'ta_'

/** How stale `last_used_at` may get before a successful verify writes it again. */
const LAST_USED_GRANULARITY_MS = 60_000

/** A token as listed: never the token nor its hash. */
export interface ApiTokenInfo {
  readonly id: number
  readonly name: string
  readonly scope: ApiTokenScope
  readonly createdAt: Date
  readonly lastUsedAt: Date | null
  readonly revokedAt: Date | null
}

/** A token just created: `token` is shown once and never stored. */
export interface CreatedApiToken extends ApiTokenInfo {
  readonly token: string
}

/** The token a request presented, once verified. */
export interface VerifiedApiToken {
  readonly id: number
  readonly name: string
  readonly scope: ApiTokenScope
}

/** The sha256 of a token, hex: what `api_token.hash` holds. */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

function newToken(): string {
  return API_TOKEN_PREFIX + randomBytes(32).toString('base64url')
}

function parseScope(scope: string): ApiTokenScope {
  if (scope === 'read' || scope === 'admin') return scope
  throw new TradingAlertsError('INVALID_OPTION', `scope "${scope}" is not read or admin`)
}

function checkName(name: string): void {
  if (!/^[\w.@-]{1,80}$/.test(name)) {
    throw new TradingAlertsError(
      'INVALID_OPTION',
      `token name "${name}" must be 1 to 80 letters, digits, "_", "-", "." or "@"`,
    )
  }
}

const INFO_COLUMNS = ['id', 'name', 'scope', 'created_at', 'last_used_at', 'revoked_at'] as const

interface InfoRow {
  id: number
  name: string
  scope: ApiTokenScope
  created_at: Date
  last_used_at: Date | null
  revoked_at: Date | null
}

function info(row: InfoRow): ApiTokenInfo {
  return {
    id: Number(row.id),
    name: row.name,
    scope: row.scope,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  }
}

/** Creates a token of `scope`; only its hash is stored. @throws INVALID_OPTION */
export async function createApiToken(
  db: Kysely<Database>,
  options: { readonly name: string; readonly scope: string },
  clock: Clock,
): Promise<CreatedApiToken> {
  checkName(options.name)
  const scope = parseScope(options.scope)
  const token = newToken()
  const row = await db
    .insertInto('api_token')
    .values({ name: options.name, scope, hash: hashApiToken(token), created_at: clock.now() })
    .returning(INFO_COLUMNS)
    .executeTakeFirstOrThrow()
  return { ...info(row), token }
}

/** Every token, revoked ones included, oldest first. */
export async function listApiTokens(db: Kysely<Database>): Promise<ApiTokenInfo[]> {
  const rows = await db.selectFrom('api_token').select(INFO_COLUMNS).orderBy('id').execute()
  return rows.map(info)
}

/** Revokes a token by id or name (every token of that name). @throws NOT_FOUND */
export async function revokeApiToken(
  db: Kysely<Database>,
  idOrName: string,
  clock: Clock,
): Promise<number> {
  const byId = /^\d+$/.test(idOrName)
  const result = await db
    .updateTable('api_token')
    .set({ revoked_at: clock.now() })
    .where(byId ? 'id' : 'name', '=', byId ? Number(idOrName) : idOrName)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  const n = Number(result.numUpdatedRows)
  if (n === 0) {
    throw new TradingAlertsError('NOT_FOUND', `no active API token "${idOrName}"`)
  }
  return n
}

/**
 * The token `token` stands for, or null when it is unknown or revoked. The lookup is by the
 * sha256 of the token (a 256-bit random secret: its hash reveals nothing to guess with) and the
 * stored hash is then compared with `timingSafeEqual`. Writes `last_used_at` at most once a minute.
 */
export async function verifyApiToken(
  db: Kysely<Database>,
  token: string,
  clock: Clock,
): Promise<VerifiedApiToken | null> {
  if (!token.startsWith(API_TOKEN_PREFIX) || token.length > 200) return null
  const hash = hashApiToken(token)
  const row = await db
    .selectFrom('api_token')
    .select(['id', 'name', 'scope', 'hash', 'last_used_at'])
    .where('hash', '=', hash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  if (row === undefined || !timingSafeEqual(Buffer.from(row.hash), Buffer.from(hash))) return null
  const now = clock.now()
  if (
    row.last_used_at === null ||
    now.getTime() - row.last_used_at.getTime() >= LAST_USED_GRANULARITY_MS
  ) {
    await db.updateTable('api_token').set({ last_used_at: now }).where('id', '=', row.id).execute()
  }
  return { id: Number(row.id), name: row.name, scope: row.scope }
}

/** Whether `presented` equals `expected`, in time independent of where they differ. */
export function tokensEqual(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest()
  const b = createHash('sha256').update(expected, 'utf8').digest()
  return timingSafeEqual(a, b)
}

/**
 * The first-start token of the HTTP API: when no token exists at all (revoked ones count), creates
 * an `admin` token named `first-start` and returns it (to print once); otherwise null. One
 * statement, so two processes starting together create at most one on PostgreSQL's default
 * isolation in practice, and never one beside tokens already made.
 */
export async function ensureFirstToken(
  db: Kysely<Database>,
  clock: Clock,
): Promise<CreatedApiToken | null> {
  const token = newToken()
  const now = clock.now()
  const result = await sql<InfoRow>`
    insert into api_token (name, scope, hash, created_at)
    select 'first-start', 'admin', ${hashApiToken(token)}, ${now}
    where not exists (select 1 from api_token)
    returning id, name, scope, created_at, last_used_at, revoked_at
  `.execute(db)
  const row = result.rows[0]
  return row === undefined ? null : { ...info(row), token }
}
