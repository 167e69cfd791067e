/**
 * The HTTP API's benchmarks: `pnpm bench` in this package (PostgreSQL; TEST_DATABASE_URL or the
 * local server). Each figure is a ratio against a baseline measured in the same run on the same
 * rows, because the machines are shared and noisy:
 *
 * - one year of 1h candles of one symbol as JSON over HTTP, against the same resampling SELECT
 *   through `pg` plus `JSON.stringify` (target ≤ 1.5×);
 * - the CSV export of a month of 1m candles, rows/s against `psql \copy (select …) to stdout csv`
 *   (target ≥ 0.8×);
 * - RSI(14) and MACD(12,26,9) on the year of 1h bars, against the candles request alone (≤ 1.2×);
 * - 50 concurrent clients on the candles path for 20 s: errors, p50/p99 latency, requests/s, RSS.
 *
 * The rows are generated in the database (a deterministic price path), one year of 1-minute
 * candles of BTCUSDT: 525,600 rows.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { cpus, loadavg } from 'node:os'
import { createAdaptorServer } from '@hono/node-server'
import { createApiToken, createDatabase, silentLogger } from '@trading-alerts/trading-alerts'
import pg from 'pg'
import { createApi } from '../src/index.js'

const SERVER = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const YEAR_FROM = '2024-01-01T00:00:00Z'
const YEAR_TO = '2025-01-01T00:00:00Z'
const MONTH_FROM = '2024-06-01T00:00:00Z'
const MONTH_TO = '2024-07-01T00:00:00Z'
const RUNS = 7
const CLIENTS = 50
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 20)

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? Number.NaN
}
const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now()
  await fn()
  return performance.now() - t
}

/** Median ms of `RUNS` alternating runs of each function (after one warm-up of each). */
async function alternate(
  fns: Record<string, () => Promise<unknown>>,
): Promise<Record<string, number>> {
  const times: Record<string, number[]> = {}
  for (const [name, fn] of Object.entries(fns)) {
    await fn()
    times[name] = []
  }
  for (let i = 0; i < RUNS; i++) {
    for (const [name, fn] of Object.entries(fns)) times[name]?.push(await timed(fn))
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]))
}

async function scratchDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `ta_api_bench_${process.pid}`
  const admin = new pg.Client({ connectionString: SERVER })
  await admin.connect()
  await admin.query(`drop database if exists ${name} with (force)`)
  await admin.query(`create database ${name}`)
  await admin.end()
  const url = new URL(SERVER)
  url.pathname = `/${name}`
  return {
    url: url.href,
    drop: async () => {
      const c = new pg.Client({ connectionString: SERVER })
      await c.connect()
      await c.query(`drop database if exists ${name} with (force)`)
      await c.end()
    },
  }
}

/** One year of 1-minute BTCUSDT candles, generated in the database. */
async function seed(client: pg.Client): Promise<number> {
  const now = new Date(YEAR_TO)
  await client.query(
    `insert into symbol (symbol, base_asset, quote_asset, market_cap_rank, in_top_n, status,
       first_seen_at, last_seen_at, last_updated_at)
     values ('BTCUSDT', 'BTC', 'USDT', 1, true, 'TRADING', $1, $1, $2)`,
    [now, new Date(Date.parse(YEAR_TO) - 1)],
  )
  const result = await client.query(
    `insert into tickerdata_1m (symbol, open_time, open, high, low, close, volume, close_time,
       quote_volume, trades, taker_buy_base_volume, taker_buy_quote_volume)
     select 'BTCUSDT', t,
       round((40000 + 5000 * sin(i / 5000.0) + 50 * sin(i / 7.0))::numeric, 2),
       round((40000 + 5000 * sin(i / 5000.0) + 50 * sin(i / 7.0) + 20)::numeric, 2),
       round((40000 + 5000 * sin(i / 5000.0) + 50 * sin(i / 7.0) - 20)::numeric, 2),
       round((40000 + 5000 * sin(i / 5000.0) + 50 * sin((i + 1) / 7.0))::numeric, 2),
       round((10 + 5 * abs(sin(i / 13.0)))::numeric, 8),
       t + interval '59.999 seconds',
       round((400000 + 200000 * abs(sin(i / 13.0)))::numeric, 8),
       100 + (i % 50),
       round((5 + 2 * abs(sin(i / 11.0)))::numeric, 8),
       round((200000 + 80000 * abs(sin(i / 11.0)))::numeric, 8)
     from generate_series($1::timestamptz, $2::timestamptz - interval '1 minute', interval '1 minute')
       with ordinality as g(t, i)`,
    [YEAR_FROM, YEAR_TO],
  )
  await client.query('analyze tickerdata_1m')
  return result.rowCount ?? 0
}

