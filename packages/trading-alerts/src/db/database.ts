import { mkdirSync } from 'node:fs'
import { PGlite } from '@electric-sql/pglite'
import type { Kline, KlineColumns } from '@trading-alerts/tickerdata'
import { Kysely, Migrator, PostgresDialect, sql, type MigrationProvider } from 'kysely'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { TradingAlertsError } from '../errors.js'
import { COPY_COLUMNS, encodeColumns, encodeKlines } from './copy-encoder.js'
import { migrations } from './migrations.js'
import { Mutex, PGliteDialect, type PGliteQueryable } from './pglite-dialect.js'
import type { Database } from './schema.js'

export interface CreateDatabaseOptions {
  /** `postgres://…` for a PostgreSQL server; unset for the embedded database (PGlite). */
  readonly url?: string | undefined
  /** PGlite data directory (created if missing); `memory://` or unset for an in-memory database. */
  readonly dataDir?: string | undefined
  /** Connections in the PostgreSQL pool; default 10. */
  readonly poolSize?: number
}

/** Candles for one period of one symbol: [start, end) in ms, rows from an archive file or REST. */
export interface CandleBatch {
  readonly symbol: string
  readonly start: number
  readonly end: number
  readonly rows: KlineColumns | readonly Kline[]
}

/** A write transaction: a Kysely bound to it, and the COPY path for candles. */
export interface WriteTransaction {
  readonly db: Kysely<Database>
  /**
   * Replaces the symbol's candles in [start, end) by `rows`: deletes what is there (nothing, for a
   * period loaded for the first time) and COPYs the rows in. Returns the rows written.
   */
  replaceCandles(batch: CandleBatch): Promise<number>
  /**
   * COPYs rows in PostgreSQL's text format (tab-separated fields, one row per line, `\\N` for
   * null) into `table (columns)`. The caller escapes the fields.
   */
  copyRows(table: string, columns: readonly string[], chunks: readonly Buffer[]): Promise<void>
}

/** The database of the pipeline: PostgreSQL or the embedded PGlite, one schema. */
export interface TradingDatabase {
  readonly kind: 'postgres' | 'pglite'
  readonly db: Kysely<Database>
  /**
   * Runs `fn` in ONE transaction: candles COPYed through `tx.replaceCandles` and bookkeeping
   * written through `tx.db` commit together or not at all. Never use the outer `db` inside `fn`.
   */
  writeTransaction<T>(fn: (tx: WriteTransaction) => Promise<T>): Promise<T>
  /** Applies every pending migration. */
  migrate(): Promise<string[]>
  /** Takes a session-level advisory lock (PostgreSQL) for `key`; resolves to a release function, or null when another session holds it. PGlite: an in-process lock. */
  tryLock(key: string): Promise<(() => Promise<void>) | null>
  close(): Promise<void>
}

function isColumns(rows: KlineColumns | readonly Kline[]): rows is KlineColumns {
  return !Array.isArray(rows)
}

function encode(batch: CandleBatch): Buffer[] {
  return isColumns(batch.rows)
    ? encodeColumns(batch.symbol, batch.rows)
    : encodeKlines(batch.symbol, batch.rows)
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}

function rowCount(batch: CandleBatch): number {
  return isColumns(batch.rows) ? batch.rows.length : batch.rows.length
}

async function deleteRange(db: Kysely<Database>, batch: CandleBatch): Promise<void> {
  await db
    .deleteFrom('tickerdata_1m')
    .where('symbol', '=', batch.symbol)
    .where('open_time', '>=', new Date(batch.start))
    .where('open_time', '<', new Date(batch.end))
    .execute()
}

function assertInside(batch: CandleBatch): void {
  const n = rowCount(batch)
  if (n === 0) return
  const first = isColumns(batch.rows) ? batch.rows.openTime[0] : batch.rows[0]?.openTime
  const last = isColumns(batch.rows) ? batch.rows.openTime[n - 1] : batch.rows[n - 1]?.openTime
  if (first === undefined || last === undefined || first < batch.start || last >= batch.end) {
    throw new RangeError(`candles of ${batch.symbol} fall outside the period they replace`)
  }
}

const migrationProvider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) }

