import { randomBytes } from 'node:crypto'
import { startExchangeSimulator, type ExchangeSimulator } from '@trading-alerts/tickerdata/testing'
import { sql } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createDatabase,
  getSymbols,
  runHistorical,
  TradingAlertsError,
  type TradingDatabase,
} from '../src/index.js'
import { testDatabaseKinds, testServerUrl } from '../src/testing/index.js'
import { simDeps } from './sim-deps.js'

const kinds = await testDatabaseKinds()
const NOW = Date.parse('2025-03-05T12:34:56.000Z')
const PAIRS = [
  {
    symbol: 'BTCUSDT',
    baseAsset: 'BTC',
    quoteAsset: 'USDT',
    listedAt: Date.parse('2025-03-02T00:00:00Z'),
  },
]

const depsFor = (sim: ExchangeSimulator, database: TradingDatabase) => simDeps(sim, database, NOW)

/** The job tables in `schema` (and Kysely's), as information_schema lists them. */
async function tablesIn(database: TradingDatabase, schema: string): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = ${schema} order by table_name`.execute(database.db)
  return rows.map((r) => r.name)
}

describe('the schema option', () => {
  it('rejects a name that is not a plain SQL identifier with INVALID_OPTION', async () => {
    for (const schema of ['Market', 'market;drop', '1market', 'pg_market', 'a'.repeat(64)]) {
      const error: unknown = await createDatabase({ schema }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(TradingAlertsError)
      expect(error).toMatchObject({ code: 'INVALID_OPTION' })
      expect((error as Error).message).toContain(`schema "${schema}"`)
    }
  })

  it('puts the tables of the embedded database in the schema', async () => {
    const database = await createDatabase({ schema: 'market' })
    try {
      await database.migrate()
      expect(await tablesIn(database, 'market')).toEqual(
        expect.arrayContaining(['kysely_migration', 'symbol', 'tickerdata_1m', 'job_run']),
      )
      expect(await tablesIn(database, 'public')).toEqual([])
    } finally {
      await database.close()
    }
  })
})

describe.each(kinds.filter((k) => k === 'postgres'))('a PostgreSQL server (%s)', () => {
  const name = `ta_test_${randomBytes(6).toString('hex')}`
  const role = `ta_job_${randomBytes(6).toString('hex')}`
  const server = new URL(testServerUrl())
  const url = new URL(server.href)
  url.pathname = `/${name}`
  let sim: ExchangeSimulator
  const opened: TradingDatabase[] = []
  const admin = async (statement: string, database = server.href): Promise<void> => {
    const client = new pg.Client({ connectionString: database })
    await client.connect()
    try {
      await client.query(statement)
    } finally {
      await client.end()
    }
  }
  const open = async (options: { url: string; schema?: string }) => {
    const database = await createDatabase({ poolSize: 3, ...options })
    opened.push(database)
    return database
  }

  beforeAll(async () => {
    sim = await startExchangeSimulator({ now: () => NOW, pairs: PAIRS })
    await admin(`create database ${name}`)
  })
  afterAll(async () => {
    for (const database of opened) await database.close().catch(() => {})
    await sim?.close()
    await admin(`drop database if exists ${name} with (force)`)
    await admin(`drop role if exists ${role}`)
  })

  it('migrates into schema market and runs the jobs there, nothing in public', async () => {
    const database = await open({ url: url.href, schema: 'market' })
    expect(await database.migrate()).not.toEqual([])
    const deps = depsFor(sim, database)
    expect(await getSymbols(deps)).toMatchObject({ state: 'succeeded' })
    expect(await runHistorical(deps, { historyStart: 'listing' })).toMatchObject({
      state: 'succeeded',
    })
    expect(await tablesIn(database, 'market')).toEqual(
      expect.arrayContaining(['kysely_migration', 'kysely_migration_lock', 'symbol', 'job_run']),
    )
    expect(await tablesIn(database, 'public')).toEqual([])
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from market.tickerdata_1m`.execute(database.db)
    expect(rows[0]?.n).toBe(3 * 1440) // the three whole days since the listing
  })

  it('keeps two schemas on one database apart: their own tables, their own locks', async () => {
    const market = await open({ url: url.href, schema: 'market' })
    const other = await open({ url: url.href, schema: 'other' })
    await other.migrate()
    expect(await tablesIn(other, 'other')).toEqual(await tablesIn(market, 'market'))
    const count = (database: TradingDatabase) =>
      database.db
        .selectFrom('symbol')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    expect((await count(market)).n).toBe(1)
    expect((await count(other)).n).toBe(0)
    const releaseMarket = await market.tryLock('historical')
    const releaseOther = await other.tryLock('historical')
    expect(releaseMarket).not.toBeNull()
    expect(releaseOther).not.toBeNull()
    // The same schema still excludes a second holder.
    const again = await open({ url: url.href, schema: 'market' })
    expect(await again.tryLock('historical')).toBeNull()
    await releaseMarket?.()
    await releaseOther?.()
  })

  it('runs the jobs as a role with only the documented grants, and fails clearly without one', async () => {
    // The owner (this test's superuser) migrates schema jobs; the role only runs the jobs.
    await (await open({ url: url.href, schema: 'jobs' })).migrate()
    await admin(`create role ${role} login`)
    const grants = [
      `grant connect on database ${name} to ${role}`,
      `grant usage on schema jobs to ${role}`,
      `grant select, insert, update, delete on all tables in schema jobs to ${role}`,
      `grant usage on all sequences in schema jobs to ${role}`,
    ]
    for (const grant of grants) await admin(grant, url.href)
    const asRole = new URL(url.href)
    asRole.username = role
    const database = await open({ url: asRole.href, schema: 'jobs' })
    expect(await database.migrate()).toEqual([]) // nothing pending: no CREATE needed
    const deps = depsFor(sim, database)
    expect(await getSymbols(deps)).toMatchObject({ state: 'succeeded' })
    // The candles arrive by COPY FROM STDIN: INSERT covers it.
    expect(await runHistorical(deps, { historyStart: 'listing' })).toMatchObject({
      state: 'succeeded',
    })
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from tickerdata_1m`.execute(database.db)
    expect(rows[0]?.n).toBe(3 * 1440)
    const release = await database.tryLock('incremental')
    expect(release).not.toBeNull()
    await release?.()

    await admin(`revoke usage on all sequences in schema jobs from ${role}`, url.href)
    await expect(getSymbols(depsFor(sim, database))).rejects.toThrow(
      /permission denied for sequence job_run_id_seq/,
    )
  })

  it('takes sslmode from the URL: disable connects, require on a server without SSL says SSL', async () => {
    const plain = new URL(url.href)
    plain.searchParams.set('sslmode', 'disable')
    const database = await open({ url: plain.href, schema: 'market' })
    expect(await tablesIn(database, 'market')).toContain('symbol')

    const { rows } = await sql<{ ssl: string }>`select current_setting('ssl') as ssl`.execute(
      database.db,
    )
    if (rows[0]?.ssl !== 'off') return // a server with SSL on would accept the next one
    const secure = new URL(url.href)
    secure.searchParams.set('uselibpqcompat', 'true') // libpq's require: SSL, no CA check
    secure.searchParams.set('sslmode', 'require')
    const error: unknown = await createDatabase({ url: secure.href }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TradingAlertsError)
    expect(error).toMatchObject({ code: 'DATABASE_ERROR' })
    expect((error as Error).message).toMatch(/^cannot reach PostgreSQL at .*SSL/)
    expect((error as Error).message).not.toContain('\n    at ')
  })
})
