/**
 * trading-alerts benchmarks: `pnpm bench` in this package.
 *
 * The historical job loading symbol-months from the exchange simulator (download, checksum, unzip,
 * parse, write), against `psql \copy` of the very same rows into an empty copy of the table, in the
 * same run; the same on the embedded database against PGlite's own COPY; and the job's peak memory
 * as the number of months grows. The simulator runs in a child process so that it does not share
 * this process's event loop.
 */
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BinanceAPI, HostBans, WeightBudget } from '@trading-alerts/tickerdata'
import pg from 'pg'
import { createDatabase, runHistorical, silentLogger, type TradingDatabase } from '../src/index.js'

const SERVER = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const NOW = Date.parse('2025-04-05T00:00:00Z')
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'XRPUSDT']
const RUNS = 3

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? Number.NaN
}

async function startSimulator(): Promise<{ url: string; stop: () => void }> {
  const cli = fileURLToPath(
    import.meta.resolve('@trading-alerts/tickerdata/testing').replace('index.js', 'cli.js'),
  )
  const child = spawn(
    process.execPath,
    [cli, '--port', '0', '--now', new Date(NOW).toISOString()],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (m?.[1] !== undefined) resolve(m[1])
    })
    child.on('exit', () => reject(new Error('simulator exited')))
  })
  return { url, stop: () => child.kill('SIGTERM') }
}

async function scratchDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `ta_bench_${process.pid}_${Math.floor(Math.random() * 1e6)}`
  const admin = new pg.Client({ connectionString: SERVER })
  await admin.connect()
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

async function seedSymbols(database: TradingDatabase): Promise<void> {
  const now = new Date(NOW)
  for (const [i, symbol] of SYMBOLS.entries()) {
    await database.db
      .insertInto('symbol')
      .values({
        symbol,
        base_asset: symbol.replace('USDT', ''),
        quote_asset: 'USDT',
        coingecko_id: null,
        name: null,
        market_cap_rank: i + 1,
        market_cap_usd: null,
        in_top_n: true,
        status: 'TRADING',
        first_seen_at: now,
        last_seen_at: now,
      })
      .execute()
  }
}

function client(url: string): BinanceAPI {
  return new BinanceAPI({
    apiUrl: url,
    dataUrl: url,
    listingUrl: `${url}/s3`,
    now: () => NOW,
    bans: new HostBans(),
    weightBudget: new WeightBudget(),
  })
}

/** Runs the historical job on a fresh database; returns seconds, rows and peak RSS growth. */
async function timeJob(
  open: () => Promise<{ database: TradingDatabase; done: () => Promise<void> }>,
  url: string,
  historyStart: string,
): Promise<{ seconds: number; rows: number; peakMb: number }> {
  const { database, done } = await open()
  await database.migrate()
  await seedSymbols(database)
  let peak = process.memoryUsage().rss
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)
  const t = performance.now()
  const result = await runHistorical(
    { database, binance: client(url), clock: { now: () => new Date(NOW) }, logger: silentLogger },
    { historyStart, concurrency: 4 },
  )
  const seconds = (performance.now() - t) / 1000
  clearInterval(sampler)
  if (result.state !== 'succeeded') throw new Error(`historical ${result.state}`)
  await done()
  return { seconds, rows: result.rowsWritten, peakMb: peak / 1e6 }
}

