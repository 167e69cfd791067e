import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import {
  DEFAULT_COINS,
  startExchangeSimulator,
  type ExchangeSimulator,
  type SimPairSpec,
} from '@trading-alerts/tickerdata/testing'
import { createDatabase, type Database, type TradingDatabase } from '@trading-alerts/trading-alerts'
import {
  createTestDatabase,
  postgresAvailable,
  testServerUrl,
  type TestDatabase,
} from '@trading-alerts/trading-alerts/testing'
import { sql, type Kysely, type RawBuilder } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// A lost connection is a PostgreSQL fault: the embedded PGlite runs inside the process, so it has
// no connection to lose (its process killed is what the SIGKILL tests cover).
const hasPostgres = await postgresAvailable()
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
const RUNNER_APP = 'trading-alerts-runner'
const DAY = 86_400_000

const PAIRS: SimPairSpec[] = [
  { symbol: 'BTCUSDT', baseAsset: 'BTC', quoteAsset: 'USDT', listedAt: Date.UTC(2017, 7, 17) },
  { symbol: 'ETHUSDT', baseAsset: 'ETH', quoteAsset: 'USDT', listedAt: Date.UTC(2017, 7, 17) },
  { symbol: 'SOLUSDT', baseAsset: 'SOL', quoteAsset: 'USDT', listedAt: Date.UTC(2020, 7, 11) },
]

// The whole month before this one, whatever the day (its monthly file, or its daily files while
// the monthly is not out), then this month's days. Rows are compared before today (at the start
// of the file), so that a midnight during the tests changes nothing.
const started = Date.now()
const today = Math.floor(started / DAY) * DAY
const HISTORY_START = new Date(
  Date.UTC(new Date(started).getUTCFullYear(), new Date(started).getUTCMonth() - 1, 1),
)
  .toISOString()
  .slice(0, 7)

interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

interface Runner {
  readonly done: Promise<Exit>
  /** Resolves when stderr has a line matching `pattern`; rejects if the process exits first. */
  stderrMatches(pattern: RegExp): Promise<void>
  kill(signal: NodeJS.Signals): void
}

function startRunner(args: string[], env: Record<string, string>): Runner {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', CI: '1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  const waiting = new Set<{ pattern: RegExp; resolve: () => void }>()
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString()
    for (const w of waiting)
      if (w.pattern.test(stderr)) {
        waiting.delete(w)
        w.resolve()
      }
  })
  const done = new Promise<Exit>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
  return {
    done,
    stderrMatches: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(stderr)) resolve()
        else waiting.add({ pattern, resolve })
        void done.then((exit) => {
          if (!pattern.test(exit.stderr))
            reject(
              new Error(`exited (${exit.code ?? exit.signal}) before ${pattern}:\n${exit.stderr}`),
            )
        })
      }),
    kill: (signal) => child.kill(signal),
  }
}

/** The runner pointed at the simulator and a scratch database. */
function runnerEnv(
  sim: ExchangeSimulator,
  database: TestDatabase,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    BINANCE_API_URL: sim.urls.binanceApiUrl,
    BINANCE_DATA_URL: sim.urls.binanceDataUrl,
    BINANCE_LISTING_URL: sim.urls.binanceListingUrl,
    COINGECKO_API_URL: sim.urls.coingeckoApiUrl,
    TOP_N: '10',
    HISTORY_START,
    CONCURRENCY: '3',
    DATABASE_URL: database.url ?? '',
    ...extra,
  }
}

/**
 * Polls `check` until it returns a value other than undefined. Gives up after a minute (the test's
 * own cleanup then still runs: a scratch database is never left behind).
 */
async function until<T>(check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 60_000
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error('gave up waiting for the condition')
    await new Promise((r) => setTimeout(r, 5))
  }
}

/**
 * Runs `statement` in a transaction of a session of the test on `url` (row locks, an uncommitted
 * row) and keeps it open; `release()` rolls it back and closes the session (once; again is a no-op).
 */
