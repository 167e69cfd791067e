/**
 * The indicators job benchmark: `pnpm bench:indicators` in this package (also run by `pnpm bench`).
 *
 * BENCH_SYMBOLS (default 10) symbols × BENCH_DAYS (default 365) days of 1-minute candles are
 * generated inside PostgreSQL; then, in the same run and on the same rows:
 *   baseline  reading every candle of those symbols from the database into Node (pg, ordered by time),
 *   job 1h    the indicators job from nothing: resample to 1h and compute RSI(14), MACD(12,26,9) and
 *             BBANDS(20,2,2) over the bars, writing bars, values and state,
 *   re-run    the same job again (nothing new: what a 5-minute daemon run costs when idle),
 *   job 1m    the same indicators on the 1-minute candles themselves, for one symbol, against
 *             reading that symbol's candles.
 * Each figure is the median of RUNS runs, reported as a ratio to its baseline.
 */
import { cpus } from 'node:os'
import { sql } from 'kysely'
import pg from 'pg'
import { createDatabase, runIndicators, silentLogger, type TradingDatabase } from '../src/index.js'

const SERVER = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const SYMBOLS = Number(process.env.BENCH_SYMBOLS ?? 10)
const DAYS = Number(process.env.BENCH_DAYS ?? 365)
const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const END = Date.parse('2025-04-01T00:00:00Z')
const START = END - DAYS * 86_400_000
const INDICATORS = ['rsi(14)', 'macd(12,26,9)', 'bbands(20,2,2)']

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? Number.NaN
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now()
  await fn()
  return (performance.now() - t) / 1000
}

const symbols = Array.from({ length: SYMBOLS }, (_, i) => `S${i}USDT`)

async function generate(database: TradingDatabase): Promise<number> {
  const clock = new Date(END)
  for (const [i, symbol] of symbols.entries()) {
    await database.db
      .insertInto('symbol')
      .values({
        symbol,
        base_asset: `S${i}`,
        quote_asset: 'USDT',
        coingecko_id: null,
        name: null,
        market_cap_rank: i + 1,
        market_cap_usd: null,
        in_top_n: true,
        status: 'TRADING',
        first_seen_at: clock,
        last_seen_at: clock,
        last_updated_at: new Date(END - 1),
      })
      .execute()
    await sql`
      insert into tickerdata_1m
      select ${symbol}, t, p, p + 0.05, p - 0.05, p + 0.01, 1.5, t + interval '59.999 seconds',
        150.25, 10, 0.75, 75.12
      from generate_series(${new Date(START)}::timestamptz, ${new Date(END - 60_000)}::timestamptz,
        interval '1 minute') t,
      lateral (select round((100 + 10 * sin(extract(epoch from t) / 3600.0 + ${i})
        + 2 * sin(extract(epoch from t) / 137.0))::numeric, 2) as p) x
    `.execute(database.db)
  }
  await sql`analyze tickerdata_1m`.execute(database.db)
  return symbols.length * DAYS * 1440
}

async function readCandles(url: string, only: readonly string[]): Promise<number> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  let rows = 0
  try {
    for (const symbol of only) {
      const r = await client.query(
        'select open_time, open, high, low, close, volume from tickerdata_1m where symbol = $1 order by open_time',
        [symbol],
      )
      rows += r.rowCount ?? 0
    }
  } finally {
    await client.end()
  }
  return rows
}

async function reset(database: TradingDatabase): Promise<void> {
  await sql`truncate candle, indicator_value, indicator_state, task_run, job_run`.execute(
    database.db,
  )
}

async function main(): Promise<void> {
  const name = `ta_bench_ind_${process.pid}`
  const admin = new pg.Client({ connectionString: SERVER })
  await admin.connect()
  await admin.query(`create database ${name}`)
  const url = new URL(SERVER)
  url.pathname = `/${name}`
  const database = await createDatabase({ url: url.href })
  try {
    await database.migrate()
    const candles = await generate(database)
    const deps = { database, clock: { now: () => new Date(END + 60_000) }, logger: silentLogger }
    const read: number[] = []
    const job: number[] = []
    const rerun: number[] = []
    let written = 0
    for (let r = 0; r < RUNS; r++) {
      read.push(await time(() => readCandles(url.href, symbols)))
      await reset(database)
      job.push(
        await time(async () => {
          const result = await runIndicators(deps, {
            timeframes: ['1h'],
            indicators: INDICATORS,
            concurrency: 2,
          })
          if (result.state !== 'succeeded') throw new Error('the indicators job failed')
          written = result.rowsWritten
        }),
      )
      rerun.push(
        await time(() =>
          runIndicators(deps, { timeframes: ['1h'], indicators: INDICATORS, concurrency: 2 }),
        ),
      )
    }
    const bars = Number(
      (await sql<{ n: string }>`select count(*) as n from candle`.execute(database.db)).rows[0]?.n,
    )
    // 1-minute indicators on one symbol.
    const one = symbols.slice(0, 1)
    const read1: number[] = []
    const job1: number[] = []
    let written1 = 0
    for (let r = 0; r < RUNS; r++) {
      read1.push(await time(() => readCandles(url.href, one)))
      await reset(database)
      job1.push(
        await time(async () => {
          const result = await runIndicators(deps, {
            timeframes: ['1m'],
            indicators: INDICATORS,
            symbols: one,
          })
          written1 = result.rowsWritten
        }),
      )
    }
    const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU'
    const out = [
      `machine: ${cpus().length} cores (${cpu}), Node ${process.version}, PostgreSQL at ${new URL(SERVER).host}; median of ${RUNS} runs`,
      `data: ${SYMBOLS} symbols × ${DAYS} days of 1-minute candles = ${candles.toLocaleString('en-US')} candles`,
      '',
      '| figure | time | rows written | ratio to baseline (same run) |',
      '| --- | --- | --- | --- |',
      `| baseline: read all ${candles.toLocaleString('en-US')} candles into Node | ${median(read).toFixed(2)} s | — | 1.00 |`,
      `| indicators job, 1h: resample + RSI, MACD, BBANDS from nothing | ${median(job).toFixed(2)} s | ${bars.toLocaleString('en-US')} bars + ${written.toLocaleString('en-US')} values | **${(median(job) / median(read)).toFixed(2)}×** the read |`,
      `| the same job again (nothing new) | ${median(rerun).toFixed(3)} s | 0 | ${(median(rerun) / median(read)).toFixed(3)}× |`,
      `| baseline: read one symbol's ${(DAYS * 1440).toLocaleString('en-US')} candles | ${median(read1).toFixed(2)} s | — | 1.00 |`,
      `| indicators job, 1m, one symbol: RSI, MACD, BBANDS on every candle | ${median(job1).toFixed(2)} s | ${written1.toLocaleString('en-US')} values | **${(median(job1) / median(read1)).toFixed(2)}×** the read |`,
    ]
    console.log(out.join('\n'))
  } finally {
    await database.close()
    await admin.query(`drop database if exists ${name} with (force)`)
    await admin.end()
  }
}

await main()