/** The API's own resampling SELECT (store/candles.ts), by hand, for the pg baseline. */
const RESAMPLE_1H = `
  select b as open_time,
    (array_agg(open order by open_time))[1] as open, max(high) as high, min(low) as low,
    (array_agg(close order by open_time desc))[1] as close,
    sum(volume) as volume, sum(quote_volume) as quote_volume, sum(trades) as trades,
    sum(taker_buy_base_volume) as taker_buy_base_volume,
    sum(taker_buy_quote_volume) as taker_buy_quote_volume, count(*) as minutes
  from (
    select date_bin('3600 seconds'::interval, open_time, '1970-01-05T00:00:00Z'::timestamptz) as b,
      open_time, open, high, low, close, volume, quote_volume, trades, taker_buy_base_volume,
      taker_buy_quote_volume
    from tickerdata_1m where symbol = 'BTCUSDT' and open_time >= $1 and open_time < $2
  ) m group by b order by b limit 10000`

function psqlCopy(url: string, select: string): Promise<{ ms: number; rows: number }> {
  return new Promise((resolve, reject) => {
    const t = performance.now()
    const child = spawn('psql', [url, '-X', '-q', '-c', `\\copy (${select}) to stdout csv header`])
    let lines = 0
    child.stdout.on('data', (d: Buffer) => {
      for (const byte of d) if (byte === 10) lines++
    })
    child.on('error', reject)
    child.on('exit', (code) =>
      code === 0
        ? resolve({ ms: performance.now() - t, rows: lines - 1 })
        : reject(new Error(`psql exited ${code}`)),
    )
  })
}