async function holdTransaction(
  url: string | undefined,
  statement: RawBuilder<unknown>,
): Promise<{ release(): Promise<void> }> {
  const session = await createDatabase({ url, applicationName: 'faults-test' })
  let rollBack!: () => void
  const held = new Promise<void>((resolve) => (rollBack = resolve))
  let done!: () => void
  const ready = new Promise<void>((resolve) => (done = resolve))
  const holding = session.db
    .transaction()
    .execute(async (trx) => {
      await statement.execute(trx)
      done()
      await held
      throw new Error('roll back')
    })
    .catch(() => {})
  await ready
  let released: Promise<void> | undefined
  return {
    release: () =>
      (released ??= (async () => {
        rollBack()
        await holding
        await session.close()
      })()),
  }
}

/** What a clean run leaves before today: candles per symbol (count and checksum), archive files. */
async function snapshot(db: Kysely<Database>) {
  const before = new Date(today)
  const candles = await sql<{ symbol: string; n: number; sum: string }>`
    select symbol, count(*)::int as n, md5(string_agg(concat_ws(',', open_time, open, high, low,
      close, volume, close_time, quote_volume, trades, taker_buy_base_volume,
      taker_buy_quote_volume), ';' order by open_time)) as sum
    from tickerdata_1m where open_time < ${before} group by symbol order by symbol`.execute(db)
  const files = await db
    .selectFrom('archive_file')
    .select(['symbol', 'period_kind', 'period', 'sha256', 'rows', 'state'])
    .orderBy('symbol')
    .orderBy('period')
    .execute()
  const day = new Date(today).toISOString().slice(0, 10)
  return {
    candles: candles.rows,
    files: files.filter((f) => f.period_kind === 'monthly' || f.period < day),
  }
}

