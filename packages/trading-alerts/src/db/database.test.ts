import { parseKlineCsv, type Kline } from '@trading-alerts/tickerdata'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from '../testing/index.js'
import { encodeColumns } from './copy-encoder.js'

const kinds = await testDatabaseKinds()
const MINUTE = 60_000
const START = Date.UTC(2024, 0, 1)

function kline(i: number, price: string): Kline {
  const openTime = START + i * MINUTE
  return {
    openTime,
    open: price,
    high: '123456789.12345678',
    low: '0.00000001',
    close: price,
    volume: '0.00000000',
    closeTime: openTime + 59_999,
    quoteVolume: '84802.64000000',
    trades: i,
    takerBuyBaseVolume: '1.5',
    takerBuyQuoteVolume: '0',
  }
}

function csvOf(klines: readonly Kline[]): Buffer {
  return Buffer.from(
    klines
      .map(
        (k) =>
          `${k.openTime},${k.open},${k.high},${k.low},${k.close},${k.volume},${k.closeTime},${k.quoteVolume},${k.trades},${k.takerBuyBaseVolume},${k.takerBuyQuoteVolume},0\n`,
      )
      .join(''),
  )
}

describe('encodeColumns', () => {
  it('writes COPY text rows byte for byte, timestamps in UTC', () => {
    const rows = [kline(0, '42000.10000000'), kline(61, '1.00000000')]
    const text = Buffer.concat(
      encodeColumns('BTCUSDT', parseKlineCsv(csvOf(rows), { fileName: 'x' })),
    ).toString()
    expect(text.split('\n')[0]).toBe(
      'BTCUSDT\t2024-01-01 00:00:00+00\t42000.10000000\t123456789.12345678\t0.00000001\t42000.10000000\t0.00000000\t2024-01-01 00:00:59.999+00\t84802.64000000\t0\t1.5\t0',
    )
    expect(text.split('\n')[1]).toContain('\t2024-01-01 01:01:00+00\t')
    expect(() => encodeColumns("x'; drop", parseKlineCsv(csvOf(rows), { fileName: 'x' }))).toThrow(
      RangeError,
    )
  })
})

