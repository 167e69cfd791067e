import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createDatabase,
  createEventFeed,
  lastEventId,
  pruneEvents,
  readEventsAfter,
  type EventFeed,
  type StreamEvent,
} from '../src/index.js'
import { insertTestSymbols, testDatabaseKinds, type TestDatabase } from '../src/testing/index.js'
import { createTestDatabase } from '../src/testing/index.js'
import { upsertAlertRule, insertAlertEvent } from '../src/store/alerts.js'
import { closeJobRun, insertJobRun, insertTasks, updateTask } from '../src/store/runs.js'
import { advanceLastUpdated } from '../src/store/symbols.js'

const kinds = await testDatabaseKinds()
const T0 = Date.parse('2025-04-02T12:00:00Z')

/** Collects what a feed pushes; `until` waits (bounded) for a condition on what came. */
function collector() {
  const events: StreamEvent[] = []
  const waiters: (() => void)[] = []
  return {
    events,
    push(event: StreamEvent) {
      events.push(event)
      for (const w of waiters.splice(0)) w()
    },
    async until(done: (events: StreamEvent[]) => boolean, timeoutMs = 10_000): Promise<void> {
      const deadline = Date.now() + timeoutMs
      while (!done(events)) {
        const left = deadline - Date.now()
        if (left <= 0) throw new Error(`timed out; got ${JSON.stringify(events)}`)
        await new Promise<void>((resolve) => {
          waiters.push(resolve)
          setTimeout(resolve, left).unref()
        })
      }
    },
  }
}

/** One run with one task through its states, a symbol's data moving forward, one alert. */
async function writeActivity(database: TestDatabase, symbol: string): Promise<number> {
  const { db } = database
  const run = await insertJobRun(db, 'incremental', {}, new Date(T0), 'here')
  const [taskId] = await insertTasks(db, run.id, 'incremental', [
    { kind: 'symbol', key: symbol, params: {} },
  ])
  await updateTask(db, taskId ?? 0, { state: 'running', startedAt: new Date(T0) })
  // Not a state change: no event.
  await updateTask(db, taskId ?? 0, { progress: { done: 1 } })
  await database.writeTransaction(async (tx) => {
    await advanceLastUpdated(tx.db, symbol, T0 - 1)
    await updateTask(tx.db, taskId ?? 0, { state: 'succeeded', rows: 7, finishedAt: new Date(T0) })
  })
  // Not forward: no event.
  await advanceLastUpdated(db, symbol, T0 - 60_001)
  await closeJobRun(db, run.id, {
    state: 'succeeded',
    finishedAt: new Date(T0),
    summary: {},
    error: null,
  })
  return run.id
}