describe.runIf(hasPostgres)('the runner when PostgreSQL drops its connections', () => {
  let sim: ExchangeSimulator
  let admin: TradingDatabase
  let reference: Awaited<ReturnType<typeof snapshot>>

  const envOf = (database: TestDatabase, extra: Record<string, string> = {}) =>
    runnerEnv(sim, database, extra)
  const nameOf = (database: TestDatabase) => new URL(database.url ?? '').pathname.slice(1)

  /** The runner's sessions on `database` that match `where` (SQL on pg_stat_activity). */
  const sessions = async (database: TestDatabase, where: string): Promise<number[]> => {
    const { rows } = await sql<{ pid: number }>`
      select pid from pg_stat_activity
      where datname = ${nameOf(database)} and application_name = ${RUNNER_APP}
        and ${sql.raw(where)}`.execute(admin.db)
    return rows.map((r) => r.pid)
  }
  const waitForSessions = (database: TestDatabase, where: string) =>
    until(async () => {
      const pids = await sessions(database, where)
      return pids.length > 0 ? pids : undefined
    })
  const terminate = (pids: readonly number[]) =>
    sql`select pg_terminate_backend(pid) from unnest(${[...pids]}::int[]) as pid`.execute(admin.db)
  /** Resolves when a task of the database's newest run has written rows. */
  const loading = (database: TestDatabase) =>
    until(async () => {
      const row = await database.db
        .selectFrom('task_run')
        .select('job_run_id')
        .where('job', '=', 'historical')
        .where('rows_written', '>', 0)
        .orderBy('id', 'desc')
        .executeTakeFirst()
      return row?.job_run_id
    })

  /**
   * Locks the task rows of run `runId` from a session of the test, and resolves once every open
   * task waits on its next write to them: the runner then sends no other query until `release()`.
   */
  const holdTasks = async (database: TestDatabase, runId: number) => {
    const hold = await holdTransaction(
      database.url,
      sql`select id from task_run where job_run_id = ${runId} for update`,
    )
    // Each task still open waits on a write of its own (its heartbeat, `set "last_progress_at"
    // = $1 where`, may wait beside it, but no task waits for its heartbeat).
    await until(async () => {
      const open = await database.db
        .selectFrom('task_run')
        .select('id')
        .where('job_run_id', '=', runId)
        .where('state', 'in', ['pending', 'running'])
        .execute()
      const waiting = await sessions(
        database,
        `wait_event_type = 'Lock' and query like 'update "task_run"%'
          and query not like 'update "task_run" set "last_progress_at" = $1 where%'`,
      )
      return open.length > 0 && waiting.length === open.length ? true : undefined
    })
    return hold
  }

  /** A scratch database with the symbols loaded. */
  const freshDatabase = async () => {
    const database = await createTestDatabase('postgres')
    const symbols = await startRunner(['job', 'symbols'], envOf(database)).done
    expect(symbols.code, symbols.stderr).toBe(0)
    return database
  }

  /** A job stopped by a lost connection: exit 1, one typed error, no stack trace at info. */
  const expectTypedExit = (exit: Exit) => {
    expect(exit.signal, exit.stderr).toBeNull()
    expect(exit.code, exit.stderr).toBe(1)
    expect(exit.stderr).not.toMatch(/Unhandled|TypeError|^\s+at /m)
    expect(exit.stderr).not.toContain('"stack"')
    expect(exit.stderr).toContain('"code":"DATABASE_ERROR"')
  }

  /** The run failed, and each of its tasks ended with an error code where it did not succeed. */
  const expectRunFailed = async (database: TestDatabase) => {
    const runs = await database.db
      .selectFrom('job_run')
      .select(['id', 'state', 'error', 'finished_at'])
      .where('job', '=', 'historical')
      .execute()
    expect(runs).toHaveLength(1)
    expect(runs[0]).toMatchObject({ state: 'failed' })
    expect(runs[0]?.finished_at).not.toBeNull()
    const tasks = await database.db
      .selectFrom('task_run')
      .select(['key', 'state', 'error_code', 'finished_at'])
      .where('job_run_id', '=', runs[0]?.id ?? 0)
      .execute()
    expect(tasks.map((t) => t.key).sort()).toEqual(['BTCUSDT', 'ETHUSDT', 'SOLUSDT'])
    for (const task of tasks) {
      expect(['succeeded', 'failed', 'interrupted'], task.key).toContain(task.state)
      if (task.state !== 'succeeded') expect(task.error_code, task.key).not.toBeNull()
      expect(task.finished_at, task.key).not.toBeNull()
    }
    expect(tasks.some((t) => t.state === 'failed' && t.error_code === 'DATABASE_ERROR')).toBe(true)
  }

  /** A re-run exits 0 and leaves the rows of a clean run. */
  const expectConverges = async (database: TestDatabase) => {
    const rerun = await startRunner(['job', 'historical'], envOf(database)).done
    expect(rerun.code, rerun.stderr).toBe(0)
    expect(await snapshot(database.db)).toEqual(reference)
  }

  beforeAll(async () => {
    sim = await startExchangeSimulator({ pairs: PAIRS, coins: DEFAULT_COINS })
    admin = await createDatabase({ url: testServerUrl(), applicationName: 'faults-test-admin' })
    const clean = await freshDatabase()
    try {
      const run = await startRunner(['job', 'historical'], envOf(clean)).done
      expect(run.code, run.stderr).toBe(0)
      reference = await snapshot(clean.db)
      expect(reference.candles).toHaveLength(3)
    } finally {
      await clean.close()
    }
  }, 120_000)
  afterAll(async () => {
    await admin?.close()
    await sim?.close()
  })

  it('a COPY whose session is terminated while its rows stream in: exit 1 with DATABASE_ERROR and no stack, the run failed, a re-run converges', async () => {
    const database = await freshDatabase()
    // An uncommitted candle of the first month BTCUSDT loads: its COPY waits on it with most of
    // its rows still to send.
    const open = Date.parse(`${HISTORY_START}-01T00:10:00Z`)
    const blocker = await holdTransaction(
      database.url,
      sql`insert into tickerdata_1m values ('BTCUSDT', ${new Date(open)}, 1, 1, 1, 1, 1,
        ${new Date(open + 59_999)}, 1, 1, 1, 1)`,
    )
    try {
      const runner = startRunner(['job', 'historical'], envOf(database))
      const copy = await waitForSessions(
        database,
        `query like 'COPY tickerdata_1m%' and wait_event_type = 'Lock'`,
      )
      await terminate(copy)
      await blocker.release()
      expectTypedExit(await runner.done)
      await expectRunFailed(database)
      await expectConverges(database)
    } finally {
      await blocker.release()
      await database.close()
    }
  })

  // Every task then waits on a row the test holds, so the session is terminated at a known point.
  it.each([
    [
      'the session holding the job lock',
      `query like '%pg_try_advisory_lock%'`,
      'lost the connection holding the lock \\"historical\\"',
    ],
    [
      'a bookkeeping write, while it waits,',
      `query like 'update "task_run"%' and wait_event_type = 'Lock'`,
      'lost the connection to PostgreSQL',
    ],
  ])(
    '%s terminated mid-run: exit 1 naming the loss, the run failed, a re-run converges',
    async (_what, which, named) => {
      const database = await freshDatabase()
      let tasks: { release(): Promise<void> } | undefined
      try {
        const runner = startRunner(['job', 'historical'], envOf(database))
        tasks = await holdTasks(database, await loading(database))
        await terminate(await waitForSessions(database, which))
        await runner.stderrMatches(/lost the database connection: stopping the job/)
        await tasks.release()
        const exit = await runner.done
        expectTypedExit(exit)
        expect(exit.stderr).toContain(named)
        await expectRunFailed(database)
        await expectConverges(database)
      } finally {
        await tasks?.release()
        await database.close()
      }
    },
  )

  it('a database that refuses connections for a while: the runner retries (debug events, stacks at debug), records the run failed when it is back, exit 1', async () => {
    const database = await freshDatabase()
    const name = sql.id(nameOf(database))
    let tasks: { release(): Promise<void> } | undefined
    try {
      const runner = startRunner(['job', 'historical'], envOf(database, { LOG_LEVEL: 'debug' }))
      tasks = await holdTasks(database, await loading(database))
      await sql`alter database ${name} allow_connections false`.execute(admin.db)
      await terminate(await waitForSessions(database, 'true'))
      await runner.stderrMatches(/database unreachable: retrying/)
      await tasks.release()
      await sql`alter database ${name} allow_connections true`.execute(admin.db)
      const exit = await runner.done
      expect(exit.code, exit.stderr).toBe(1)
      const events = exit.stderr
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map(
          (l) =>
            JSON.parse(l) as {
              level: string
              message: string
              error?: { code?: string; stack?: string }
            },
        )
      expect(events.filter((e) => e.level === 'debug').map((e) => e.message)).toEqual(
        expect.arrayContaining([
          'database connected',
          'database connection opened',
          'advisory lock taken',
          'database connection lost',
          'database unreachable: retrying',
        ]),
      )
      expect(events.map((e) => e.message)).toEqual(
        expect.arrayContaining(['database answers again', 'run recorded as failed']),
      )
      // The job's error, with its code, and at debug with its stack.
      const failed = events.find((e) => e.message === 'job failed')
      expect(failed?.error?.code).toBe('DATABASE_ERROR')
      expect(failed?.error?.stack).toMatch(/^\s+at /m)
      await expectRunFailed(database)
      await expectConverges(database)
    } finally {
      await tasks?.release()
      await sql`alter database ${name} allow_connections true`.execute(admin.db)
      await database.close()
    }
  })
})