async function runMigrations(db: Kysely<Database>): Promise<string[]> {
  const { error, results } = await new Migrator({
    db,
    provider: migrationProvider,
  }).migrateToLatest()
  if (error !== undefined) {
    throw new TradingAlertsError('MIGRATION_FAILED', 'database migrations failed', { cause: error })
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}

function lockKey(key: string): string {
  return `trading-alerts:${key}`
}

/** PostgreSQL through `pg`: Kysely on a pool, COPY through pg-copy-streams. */
function createPostgres(url: string, poolSize: number): TradingDatabase {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // Counts and bigint ids as numbers (they fit); numeric stays an exact string (pg's default).
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary'): ((value: string) => unknown) =>
        oid === 20
          ? (v: string) => Number(v)
          : (pg.types.getTypeParser(oid, format ?? 'text') as (
              value: string,
            ) => unknown)) as typeof pg.types.getTypeParser,
    },
  })
  // An idle client's error (server restart) must not crash the process; the next query reports it.
  pool.on('error', () => {})
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })

  return {
    kind: 'postgres',
    db,
    async writeTransaction(fn) {
      const client = await pool.connect()
      const single = {
        // Kysely only calls query() and release() on a pooled client: bind them to this one.
        connect: () => Promise.resolve({ query: client.query.bind(client), release: () => {} }),
        end: () => Promise.resolve(),
      }
      const trxDb = new Kysely<Database>({
        dialect: new PostgresDialect({ pool: single }),
      })
      const copy = (statement: string, chunks: readonly Buffer[]) =>
        new Promise<void>((resolve, reject) => {
          const stream = client.query(copyFrom(statement))
          stream.on('error', reject)
          stream.on('finish', () => resolve())
          let i = 0
          const pump = () => {
            while (i < chunks.length) {
              const ok = stream.write(chunks[i++])
              if (!ok) {
                stream.once('drain', pump)
                return
              }
            }
            stream.end()
          }
          pump()
        })
      const tx: WriteTransaction = {
        db: trxDb,
        async replaceCandles(batch) {
          assertInside(batch)
          await deleteRange(trxDb, batch)
          const chunks = encode(batch)
          if (chunks.length === 0) return 0
          await copy(`COPY tickerdata_1m ${COPY_COLUMNS} FROM STDIN`, chunks)
          return rowCount(batch)
        },
        async copyRows(table, columns, chunks) {
          if (chunks.length === 0) return
          await copy(
            `COPY ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) FROM STDIN`,
            chunks,
          )
        },
      }
      let broken = false
      try {
        await client.query('BEGIN')
        const result = await fn(tx)
        await client.query('COMMIT')
        return result
      } catch (error) {
        try {
          await client.query('ROLLBACK')
        } catch {
          broken = true
        }
        throw error
      } finally {
        client.release(broken)
      }
    },
    migrate: () => runMigrations(db),
    async tryLock(key) {
      const client = await pool.connect()
      const name = lockKey(key)
      const got = await client.query<{ ok: boolean }>(
        'select pg_try_advisory_lock(hashtext($1)) as ok',
        [name],
      )
      if (got.rows[0]?.ok !== true) {
        client.release()
        return null
      }
      return async () => {
        try {
          await client.query('select pg_advisory_unlock(hashtext($1))', [name])
        } finally {
          client.release()
        }
      }
    },
    async close() {
      await db.destroy()
    },
  }
}

/** The embedded database: PGlite, one session guarded by a mutex, COPY from a blob. */
async function createPGlite(dataDir: string | undefined): Promise<TradingDatabase> {
  const inMemory = dataDir === undefined || dataDir === 'memory://' || dataDir === ''
  if (!inMemory) mkdirSync(dataDir, { recursive: true })
  const pglite = await PGlite.create(inMemory ? undefined : dataDir)
  const mutex = new Mutex()
  const db = new Kysely<Database>({
    dialect: new PGliteDialect(pglite, mutex),
  })
  const locks = new Set<string>()

  return {
    kind: 'pglite',
    db,
    async writeTransaction(fn) {
      const release = await mutex.lock()
      try {
        return await pglite.transaction(async (t) => {
          const queryable = t as unknown as PGliteQueryable
          const trxDb = new Kysely<Database>({ dialect: new PGliteDialect(queryable) })
          const tx: WriteTransaction = {
            db: trxDb,
            async replaceCandles(batch) {
              assertInside(batch)
              await deleteRange(trxDb, batch)
              const chunks = encode(batch)
              if (chunks.length === 0) return 0
              await queryable.query(`COPY tickerdata_1m ${COPY_COLUMNS} FROM '/dev/blob'`, [], {
                blob: new Blob(chunks),
              })
              return rowCount(batch)
            },
            async copyRows(table, columns, chunks) {
              if (chunks.length === 0) return
              await queryable.query(
                `COPY ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) FROM '/dev/blob'`,
                [],
                { blob: new Blob(chunks as Buffer[]) },
              )
            },
          }
          return fn(tx)
        })
      } finally {
        release()
      }
    },
    migrate: () => runMigrations(db),
    tryLock(key) {
      // One process owns a PGlite data directory, so an in-process lock is the whole guarantee.
      if (locks.has(key)) return Promise.resolve(null)
      locks.add(key)
      return Promise.resolve(() => {
        locks.delete(key)
        return Promise.resolve()
      })
    },
    async close() {
      await db.destroy()
      await pglite.close()
    },
  }
}

/**
 * Opens the pipeline's database: PostgreSQL when `url` is set, else the embedded PGlite (in
 * `dataDir`, or in memory). Call `migrate()` before use.
 *
 * @throws TradingAlertsError('DATABASE_ERROR') when the server cannot be reached.
 */
export async function createDatabase(
  options: CreateDatabaseOptions = {},
): Promise<TradingDatabase> {
  if (options.url !== undefined && options.url !== '') {
    const database = createPostgres(options.url, options.poolSize ?? 10)
    try {
      await sql`select 1`.execute(database.db)
    } catch (cause) {
      await database.close().catch(() => {})
      const where = new URL(options.url)
      throw new TradingAlertsError(
        'DATABASE_ERROR',
        `cannot reach PostgreSQL at ${where.hostname}:${where.port || '5432'}${where.pathname}: ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause },
      )
    }
    return database
  }
  return createPGlite(options.dataDir)
}