describe.each(kinds)('stream events on %s', (kind) => {
  let database: TestDatabase
  let ruleId = 0

  beforeAll(async () => {
    database = await createTestDatabase(kind)
    await insertTestSymbols(database.db, ['BTCUSDT', 'ETHUSDT'])
    const rule = await upsertAlertRule(
      database.db,
      {
        name: 'cross',
        rule: 'close > 1',
        kind: 'bar',
        symbols: JSON.stringify(['*']),
        timeframe: '1h',
        webhook_url: null,
        webhook_secret: null,
        telegram_chat_id: null,
        created_at: new Date(T0),
        evaluate_from: new Date(T0),
      },
      false,
    )
    ruleId = rule.id
  })
  afterAll(async () => {
    await database?.close()
  })

  it('records run, task, candles and alert changes at commit, in commit order', async () => {
    const before = await lastEventId(database.db)
    const runId = await writeActivity(database, 'BTCUSDT')
    const eventId = await insertAlertEvent(database.db, {
      ruleId,
      symbol: 'BTCUSDT',
      timeframe: '1h',
      barTime: new Date(T0 - 3_600_000),
      firedAt: new Date(T0),
      values: {},
      text: 'BTCUSDT close > 1',
    })
    const events = await readEventsAfter(database.db, before)
    expect(events.map((e) => [e.type, e.payload.state ?? null])).toEqual([
      ['run', 'running'],
      ['task', 'pending'],
      ['task', 'running'],
      ['candles', null],
      ['task', 'succeeded'],
      ['run', 'succeeded'],
      ['alert', null],
    ])
    const ids = events.map((e) => e.id)
    expect(ids).toEqual([...ids].sort((a, b) => a - b))
    expect(events[0]?.payload).toEqual({ id: runId, job: 'incremental', state: 'running' })
    expect(events[4]?.payload).toMatchObject({
      runId,
      symbol: 'BTCUSDT',
      kind: 'symbol',
      key: 'BTCUSDT',
      state: 'succeeded',
      rows: 7,
    })
    expect(events[3]?.payload).toEqual({
      symbol: 'BTCUSDT',
      lastUpdatedAt: new Date(T0 - 1).toISOString(),
    })
    expect(events[6]?.payload).toEqual({
      eventId,
      rule: 'cross',
      symbol: 'BTCUSDT',
      timeframe: '1h',
      barTime: new Date(T0 - 3_600_000).toISOString(),
      text: 'BTCUSDT close > 1',
    })
  })

  it('writes nothing for a transaction rolled back', async () => {
    const before = await lastEventId(database.db)
    await expect(
      database.writeTransaction(async (tx) => {
        await insertJobRun(tx.db, 'symbols', {}, new Date(T0), 'here')
        throw new Error('rolled back')
      }),
    ).rejects.toThrow('rolled back')
    expect(await readEventsAfter(database.db, before)).toEqual([])
  })

  it('pushes new events to a feed, and resumes after an id with exactly the later ones', async () => {
    const feed = await createEventFeed({ database, pageSize: 2 })
    try {
      const start = feed.lastId
      const live = collector()
      feed.subscribe((e) => live.push(e))
      const runId = await writeActivity(database, 'ETHUSDT')
      await live.until((es) => es.some((e) => e.type === 'run' && e.payload.state === 'succeeded'))
      expect(live.events.every((e) => e.id > start)).toBe(true)
      expect(live.events.filter((e) => e.type === 'run').map((e) => e.payload.id)).toEqual([
        runId,
        runId,
      ])
      const all = live.events.map((e) => e.id)
      expect(new Set(all).size).toBe(all.length)

      // Resume after the second event: the stored ones after it, then the live ones, no dupes.
      const resumeAfter = all[1] ?? 0
      const resumed = collector()
      feed.subscribe((e) => resumed.push(e), resumeAfter)
      await resumed.until((es) => es.length >= all.length - 2)
      expect(resumed.events.map((e) => e.id)).toEqual(all.slice(2))
      const more = await insertJobRun(database.db, 'symbols', {}, new Date(T0), 'here')
      await resumed.until((es) => es.some((e) => e.type === 'run' && e.payload.id === more.id))
      const ids = resumed.events.map((e) => e.id)
      expect(ids).toEqual([...new Set(ids)].sort((a, b) => a - b))
    } finally {
      await feed.close()
    }
  })

  it('listens to NOTIFY on a channel', async () => {
    const got: string[] = []
    let heard: () => void = () => {}
    const arrived = new Promise<void>((resolve) => (heard = resolve))
    const unlisten = await database.listen('trading_alerts_test', (payload) => {
      got.push(payload)
      heard()
    })
    await sql`select pg_notify('trading_alerts_test', 'hello')`.execute(database.db)
    await arrived
    await unlisten()
    expect(got).toEqual(['hello'])
    await expect(database.listen('no such channel', () => {})).rejects.toThrow(RangeError)
  })

  it('prunes events older than the age or beyond the newest rows', async () => {
    await insertJobRun(database.db, 'symbols', {}, new Date(T0), 'here')
    await insertJobRun(database.db, 'symbols', {}, new Date(T0), 'here')
    const newest = await lastEventId(database.db)
    const count = async () => (await readEventsAfter(database.db, 0, 100_000)).length
    expect(await count()).toBeGreaterThan(3)
    // Nothing older than a day before a clock of the distant past; the newest 3 kept.
    expect(await pruneEvents(database.db, new Date(0), { maxRows: 3 })).toBeGreaterThan(0)
    expect((await readEventsAfter(database.db, 0)).map((e) => e.id)).toEqual([
      newest - 2,
      newest - 1,
      newest,
    ])
    // A clock two days ahead of the database's: all of them are over a day old.
    const dbNow = await sql<{ now: Date }>`select now() as now`.execute(database.db)
    const later = new Date((dbNow.rows[0]?.now ?? new Date(0)).getTime() + 2 * 86_400_000)
    expect(await pruneEvents(database.db, later)).toBe(3)
    expect(await count()).toBe(0)
  })
})