describe.runIf(hasPostgres)('the runner after a SIGKILL', () => {
  let sim: ExchangeSimulator
  beforeAll(async () => {
    sim = await startExchangeSimulator({ pairs: PAIRS, coins: DEFAULT_COINS })
  })
  afterAll(async () => {
    await sim?.close()
  })

  it('ends the killed run and its tasks at their last recorded progress, not when the next start relabels them', async () => {
    const database = await createTestDatabase('postgres')
    const env = runnerEnv(sim, database, { CONCURRENCY: '2' })
    try {
      expect((await startRunner(['job', 'symbols'], env).done).code).toBe(0)
      const killed = startRunner(['job', 'historical'], env)
      // A heartbeat after the start: the run has progress of its own to be ended at.
      const runId = await until(async () => {
        const run = await database.db
          .selectFrom('job_run')
          .select(['id', 'started_at', 'last_progress_at'])
          .where('job', '=', 'historical')
          .executeTakeFirst()
        return run?.last_progress_at !== null &&
          run?.last_progress_at !== undefined &&
          run.last_progress_at > run.started_at
          ? run.id
          : undefined
      })
      // The test holds the run's row: the job cannot finish before it is killed.
      const hold = await holdTransaction(
        database.url,
        sql`select id from job_run where id = ${runId} for update`,
      )
      killed.kill('SIGKILL')
      expect((await killed.done).signal).toBe('SIGKILL')
      await hold.release()
      const left = await database.db
        .selectFrom('job_run')
        .selectAll()
        .where('job', '=', 'historical')
        .executeTakeFirstOrThrow()
      expect(left.state).toBe('running')
      const leftTasks = await database.db
        .selectFrom('task_run')
        .selectAll()
        .where('job_run_id', '=', left.id)
        .orderBy('symbol')
        .execute()

      const next = await startRunner(['job', 'historical'], env).done
      expect(next.code, next.stderr).toBe(0)
      const runs = await database.db
        .selectFrom('job_run')
        .selectAll()
        .where('job', '=', 'historical')
        .orderBy('id')
        .execute()
      expect(runs.map((r) => r.state)).toEqual(['interrupted', 'succeeded'])
      const relabelled = runs[0]
      // The killed run ends at the last progress recorded for it or its tasks; the repair ran
      // after the next run had started, so its own time is not that end.
      const lastSeen = new Date(
        Math.max(
          ...[left, ...leftTasks].flatMap((r) =>
            [r.last_progress_at, r.started_at, r.finished_at].map((d) => d?.getTime() ?? 0),
          ),
        ),
      )
      expect(lastSeen.getTime()).toBeGreaterThan(left.started_at.getTime())
      expect(relabelled?.finished_at).toEqual(lastSeen)
      expect(relabelled?.finished_at?.getTime()).toBeLessThan(runs[1]?.started_at.getTime() ?? 0)
      const tasks = await database.db
        .selectFrom('task_run')
        .selectAll()
        .where('job_run_id', '=', left.id)
        .orderBy('symbol')
        .execute()
      expect(tasks.map((t) => t.symbol)).toEqual(leftTasks.map((t) => t.symbol))
      tasks.forEach((task, i) => {
        const before = leftTasks[i]
        if (before?.state === 'running' || before?.state === 'pending') {
          expect(task.state, task.key).toBe('interrupted')
          expect(task.error_code, task.key).toBe('INTERRUPTED')
          expect(task.finished_at, task.key).toEqual(
            before.last_progress_at ?? before.started_at ?? lastSeen,
          )
        } else {
          expect(task, task.key).toEqual(before)
        }
      })
      // What status shows: the run's duration to its last progress.
      const status = JSON.parse((await startRunner(['status', '--json'], env).done).stdout) as {
        id: number
        durationS: number | null
      }[]
      const shown = status.find((r) => r.id === left.id)
      expect(shown?.durationS).toBe((lastSeen.getTime() - left.started_at.getTime()) / 1000)
    } finally {
      await database.close()
    }
  })
})
