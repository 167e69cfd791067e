import { BinanceAPI, HostBans, WeightBudget } from '@trading-alerts/tickerdata'
import {
  startExchangeSimulator,
  type ExchangeSimulator,
  type SimPairSpec,
} from '@trading-alerts/tickerdata/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getSymbols, runHistorical, runIncremental, type ProgressEvent } from '../src/index.js'
import {
  createTestDatabase,
  fixedClock,
  testDatabaseKinds,
  type TestDatabase,
} from '../src/testing/index.js'
import { simDeps } from './sim-deps.js'

const kinds = await testDatabaseKinds()
const NOW = Date.parse('2025-03-10T12:34:56.000Z')
const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`)
const GAP = {
  symbol: 'DOGEUSDT',
  start: Date.parse('2025-02-14T10:00:00Z'),
  end: Date.parse('2025-02-14T10:07:00Z'),
}

const PAIRS: SimPairSpec[] = [
  {
    symbol: 'BTCUSDT',
    baseAsset: 'BTC',
    quoteAsset: 'USDT',
    listedAt: day('2017-08-17'),
    basePrice: 60_000,
  },
  {
    symbol: 'ETHUSDT',
    baseAsset: 'ETH',
    quoteAsset: 'USDT',
    listedAt: day('2017-08-17'),
    basePrice: 3_000,
  },
  {
    symbol: 'SOLUSDT',
    baseAsset: 'SOL',
    quoteAsset: 'USDT',
    listedAt: day('2020-08-11'),
    basePrice: 150,
  },
  {
    symbol: 'DOGEUSDT',
    baseAsset: 'DOGE',
    quoteAsset: 'USDT',
    listedAt: day('2019-07-05'),
    basePrice: 0.15,
  },
  {
    symbol: 'TONUSDT',
    baseAsset: 'TON',
    quoteAsset: 'USDT',
    listedAt: day('2024-08-08'),
    status: 'BREAK',
  },
  {
    symbol: 'USDCUSDT',
    baseAsset: 'USDC',
    quoteAsset: 'USDT',
    listedAt: day('2018-12-15'),
    basePrice: 1,
  },
  {
    symbol: 'WBTCUSDT',
    baseAsset: 'WBTC',
    quoteAsset: 'USDT',
    listedAt: day('2023-04-28'),
    basePrice: 60_000,
  },
  {
    symbol: 'WBETHUSDT',
    baseAsset: 'WBETH',
    quoteAsset: 'USDT',
    listedAt: day('2023-07-19'),
    basePrice: 3_100,
  },
]
const TRACKED = ['BTCUSDT', 'DOGEUSDT', 'ETHUSDT', 'SOLUSDT']

const depsFor = (sim: ExchangeSimulator, database: TestDatabase) => simDeps(sim, database, NOW)

async function countRows(database: TestDatabase, symbol?: string): Promise<number> {
  let q = database.db.selectFrom('tickerdata_1m').select((eb) => eb.fn.countAll<number>().as('n'))
  if (symbol !== undefined) q = q.where('symbol', '=', symbol)
  return Number((await q.executeTakeFirstOrThrow()).n)
}

async function lastUpdated(database: TestDatabase, symbol: string): Promise<string | null> {
  const row = await database.db
    .selectFrom('symbol')
    .select('last_updated_at')
    .where('symbol', '=', symbol)
    .executeTakeFirst()
  return row?.last_updated_at?.toISOString() ?? null
}

function taskRow(database: TestDatabase, runId: number, symbol: string) {
  return database.db
    .selectFrom('task_run')
    .selectAll()
    .where('job_run_id', '=', runId)
    .where('symbol', '=', symbol)
    .executeTakeFirstOrThrow()
}

async function storedKlines(database: TestDatabase, symbol: string, from: number, to: number) {
  const rows = await database.db
    .selectFrom('tickerdata_1m')
    .selectAll()
    .where('symbol', '=', symbol)
    .where('open_time', '>=', new Date(from))
    .where('open_time', '<=', new Date(to))
    .orderBy('open_time')
    .execute()
  return rows.map((r) => ({
    openTime: r.open_time.getTime(),
    open: r.open,
    high: r.high,
    low: r.low,
    close: r.close,
    volume: r.volume,
    closeTime: r.close_time.getTime(),
    quoteVolume: r.quote_volume,
    trades: r.trades,
    takerBuyBaseVolume: r.taker_buy_base_volume,
    takerBuyQuoteVolume: r.taker_buy_quote_volume,
  }))
}

describe.each(kinds)('the pipeline on %s', (kind) => {
  let sim: ExchangeSimulator
  let database: TestDatabase
  beforeAll(async () => {
    sim = await startExchangeSimulator({
      now: () => NOW,
      pairs: PAIRS,
      gaps: [GAP],
      lateMonthly: { SOLUSDT: ['2025-02'] },
    })
    database = await createTestDatabase(kind)
  })
  afterAll(async () => {
    await sim?.close()
    await database?.close()
  })

  it('getSymbols maps the real top-100 list: stablecoins, wrapped, staked, BREAK and duplicates stay untracked', async () => {
    const result = await getSymbols(depsFor(sim, database), { topN: 100 })
    expect(result.state).toBe('succeeded')
    const byId = new Map(result.coins.map((c) => [c.coin.id, c]))
    expect(byId.get('bitcoin')).toMatchObject({ pair: 'BTCUSDT', tracked: true })
    expect(byId.get('usd-coin')).toMatchObject({
      pair: 'USDCUSDT',
      tracked: false,
      excludedReason: 'stablecoin',
    })
    expect(byId.get('wrapped-bitcoin')).toMatchObject({
      pair: 'WBTCUSDT',
      tracked: false,
      excludedReason: 'wrapped',
    })
    expect(byId.get('wrapped-beacon-eth')).toMatchObject({ tracked: false })
    expect(byId.get('tether')?.tracked).toBe(false)
    expect(byId.get('the-open-network')).toMatchObject({
      pair: 'TONUSDT',
      tracked: false,
      excludedReason: 'not-trading',
    })
    expect(byId.get('weth')?.tracked).toBe(false)
    expect(byId.get('binance-peg-weth')?.tracked).toBe(false)
    expect(byId.get('cardano')).toMatchObject({ pair: null, excludedReason: 'not-on-binance' })
    const tracked = await database.db
      .selectFrom('symbol')
      .select('symbol')
      .where('in_top_n', '=', true)
      .where('status', '=', 'TRADING')
      .orderBy('symbol')
      .execute()
    expect(tracked.map((r) => r.symbol)).toEqual(TRACKED)
    const snapshot = await database.db
      .selectFrom('top_coin_snapshot')
      .selectAll()
      .where('day', '=', '2025-03-10')
      .execute()
    expect(snapshot).toHaveLength(100)
    expect(snapshot.find((s) => s.coingecko_id === 'usd-coin')).toMatchObject({
      pair: 'USDCUSDT',
      excluded_reason: 'stablecoin',
    })
    // The job is one task of kind 'job' keyed by its name, written through the task scaffold.
    expect(result.tasks).toEqual([
      expect.objectContaining({ kind: 'job', key: 'symbols', state: 'succeeded', rows: 100 }),
    ])
    expect(result.tasks[0]?.symbol).toBeUndefined()
    const events: ProgressEvent[] = []
    // A re-run changes nothing.
    const again = await getSymbols(depsFor(sim, database), {
      topN: 100,
      onProgress: (e) => events.push(e),
    })
    const task = await database.db
      .selectFrom('task_run')
      .selectAll()
      .where('job_run_id', '=', again.runId)
      .executeTakeFirstOrThrow()
    expect(task).toMatchObject({
      job: 'symbols',
      kind: 'job',
      key: 'symbols',
      symbol: null,
      state: 'succeeded',
      attempts: 1,
      error_code: null,
      params: { job: 'symbols', topN: 100, quoteAsset: 'USDT', excludeList: [] },
    })
    expect(Number(task.rows_written)).toBe(100)
    expect(task.started_at).not.toBeNull()
    expect(task.last_progress_at).toEqual(task.finished_at)
    expect(events.map((e) => [e.kind, e.key, e.state, e.done, e.total])).toEqual([
      ['job', 'symbols', 'pending', 0, 0],
      ['job', 'symbols', 'running', 0, 1],
      ['job', 'symbols', 'succeeded', 1, 1],
    ])
    expect(await database.db.selectFrom('top_coin_snapshot').selectAll().execute()).toHaveLength(
      100,
    )
  })

  it('historical loads the archive exactly: µs months, a late monthly file from daily files, an exchange gap', async () => {
    const result = await runHistorical(depsFor(sim, database), {
      historyStart: '2025-02',
      concurrency: 2,
    })
    expect(result.state).toBe('succeeded')
    expect(result.tasks.map((t) => t.symbol).sort()).toEqual(TRACKED)
    const from = Date.parse('2025-02-01T00:00:00Z')
    const to = Date.parse('2025-03-09T23:59:00Z')
    for (const symbol of TRACKED) {
      expect(await storedKlines(database, symbol, from, to), symbol).toEqual(
        sim.candles(symbol, from, to),
      )
      expect(await lastUpdated(database, symbol)).toBe('2025-03-09T23:59:59.999Z')
    }
    // SOLUSDT's February came from 28 daily files; the others from the monthly one.
    const sol = await database.db
      .selectFrom('archive_file')
      .select(['period_kind', 'period'])
      .where('symbol', '=', 'SOLUSDT')
      .where('period', 'like', '2025-02%')
      .execute()
    expect(sol).toHaveLength(28)
    expect(sol.every((f) => f.period_kind === 'daily')).toBe(true)
    const gaps = await database.db.selectFrom('exchange_gap').selectAll().execute()
    expect(gaps.map((g) => [g.symbol, g.start_time.getTime(), g.end_time.getTime()])).toEqual([
      ['DOGEUSDT', GAP.start, GAP.end],
    ])
  })

  it('a re-run of historical changes nothing (and does not ask REST for the known gap again)', async () => {
    const before = await countRows(database)
    sim.resetStats()
    const again = await runHistorical(depsFor(sim, database), { historyStart: '2025-02' })
    expect(again.tasks).toHaveLength(0) // every symbol has recent data now
    expect(await countRows(database)).toBe(before)
    expect(sim.stats.requests.klines).toBe(0)
  })

  it('incremental brings every symbol to the last closed minute, counting requests up front', async () => {
    const result = await runIncremental(depsFor(sim, database), { concurrency: 4 })
    expect(result.state).toBe('succeeded')
    const from = Date.parse('2025-03-10T00:00:00Z')
    const to = Date.parse('2025-03-10T12:33:00Z')
    for (const symbol of TRACKED) {
      expect(await storedKlines(database, symbol, from, NOW), symbol).toEqual(
        sim.candles(symbol, from, to),
      )
      expect(await lastUpdated(database, symbol)).toBe('2025-03-10T12:33:59.999Z')
    }
    const run = await database.db
      .selectFrom('job_run')
      .selectAll()
      .where('id', '=', result.runId)
      .executeTakeFirstOrThrow()
    expect(run.params).toMatchObject({ totalRequests: 4 })
  })

  it('re-runs of incremental write nothing new', async () => {
    const before = await countRows(database)
    const result = await runIncremental(depsFor(sim, database))
    expect(result.rowsWritten).toBe(0)
    expect(await countRows(database)).toBe(before)
  })

  it('records every run and task in the bookkeeping tables', async () => {
    const runs = await database.db
      .selectFrom('job_run')
      .select(['job', 'state'])
      .orderBy('id')
      .execute()
    expect(runs.map((r) => r.job)).toEqual([
      'symbols',
      'symbols',
      'historical',
      'historical',
      'incremental',
      'incremental',
    ])
    expect(runs.every((r) => r.state === 'succeeded')).toBe(true)
    const tasks = await database.db
      .selectFrom('task_run')
      .selectAll()
      .where('job', '=', 'historical')
      .execute()
    expect(tasks).toHaveLength(4)
    expect(tasks.every((t) => t.state === 'succeeded' && t.rows_written > 0)).toBe(true)
    expect(tasks[0]?.params).toMatchObject({ job: 'historical', historyStart: '2025-02' })
  })
})

describe.each(kinds)('failures on %s', (kind) => {
  let sim: ExchangeSimulator
  let database: TestDatabase
  beforeAll(async () => {
    sim = await startExchangeSimulator({ now: () => NOW, pairs: PAIRS })
    database = await createTestDatabase(kind)
    await getSymbols(depsFor(sim, database), { topN: 100 })
  })
  afterAll(async () => {
    await sim?.close()
    await database?.close()
  })

  it('a corrupt month fails its symbol with a clear error, writes none of its rows, holds last_updated_at before it; the others complete', async () => {
    sim.addFault({ route: 'archive-zip', kind: 'corrupt-zip', file: 'ETHUSDT-1m-2025-02.zip' })
    sim.addFault({ route: 'archive-zip', kind: '5xx', file: 'BTCUSDT-1m-2025-02.zip', times: 2 }) // flaky, retried
    const events: ProgressEvent[] = []
    const result = await runHistorical(depsFor(sim, database), {
      historyStart: '2025-01',
      onProgress: (e) => events.push(e),
    })
    expect(result.state).toBe('failed')
    const eth = result.tasks.find((t) => t.symbol === 'ETHUSDT')
    expect(eth).toMatchObject({ state: 'failed', errorCode: 'ARCHIVE_FORMAT' })
    expect(eth?.error, eth?.error).toMatch(/first 2025-02: ETHUSDT-1m-2025-02\.zip: corrupt/)
    const feb = await storedKlines(
      database,
      'ETHUSDT',
      Date.parse('2025-02-01T00:00:00Z'),
      Date.parse('2025-02-28T23:59:00Z'),
    )
    expect(feb).toHaveLength(0)
    // January and the March days after the hole are loaded; last_updated_at stays before the hole.
    expect(await countRows(database, 'ETHUSDT')).toBe(31 * 1440 + 9 * 1440)
    expect(await lastUpdated(database, 'ETHUSDT')).toBe('2025-01-31T23:59:59.999Z')
    for (const symbol of ['BTCUSDT', 'SOLUSDT', 'DOGEUSDT']) {
      expect(result.tasks.find((t) => t.symbol === symbol)?.state).toBe('succeeded')
      expect(await lastUpdated(database, symbol)).toBe('2025-03-09T23:59:59.999Z')
    }
    const task = await taskRow(database, result.runId, 'ETHUSDT')
    expect(task.state).toBe('failed')
    expect(task.error_code).toBe('ARCHIVE_FORMAT')
    // The rows that did load are counted: the run's result, the task row and its last progress event.
    expect(eth?.rows).toBe(40 * 1440)
    expect(Number(task.rows_written)).toBe(40 * 1440)
    expect(events.filter((e) => e.symbol === 'ETHUSDT').at(-1)).toMatchObject({
      state: 'failed',
      rows: 40 * 1440,
      error: eth?.error,
    })
  })

  it('the next run retries the recorded hole and completes the symbol', async () => {
    sim.clearFaults()
    const result = await runHistorical(depsFor(sim, database), { historyStart: '2025-01' })
    expect(result.tasks.map((t) => t.symbol)).toEqual(['ETHUSDT'])
    expect(result.tasks[0]?.error).toBeUndefined()
    expect(result.state).toBe('succeeded')
    const from = Date.parse('2025-01-01T00:00:00Z')
    const to = Date.parse('2025-03-09T23:59:00Z')
    expect(await storedKlines(database, 'ETHUSDT', from, to)).toEqual(
      sim.candles('ETHUSDT', from, to),
    )
    expect(await lastUpdated(database, 'ETHUSDT')).toBe('2025-03-09T23:59:59.999Z')
  })

  it('a 429 storm is waited out without a single 418', async () => {
    sim.addFault({ route: 'klines', kind: '429', retryAfterSec: 1, times: 3 })
    sim.resetStats()
    const result = await runIncremental(depsFor(sim, database), { concurrency: 4 })
    expect(result.state).toBe('succeeded')
    expect(sim.stats.banned418).toBe(0)
    expect(await lastUpdated(database, 'BTCUSDT')).toBe('2025-03-10T12:33:59.999Z')
  })

  it('one symbol failing in incremental does not stop the others', async () => {
    const later = await startExchangeSimulator({ now: () => NOW + 3_600_000, pairs: PAIRS })
    try {
      later.addFault({ route: 'klines', kind: 'invalid-symbol', symbol: 'SOLUSDT' })
      const deps = { ...depsFor(later, database), clock: fixedClock(NOW + 3_600_000) }
      deps.binance = new BinanceAPI({
        apiUrl: later.url,
        now: () => NOW + 3_600_000,
        bans: new HostBans(),
        weightBudget: new WeightBudget(),
      })
      const events: ProgressEvent[] = []
      const result = await runIncremental(deps, { onProgress: (e) => events.push(e) })
      expect(result.state).toBe('failed')
      expect(result.tasks.find((t) => t.symbol === 'SOLUSDT')).toMatchObject({
        state: 'failed',
        errorCode: 'EXCHANGE_ERROR',
      })
      // Each task starts with a pending event (the plan, before any task runs) and ends with one
      // progress event in its final state, after its running ones.
      const firstRunning = events.findIndex((e) => e.state !== 'pending')
      expect(
        events
          .slice(0, firstRunning)
          .map((e) => e.symbol)
          .sort(),
      ).toEqual(result.tasks.map((t) => t.symbol).sort())
      for (const task of result.tasks) {
        const own = events.filter((e) => e.symbol === task.symbol)
        expect(own[0]).toMatchObject({ state: 'pending', done: 0, total: 0, rows: 0 })
        expect(own.at(-1)).toMatchObject({ job: 'incremental', state: task.state, rows: task.rows })
        expect(own.slice(1, -1).every((e) => e.state === 'running')).toBe(true)
      }
      const btc = events.filter((e) => e.symbol === 'BTCUSDT')
      expect(btc.map((e) => e.done)).toEqual([0, 1, 1]) // pending; one request: a running event, then the end
      expect(btc.at(-1)).toMatchObject({ state: 'succeeded', total: 1, rows: 60 })
      expect(events.findLast((e) => e.symbol === 'SOLUSDT')?.error).toMatch(/Invalid symbol/i)
      const sol = await taskRow(database, result.runId, 'SOLUSDT')
      expect(sol).toMatchObject({ state: 'failed', error_code: 'EXCHANGE_ERROR', attempts: 1 })
      expect(sol.finished_at).not.toBeNull()
      expect(await lastUpdated(database, 'BTCUSDT')).toBe('2025-03-10T13:33:59.999Z')
      expect(await lastUpdated(database, 'SOLUSDT')).toBe('2025-03-10T12:33:59.999Z')
    } finally {
      await later.close()
    }
  })
})