// Two sessions and a commit order of their own: PostgreSQL only (PGlite has one session).
if (kinds.includes('postgres'))
  describe('stream events across sessions on postgres', () => {
    let database: TestDatabase
    let feed: EventFeed

    beforeAll(async () => {
      database = await createTestDatabase('postgres')
      feed = await createEventFeed({ database })
    })
    afterAll(async () => {
      await feed?.close()
      await database?.close()
    })

    it('gives ids in commit order, not in the order transactions began', async () => {
      const before = await lastEventId(database.db)
      let releaseFirst: () => void = () => {}
      const firstMayCommit = new Promise<void>((resolve) => (releaseFirst = resolve))
      let firstWrote: () => void = () => {}
      const wrote = new Promise<void>((resolve) => (firstWrote = resolve))
      const first = database.writeTransaction(async (tx) => {
        const run = await insertJobRun(tx.db, 'symbols', {}, new Date(T0), 'first')
        firstWrote()
        await firstMayCommit
        return run.id
      })
      await wrote
      const second = await insertJobRun(database.db, 'historical', {}, new Date(T0), 'second')
      releaseFirst()
      const firstId = await first
      const events = await readEventsAfter(database.db, before)
      expect(events.map((e) => e.payload.id)).toEqual([second.id, firstId])
    })

    it('loses nothing when its listen connection is lost: it reconnects and reads what was missed', async () => {
      // Only this test's events: the feed may still be pushing the previous test's.
      const before = await lastEventId(database.db)
      const got = collector()
      feed.subscribe((e) => {
        if (e.id > before) got.push(e)
      })
      const killed = await sql<{ n: number }>`
        select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
        where datname = current_database() and application_name = 'trading-alerts listen'
      `.execute(database.db)
      expect(killed.rows[0]?.n).toBe(1)
      // Committed while the listener is down or reconnecting: its NOTIFY may be lost.
      const run = await insertJobRun(database.db, 'indicators', {}, new Date(T0), 'gap')
      await got.until((es) => es.some((e) => e.payload.id === run.id))
      const later = await insertJobRun(database.db, 'alerts', {}, new Date(T0), 'after')
      await got.until((es) => es.some((e) => e.payload.id === later.id))
      expect(got.events.map((e) => e.payload.id)).toEqual([run.id, later.id])
    })

    it("pushes the events another session commits, and ignores another schema's", async () => {
      const url = database.url ?? ''
      const other = await createDatabase({ url, poolSize: 1 })
      const otherSchema = await createDatabase({ url, schema: 'elsewhere', poolSize: 1 })
      try {
        await otherSchema.migrate()
        const before = await lastEventId(database.db)
        const got = collector()
        feed.subscribe((e) => {
          if (e.id > before) got.push(e)
        })
        const foreign = await insertJobRun(otherSchema.db, 'symbols', {}, new Date(T0), 'x')
        const run = await insertJobRun(other.db, 'historical', {}, new Date(T0), 'other')
        await got.until((es) => es.some((e) => e.payload.id === run.id))
        expect(got.events.map((e) => [e.type, e.payload.id, e.payload.job])).toEqual([
          ['run', run.id, 'historical'],
        ])
        expect(foreign.id).toBeGreaterThan(0)
      } finally {
        await other.close()
        await otherSchema.close()
      }
    })
  })