describe.each(kinds)('the database on %s', (kind) => {
  let database: TestDatabase
  beforeAll(async () => {
    database = await createTestDatabase(kind)
  })
  afterAll(async () => {
    await database?.close()
  })

  const readBack = (symbol: string) =>
    database.db
      .selectFrom('tickerdata_1m')
      .selectAll()
      .where('symbol', '=', symbol)
      .orderBy('open_time')
      .execute()

  it('migrates from empty, and again without change', async () => {
    expect(await database.migrate()).toEqual([])
    const tables = await sql<{
      n: number
    }>`select count(*)::int as n from information_schema.tables where table_name in ('symbol','top_coin_snapshot','tickerdata_1m','archive_file','exchange_gap','job_run','task_run')`.execute(
      database.db,
    )
    expect(tables.rows[0]?.n).toBe(7)
  })

  it('stores archive columns and REST klines exactly, and reads them back as the same strings', async () => {
    const rows = Array.from({ length: 100 }, (_, i) =>
      kline(i, `${i}.${String(i).padStart(8, '0')}`),
    )
    const written = await database.writeTransaction((tx) =>
      tx.replaceCandles({
        symbol: 'EXACTUSDT',
        start: START,
        end: START + 100 * MINUTE,
        rows: parseKlineCsv(csvOf(rows), { fileName: 'x' }),
      }),
    )
    expect(written).toBe(100)
    const more = [kline(100, '0.00000001'), kline(101, '99999999.99999999')]
    await database.writeTransaction((tx) =>
      tx.replaceCandles({
        symbol: 'EXACTUSDT',
        start: START + 100 * MINUTE,
        end: START + 102 * MINUTE,
        rows: more,
      }),
    )
    const back = await readBack('EXACTUSDT')
    expect(back).toHaveLength(102)
    const all = [...rows, ...more]
    back.forEach((r, i) => {
      const k = all[i]
      expect(r.open_time.getTime()).toBe(k?.openTime)
      expect(r.close_time.getTime()).toBe(k?.closeTime)
      expect([
        r.open,
        r.high,
        r.low,
        r.close,
        r.volume,
        r.quote_volume,
        r.taker_buy_base_volume,
        r.taker_buy_quote_volume,
      ]).toEqual([
        k?.open,
        k?.high,
        k?.low,
        k?.close,
        k?.volume,
        k?.quoteVolume,
        k?.takerBuyBaseVolume,
        k?.takerBuyQuoteVolume,
      ])
      expect(r.trades).toBe(k?.trades)
    })
  })

  it('replaces a period on re-write: no duplicates, same rows', async () => {
    const rows = Array.from({ length: 10 }, (_, i) => kline(i, '5.00000000'))
    for (let i = 0; i < 3; i++) {
      await database.writeTransaction((tx) =>
        tx.replaceCandles({ symbol: 'AGAINUSDT', start: START, end: START + 10 * MINUTE, rows }),
      )
    }
    expect(await readBack('AGAINUSDT')).toHaveLength(10)
    const changed = rows.map((k) => ({ ...k, close: '6.00000000' }))
    await database.writeTransaction((tx) =>
      tx.replaceCandles({
        symbol: 'AGAINUSDT',
        start: START,
        end: START + 10 * MINUTE,
        rows: changed,
      }),
    )
    const back = await readBack('AGAINUSDT')
    expect(back.map((r) => r.close)).toEqual(Array(10).fill('6.00000000'))
  })

  it('leaves no row of a period when the transaction fails after the COPY', async () => {
    const rows = Array.from({ length: 10 }, (_, i) => kline(i, '7.00000000'))
    await expect(
      database.writeTransaction(async (tx) => {
        await tx.replaceCandles({
          symbol: 'HALFUSDT',
          start: START,
          end: START + 10 * MINUTE,
          rows,
        })
        await tx.db
          .insertInto('archive_file')
          .values({
            symbol: 'HALFUSDT',
            interval: '1m',
            period_kind: 'monthly',
            period: '2024-01',
            url: 'u',
            sha256: 'x',
            rows: 10,
            state: 'loaded',
            error: null,
            attempts: 1,
            loaded_at: new Date(),
          })
          .execute()
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    expect(await readBack('HALFUSDT')).toHaveLength(0)
    expect(
      await database.db
        .selectFrom('archive_file')
        .selectAll()
        .where('symbol', '=', 'HALFUSDT')
        .execute(),
    ).toHaveLength(0)
  })

  it('rejects candles outside the period they replace, writing nothing', async () => {
    const rows = [kline(0, '1.00000000'), kline(20, '1.00000000')]
    await expect(
      database.writeTransaction((tx) =>
        tx.replaceCandles({ symbol: 'OUTUSDT', start: START, end: START + 10 * MINUTE, rows }),
      ),
    ).rejects.toThrow(RangeError)
    expect(await readBack('OUTUSDT')).toHaveLength(0)
  })

  it('runs write transactions of different symbols concurrently', async () => {
    await Promise.all(
      ['C1USDT', 'C2USDT', 'C3USDT'].map((symbol) =>
        database.writeTransaction((tx) =>
          tx.replaceCandles({
            symbol,
            start: START,
            end: START + 50 * MINUTE,
            rows: Array.from({ length: 50 }, (_, i) => kline(i, '2.00000000')),
          }),
        ),
      ),
    )
    for (const s of ['C1USDT', 'C2USDT', 'C3USDT']) expect(await readBack(s)).toHaveLength(50)
  })

  it('hands out a named lock to one holder at a time', async () => {
    const release = await database.tryLock('historical')
    expect(release).not.toBeNull()
    expect(await database.tryLock('historical')).toBeNull()
    await release?.()
    const again = await database.tryLock('historical')
    expect(again).not.toBeNull()
    await again?.()
  })
})