const sim = await startSimulator()
const results: string[] = []
try {
  // ---------------------------------------------------------------- PostgreSQL
  const openPg = async () => {
    const scratch = await scratchDatabase()
    const database = await createDatabase({ url: scratch.url })
    return {
      database,
      url: scratch.url,
      done: async () => {
        await database.close()
        await scratch.drop()
      },
    }
  }
  await timeJob(openPg, sim.url, '2025-01') // warm the simulator's file cache and the JIT
  // Memory first, before the embedded database (WebAssembly) grows this process.
  const oneMonth = await timeJob(openPg, sim.url, '2025-03')
  const threeMonths = await timeJob(openPg, sim.url, '2025-01')

  const jobRuns: { seconds: number; rows: number }[] = []
  const copyRuns: number[] = []
  for (let r = 0; r < RUNS; r++) {
    // The job, into an empty table.
    const scratch = await scratchDatabase()
    const database = await createDatabase({ url: scratch.url })
    await database.migrate()
    await seedSymbols(database)
    const t = performance.now()
    const result = await runHistorical(
      {
        database,
        binance: client(sim.url),
        clock: { now: () => new Date(NOW) },
        logger: silentLogger,
      },
      { historyStart: '2025-01', concurrency: 4 },
    )
    jobRuns.push({ seconds: (performance.now() - t) / 1000, rows: result.rowsWritten })
    // The baseline: psql \copy of the same rows into an empty copy of the table.
    const dir = mkdtempSync(join(tmpdir(), 'ta-bench-'))
    const file = join(dir, 'rows.tsv')
    const psql = (command: string) =>
      execFileSync('psql', [scratch.url, '-q', '-v', 'ON_ERROR_STOP=1', '-c', command], {
        stdio: ['ignore', 'ignore', 'inherit'],
      })
    psql(`\\copy tickerdata_1m to '${file}'`)
    psql('create table tickerdata_copy (like tickerdata_1m including all)')
    const c = performance.now()
    psql(`\\copy tickerdata_copy from '${file}'`)
    copyRuns.push((performance.now() - c) / 1000)
    if (r === 0) results.push(`copied file: ${(statSync(file).size / 1e6).toFixed(0)} MB`)
    rmSync(dir, { recursive: true, force: true })
    await database.close()
    await scratch.drop()
  }
  const rows = jobRuns[0]?.rows ?? 0
  const jobS = median(jobRuns.map((j) => j.seconds))
  const copyS = median(copyRuns)

  // ---------------------------------------------------------------- PGlite
  const pgliteRuns: number[] = []
  const pgliteCopy: number[] = []
  for (let r = 0; r < RUNS; r++) {
    const dir = mkdtempSync(join(tmpdir(), 'ta-bench-pglite-'))
    const database = await createDatabase({ dataDir: join(dir, 'db') })
    await database.migrate()
    await seedSymbols(database)
    const t = performance.now()
    await runHistorical(
      {
        database,
        binance: client(sim.url),
        clock: { now: () => new Date(NOW) },
        logger: silentLogger,
      },
      { historyStart: '2025-01', concurrency: 4 },
    )
    pgliteRuns.push((performance.now() - t) / 1000)
    // PGlite's own COPY of the same rows (exported as COPY text) into an empty copy of the table.
    const { PGlite } = await import('@electric-sql/pglite')
    await database.close()
    const raw = await PGlite.create(join(dir, 'db'))
    const out = await raw.query(`copy tickerdata_1m to '/dev/blob'`)
    const blob = out.blob
    if (blob === undefined) throw new Error('no blob')
    await raw.exec('create table tickerdata_copy (like tickerdata_1m including all)')
    const c = performance.now()
    await raw.query(`copy tickerdata_copy from '/dev/blob'`, [], { blob })
    pgliteCopy.push((performance.now() - c) / 1000)
    await raw.close()
    rmSync(dir, { recursive: true, force: true })
  }
  const pgliteS = median(pgliteRuns)
  const pgliteCopyS = median(pgliteCopy)

  const rate = (n: number, s: number) => Math.round(n / s).toLocaleString('en-US')
  console.log(
    `machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}, PostgreSQL server at ${new URL(SERVER).host}; median of ${RUNS} runs`,
  )
  console.log(
    `data: ${SYMBOLS.length} symbols × 3 monthly files (2025-01…03, µs timestamps) + 4 daily files each = ${rows.toLocaleString('en-US')} rows; ${results.join('; ')}`,
  )
  console.log('')
  console.log('| figure | rows/s | ratio to baseline (same run) |')
  console.log('| --- | --- | --- |')
  console.log(
    `| historical job → PostgreSQL (download, checksum, unzip, parse, COPY, bookkeeping) | ${rate(rows, jobS)} | **${(copyS / jobS).toFixed(2)}×** psql \\copy of the same rows into an empty copy of the table (${rate(rows, copyS)} rows/s) |`,
  )
  console.log(
    `| historical job → embedded PGlite | ${rate(rows, pgliteS)} | **${(pgliteCopyS / pgliteS).toFixed(2)}×** PGlite's own COPY of the same rows (${rate(rows, pgliteCopyS)} rows/s); ${(jobS / pgliteS).toFixed(2)}× the job's PostgreSQL rate |`,
  )
  console.log(
    `| peak RSS of the process during the job | 1 month: ${oneMonth.peakMb.toFixed(0)} MB (${oneMonth.rows.toLocaleString('en-US')} rows) | 3 months: ${threeMonths.peakMb.toFixed(0)} MB (${threeMonths.rows.toLocaleString('en-US')} rows): ${(threeMonths.peakMb / Math.max(1, oneMonth.peakMb)).toFixed(2)}× for 3× the months |`,
  )
} finally {
  sim.stop()
}
