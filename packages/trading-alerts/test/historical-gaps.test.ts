import {
  startExchangeSimulator,
  type ExchangeSimulator,
  type SimPairSpec,
} from '@trading-alerts/tickerdata/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runHistorical } from '../src/index.js'
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from '../src/testing/index.js'
import { simDeps } from './sim-deps.js'

// Exchange gaps are committed with the file they are found in, and found again where a failed
// file loads later: a run after a failure ends with the gaps a run without one records.
const kinds = await testDatabaseKinds()
const NOW = Date.parse('2025-04-02T12:00:00Z')
const at = (iso: string) => Date.parse(`${iso}Z`)
const SYMBOL = 'BTCUSDT'
const PAIRS: SimPairSpec[] = [
  {
    symbol: SYMBOL,
    baseAsset: 'BTC',
    quoteAsset: 'USDT',
    listedAt: at('2025-03-25T00:00:00'),
    basePrice: 60_000,
  },
]
// Across two daily files (March is late, so it loads day by day): 23:50 to 00:10.
const GAP = { symbol: SYMBOL, start: at('2025-03-27T23:50:00'), end: at('2025-03-28T00:10:00') }

const depsFor = (sim: ExchangeSimulator, database: TestDatabase) => simDeps(sim, database, NOW)

async function freshDatabase(kind: (typeof kinds)[number]): Promise<TestDatabase> {
  const database = await createTestDatabase(kind)
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
  return database
}

/** What the job leaves: candles, files (without attempts and stamps), gaps, last_updated_at. */
async function tables(database: TestDatabase) {
  const { db } = database
  const candles = await db
    .selectFrom('tickerdata_1m')
    .select(['open_time', 'close', 'volume'])
    .orderBy('open_time')
    .execute()
  return {
    candles: candles.map((c) => `${c.open_time.toISOString()} ${c.close} ${c.volume}`),
    files: await db
      .selectFrom('archive_file')
      .select(['period_kind', 'period', 'sha256', 'rows', 'state', 'error'])
      .orderBy('period')
      .execute(),
    gaps: (await db.selectFrom('exchange_gap').selectAll().orderBy('start_time').execute()).map(
      (g) => [g.symbol, g.start_time.toISOString(), g.end_time.toISOString()],
    ),
    symbol: await db.selectFrom('symbol').select('last_updated_at').execute(),
  }
}

describe.each(kinds)('exchange gaps around a failed file (%s)', (kind) => {
  let sim: ExchangeSimulator
  let clean: Awaited<ReturnType<typeof tables>>
  beforeAll(async () => {
    sim = await startExchangeSimulator({
      now: () => NOW,
      pairs: PAIRS,
      gaps: [GAP],
      lateMonthly: { [SYMBOL]: ['2025-03'] },
    })
    const database = await freshDatabase(kind)
    try {
      const result = await runHistorical(depsFor(sim, database), { historyStart: '2025-03' })
      expect(result.state).toBe('succeeded')
      clean = await tables(database)
    } finally {
      await database.close()
    }
    expect(clean.gaps).toEqual([[SYMBOL, '2025-03-27T23:50:00.000Z', '2025-03-28T00:10:00.000Z']])
  })
  afterAll(async () => {
    await sim?.close()
  })

  it('a file before the gap fails once: the run that loads it finds the gap at the next, unchanged file', async () => {
    sim.clearFaults()
    sim.addFault({
      route: 'archive-zip',
      kind: 'corrupt-zip',
      file: `${SYMBOL}-1m-2025-03-27.zip`,
      times: 1,
    })
    const database = await freshDatabase(kind)
    try {
      const failed = await runHistorical(depsFor(sim, database), { historyStart: '2025-03' })
      expect(failed.state).toBe('failed')
      const deps = depsFor(sim, database)
      const retried = await runHistorical(deps, { historyStart: '2025-03' })
      expect(retried.state).toBe('succeeded')
      expect(await tables(database)).toEqual(clean)
      // The retried file's load is logged (in its task's log, and with the symbol in the job's)
      // with its rows and times.
      const loaded = deps.logger.entries.filter((e) => e.message === 'archive file loaded')
      expect(loaded).toHaveLength(1)
      expect(loaded[0]).toMatchObject({
        level: 'info',
        fields: { symbol: SYMBOL, period: '2025-03-27', rows: 1430 },
      })
      expect(loaded[0]?.fields?.ms).toEqual(expect.any(Number))
      expect(loaded[0]?.fields?.downloadMs).toEqual(expect.any(Number))
    } finally {
      await database.close()
    }
  })

  it('REST failing on the gap check: the file is a recorded hole, not loaded without its gaps; the next run completes it', async () => {
    sim.clearFaults()
    sim.addFault({ route: 'klines', kind: '5xx', times: 5 }) // beyond the client's 4 retries
    const database = await freshDatabase(kind)
    try {
      const failed = await runHistorical(depsFor(sim, database), { historyStart: '2025-03' })
      expect(failed.state).toBe('failed')
      expect(failed.tasks[0]?.error).toMatch(/first 2025-03-28: HTTP 503/)
      const hole = await database.db
        .selectFrom('archive_file')
        .select(['state', 'rows'])
        .where('period', '=', '2025-03-28')
        .executeTakeFirstOrThrow()
      expect(hole).toEqual({ state: 'failed', rows: 0 })
      const retried = await runHistorical(depsFor(sim, database), { historyStart: '2025-03' })
      expect(retried.state).toBe('succeeded')
      expect(await tables(database)).toEqual(clean)
    } finally {
      await database.close()
    }
  })
})
