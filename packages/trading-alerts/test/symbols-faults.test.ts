import {
  startExchangeSimulator,
  type ExchangeSimulator,
  type SimPairSpec,
} from '@trading-alerts/tickerdata/testing'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { getSymbols, NO_SYMBOLS_WARNING, runHistorical, runIncremental } from '../src/index.js'
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from '../src/testing/index.js'
import { simDeps } from './sim-deps.js'

const kinds = await testDatabaseKinds()
const NOW = Date.parse('2025-03-10T12:34:56.000Z')
const listed = Date.parse('2020-01-01T00:00:00Z')
const PAIRS: SimPairSpec[] = ['BTC', 'ETH', 'SOL', 'DOGE', 'XRP', 'TRX', 'ADA'].map((base) => ({
  symbol: `${base}USDT`,
  baseAsset: base,
  quoteAsset: 'USDT',
  listedAt: listed,
}))

const depsFor = (sim: ExchangeSimulator, database: TestDatabase) => simDeps(sim, database, NOW)

describe.each(kinds)('bad coins from CoinGecko on %s', (kind) => {
  let sim: ExchangeSimulator
  let database: TestDatabase
  beforeAll(async () => {
    sim = await startExchangeSimulator({ now: () => NOW, pairs: PAIRS })
    database = await createTestDatabase(kind)
  })
  afterAll(async () => {
    await sim?.close()
    await database?.close()
  })
  beforeEach(() => {
    sim.clearFaults()
  })

  it('historical and incremental say so when no symbol is tracked, in the log and in the run', async () => {
    for (const run of [runHistorical, runIncremental]) {
      const deps = depsFor(sim, database)
      const result = await run(deps)
      expect(result).toMatchObject({
        state: 'succeeded',
        tasks: [],
        warnings: [NO_SYMBOLS_WARNING],
      })
      expect(deps.logger.entries).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          message: 'no symbols tracked: run getSymbols first',
        }),
      )
      const row = await database.db
        .selectFrom('job_run')
        .select('summary')
        .where('id', '=', result.runId)
        .executeTakeFirstOrThrow()
      expect(row.summary).toMatchObject({ tasks: 0, warnings: [NO_SYMBOLS_WARNING] })
    }
  })

  it('a getSymbols that fails records its one job task failed with the error and its code, and the run with it', async () => {
    sim.addFault({ route: 'exchangeInfo', kind: '451' })
    const result = await getSymbols(depsFor(sim, database), { topN: 100 })
    expect(result).toMatchObject({ state: 'failed', coins: [], added: [], dropped: [] })
    expect(result.tasks).toEqual([
      expect.objectContaining({ kind: 'job', key: 'symbols', state: 'failed', rows: 0 }),
    ])
    const failed = result.tasks[0]
    expect(failed?.errorCode).toMatch(/^[A-Z_]+$/)
    const task = await database.db
      .selectFrom('task_run')
      .selectAll()
      .where('job_run_id', '=', result.runId)
      .executeTakeFirstOrThrow()
    expect(task).toMatchObject({
      kind: 'job',
      key: 'symbols',
      symbol: null,
      state: 'failed',
      error: failed?.error,
      error_code: failed?.errorCode,
    })
    expect(task.finished_at).not.toBeNull()
    const run = await database.db
      .selectFrom('job_run')
      .selectAll()
      .where('id', '=', result.runId)
      .executeTakeFirstOrThrow()
    expect(run).toMatchObject({ state: 'failed', error: failed?.error })
    // Nothing half-written.
    expect(await database.db.selectFrom('symbol').selectAll().execute()).toEqual([])
  })

  it('a NUL byte in one coin name does not stop the refresh: the name is cleaned, every coin is kept', async () => {
    sim.addFault({
      route: 'coins-markets',
      kind: 'coin-fields',
      coin: 'dogecoin',
      fields: { name: 'Doge\u0000coin' },
    })
    const deps = depsFor(sim, database)
    const result = await getSymbols(deps, { topN: 100 })
    expect(result.tasks[0]?.error).toBeUndefined()
    expect(result.state).toBe('succeeded')
    const doge = await database.db
      .selectFrom('symbol')
      .select(['name', 'in_top_n'])
      .where('symbol', '=', 'DOGEUSDT')
      .executeTakeFirstOrThrow()
    expect(doge).toEqual({ name: 'Dogecoin', in_top_n: true })
    const snapshot = await database.db
      .selectFrom('top_coin_snapshot')
      .select(['coingecko_id', 'name'])
      .where('day', '=', '2025-03-10')
      .execute()
    expect(snapshot).toHaveLength(100)
    expect(snapshot.find((s) => s.coingecko_id === 'dogecoin')?.name).toBe('Dogecoin')
  })

  it('bad data is handled coin by coin: cleaned, nulled, or kept untracked with a reason; the others go on', async () => {
    const bad = (
      coin: string,
      fields: Record<string, unknown>,
      rawFields: Record<string, string> = {},
    ) => sim.addFault({ route: 'coins-markets', kind: 'coin-fields', coin, fields, rawFields })
    bad('bitcoin', { name: `Bit\u0000coin${'!'.repeat(5000)}`, market_cap: -1 })
    bad('solana', { market_cap_rank: 1.5 }, { current_price: '1e400', total_volume: '-2e3' })
    bad('ripple', { symbol: '\u0000' })
    bad('tron', { id: null })
    bad('dogecoin', { id: 'ethereum' })
    const deps = depsFor(sim, database)
    const result = await getSymbols(deps, { topN: 100 })
    expect(result.tasks[0]?.error).toBeUndefined()
    expect(result.state).toBe('succeeded')

    const tracked = await database.db
      .selectFrom('symbol')
      .select(['symbol', 'name', 'market_cap_rank', 'market_cap_usd'])
      .where('in_top_n', '=', true)
      .orderBy('symbol')
      .execute()
    // XRP (no symbol) and TRX, DOGE (no usable id) are not tracked; the others are, cleaned.
    expect(tracked.map((r) => r.symbol)).toEqual(['ADAUSDT', 'BTCUSDT', 'ETHUSDT', 'SOLUSDT'])
    expect(tracked[1]).toMatchObject({ name: `Bitcoin${'!'.repeat(193)}`, market_cap_usd: null })
    expect(tracked[3]).toMatchObject({ market_cap_rank: null })
    const snapshot = await database.db
      .selectFrom('top_coin_snapshot')
      .selectAll()
      .where('day', '=', '2025-03-10')
      .execute()
    expect(snapshot).toHaveLength(98) // two coins without a usable id cannot be keyed
    const row = (id: string) => snapshot.find((s) => s.coingecko_id === id)
    expect(row('ripple')).toMatchObject({
      coin_symbol: '',
      pair: null,
      excluded_reason: 'invalid-data',
    })
    expect(row('solana')).toMatchObject({
      rank: null,
      price_usd: null,
      volume_usd: null,
      pair: 'SOLUSDT',
    })
    expect(row('bitcoin')).toMatchObject({ market_cap_usd: null, pair: 'BTCUSDT' })
    expect(row('tron')).toBeUndefined()

    // Every coin with bad data is recorded in the task, and the run says so.
    const task = await database.db
      .selectFrom('task_run')
      .select('progress')
      .where('job_run_id', '=', result.runId)
      .executeTakeFirstOrThrow()
    const progress = task.progress as { problems: { id: string }[]; rejected: unknown[] }
    expect(progress.problems.map((p) => p.id)).toEqual(['bitcoin', 'ripple', 'solana'])
    expect(progress.rejected).toEqual([
      expect.objectContaining({
        index: 8,
        id: null,
        reason: expect.stringMatching(/no usable id/) as unknown,
      }),
      expect.objectContaining({
        index: 9,
        id: 'ethereum',
        reason: expect.stringMatching(/id "ethereum" of coin 1/) as unknown,
      }),
    ])
    const warnings = [
      '2 coin(s) with bad fields, cleaned',
      '1 coin(s) with invalid data, kept untracked',
      '2 coin(s) left out: no usable id',
    ]
    expect(result.warnings).toEqual(warnings)
    const run = await database.db
      .selectFrom('job_run')
      .select('summary')
      .where('id', '=', result.runId)
      .executeTakeFirstOrThrow()
    expect(run.summary).toMatchObject({ succeeded: 1, warnings })
    expect(deps.logger.entries).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'CoinGecko sent bad data for some coins' }),
    )
  })
})
