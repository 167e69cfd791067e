import type { Kline } from '@trading-alerts/tickerdata'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { TradingAlertsError } from '../errors.js'
import {
  createTestDatabase,
  memoryLogger,
  postgresAvailable,
  testServerUrl,
  type TestDatabase,
} from '../testing/index.js'
import { createDatabase, type TradingDatabase } from './database.js'

// PGlite runs in this process: it has no connection to lose. A killed process is what the runner's
// SIGKILL tests cover.
const hasPostgres = await postgresAvailable()
const MINUTE = 60_000
const START = Date.UTC(2024, 0, 1)
const APP = 'ta-connection-loss-test'

function kline(i: number): Kline {
  const openTime = START + i * MINUTE
  return {
    openTime,
    open: '42000.10000000',
    high: '42001.10000000',
    low: '41999.10000000',
    close: '42000.50000000',
    volume: '12.34567890',
    closeTime: openTime + 59_999,
    quoteVolume: '518518.51851851',
    trades: i,
    takerBuyBaseVolume: '6.17283945',
    takerBuyQuoteVolume: '259259.25925925',
  }
}

/** A session of the test itself on `url`, never one of those it terminates. */
async function session(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'ta-test-admin' })
  await client.connect()
  return client
}

describe.runIf(hasPostgres)('a lost PostgreSQL connection', () => {
  let scratch: TestDatabase
  let admin: pg.Client
  let database: TradingDatabase
  let lost: TradingAlertsError[]
  const logger = memoryLogger()
  const uncaught: unknown[] = []
  const onUncaught = (error: unknown) => uncaught.push(error)

  beforeAll(async () => {
    scratch = await createTestDatabase('postgres')
    admin = await session(testServerUrl())
    process.on('uncaughtException', onUncaught)
  })
  afterAll(async () => {
    process.off('uncaughtException', onUncaught)
    await admin?.end()
    await scratch?.close()
  })
  afterEach(async () => {
    await database?.close()
    expect(uncaught.splice(0)).toEqual([])
  })

  const open = async () => {
    database = await createDatabase({ url: scratch.url, applicationName: APP, logger })
    lost = []
    database.onConnectionLost((error) => lost.push(error))
    return database
  }

  /** Polls pg_stat_activity until the database's own sessions match `where`; returns their pids. */
  const waitForBackends = async (where: string): Promise<number[]> => {
    for (;;) {
      const { rows } = await admin.query<{ pid: number }>(
        `select pid from pg_stat_activity where application_name = $1 and ${where}`,
        [APP],
      )
      if (rows.length > 0) return rows.map((r) => r.pid)
      await new Promise((r) => setImmediate(r))
    }
  }
  /** Polls pg_stat_activity until none of the database's own sessions matches `where`. */
  const waitForGone = async (where: string): Promise<void> => {
    for (;;) {
      const { rows } = await admin.query(
        `select 1 from pg_stat_activity where application_name = $1 and ${where}`,
        [APP],
      )
      if (rows.length === 0) return
      await new Promise((r) => setImmediate(r))
    }
  }
  const terminate = (pids: readonly number[]) =>
    admin.query('select pg_terminate_backend(pid) from unnest($1::int[]) as pid', [pids])

  it('a COPY whose backend is terminated while the rows still stream in rejects with DATABASE_ERROR, and crashes nothing', async () => {
    await open()
    // Another session inserts (without committing) a row the COPY meets early: the COPY waits on
    // it with most of its rows still to send, so the stream is under backpressure when its
    // backend goes.
    const blocker = await session(scratch.url ?? '')
    await blocker.query('begin')
    const early = kline(10)
    await blocker.query(
      `insert into tickerdata_1m select 'LOSTUSDT', to_timestamp($1 / 1000.0), 1, 1, 1, 1, 1, to_timestamp($2 / 1000.0), 1, 1, 1, 1`,
      [early.openTime, early.closeTime],
    )
    const rows = Array.from({ length: 60_000 }, (_, i) => kline(i))
    const writing = database.writeTransaction((tx) =>
      tx.replaceCandles({ symbol: 'LOSTUSDT', start: START, end: START + 60_000 * MINUTE, rows }),
    )
    const settled = writing.then(
      () => 'resolved',
      (error: unknown) => error,
    )
    const copy = await waitForBackends(`query like 'COPY%' and wait_event_type = 'Lock'`)
    await terminate(copy)
    await blocker.query('rollback')
    await blocker.end()
    expect(await settled).toMatchObject({ name: 'TradingAlertsError', code: 'DATABASE_ERROR' })
    expect(lost.length).toBeGreaterThan(0)
    expect(lost[0]?.message).toMatch(/lost the connection to PostgreSQL/)
    // Nothing of the period was written, and the database answers on a new connection.
    const count = await database.db
      .selectFrom('tickerdata_1m')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('symbol', '=', 'LOSTUSDT')
      .executeTakeFirst()
    expect(Number(count?.n)).toBe(0)
  })

  it('a COPY the server refuses while its rows still stream in (another writer committed one of them) rejects with the server error: the stream is never written to again', async () => {
    await open()
    const blocker = await session(scratch.url ?? '')
    await blocker.query('begin')
    await blocker.query(
      `insert into exchange_gap values ('DUPUSDT', to_timestamp(10), to_timestamp(11), now())`,
    )
    // Small chunks, as a caller of copyRows may pass them: many writes wait in the stream when
    // the server stops reading, and resume when it reads (and drops) the rest after its error.
    const chunks = Array.from({ length: 400 }, (_, c) =>
      Buffer.from(
        Array.from({ length: 300 }, (_, j) => {
          const t = c * 300 + j
          return `DUPUSDT\t${new Date(t * 1000).toISOString()}\t${new Date(t * 1000 + 1000).toISOString()}\t2024-01-01T00:00:00Z\n`
        }).join(''),
      ),
    )
    const writing = database.writeTransaction((tx) =>
      tx.copyRows('exchange_gap', ['symbol', 'start_time', 'end_time', 'detected_at'], chunks),
    )
    const settled = writing.then(
      () => 'resolved',
      (error: unknown) => error,
    )
    await waitForBackends(`query like 'COPY%' and wait_event_type = 'Lock'`)
    await blocker.query('commit')
    await blocker.end()
    expect(await settled).toMatchObject({ code: '23505' })
    // Until the server has read what was pending (its session closed, or idle in the aborted
    // transaction): the socket drains then, and the old code wrote to a stream with no connection.
    await waitForGone(`query like 'COPY%' and state = 'active'`)
    await new Promise((r) => setImmediate(r))
    expect(lost).toEqual([])
    const gaps = await database.db
      .selectFrom('exchange_gap')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('symbol', '=', 'DUPUSDT')
      .executeTakeFirst()
    expect(Number(gaps?.n)).toBe(1)
  })

  it('a transaction whose connection is terminated between two statements rejects with DATABASE_ERROR, and crashes nothing', async () => {
    await open()
    let between!: () => void
    const reached = new Promise<void>((resolve) => (between = resolve))
    let go!: () => void
    const proceed = new Promise<void>((resolve) => (go = resolve))
    const writing = database.writeTransaction(async (tx) => {
      await tx.db.selectFrom('job_run').select('id').execute()
      between()
      await proceed
      return tx.db.selectFrom('job_run').select('id').execute()
    })
    const settled = writing.then(
      () => 'resolved',
      (error: unknown) => error,
    )
    await reached
    await terminate(await waitForBackends(`state = 'idle in transaction'`))
    // The session is gone for good once its backend has left pg_stat_activity.
    await waitForGone(`state = 'idle in transaction'`)
    go()
    expect(await settled).toMatchObject({ name: 'TradingAlertsError', code: 'DATABASE_ERROR' })
    expect(lost.length).toBeGreaterThan(0)
    expect(await database.db.selectFrom('job_run').select('id').execute()).toEqual([])
  })

  it('losing the connection that holds an advisory lock is reported as a lost lock; release still resolves', async () => {
    await open()
    const release = await database.tryLock('historical')
    expect(release).not.toBeNull()
    expect(await database.tryLock('historical')).toBeNull()
    // Only the session holding the lock: the busy attempt's session went back to the pool idle, and
    // terminating it too would race the next checkout against its close.
    await terminate(
      await waitForBackends(
        `pid in (select pid from pg_locks where locktype = 'advisory' and granted)`,
      ),
    )
    for (;;) {
      if (lost.length > 0) break
      await new Promise((r) => setTimeout(r, 5))
    }
    expect(lost[0]).toMatchObject({ code: 'DATABASE_ERROR' })
    expect(lost[0]?.message).toMatch(/lock "historical"/)
    await expect(release?.()).resolves.toBeUndefined()
    // The server dropped the lock with the session: it can be taken again.
    const again = await database.tryLock('historical')
    expect(again).not.toBeNull()
    await again?.()
    const debug = logger.entries.filter((e) => e.level === 'debug').map((e) => e.message)
    expect(debug).toEqual(
      expect.arrayContaining([
        'advisory lock taken',
        'advisory lock busy: another session holds it',
        'database connection lost',
        'advisory lock gone with its connection',
        'advisory lock released',
      ]),
    )
  })

  it('an idle pooled connection terminated is not a loss: the next query uses a new one', async () => {
    await open()
    await database.db.selectFrom('job_run').select('id').execute()
    await terminate(await waitForBackends(`state = 'idle'`))
    await waitForGone('true')
    // The server's view is not the client's: wait until the pool has seen its idle client close
    // (under load the FATAL message reaches the socket later than pg_stat_activity drops it).
    const closed = 'idle database connection closed: the pool opens another when needed'
    while (!logger.entries.some((e) => e.message === closed)) {
      await new Promise((r) => setTimeout(r, 5))
    }
    expect(await database.db.selectFrom('job_run').select('id').execute()).toEqual([])
    expect(lost).toEqual([])
  })

  it('waits until the database accepts connections again, logging each attempt at debug', async () => {
    await open()
    const name = new URL(scratch.url ?? '').pathname.slice(1)
    await admin.query(`alter database ${name} allow_connections false`)
    try {
      await terminate(await waitForBackends('true'))
      const attempts = () =>
        logger.entries.filter((e) => e.message === 'database unreachable: retrying').length
      const before = attempts()
      const waiting = database.waitUntilReachable({ timeoutMs: 60_000 })
      while (attempts() < before + 2) await new Promise((r) => setTimeout(r, 10))
      await admin.query(`alter database ${name} allow_connections true`)
      await expect(waiting).resolves.toBeUndefined()
    } finally {
      await admin.query(`alter database ${name} allow_connections true`)
    }
  })
})
