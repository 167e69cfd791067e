import type { KyselyPlugin } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TradingAlertsError } from '../errors.js'
import {
  createTestDatabase,
  memoryLogger,
  testDatabaseKinds,
  type TestDatabase,
} from '../testing/index.js'
import {
  closeStaleRuns,
  failOpenRuns,
  PROGRESS_HEARTBEAT_MS,
  runSymbolTasks,
  startJobRun,
} from './run-bookkeeping.js'

const kinds = await testDatabaseKinds()
const T0 = Date.UTC(2025, 2, 1, 12)

/** Polls `check` until it holds. */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setImmediate(r))
}

/** A clock the test moves by hand. */
function manualClock(start: number) {
  let now = start
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) }
}

describe.each(kinds)('run bookkeeping on %s', (kind) => {
  let database: TestDatabase
  beforeAll(async () => {
    database = await createTestDatabase(kind)
  })
  afterAll(async () => {
    await database?.close()
  })

  const taskRows = (runId: number) =>
    database.db
      .selectFrom('task_run')
      .selectAll()
      .where('job_run_id', '=', runId)
      .orderBy('symbol')
      .execute()
  const runRow = (runId: number) =>
    database.db.selectFrom('job_run').selectAll().where('id', '=', runId).executeTakeFirstOrThrow()

  it('writes a task heartbeat at most once per PROGRESS_HEARTBEAT_MS of its clock, whatever the number of reports', async () => {
    const clock = manualClock(T0)
    // Counts the statements that write only a last progress time: the heartbeat's (task and run).
    let heartbeatWrites = 0
    const counting: KyselyPlugin = {
      transformQuery({ node }) {
        if (
          node.kind === 'UpdateQueryNode' &&
          node.updates?.length === 1 &&
          JSON.stringify(node.updates[0]?.column).includes('"last_progress_at"')
        )
          heartbeatWrites++
        return node
      },
      transformResult: ({ result }) => Promise.resolve(result),
    }
    const observed = { ...database, db: database.db.withPlugin(counting) }
    const run = await startJobRun(observed.db, 'incremental', {}, clock, 'test:1')
    await runSymbolTasks(
      { database: observed, clock, logger: memoryLogger() },
      run,
      {},
      [{ symbol: 'BEATUSDT' }],
      () => ({}),
      async (_item, task) => {
        const progressReaches = (at: number) =>
          until(async () => {
            const row = await database.db
              .selectFrom('task_run')
              .select('last_progress_at')
              .where('id', '=', task.taskId)
              .executeTakeFirstOrThrow()
            return row.last_progress_at?.getTime() === at
          })
        clock.advance(10)
        for (let i = 0; i < 500; i++) task.report()
        await progressReaches(T0 + 10)
        clock.advance(PROGRESS_HEARTBEAT_MS - 1)
        task.report()
        clock.advance(1)
        task.report()
        await progressReaches(T0 + 10 + PROGRESS_HEARTBEAT_MS)
        clock.advance(5)
        return { state: 'succeeded' }
      },
    )
    expect(heartbeatWrites).toBe(4)
    const [task] = await taskRows(run.id)
    // The end is progress too.
    expect(task?.last_progress_at).toEqual(new Date(T0 + 15 + PROGRESS_HEARTBEAT_MS))
    expect((await runRow(run.id)).last_progress_at).toEqual(task?.finished_at)
  })

  it('closes runs a stopped process left running at their last progress, and only those of the job', async () => {
    const clock = manualClock(T0)
    const stale = await startJobRun(database.db, 'historical', {}, clock, 'gone:1')
    const other = await startJobRun(database.db, 'symbols', {}, clock, 'gone:1')
    await database.db
      .insertInto('task_run')
      .values([
        {
          job_run_id: stale.id,
          job: 'historical',
          kind: 'symbol',
          key: 'AUSDT',
          symbol: 'AUSDT',
          params: '{}',
          state: 'running',
          started_at: new Date(T0 + 1_000),
          last_progress_at: new Date(T0 + 7_000),
        },
        {
          job_run_id: stale.id,
          job: 'historical',
          kind: 'symbol',
          key: 'BUSDT',
          symbol: 'BUSDT',
          params: '{}',
          state: 'succeeded',
          started_at: new Date(T0 + 1_000),
          finished_at: new Date(T0 + 3_000),
          last_progress_at: new Date(T0 + 3_000),
        },
        {
          job_run_id: stale.id,
          job: 'historical',
          kind: 'symbol',
          key: 'CUSDT',
          symbol: 'CUSDT',
          params: '{}',
          state: 'pending',
        },
      ])
      .execute()
    await database.db
      .updateTable('job_run')
      .set({ last_progress_at: new Date(T0 + 8_000) })
      .where('id', '=', stale.id)
      .execute()

    expect(await closeStaleRuns(database.db, 'historical')).toEqual([stale.id])
    expect(await runRow(stale.id)).toMatchObject({
      state: 'interrupted',
      finished_at: new Date(T0 + 8_000),
      error: 'the process running it stopped',
    })
    const tasks = await taskRows(stale.id)
    expect(tasks.map((t) => [t.symbol, t.state, t.error_code, t.finished_at])).toEqual([
      ['AUSDT', 'interrupted', 'INTERRUPTED', new Date(T0 + 7_000)],
      ['BUSDT', 'succeeded', null, new Date(T0 + 3_000)],
      ['CUSDT', 'interrupted', 'INTERRUPTED', new Date(T0 + 8_000)],
    ])
    expect((await runRow(other.id)).state).toBe('running')
    expect(await closeStaleRuns(database.db, 'historical')).toEqual([])

    // The way out of a lost connection: this host's run failed, its running tasks with it.
    await database.db
      .insertInto('task_run')
      .values([
        {
          job_run_id: other.id,
          job: 'symbols',
          kind: 'job',
          key: 'symbols',
          symbol: null,
          params: '{}',
          state: 'running',
          started_at: new Date(T0 + 500),
        },
      ])
      .execute()
    const lost = new TradingAlertsError('DATABASE_ERROR', 'lost the connection to PostgreSQL')
    expect(await failOpenRuns(database.db, { job: 'symbols', host: 'elsewhere:2' }, lost)).toEqual(
      [],
    )
    expect(await failOpenRuns(database.db, { job: 'symbols', host: 'gone:1' }, lost)).toEqual([
      other.id,
    ])
    // No heartbeat after the run's start: it ends where its task was last seen, at its start.
    expect(await runRow(other.id)).toMatchObject({
      state: 'failed',
      error: 'lost the connection to PostgreSQL',
      finished_at: new Date(T0 + 500),
    })
    expect((await taskRows(other.id)).map((t) => [t.state, t.error_code, t.finished_at])).toEqual([
      ['failed', 'DATABASE_ERROR', new Date(T0 + 500)],
    ])
  })

  it('a job stopped with a package error as the reason fails with it; stopped plainly it is interrupted', async () => {
    for (const [reason, state, code] of [
      [new TradingAlertsError('DATABASE_ERROR', 'lost the connection'), 'failed', 'DATABASE_ERROR'],
      [undefined, 'interrupted', undefined],
    ] as const) {
      const clock = manualClock(T0)
      const run = await startJobRun(database.db, 'indicators', {}, clock, 'test:1')
      const controller = new AbortController()
      const result = await runSymbolTasks(
        { database, clock, logger: memoryLogger() },
        run,
        { signal: controller.signal, concurrency: 1 },
        [{ symbol: 'FIRSTUSDT' }, { symbol: 'NEXTUSDT' }],
        () => ({}),
        () => {
          controller.abort(reason)
          return Promise.resolve({ state: 'interrupted' })
        },
      )
      expect(result.state).toBe(state)
      expect((await runRow(run.id)).error).toBe(reason?.message ?? null)
      expect(
        (await taskRows(run.id)).map((t) => [t.symbol, t.state, t.error_code ?? undefined]),
      ).toEqual([
        ['FIRSTUSDT', state, code],
        ['NEXTUSDT', 'interrupted', code],
      ])
    }
  })
})
