import { mkdirSync } from 'node:fs'
import { PGlite } from '@electric-sql/pglite'
import type { Kline, KlineColumns } from '@trading-alerts/tickerdata'
import { Kysely, Migrator, PostgresDialect, sql, type MigrationProvider } from 'kysely'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { TradingAlertsError } from '../errors.js'
import { silentLogger, type Logger } from '../ports.js'
import { GuardedPool, isConnectionFailure, type WaitOptions } from './connection-guard.js'
import { COPY_COLUMNS, encodeColumns, encodeKlines } from './copy-encoder.js'
import { assertChannel, PgListener, type ListenHandlers } from './listener.js'
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
  /** PostgreSQL's `application_name` of the connections (pg_stat_activity); default `trading-alerts`. */
  readonly applicationName?: string
  /**
   * The schema the tables live in (an SQL identifier: lower-case letters, digits, `_`); default
   * `public`. Every connection's `search_path` is this schema; `migrate()` creates it if missing
   * and keeps Kysely's migration tables there. Advisory locks are per schema.
   */
  readonly schema?: string | undefined
  /** Debug events: connections opened and lost, advisory lock attempts, reconnect attempts. */
  readonly logger?: Logger
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
  /**
   * Calls `listener` when a connection in use is lost (the server restarted or failed over, the
   * session was terminated) or none can be opened: a query, COPY or transaction on it failed
   * with `error` (`TradingAlertsError('DATABASE_ERROR')`), or the session holding an advisory lock
   * ended, which released the lock. An idle pooled connection that closes is replaced silently.
   * Returns the unsubscribe function. PGlite, in this process, has no connection to lose.
   */
  onConnectionLost(listener: (error: TradingAlertsError) => void): () => void
  /**
   * Resolves once the database answers again, retrying with a growing delay (debug events).
   *
   * @throws TradingAlertsError('DATABASE_ERROR') when it did not within `timeoutMs` (default 30 s).
   */
  waitUntilReachable(options?: WaitOptions): Promise<void>
  /**
   * LISTENs on `channel` (an unquoted identifier) and calls `handler` with each NOTIFY's payload,
   * from this or any other session. PostgreSQL: on one dedicated connection, reconnected when
   * lost; `onListening` runs each time the LISTEN is in place (first and after each reconnect:
   * NOTIFYs sent meanwhile are lost, read what was missed then). PGlite: its own listen. Resolves
   * to the unlisten function.
   */
  listen(
    channel: string,
    handler: (payload: string) => void,
    onListening?: () => void,
  ): Promise<() => Promise<void>>
  close(): Promise<void>
}

