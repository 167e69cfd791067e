import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely'
import type pg from 'pg'
import { TradingAlertsError } from '../errors.js'
import type { Logger } from '../ports.js'

/**
 * SQLSTATEs of a session the server ended or would not open: class 08 (connection exception),
 * 57P01–57P05 (administrator command such as `pg_terminate_backend`, crash shutdown, cannot
 * connect now, database dropped, idle-session timeout) and 25P03 (idle-in-transaction timeout).
 */
const SESSION_ENDED = /^(08[0-9A-Z]{3}|57P0[1-5]|25P03)$/
/** Socket errors of a connection that went away or never came. */
const NETWORK_ERRORS = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
])
/** What pg says when the socket closed under it, or when a client that lost it is used again. */
const CLOSED_UNDER_US = /Connection terminated|connection error and is not queryable/

/** Whether `error` means the connection is gone (rather than a query the server refused). */
export function isConnectionFailure(error: unknown): boolean {
  if (error instanceof TradingAlertsError) return error.code === 'DATABASE_ERROR'
  if (!(error instanceof Error)) return false
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string' && (SESSION_ENDED.test(code) || NETWORK_ERRORS.has(code)))
    return true
  return CLOSED_UNDER_US.test(error.message)
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

export interface WaitOptions {
  /** Give up after this long; default 30 s. */
  readonly timeoutMs?: number
  readonly signal?: AbortSignal
}

/**
 * The pg pool with an error path for every connection. pg emits `error` on a client whose
 * connection drops while it is checked out but no query is running on it (the session holding an
 * advisory lock, a transaction between two statements): with no listener that crashes the
 * process. Here each connection gets one when it opens; a loss on a connection in use is turned
 * into a `TradingAlertsError('DATABASE_ERROR')` and reported to the `onLost` listeners, so that a
 * job can stop. An idle pooled connection that closes is only dropped from the pool.
 */
export class GuardedPool {
  readonly where: string
  private readonly pool: pg.Pool
  private readonly logger: Logger
  private readonly listeners = new Set<(error: TradingAlertsError) => void>()
  private readonly inUse = new WeakSet<pg.PoolClient>()
  private readonly lost = new WeakSet<pg.PoolClient>()
  private readonly discarded = new WeakSet<pg.PoolClient>()
  private readonly locks = new WeakMap<pg.PoolClient, string>()
  private readonly adapters = new WeakMap<pg.PoolClient, PostgresPoolClient>()

  constructor(pool: pg.Pool, where: string, logger: Logger) {
    this.pool = pool
    this.where = where
    this.logger = logger
    pool.on('connect', (client) => {
      logger.debug?.('database connection opened', { server: where, open: pool.totalCount })
      client.on('error', (error) => {
        if (this.inUse.has(client) && !this.discarded.has(client)) this.failure(error, client)
      })
    })
    pool.on('error', (error) => {
      logger.debug?.('idle database connection closed: the pool opens another when needed', {
        server: where,
        error: messageOf(error),
      })
    })
  }

  /** Calls `listener` with the error of each connection lost while in use. Returns the unsubscribe function. */
  onLost(listener: (error: TradingAlertsError) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * `error` as the caller should see it: a failure to connect (no `client`), or of a connection,
   * becomes DATABASE_ERROR, reported to the listeners (once per connection); any other error of a
   * query (a constraint, a syntax error) stays as it is.
   */
  failure(error: unknown, client?: pg.PoolClient): Error {
    if (client !== undefined && !isConnectionFailure(error))
      return error instanceof Error ? error : new Error(String(error))
    if (error instanceof TradingAlertsError) return error
    const lock = client === undefined ? undefined : this.locks.get(client)
    const wrapped = new TradingAlertsError(
      'DATABASE_ERROR',
      client === undefined
        ? `cannot reach PostgreSQL at ${this.where}: ${messageOf(error)}`
        : lock === undefined
          ? `lost the connection to PostgreSQL at ${this.where}: ${messageOf(error)}`
          : `lost the connection holding the lock "${lock}" to PostgreSQL at ${this.where}; another process may take the lock now: ${messageOf(error)}`,
      { cause: error },
    )
    if (client !== undefined) {
      if (this.lost.has(client)) return wrapped
      this.lost.add(client)
    }
    this.logger.debug?.('database connection lost', { server: this.where, error: messageOf(error) })
    for (const listener of this.listeners) listener(wrapped)
    return wrapped
  }

  async checkout(): Promise<pg.PoolClient> {
    try {
      const client = await this.pool.connect()
      this.inUse.add(client)
      return client
    } catch (error) {
      throw this.failure(error)
    }
  }

  /** Back to the pool; a client whose connection failed or was discarded is closed instead. */
  checkin(client: pg.PoolClient): void {
    this.inUse.delete(client)
    this.locks.delete(client)
    client.release(this.lost.has(client) || this.discarded.has(client))
  }

  async query<R extends pg.QueryResultRow>(
    client: pg.PoolClient,
    text: string,
    params?: readonly unknown[],
  ): Promise<pg.QueryResult<R>> {
    try {
      return await client.query<R>(text, params === undefined ? undefined : [...params])
    } catch (error) {
      throw this.failure(error, client)
    }
  }

  /** Whether the client's connection failed (a lock it held is gone with it). */
  isLost(client: pg.PoolClient): boolean {
    return this.lost.has(client)
  }

  /** Names the lock a client holds, for the message when its connection goes. */
  holdsLock(client: pg.PoolClient, key: string): void {
    this.locks.set(client, key)
  }

  /**
   * Closes a client's socket for good, after a failed COPY: pg-copy-streams drops its connection
   * when the COPY fails but still flushes the writes pending on the socket when it drains
   * (`TypeError: Cannot read properties of null (reading 'stream')`, node-pg-copy-streams#171).
   * With the socket closed nothing drains; the transaction is lost with the COPY anyway.
   */
  discard(client: pg.PoolClient): void {
    this.discarded.add(client)
    client.connection.stream.destroy()
  }

  /** Kysely's view of the pool: the same clients, with the same error path. */
  readonly kysely: PostgresPool = {
    connect: async () => {
      const client = await this.checkout()
      let adapter = this.adapters.get(client)
      if (adapter === undefined) {
        adapter = this.adapt(client, () => this.checkin(client))
        this.adapters.set(client, adapter)
      }
      return adapter
    },
    end: () => this.pool.end(),
  }

  /**
   * A Kysely client on `client` whose queries take this error path; `release` as given. (Kysely
   * passes a cursor only for streamed queries, which this package does not configure.)
   */
  adapt(client: pg.PoolClient, release: () => void): PostgresPoolClient {
    const query = (text: string, params: readonly unknown[]) =>
      this.query(client, text, params) as Promise<PostgresQueryResult<never>>
    return { query: query as unknown as PostgresPoolClient['query'], release }
  }

  /**
   * Resolves once the server answers `select 1`, retrying with a growing delay (100 ms to 2 s);
   * each failed attempt is a debug event.
   *
   * @throws TradingAlertsError('DATABASE_ERROR') when it did not answer within `timeoutMs`.
   */
  async waitUntilReachable(options: WaitOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 30_000
    const deadline = Date.now() + timeoutMs
    for (let attempt = 1; ; attempt++) {
      try {
        await this.pool.query('select 1')
        if (attempt > 1)
          this.logger.info('database answers again', { server: this.where, attempts: attempt })
        return
      } catch (error) {
        const delayMs = Math.min(2_000, 100 * 2 ** (attempt - 1))
        if (Date.now() + delayMs > deadline || options.signal?.aborted === true) {
          throw new TradingAlertsError(
            'DATABASE_ERROR',
            `PostgreSQL at ${this.where} did not answer within ${timeoutMs} ms: ${messageOf(error)}`,
            { cause: error },
          )
        }
        this.logger.debug?.('database unreachable: retrying', {
          server: this.where,
          attempt,
          retryInMs: delayMs,
          error: messageOf(error),
        })
        await new Promise((resolve) => setTimeout(resolve, delayMs))
      }
    }
  }
}
