/**
 * The query plans of the jobs' queries on a large table: `pnpm explain` (needs PostgreSQL: TEST_DATABASE_URL or the local server).
 * 40 symbols × 100,000 minutes = 4,000,000 candles in a scratch database (the newest 10 symbols
 * without recent data), then EXPLAIN ANALYZE of what the jobs ask.
 */
import { sql } from 'kysely'
import pg from 'pg'
import { createDatabase, selectHistoricalSymbols } from '../src/index.js'

const SERVER = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const name = `ta_explain_${process.pid}`
const admin = new pg.Client({ connectionString: SERVER })
await admin.connect()
await admin.query(`create database ${name}`)
const url = new URL(SERVER)
url.pathname = `/${name}`
const db = await createDatabase({ url: url.href })
try {
  await db.migrate()
  const now = new Date('2025-04-05T00:00:00Z')
  for (let i = 0; i < 40; i++) {
    await db.db
      .insertInto('symbol')
      .values({
        symbol: `S${i}USDT`,
        base_asset: `S${i}`,
        quote_asset: 'USDT',
        coingecko_id: null,
        name: null,
        market_cap_rank: i,
        market_cap_usd: null,
        in_top_n: true,
        status: 'TRADING',
        first_seen_at: now,
        last_seen_at: now,
        last_updated_at: now,
      })
      .execute()
  }
  await sql`
    insert into tickerdata_1m
    select 'S' || s || 'USDT', t, 1, 1, 1, 1, 1, t + interval '59.999 seconds', 1, 1, 1, 1
    from generate_series(0, 39) s,
      generate_series(
        timestamptz '2025-04-04 00:00+00' - (case when s < 30 then 0 else 40 end) * interval '1 day' - interval '100000 minutes',
        timestamptz '2025-04-04 00:00+00' - (case when s < 30 then 0 else 40 end) * interval '1 day' - interval '1 minute',
        interval '1 minute') t
  `.execute(db.db)
  await sql`analyze`.execute(db.db)
  const plan = async (label: string, query: string) => {
    const r = await sql
      .raw<{ 'QUERY PLAN': string }>(`explain (analyze, costs off) ${query}`)
      .execute(db.db)
    console.log(`-- ${label}\n${r.rows.map((x) => x['QUERY PLAN']).join('\n')}\n`)
  }
  const since = new Date(Date.parse('2025-03-05T00:00:00Z') - 59_999).toISOString()
  await plan(
    'historical selection: tracked symbols with no candle closing within the last month',
    `select s.symbol from symbol s where s.in_top_n and s.status = 'TRADING' and not exists (select 1 from tickerdata_1m t where t.symbol = s.symbol and t.open_time >= '${since}')`,
  )
  await plan(
    'newest candle of a symbol',
    `select max(open_time) from tickerdata_1m where symbol = 'S3USDT'`,
  )
  await plan(
    'newest candle of a symbol inside one period (an unchanged archive file that is skipped)',
    `select max(open_time) from tickerdata_1m where symbol = 'S3USDT' and open_time >= '2025-03-01' and open_time < '2025-04-01'`,
  )
  await plan(
    'newest candle before a hole (last_updated_at never jumps over a failed file)',
    `select max(open_time) from tickerdata_1m where symbol = 'S3USDT' and open_time < '2025-03-01'`,
  )
  await plan(
    'one day of 1-minute candles resampled to 1h bars (the indicators job)',
    `select date_bin('3600 seconds'::interval, open_time, timestamptz '1970-01-05') b, (array_agg(open order by open_time))[1], max(high), min(low), (array_agg(close order by open_time desc))[1], sum(volume) from tickerdata_1m where symbol = 'S3USDT' and open_time >= '2025-03-01' and open_time < '2025-03-02' group by b`,
  )
  await plan(
    'the rows of one period (what a re-load deletes before its COPY; run last, it deletes them)',
    `delete from tickerdata_1m where symbol = 'S3USDT' and open_time >= '2025-03-01' and open_time < '2025-03-02'`,
  )
  const t = performance.now()
  const selected = await selectHistoricalSymbols(db.db, now.getTime())
  console.log(
    `selectHistoricalSymbols: ${selected.length} symbols in ${(performance.now() - t).toFixed(1)} ms`,
  )
} finally {
  await db.close()
  await admin.query(`drop database if exists ${name} with (force)`)
  await admin.end()
}
