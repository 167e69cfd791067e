import { BinanceAPI, HostBans, WeightBudget } from '@trading-alerts/tickerdata'
import {
  startExchangeSimulator,
  type ExchangeSimulator,
  type SimPairSpec,
} from '@trading-alerts/tickerdata/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  findRunTask,
  readTaskLog,
  runHistorical,
  runIncremental,
  withTaskLogs,
} from '../src/index.js'
import { runJobTasks, startJobRun } from '../src/jobs/run-bookkeeping.js'
import {
  createTestDatabase,
  fixedClock,
  insertTestSymbols,
  memoryLogger,
  testDatabaseKinds,
  type TestDatabase,
} from '../src/testing/index.js'
import { simDeps } from './sim-deps.js'

// A task's log lines are kept in task_log, its first 200 and last 300, the others counted.
const kinds = await testDatabaseKinds()
const NOW = Date.parse('2025-04-02T12:00:00Z')
const SYMBOL = 'BTCUSDT'
const PAIRS: SimPairSpec[] = [
  {
    symbol: SYMBOL,
    baseAsset: 'BTC',
    quoteAsset: 'USDT',
    listedAt: Date.parse('2025-03-30T00:00:00Z'),
    basePrice: 60_000,
  },
  {
    symbol: 'ETHUSDT',
    baseAsset: 'ETH',
    quoteAsset: 'USDT',
    listedAt: Date.parse('2025-03-30T00:00:00Z'),
    basePrice: 3_000,
  },
]

