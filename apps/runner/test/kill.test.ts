/**
 * SIGKILL at any moment, then a plain re-run: every table ends as one clean run leaves it.
 *
 * The runner CLI (`runner job historical`, its clock shifted to NOW by
 * TRADING_ALERTS_CLOCK_OFFSET_MS) loads a small market from the exchange simulator: an exchange-gap
 * month with a gap across the month boundary, a late monthly file loaded from its daily files with
 * gaps inside a day and across two days, a flaky file (a 5xx, then served) and a file that stays
 * corrupt (a recorded hole). Each scenario starts from a copy of the same database (migrated,
 * symbols loaded), is SIGKILLed as the exchange receives its k-th request (k drawn with a seeded
 * PRNG; a proxy in front of the simulator kills the process as that request arrives, so the kill
 * lands while a download, a transaction or a REST gap check is in flight), resumed by a run that
 * may be killed again the same way, and finally by a run that is not killed. PostgreSQL and the embedded database (a PGlite data directory, which
 * recovers from the kill like PostgreSQL) run side by side.
 *
 * "As a clean run would" means:
 * - tickerdata_1m, exchange_gap, symbol, archive_file and every other table the job writes hold
 *   the same rows, except the columns a re-run legitimately changes: `archive_file.attempts` (a
 *   failed file tried in the killed run and again in the resumed one counts two) and the clock
 *   stamps `archive_file.loaded_at` and `exchange_gap.detected_at` (when it was written);
 * - bookkeeping: no job_run or task_run is left 'running' or 'pending' (the killed run is marked
 *   interrupted by the resumed one), and each symbol's latest historical task ended as in the clean
 *   run (state, error, error code, progress).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  DEFAULT_COINS,
  startExchangeSimulator,
  type ExchangeSimulator,
  type SimPairSpec,
} from '@trading-alerts/tickerdata/testing'
import { createDatabase } from '@trading-alerts/trading-alerts'
import { postgresAvailable, testServerUrl } from '@trading-alerts/trading-alerts/testing'
import { sql, type Kysely } from 'kysely'
import { describe, it } from 'vitest'

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
const hasPostgres = await postgresAvailable()
const NOW = Date.parse('2025-04-02T12:00:00Z')
const at = (iso: string) => Date.parse(`${iso}Z`)

const PAIRS: SimPairSpec[] = [
  {
    symbol: 'BTCUSDT',
    baseAsset: 'BTC',
    quoteAsset: 'USDT',
    listedAt: at('2025-02-26T00:00:00'),
    basePrice: 60_000,
  },
  {
    symbol: 'ETHUSDT',
    baseAsset: 'ETH',
    quoteAsset: 'USDT',
    listedAt: at('2025-03-25T00:00:00'),
    basePrice: 3_000,
  },
]
const GAPS = [
  // BTCUSDT's gap month: an outage across the month boundary, and most of March.
  { symbol: 'BTCUSDT', start: at('2025-02-28T23:55:00'), end: at('2025-03-01T00:05:00') },
  { symbol: 'BTCUSDT', start: at('2025-03-03T00:00:00'), end: at('2025-03-28T00:00:00') },
  // ETHUSDT's March is late (daily files): a gap inside a day and one across two daily files.
  { symbol: 'ETHUSDT', start: at('2025-03-27T10:00:00'), end: at('2025-03-27T10:30:00') },
  { symbol: 'ETHUSDT', start: at('2025-03-28T23:58:00'), end: at('2025-03-29T00:03:00') },
]

/** Every fault of a scenario, afresh: a flaky month (a 5xx, then served) and a corrupt day. */
function armFaults(sim: ExchangeSimulator): void {
  sim.clearFaults()
  sim.addFault({ route: 'archive-zip', kind: '5xx', file: 'BTCUSDT-1m-2025-03.zip', times: 1 })
  sim.addFault({ route: 'archive-zip', kind: 'corrupt-zip', file: 'ETHUSDT-1m-2025-03-26.zip' })
}

/** mulberry32: the kill points are the same on every run of the test. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * A pass-through proxy in front of the simulator that counts the requests it is sent and, when
 * armed, SIGKILLs the process as its k-th request arrives (that request is never answered).
 */
interface KillProxy {
  readonly url: string
  /** Requests since the last `arm`. */
  readonly requests: number
  arm(k: number, victim: ChildProcess): void
  close(): Promise<void>
}