function handlersOf(handler: (payload: string) => void, onListening?: () => void): ListenHandlers {
  return onListening === undefined ? { onNotify: handler } : { onNotify: handler, onListening }
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

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/

/** The schema option, validated: an unquoted SQL identifier PostgreSQL keeps as written. */
function schemaOf(schema: string | undefined): string {
  if (schema === undefined || schema === '') return 'public'
  if (!SCHEMA_NAME.test(schema) || schema.startsWith('pg_')) {
    throw new TradingAlertsError(
      'INVALID_OPTION',
      `schema "${schema}" is not a valid schema name: lower-case letters, digits and _, starting with a letter or _, at most 63 characters, not pg_… (example: market)`,
    )
  }
  return schema
}

async function runMigrations(db: Kysely<Database>, schema: string): Promise<string[]> {
  // Looked up first: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when it exists.
  const found = await sql<{
    ok: number
  }>`select 1 as ok from pg_namespace where nspname = ${schema}`.execute(db)
  if (found.rows.length === 0) {
    try {
      await sql`create schema if not exists ${sql.id(schema)}`.execute(db)
    } catch (cause) {
      throw new TradingAlertsError('MIGRATION_FAILED', `cannot create schema ${schema}`, { cause })
    }
  }
  const { error, results } = await new Migrator({
    db,
    provider: migrationProvider,
    migrationTableSchema: schema,
  }).migrateToLatest()
  if (error !== undefined) {
    throw new TradingAlertsError('MIGRATION_FAILED', 'database migrations failed', { cause: error })
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}

/** The advisory lock's name: the schema's in it, except for `public`, whose keys predate the option. */
function lockKey(schema: string, key: string): string {
  return schema === 'public' ? `trading-alerts:${key}` : `trading-alerts:${schema}:${key}`
}

/** `host:port/database` of a connection string (never its user or password). */
function serverOf(url: string): string {
  const where = new URL(url)
  return `${where.hostname}:${where.port || '5432'}${where.pathname}`
}

/** PostgreSQL through `pg`: Kysely on a pool, COPY through pg-copy-streams. */
function createPostgres(
  url: string,
  schema: string,
  poolSize: number,
  applicationName: string,
  logger: Logger,
): TradingDatabase {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    application_name: applicationName,
    // Every session, the pooled ones and the ones that replace lost ones, starts in the schema.
    options: `-c search_path=${schema}`,
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
  const guard = new GuardedPool(pool, serverOf(url), logger)
  const listener = new PgListener(url, applicationName, logger)
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: guard.kysely }) })

  return {
    kind: 'postgres',
    db,
    async writeTransaction(fn) {
      const client = await guard.checkout()
      // Kysely only calls query() and release() on a pooled client: bind them to this one.
      const single = guard.adapt(client, () => {})
      const trxDb = new Kysely<Database>({
        dialect: new PostgresDialect({
          pool: { connect: () => Promise.resolve(single), end: () => Promise.resolve() },
        }),
      })
      let copyFailed = false
      const copy = (statement: string, chunks: readonly Buffer[]) =>
        new Promise<void>((resolve, reject) => {
          const stream = client.query(copyFrom(statement))
          stream.on('error', (error) => {
            copyFailed = true
            guard.discard(client)
            reject(guard.failure(error, client))
          })
          stream.on('finish', () => resolve())
          let i = 0
          const pump = () => {
            while (i < chunks.length && !copyFailed) {
              const ok = stream.write(chunks[i++])
              if (!ok) {
                stream.once('drain', pump)
                return
              }
            }
            if (!copyFailed) stream.end()
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
      try {
        await guard.query(client, 'BEGIN')
        const result = await fn(tx)
        await guard.query(client, 'COMMIT')
        return result
      } catch (error) {
        // A discarded or lost connection took its transaction with it: nothing to roll back.
        if (!copyFailed && !guard.isLost(client)) {
          await guard.query(client, 'ROLLBACK').catch(() => guard.discard(client))
        }
        throw error
      } finally {
        guard.checkin(client)
      }
    },
    migrate: () => runMigrations(db, schema),
    async tryLock(key) {
      const client = await guard.checkout()
      const name = lockKey(schema, key)
      let got: boolean
      try {
        const result = await guard.query<{ ok: boolean }>(
          client,
          'select pg_try_advisory_lock(hashtext($1)) as ok',
          [name],
        )
        got = result.rows[0]?.ok === true
      } catch (error) {
        guard.checkin(client)
        throw error
      }
      if (!got) {
        guard.checkin(client)
        logger.debug?.('advisory lock busy: another session holds it', { lock: key })
        return null
      }
      guard.holdsLock(client, key)
      logger.debug?.('advisory lock taken', { lock: key })
      return async () => {
        try {
          if (!guard.isLost(client)) {
            await guard.query(client, 'select pg_advisory_unlock(hashtext($1))', [name])
            logger.debug?.('advisory lock released', { lock: key })
            return
          }
        } catch (error) {
          if (!isConnectionFailure(error)) throw error
        } finally {
          guard.checkin(client)
        }
        // The server released the lock with the session.
        logger.debug?.('advisory lock gone with its connection', { lock: key })
      }
    },
    onConnectionLost: (listener) => guard.onLost(listener),
    waitUntilReachable: (options) => guard.waitUntilReachable(options),
    listen: (channel, handler, onListening) =>
      listener.listen(channel, handlersOf(handler, onListening)),
    async close() {
      await listener.close()
      await db.destroy()
    },
  }
}

/** The embedded database: PGlite, one session guarded by a mutex, COPY from a blob. */
async function createPGlite(
  dataDir: string | undefined,
  schema: string,
  logger: Logger,
): Promise<TradingDatabase> {
  const inMemory = dataDir === undefined || dataDir === 'memory://' || dataDir === ''
  if (!inMemory) mkdirSync(dataDir, { recursive: true })
  const pglite = await PGlite.create(inMemory ? undefined : dataDir)
  // Its one session lives in the schema (a search_path naming a schema not yet created is valid).
  await pglite.exec(`set search_path to ${schema}`)
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
    migrate: () => runMigrations(db, schema),
    tryLock(key) {
      // One process owns a PGlite data directory, so an in-process lock is the whole guarantee.
      if (locks.has(key)) {
        logger.debug?.('lock busy: held in this process', { lock: key })
        return Promise.resolve(null)
      }
      locks.add(key)
      logger.debug?.('lock taken', { lock: key })
      return Promise.resolve(() => {
        locks.delete(key)
        logger.debug?.('lock released', { lock: key })
        return Promise.resolve()
      })
    },
    onConnectionLost: () => () => {},
    waitUntilReachable: () => Promise.resolve(),
    async listen(channel, handler, onListening) {
      assertChannel(channel)
      const unlisten = await pglite.listen(channel, handler)
      onListening?.()
      return unlisten
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
 * @throws TradingAlertsError('INVALID_OPTION') when `schema` is not a valid schema name.
 * @throws TradingAlertsError('DATABASE_ERROR') when the server cannot be reached (also: SSL
 *   asked for by `?sslmode=require` and the server does not offer it).
 *
 * SSL comes from the URL as pg 8 reads it: `?sslmode=disable|verify-full|no-verify`,
 * `sslrootcert=/path/ca.pem`, `sslcert=`, `sslkey=`; `prefer`, `require` and `verify-ca` mean
 * `verify-full` unless `uselibpqcompat=true` (see the root README).
 */
export async function createDatabase(
  options: CreateDatabaseOptions = {},
): Promise<TradingDatabase> {
  const logger = options.logger ?? silentLogger
  const schema = schemaOf(options.schema)
  if (options.url !== undefined && options.url !== '') {
    const server = serverOf(options.url)
    const database = createPostgres(
      options.url,
      schema,
      options.poolSize ?? 10,
      options.applicationName ?? 'trading-alerts',
      logger,
    )
    try {
      await sql`select 1`.execute(database.db)
    } catch (cause) {
      await database.close().catch(() => {})
      if (cause instanceof TradingAlertsError) throw cause
      throw new TradingAlertsError(
        'DATABASE_ERROR',
        `cannot reach PostgreSQL at ${server}: ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause },
      )
    }
    logger.debug?.('database connected', { kind: 'postgres', server })
    return database
  }
  const database = await createPGlite(options.dataDir, schema, logger)
  logger.debug?.('database opened', { kind: 'pglite', dataDir: options.dataDir ?? 'memory://' })
  return database
}