async function main(): Promise<void> {
  const scratch = await scratchDatabase()
  const database = await createDatabase({ url: scratch.url })
  const client = new pg.Client({ connectionString: scratch.url })
  try {
    await database.migrate()
    await client.connect()
    const rows = await seed(client)
    const clock = { now: () => new Date(YEAR_TO) }
    const { token } = await createApiToken(database.db, { name: 'bench', scope: 'read' }, clock)
    const api = createApi({
      database,
      clock,
      logger: silentLogger,
      rateLimit: { burst: 1e9, perSecond: 1e9 },
    })
    const server = createAdaptorServer({ fetch: (request: Request) => api.fetch(request) })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const headers = { authorization: `Bearer ${token}` }
    const get = async (path: string) => {
      const res = await fetch(`${base}${path}`, { headers })
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`)
      return res.text()
    }
    const year = `from=${YEAR_FROM}&to=${YEAR_TO}`
    const candlesPath = `/api/v1/candles/BTCUSDT?timeframe=1h&${year}&limit=10000`
    const indicatorsPath = `/api/v1/indicators/BTCUSDT?timeframe=1h&name=rsi(14)&name=macd(12,26,9)&${year}&limit=10000`
    const bars = (JSON.parse(await get(candlesPath)) as { data: unknown[] }).data.length
    const lines: string[] = []
    const say = (line: string) => {
      lines.push(line)
      console.log(line)
    }
    say(
      `rows: ${rows} 1m candles of BTCUSDT (one year), ${bars} 1h bars; node ${process.version}, ${cpus().length} cores, load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    )

    // 1. A year of 1h candles as JSON, against the same SELECT through pg + JSON.stringify.
    const json = await alternate({
      api: () => get(candlesPath),
      pg: async () => JSON.stringify((await client.query(RESAMPLE_1H, [YEAR_FROM, YEAR_TO])).rows),
    })
    say(
      `candles 1h × 1 year as JSON: API ${json.api?.toFixed(1)} ms, pg SELECT + JSON.stringify ${json.pg?.toFixed(1)} ms → ${((json.api ?? 0) / (json.pg ?? 1)).toFixed(2)}× (target ≤ 1.5×)`,
    )

    // 2. The CSV export of a month of 1m candles, against psql \copy of the same select.
    const select = `select open_time, open, high, low, close, volume, quote_volume, trades, taker_buy_base_volume, taker_buy_quote_volume from tickerdata_1m where symbol = 'BTCUSDT' and open_time >= '${MONTH_FROM}' and open_time < '${MONTH_TO}' order by open_time`
    const csvPath = `/api/v1/candles/BTCUSDT?timeframe=1m&from=${MONTH_FROM}&to=${MONTH_TO}&format=csv`
    let apiRows = 0
    let psqlRows = 0
    const csv = await alternate({
      api: async () => {
        // Counted as psql's output is: newline bytes as they stream in.
        const res = await fetch(`${base}${csvPath}`, { headers })
        let lines = 0
        for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
          for (const byte of chunk) if (byte === 10) lines++
        }
        apiRows = lines - 1
      },
      psql: async () => {
        psqlRows = (await psqlCopy(scratch.url, select)).rows
      },
    })
    const apiRate = apiRows / ((csv.api ?? 1) / 1000)
    const psqlRate = psqlRows / ((csv.psql ?? 1) / 1000)
    say(
      `CSV of a month of 1m candles (${apiRows} rows; psql ${psqlRows}): API ${Math.round(apiRate)} rows/s, psql \\copy ${Math.round(psqlRate)} rows/s → ${(apiRate / psqlRate).toFixed(2)}× (target ≥ 0.8×)`,
    )

    // 3. RSI(14) and MACD on the year of 1h bars, against the candles request alone.
    const ind = await alternate({
      indicators: () => get(indicatorsPath),
      candles: () => get(candlesPath),
    })
    say(
      `rsi(14) + macd(12,26,9) on 1 year of 1h bars: ${ind.indicators?.toFixed(1)} ms, candles alone ${ind.candles?.toFixed(1)} ms → ${((ind.indicators ?? 0) / (ind.candles ?? 1)).toFixed(2)}× (target ≤ 1.2×)`,
    )

    // 4. 50 concurrent clients on the candles path (a week of 1h bars) for LOAD_SECONDS.
    const week = `/api/v1/candles/BTCUSDT?timeframe=1h&from=2024-06-01&to=2024-06-08`
    const latencies: number[] = []
    let errors = 0
    const rss: number[] = [process.memoryUsage().rss]
    const until = performance.now() + LOAD_SECONDS * 1000
    const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 1000)
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (performance.now() < until) {
          const t = performance.now()
          try {
            await get(week)
            latencies.push(performance.now() - t)
          } catch {
            errors++
          }
        }
      }),
    )
    clearInterval(sampler)
    rss.push(process.memoryUsage().rss)
    latencies.sort((a, b) => a - b)
    const mb = (b: number | undefined) => `${Math.round((b ?? 0) / 1048576)} MB`
    say(
      `${CLIENTS} clients × ${LOAD_SECONDS} s on a week of 1h candles: ${latencies.length} requests (${Math.round(latencies.length / LOAD_SECONDS)}/s), ${errors} errors, p50 ${quantile(latencies, 0.5).toFixed(1)} ms, p99 ${quantile(latencies, 0.99).toFixed(1)} ms; RSS start ${mb(rss[0])}, middle ${mb(rss[Math.floor(rss.length / 2)])}, end ${mb(rss[rss.length - 1])} (clients and server in one process)`,
    )

    await api.close?.()
    server.close()
  } finally {
    await client.end().catch(() => undefined)
    await database.close()
    await scratch.drop()
  }
}

await main()
