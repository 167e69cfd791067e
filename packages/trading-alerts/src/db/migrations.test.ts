import { Migrator, sql } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from '../testing/index.js'
import { createDatabase, type TradingDatabase } from './database.js'
import { migrations } from './migrations.js'

const kinds = await testDatabaseKinds()
const SCHEMA = 'before_0004'

describe.each(kinds)('migration 0004_task_kind_key on %s', (kind) => {
  const open: (TradingDatabase | TestDatabase)[] = []
  afterAll(async () => {
    for (const d of open.reverse()) await d.close()
  })

  /** A database in its own schema, migrated up to 0003 only. */
  async function at0003(): Promise<TradingDatabase> {
    let url: string | undefined
    if (kind === 'postgres') {
      const server = await createTestDatabase('postgres')
      open.push(server)
      url = server.url
    }
    const database = await createDatabase({ ...(url === undefined ? {} : { url }), schema: SCHEMA })
    open.push(database)
    await sql`create schema if not exists ${sql.id(SCHEMA)}`.execute(database.db)
    const { error } = await new Migrator({
      db: database.db,
      provider: { getMigrations: () => Promise.resolve(migrations) },
      migrationTableSchema: SCHEMA,
    }).migrateTo('0003_run_last_progress')
    expect(error).toBeUndefined()
    return database
  }

  it("back-fills kind and key of the existing tasks: '*' a job task, 'rule:X' a rule task, else a symbol task", async () => {
    const database = await at0003()
    await sql`
      insert into job_run (id, job, state, started_at, params)
      values (1, 'symbols', 'succeeded', now(), '{}'), (2, 'alerts', 'failed', now(), '{}'),
        (3, 'historical', 'succeeded', now(), '{}')`.execute(database.db)
    await sql`
      insert into task_run (job_run_id, job, symbol, params, state)
      values (1, 'symbols', '*', '{}', 'succeeded'),
        (2, 'alerts', 'rule:btc-low', '{}', 'failed'),
        (2, 'alerts', 'rule:rule:odd', '{}', 'succeeded'),
        (3, 'historical', 'BTCUSDT', '{}', 'succeeded')`.execute(database.db)

    expect((await database.migrate())[0]).toBe('0004_task_kind_key')
    const rows = await database.db
      .selectFrom('task_run')
      .select(['job', 'kind', 'key', 'symbol', 'state'])
      .orderBy('id')
      .execute()
    expect(rows).toEqual([
      { job: 'symbols', kind: 'job', key: 'symbols', symbol: null, state: 'succeeded' },
      { job: 'alerts', kind: 'rule', key: 'btc-low', symbol: null, state: 'failed' },
      { job: 'alerts', kind: 'rule', key: 'rule:odd', symbol: null, state: 'succeeded' },
      { job: 'historical', kind: 'symbol', key: 'BTCUSDT', symbol: 'BTCUSDT', state: 'succeeded' },
    ])
    // kind and key are required from now on; symbol is not.
    await expect(
      sql`insert into task_run (job_run_id, job, symbol, params, state)
        values (3, 'historical', 'ETHUSDT', '{}', 'pending')`.execute(database.db),
    ).rejects.toThrow(/null/i)
    await sql`insert into task_run (job_run_id, job, kind, key, params, state)
      values (1, 'symbols', 'job', 'symbols', '{}', 'pending')`.execute(database.db)
    expect(await database.migrate()).toEqual([])
  })
})
