import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import pg from 'pg'
import { createDatabase, type TradingDatabase } from '../db/database.js'
import type { Database } from '../db/schema.js'

export type TestDatabaseKind = 'pglite' | 'postgres'

/** The server the PostgreSQL tier uses: TEST_DATABASE_URL, or the local default. */
export function testServerUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
}

/**
 * Whether the PostgreSQL tier runs: always when TEST_DATABASE_URL is set (CI sets it, so a dead
 * server fails there), else only when the default local server answers.
 */
export async function postgresAvailable(): Promise<boolean> {
  if (process.env.TEST_DATABASE_URL !== undefined) return true
  const client = new pg.Client({ connectionString: testServerUrl(), connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    await client.end()
    return true
  } catch {
    console.warn(
      `\n  !! PostgreSQL tests SKIPPED: no server at ${testServerUrl()}. Start one or set TEST_DATABASE_URL.\n`,
    )
    return false
  }
}

export interface TestDatabase extends TradingDatabase {
  /** The connection string (postgres) or undefined (in-memory PGlite). */
  readonly url: string | undefined
}

/**
 * A migrated database for one test file: PGlite in memory, or a FRESH PostgreSQL database on the
 * test server (created here, dropped on close), so parallel test files never collide.
 */
export async function createTestDatabase(kind: TestDatabaseKind): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const database = await createDatabase({})
    await database.migrate()
    return Object.assign(database, { url: undefined })
  }
  const server = new URL(testServerUrl())
  const name = `ta_test_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: server.href })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const url = new URL(server.href)
  url.pathname = `/${name}`
  const database = await createDatabase({ url: url.href, poolSize: 5 })
  await database.migrate()
  const close = database.close.bind(database)
  return Object.assign(database, {
    url: url.href,
    async close() {
      await close()
      const drop = new pg.Client({ connectionString: server.href })
      await drop.connect()
      await drop.query(`drop database if exists ${name} with (force)`)
      await drop.end()
    },
  })
}

/** The database kinds to run integration tests on in this environment. */
export async function testDatabaseKinds(): Promise<TestDatabaseKind[]> {
  return (await postgresAvailable()) ? ['pglite', 'postgres'] : ['pglite']
}

/** A clock frozen at `iso`. */
export function fixedClock(iso: string | number): { now(): Date } {
  const t = typeof iso === 'number' ? iso : Date.parse(iso)
  return { now: () => new Date(t) }
}

export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error'
  readonly message: string
  readonly fields: Record<string, unknown> | undefined
}

/** A logger that keeps its entries for assertions. */
export function memoryLogger() {
  const entries: LogEntry[] = []
  const at =
    (level: LogEntry['level']) =>
    (message: string, fields?: Record<string, unknown>): void => {
      entries.push({ level, message, fields })
    }
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

/** Adds tracked, trading `<BASE>USDT` pairs to the symbol table (what a symbols run would). */
export async function insertTestSymbols(
  db: Kysely<Database>,
  symbols: readonly string[],
  seenAt: Date = new Date(0),
): Promise<void> {
  await db
    .insertInto('symbol')
    .values(
      symbols.map((symbol) => ({
        symbol,
        base_asset: symbol.replace(/USDT$/, ''),
        quote_asset: 'USDT',
        coingecko_id: null,
        name: null,
        market_cap_rank: null,
        market_cap_usd: null,
        in_top_n: true,
        status: 'TRADING',
        first_seen_at: seenAt,
        last_seen_at: seenAt,
        last_updated_at: null,
      })),
    )
    .execute()
}