describe.each(kinds)('task logs (%s)', (kind) => {
  let database: TestDatabase
  let sim: ExchangeSimulator
  beforeAll(async () => {
    database = await createTestDatabase(kind)
    sim = await startExchangeSimulator({ now: () => NOW, pairs: PAIRS })
  })
  afterAll(async () => {
    await sim?.close()
    await database?.close()
  })

  const deps = () => ({ database, clock: fixedClock(NOW), logger: memoryLogger() })

  it('keeps the first 200 and last 300 of 1000 lines and counts the 700 dropped', async () => {
    const d = deps()
    const run = await startJobRun(database.db, 'indicators', {}, d.clock, undefined)
    await runJobTasks(
      d,
      run,
      {},
      {
        items: ['ETHUSDT'],
        taskOf: (key) => ({ kind: 'symbol', key, params: {} }),
        work: (_item, task) => {
          for (let i = 0; i < 1000; i++) task.logger.info(`line ${i}`, { i })
          return Promise.resolve({ state: 'succeeded' })
        },
      },
    )
    const task = await findRunTask(database.db, run.id, 'ETHUSDT')
    expect(task).toBeDefined()
    const log = await readTaskLog(database.db, task?.taskId ?? 0)
    expect(log.dropped).toBe(501)
    // The work's 1000 lines and the task's end line: the first 200, the last 300 (701…999, the end).
    expect(log.lines).toHaveLength(500)
    expect(log.lines.slice(0, 200).map((l) => l.message)).toEqual(
      Array.from({ length: 200 }, (_, i) => `line ${i}`),
    )
    expect(log.lines.slice(200, 499).map((l) => l.fields)).toEqual(
      Array.from({ length: 299 }, (_, i) => ({ i: 701 + i })),
    )
    expect(log.lines.at(-1)).toMatchObject({ level: 'info', message: 'task succeeded' })
    expect(log.lines[0]?.time).toEqual(new Date(NOW))
    // …and each line went to the job's logger too, with the task's key.
    expect(d.logger.entries.filter((e) => e.message.startsWith('line '))).toHaveLength(1000)
    expect(d.logger.entries[0]?.fields).toEqual({ symbol: 'ETHUSDT', i: 0 })
  })

  it("keeps a failing task's error line", async () => {
    const d = deps()
    const run = await startJobRun(database.db, 'indicators', {}, d.clock, undefined)
    const result = await runJobTasks(
      d,
      run,
      {},
      {
        items: ['SOLUSDT'],
        taskOf: (key) => ({ kind: 'symbol', key, params: {} }),
        work: (_item, task) => {
          task.logger.info('starting')
          return Promise.reject(new Error('the file is broken'))
        },
      },
    )
    expect(result.state).toBe('failed')
    const task = await findRunTask(database.db, run.id, 'SOLUSDT')
    const log = await readTaskLog(database.db, task?.taskId ?? 0)
    expect(log.dropped).toBe(0)
    expect(log.lines.map((l) => [l.level, l.message])).toEqual([
      ['info', 'starting'],
      ['error', 'indicators task failed'],
      ['info', 'task failed'],
    ])
    expect(log.lines[1]?.fields).toMatchObject({ error: 'the file is broken', code: 'Error' })
    expect(await findRunTask(database.db, run.id, 'NOPEUSDT')).toBeUndefined()
  })

  it("records a historical run's lines, with the client's retry line from a throttled simulator", async () => {
    await database.db
      .insertInto('symbol')
      .values({
        symbol: SYMBOL,
        base_asset: 'BTC',
        quote_asset: 'USDT',
        in_top_n: true,
        status: 'TRADING',
        first_seen_at: new Date(NOW),
        last_seen_at: new Date(NOW),
      })
      .execute()
    const base = simDeps(sim, database, NOW)
    const clientLog = memoryLogger()
    const binance = new BinanceAPI({
      apiUrl: sim.urls.binanceApiUrl,
      dataUrl: sim.urls.binanceDataUrl,
      listingUrl: sim.urls.binanceListingUrl,
      weightBudget: new WeightBudget(),
      now: () => NOW,
      bans: new HostBans(),
      baseDelayMs: 5,
      maxDelayMs: 50,
      logger: withTaskLogs(clientLog),
    })
    sim.addFault({ route: 'archive-zip', kind: '5xx', symbol: SYMBOL, times: 1 })
    const result = await runHistorical({ ...base, binance }, { symbols: [SYMBOL] })
    expect(result.tasks).toMatchObject([{ state: 'succeeded' }])
    const task = await findRunTask(database.db, result.runId, SYMBOL)
    const log = await readTaskLog(database.db, task?.taskId ?? 0)
    const messages = log.lines.map((l) => l.message)
    expect(messages).toContain('historical load planned')
    // The client's debug line of each request stays in the process log only.
    expect(messages).not.toContain('http request')
    expect(clientLog.entries.map((e) => e.message)).toContain('http request')
    expect(messages).toContain('request failed, retrying')
    expect(clientLog.entries.map((e) => e.message)).toContain('request failed, retrying')
    expect(log.lines.at(-1)).toMatchObject({ message: 'task succeeded' })
    expect((log.lines.at(-1)?.fields as { rows: number }).rows).toBeGreaterThan(0)
  })
  it("a historical and an incremental run leave the symbol's files, range and rows in its task log", async () => {
    const symbol = 'ETHUSDT'
    await insertTestSymbols(database.db, [symbol])
    const logOf = async (runId: number) => {
      const task = await findRunTask(database.db, runId, symbol)
      expect(task).toBeDefined()
      return (await readTaskLog(database.db, task?.taskId ?? 0)).lines
    }
    const info = (lines: Awaited<ReturnType<typeof logOf>>, message: string) =>
      lines.filter((l) => l.level === 'info' && l.message === message)

    const historical = await runHistorical(simDeps(sim, database, NOW), { symbols: [symbol] })
    expect(historical.tasks).toMatchObject([{ symbol, state: 'succeeded' }])
    const rows = historical.tasks[0]?.rows ?? 0
    expect(rows).toBeGreaterThan(0)
    const hLines = await logOf(historical.runId)
    const files = info(hLines, 'archive file loaded')
    expect(files.length).toBeGreaterThan(0)
    for (const f of files) {
      expect(f.fields.period).toMatch(/^2025-0[34]/)
      expect(f.fields.rows).toBeGreaterThan(0)
    }
    expect(files.reduce((sum, f) => sum + (f.fields.rows as number), 0)).toBe(rows)
    const done = info(hLines, 'historical load done')
    expect(done).toHaveLength(1)
    expect(done[0]?.fields).toMatchObject({ loaded: files.length, rows, skipped: 0, failed: 0 })
    // The job's own lines are info-level and few beside the client's debug lines.
    expect(hLines.filter((l) => l.level !== 'debug').length).toBeLessThanOrEqual(files.length + 4)

    const incremental = await runIncremental(simDeps(sim, database, NOW), { symbols: [symbol] })
    expect(incremental.tasks).toMatchObject([{ symbol, state: 'succeeded' }])
    const fetched = incremental.tasks[0]?.rows ?? 0
    expect(fetched).toBeGreaterThan(0)
    const iLines = await logOf(incremental.runId)
    const lastLoaded = hLines.find((l) => l.message === 'historical load done')?.fields
      .lastUpdatedAt as string
    expect(info(iLines, 'range fetched')).toEqual([
      expect.objectContaining({
        fields: {
          from: new Date(Date.parse(lastLoaded) + 1).toISOString(),
          to: new Date(Math.floor(NOW / 60_000) * 60_000 - 1).toISOString(),
          requests: 1,
          planned: 1,
          rows: fetched,
          gaps: 0,
        },
      }),
    ])
    expect(iLines.at(-1)).toMatchObject({ message: 'task succeeded', fields: { rows: fetched } })
  })
})
