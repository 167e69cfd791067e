import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely'

/** The part of PGlite (or of a PGlite transaction) this dialect uses. */
export interface PGliteQueryable {
  query<T>(
    sql: string,
    params?: unknown[],
    options?: { blob?: Blob },
  ): Promise<{ rows: T[]; affectedRows?: number }>
}

/** A FIFO lock: PGlite is one session, so one Kysely connection at a time may use it. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve()

  lock(): Promise<() => void> {
    let release!: () => void
    const next = new Promise<void>((resolve) => {
      release = resolve
    })
    const acquired = this.tail.then(() => release)
    this.tail = this.tail.then(() => next)
    return acquired
  }
}

class PGliteConnection implements DatabaseConnection {
  private readonly queryable: PGliteQueryable
  readonly release: () => void

  constructor(queryable: PGliteQueryable, release: () => void) {
    this.queryable = queryable
    this.release = release
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.queryable.query<R>(compiled.sql, [...compiled.parameters])
    return {
      rows: result.rows,
      ...(result.affectedRows === undefined
        ? {}
        : { numAffectedRows: BigInt(result.affectedRows) }),
    }
  }

  streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported on the embedded database')
  }
}

class PGliteDriver implements Driver {
  private readonly queryable: PGliteQueryable
  private readonly mutex: Mutex | undefined

  constructor(queryable: PGliteQueryable, mutex: Mutex | undefined) {
    this.queryable = queryable
    this.mutex = mutex
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const release = this.mutex === undefined ? () => {} : await this.mutex.lock()
    return new PGliteConnection(this.queryable, release)
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'))
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'))
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'))
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    ;(connection as PGliteConnection).release()
    return Promise.resolve()
  }

  async destroy(): Promise<void> {}
}

/**
 * A Kysely dialect for PGlite (kysely 0.28 has none built in). Queries go through `mutex` so that a
 * transaction's statements never interleave with other queries on PGlite's single session; pass no
 * mutex for a dialect bound to a transaction that already holds it.
 */
export class PGliteDialect implements Dialect {
  private readonly queryable: PGliteQueryable
  private readonly mutex: Mutex | undefined

  constructor(queryable: PGliteQueryable, mutex?: Mutex) {
    this.queryable = queryable
    this.mutex = mutex
  }

  createAdapter() {
    return new PostgresAdapter()
  }

  createDriver(): Driver {
    return new PGliteDriver(this.queryable, this.mutex)
  }

  createQueryCompiler() {
    return new PostgresQueryCompiler()
  }

  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db)
  }
}