async function startKillProxy(target: string): Promise<KillProxy> {
  let killAt = 0
  let victim: ChildProcess | undefined
  let requests = 0
  const server: Server = createServer((req, res) => {
    requests += 1
    if (requests === killAt && victim !== undefined) {
      victim.kill('SIGKILL')
      req.socket.destroy()
      return
    }
    const upstream = request(
      `${target}${req.url ?? '/'}`,
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get requests() {
      return requests
    },
    arm(k, child) {
      requests = 0
      killAt = k
      victim = child
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
  stderr: string
}

function startJob(
  job: 'symbols' | 'historical',
  env: Record<string, string>,
): { child: ChildProcess; done: Promise<Exit> } {
  const child = spawn(process.execPath, [CLI, 'job', job], {
    env: {
      PATH: process.env.PATH ?? '',
      CI: '1',
      LOG_LEVEL: 'debug',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stdout?.resume()
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  const done = new Promise<Exit>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal, stderr }))
  })
  return { child, done }
}

/** The columns a re-run legitimately writes differently (see the top of the file). */
const VOLATILE: Record<string, readonly string[]> = {
  archive_file: ['attempts', 'loaded_at'],
  exchange_gap: ['detected_at'],
}
// The stream's events and the tasks' log lines are the history of the runs, like job_run and task_run.
const BOOKKEEPING = new Set([
  'job_run',
  'task_run',
  'event',
  'task_log',
  'kysely_migration',
  'kysely_migration_lock',
])
/** Tables small enough to compare row by row (a readable diff); the others by count and md5. */
const ROW_BY_ROW = new Set(['archive_file', 'exchange_gap', 'symbol'])

/** Every table the jobs write, as comparable values. */
async function snapshot(db: Kysely<unknown>): Promise<Record<string, unknown>> {
  const columns = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns
    where table_schema = 'public' order by table_name, ordinal_position`.execute(db)
  const tables = new Map<string, string[]>()
  for (const { table_name: table, column_name: column } of columns.rows) {
    if (BOOKKEEPING.has(table) || VOLATILE[table]?.includes(column) === true) continue
    tables.set(table, [...(tables.get(table) ?? []), column])
  }
  const out: Record<string, unknown> = {}
  for (const [table, cols] of tables) {
    const list = sql.join(cols.map((c) => sql.ref(c)))
    const order = sql.join(cols.map((c) => sql.ref(c)))
    if (ROW_BY_ROW.has(table)) {
      const rows = await sql`select ${list} from ${sql.table(table)} order by ${order}`.execute(db)
      out[table] = rows.rows.map((r) => JSON.stringify(r))
    } else {
      const agg = await sql<{ n: number; md5: string }>`
        select count(*)::int as n,
          md5(coalesce(string_agg(row(${list})::text, E'\n' order by ${order}), '')) as md5
        from ${sql.table(table)}`.execute(db)
      out[table] = agg.rows[0]
    }
  }
  return out
}

/** How the bookkeeping ended: what is left running, and each symbol's latest historical task. */
async function bookkeeping(db: Kysely<unknown>) {
  const open = await sql<{ n: number }>`
    select (select count(*) from job_run where state = 'running')::int
      + (select count(*) from task_run where state in ('running', 'pending'))::int as n`.execute(db)
  const latest = await sql<Record<string, unknown>>`
    select distinct on (symbol) symbol, state, error, error_code, progress
    from task_run where job = 'historical' order by symbol, id desc`.execute(db)
  return { leftOpen: open.rows[0]?.n, latestTasks: latest.rows }
}

interface Store {
  /** A fresh copy of the prepared database: the environment naming it, and its end state. */
  fresh(): Promise<{ env: Record<string, string>; state(): Promise<EndState> }>
  close(): Promise<void>
}
interface EndState {
  tables: Record<string, unknown>
  bookkeeping: Awaited<ReturnType<typeof bookkeeping>>
}

async function endState(options: { url?: string; dataDir?: string }): Promise<EndState> {
  const database = await createDatabase(options)
  try {
    const db = database.db as unknown as Kysely<unknown>
    return { tables: await snapshot(db), bookkeeping: await bookkeeping(db) }
  } finally {
    await database.close()
  }
}

/** PostgreSQL: a template database with the symbols loaded; each scenario gets a copy of it. */
async function postgresStore(prepare: (env: Record<string, string>) => Promise<void>) {
  const server = new URL(testServerUrl())
  const urlOf = (name: string) => Object.assign(new URL(server.href), { pathname: `/${name}` }).href
  const admin = await createDatabase({ url: server.href, poolSize: 1 })
  const prefix = `ta_kill_${Math.random().toString(16).slice(2, 10)}`
  const names: string[] = []
  const template = `${prefix}_tpl`
  await sql`create database ${sql.id(template)}`.execute(admin.db)
  names.push(template)
  await prepare({ DATABASE_URL: urlOf(template) })
  const store: Store = {
    async fresh() {
      const name = `${prefix}_${names.length}`
      await sql`create database ${sql.id(name)} template ${sql.id(template)}`.execute(admin.db)
      names.push(name)
      return {
        env: { DATABASE_URL: urlOf(name) },
        state: () => endState({ url: urlOf(name) }),
      }
    },
    async close() {
      for (const name of names.reverse())
        await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin.db)
      await admin.close()
    },
  }
  return store
}

/** PGlite: a prepared data directory, copied for each scenario. */
async function pgliteStore(prepare: (env: Record<string, string>) => Promise<void>) {
  const root = mkdtempSync(join(tmpdir(), 'runner-kill-'))
  const template = join(root, 'template')
  await prepare({ DATA_DIR: template })
  let n = 0
  const store: Store = {
    fresh() {
      const dir = join(root, `run-${n++}`)
      cpSync(template, dir, { recursive: true })
      return Promise.resolve({
        env: { DATA_DIR: dir },
        state: () => endState({ dataDir: dir }),
      })
    },
    close() {
      rmSync(root, { recursive: true, force: true })
      return Promise.resolve()
    },
  }
  return store
}

/** The simulated exchange behind a kill proxy, on a clock shifted to NOW. */
async function startExchange() {
  const offset = NOW - Date.now()
  const sim = await startExchangeSimulator({
    now: () => Date.now() + offset,
    pairs: PAIRS,
    coins: DEFAULT_COINS,
    gaps: GAPS,
    monthlyPublishDelayDays: 1,
    lateMonthly: { ETHUSDT: ['2025-03'] },
  })
  const proxy = await startKillProxy(sim.url)
  const env = {
    BINANCE_API_URL: proxy.url,
    BINANCE_DATA_URL: proxy.url,
    BINANCE_LISTING_URL: `${proxy.url}/s3`,
    COINGECKO_API_URL: `${proxy.url}/coingecko/api/v3`,
    TOP_N: '10',
    HISTORY_START: '2025-02',
    CONCURRENCY: '2',
    TRADING_ALERTS_CLOCK_OFFSET_MS: String(offset),
  }
  return {
    sim,
    proxy,
    env,
    async close() {
      await proxy.close()
      await sim.close()
    },
  }
}

const KINDS = [
  {
    kind: 'postgres',
    run: hasPostgres,
    points: 10,
    perChain: 4,
    seed: 15,
    makeStore: postgresStore,
  },
  { kind: 'pglite', run: true, points: 2, perChain: 2, seed: 1515, makeStore: pgliteStore },
] as const

// The two databases run side by side, each with its own exchange (fault counters) and proxy.
describe.concurrent('SIGKILL at seeded kill points, then a re-run', () => {
  for (const { kind, run, points, perChain, seed, makeStore } of KINDS) {
    it.runIf(run)(
      `${kind}: after ${points} kills every table ends as after a clean run`,
      async ({ expect }) => {
        const exchange = await startExchange()
        const { sim, proxy } = exchange
        const store = await makeStore(async (env) => {
          const symbols = await startJob('symbols', { ...exchange.env, ...env }).done
          expect(symbols.code, symbols.stderr).toBe(0)
        })
        try {
          armFaults(sim)
          const clean = await store.fresh()
          const first = startJob('historical', { ...exchange.env, ...clean.env })
          proxy.arm(0, first.child)
          const cleanRun = await first.done
          expect(cleanRun.code, cleanRun.stderr).toBe(1) // the corrupt day fails ETHUSDT's task
          const total = proxy.requests
          const expected = await clean.state()
          expect(expected.tables.exchange_gap).toHaveLength(4)
          expect(expected.bookkeeping.leftOpen).toBe(0)

          // Chains of kills: the run that resumes a killed one is killed too (at its k-th request,
          // k drawn again) up to `perChain` times; a run that ends before its k-th request, or
          // the one after the last kill, ends the chain and is compared with the clean run.
          const random = prng(seed)
          let kills = 0
          while (kills < points) {
            armFaults(sim)
            const scenario = await store.fresh()
            const env = { ...exchange.env, ...scenario.env }
            const killedAt: number[] = []
            let last: Exit
            for (;;) {
              const k =
                killedAt.length < perChain && kills < points
                  ? 1 + Math.floor(random() * (total - 1))
                  : 0
              const job = startJob('historical', env)
              proxy.arm(k, job.child)
              last = await job.done
              if (last.signal !== 'SIGKILL') break
              killedAt.push(k)
              kills += 1
            }
            const what = `after kills at requests ${killedAt.join(', ')} (of ${total})`
            expect(last.code, `the run ${what}: ${last.stderr}`).toBe(1)
            const after = await scenario.state()
            expect(after.tables, `tables ${what}`).toEqual(expected.tables)
            expect(after.bookkeeping, `bookkeeping ${what}`).toEqual(expected.bookkeeping)
          }
        } finally {
          await store.close()
          await exchange.close()
        }
      },
      300_000,
    )
  }
})
