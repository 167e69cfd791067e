import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
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
import {
  createDatabase,
  verifyWebhookSignature,
  type JobName,
} from '@trading-alerts/trading-alerts'
import {
  createTestDatabase,
  postgresAvailable,
  type TestDatabase,
} from '@trading-alerts/trading-alerts/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
const hasPostgres = await postgresAvailable()
const MINUTE = 60_000
const HOUR = 3_600_000
const DAY = 86_400_000

/** The runner tests' clock unless a test picks another: mid-month, far from every day boundary. */
const MID_MONTH = '2026-03-17T12:00:00Z'

const PAIRS: SimPairSpec[] = [
  {
    symbol: 'BTCUSDT',
    baseAsset: 'BTC',
    quoteAsset: 'USDT',
    listedAt: Date.UTC(2017, 7, 17),
    basePrice: 60_000,
  },
  {
    symbol: 'ETHUSDT',
    baseAsset: 'ETH',
    quoteAsset: 'USDT',
    listedAt: Date.UTC(2017, 7, 17),
    basePrice: 3_000,
  },
  {
    symbol: 'SOLUSDT',
    baseAsset: 'SOL',
    quoteAsset: 'USDT',
    listedAt: Date.UTC(2020, 7, 11),
    basePrice: 150,
  },
  {
    symbol: 'USDCUSDT',
    baseAsset: 'USDC',
    quoteAsset: 'USDT',
    listedAt: Date.UTC(2018, 11, 15),
    basePrice: 1,
  },
]
const TRACKED = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT']

/**
 * The system clock shifted to read `iso` now, and running on from there. The simulator reads it
 * through `now`, every runner child through TRADING_ALERTS_CLOCK_OFFSET_MS: the same offset from
 * the same system clock, so they agree to the millisecond whatever the date and whenever each
 * process started.
 */
interface TestClock {
  readonly now: () => number
  readonly env: Readonly<Record<string, string>>
}

function testClock(iso: string): TestClock {
  const offsetMs = Date.parse(iso) - Date.now()
  return {
    now: () => Date.now() + offsetMs,
    env: { TRADING_ALERTS_CLOCK_OFFSET_MS: String(offsetMs) },
  }
}

/** A simulated exchange and the clock it and the runners share, reading `iso` from now on. */
async function startMarket(iso: string, pairs: readonly SimPairSpec[] = PAIRS) {
  const clock = testClock(iso)
  const sim = await startExchangeSimulator({ pairs, coins: DEFAULT_COINS, now: clock.now })
  return { clock, sim }
}

/** PAIRS listed two days before `iso`'s day: a short history across the day (or month) boundary. */
function pairsListedBefore(iso: string): SimPairSpec[] {
  const listedAt = Math.floor(Date.parse(iso) / DAY) * DAY - 2 * DAY
  return PAIRS.map((p) => ({ ...p, listedAt }))
}

/**
 * What the historical job loads at `now`: HISTORY_START is the month of the last closed day (the
 * previous month on the 1st), loaded up to the end of that day.
 */
function historyWindow(now: number): { historyStart: string; from: number; to: number } {
  const today = Math.floor(now / DAY) * DAY
  const yesterday = new Date(today - DAY)
  return {
    historyStart: yesterday.toISOString().slice(0, 7),
    from: Date.UTC(yesterday.getUTCFullYear(), yesterday.getUTCMonth(), 1),
    to: today - MINUTE,
  }
}

interface Run {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Variables of faketime(1), passed on so that a run under faketime fakes the children too. */
const FAKETIME_ENV = Object.fromEntries(
  Object.entries(process.env).filter(
    (e): e is [string, string] =>
      (e[0] === 'LD_PRELOAD' || e[0].startsWith('FAKETIME')) && e[1] !== undefined,
  ),
)

function startRunner(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', CI: '1', LOG_LEVEL: 'info', ...FAKETIME_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  const done = new Promise<Run>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
  return { child, done }
}

const runRunner = (args: string[], env: Record<string, string>) => startRunner(args, env).done

/**
 * Waits for an event seen in the database: polls `probe` until it holds. Fails when one of the
 * runners it waits on exits first; the test's timeout bounds the wait.
 */
async function waitFor(probe: () => Promise<boolean>, ...runners: { done: Promise<Run> }[]) {
  let exited: Run | undefined
  for (const r of runners) void r.done.then((run) => (exited ??= run))
  while (!(await probe())) {
    if (exited !== undefined) throw new Error(`a runner exited first: ${exited.stderr}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** The runner's environment on the market: its URLs, its clock, HISTORY_START as of now. */
function marketEnv(market: { clock: TestClock; sim: ExchangeSimulator }): Record<string, string> {
  const { clock, sim } = market
  return {
    BINANCE_API_URL: sim.urls.binanceApiUrl,
    BINANCE_DATA_URL: sim.urls.binanceDataUrl,
    BINANCE_LISTING_URL: sim.urls.binanceListingUrl,
    COINGECKO_API_URL: sim.urls.coingeckoApiUrl,
    TOP_N: '10',
    HISTORY_START: historyWindow(clock.now()).historyStart,
    CONCURRENCY: '3',
    // These daemons test the schedules: no HTTP API (serve.test.ts tests it), so two of them
    // never compete for one port.
    API_PORT: 'off',
    ...clock.env,
  }
}

async function candlesOf(
  url: string | undefined,
  dataDir: string | undefined,
  symbol: string,
  from: number,
  to: number,
) {
  const database = await createDatabase({ url, dataDir })
  try {
    const rows = await database.db
      .selectFrom('tickerdata_1m')
      .select(['open_time', 'close', 'volume', 'trades'])
      .where('symbol', '=', symbol)
      .where('open_time', '>=', new Date(from))
      .where('open_time', '<=', new Date(to))
      .orderBy('open_time')
      .execute()
    return rows.map((r) => ({
      openTime: r.open_time.getTime(),
      close: r.close,
      volume: r.volume,
      trades: r.trades,
    }))
  } finally {
    await database.close()
  }
}

const expected = (sim: ExchangeSimulator, symbol: string, from: number, to: number) =>
  sim
    .candles(symbol, from, to)
    .map((k) => ({ openTime: k.openTime, close: k.close, volume: k.volume, trades: k.trades }))

describe('configuration', () => {
  it('exits 2 on an invalid value, naming the variable, what was wrong and an example', async () => {
    const run = await runRunner(['job', 'historical'], {
      TOP_N: 'abc',
      HISTORY_START: '2024-13',
      TRADING_ALERTS_CLOCK_OFFSET_MS: 'soon',
      DATA_DIR: join(tmpdir(), 'never-used'),
    })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(
      'TOP_N: "abc" is not a whole number from 1 to 1000 (example: TOP_N=100)',
    )
    expect(run.stderr).toContain(
      'HISTORY_START: "2024-13" is not a month YYYY-MM or "listing" (example: HISTORY_START=2024-01)',
    )
    expect(run.stderr).toContain(
      'TRADING_ALERTS_CLOCK_OFFSET_MS: "soon" is not a whole number of milliseconds',
    )
  })

  it('exits 2 on an unknown job, and prints help', async () => {
    expect((await runRunner(['job', 'nope'], {})).code).toBe(2)
    const help = await runRunner(['job', '--help'], {})
    expect(help.code).toBe(0)
    expect(help.stdout).toContain(
      'Usage: runner job <symbols|historical|incremental|indicators|alerts>',
    )
  })
})

/**
 * The pipeline one job at a time: mid-month on the embedded database, and where the history
 * window turns over: the 1st just after midnight (no closed day in the month yet: the history is
 * the previous month's) and the last day of a month just before midnight (a 31-day month, and
 * February of a leap year), on PostgreSQL when there is one (a runner starts there in a fraction
 * of the embedded database's time). The pairs are listed two days before, so that the history is
 * short (the PostgreSQL tests below load half a month) and, on the 1st, spans the month boundary.
 */
const PIPELINE_CLOCKS = [
  { at: MID_MONTH, on: 'the embedded database' },
  ...['2026-12-01T00:05:00Z', '2026-12-31T23:59:00Z', '2028-02-29T23:59:00Z'].map((at) => ({
    at,
    on: hasPostgres ? 'PostgreSQL' : 'the embedded database',
  })),
]

// A dozen runners, each opening the embedded database in seconds: more than the default timeout
// on a loaded machine.
describe.each(PIPELINE_CLOCKS)(
  'one-shot jobs at $at on $on',
  { timeout: 240_000 },
  ({ at, on }) => {
    let market: Awaited<ReturnType<typeof startMarket>>
    let scratch: string
    let postgres: TestDatabase | undefined
    let target: { env: Record<string, string>; url?: string; dataDir?: string }
    beforeAll(async () => {
      scratch = mkdtempSync(join(tmpdir(), 'runner-'))
      if (on === 'PostgreSQL') {
        postgres = await createTestDatabase('postgres')
        target = { env: { DATABASE_URL: postgres.url ?? '' }, url: postgres.url }
      } else {
        const dataDir = join(scratch, 'pglite')
        target = { env: { DATA_DIR: dataDir }, dataDir }
      }
      // Last: the clock reads `at` from here on.
      market = await startMarket(at, pairsListedBefore(at))
    })
    afterAll(async () => {
      await market?.sim.close()
      await postgres?.close()
      rmSync(scratch, { recursive: true, force: true })
    })
    const stored = (symbol: string, from: number, to: number) =>
      candlesOf(target.url, target.dataDir, symbol, from, to)

    it('runs symbols, historical and incremental, exits 0 each time, and stores exactly the simulator candles', async () => {
      const { clock, sim } = market
      const env = { ...marketEnv(market), ...target.env }
      expect((await runRunner(['job', 'symbols'], env)).code).toBe(0)
      // Taken before the run starts: the run's own clock is later, its window the same or longer.
      const { from, to } = historyWindow(clock.now())
      for (const job of ['historical', 'incremental']) {
        const lastClosed = Math.floor(clock.now() / MINUTE) * MINUTE - MINUTE
        const run = await runRunner(['job', job], env)
        expect(run.code, `${job}: ${run.stderr}`).toBe(0)
        expect(run.stdout).toMatch(new RegExp(`${job} run #\\d+: succeeded`))
        // historical: the archive up to the last closed day; incremental: REST up to the last closed minute.
        const until = job === 'historical' ? to : lastClosed
        for (const symbol of TRACKED) {
          const want = expected(sim, symbol, from, until)
          expect(want.length, symbol).toBeGreaterThanOrEqual(1440)
          expect(await stored(symbol, from, until), `${job} ${symbol}`).toEqual(want)
        }
      }
      const status = await runRunner(['status', '--json'], env)
      const runs = JSON.parse(status.stdout) as { job: string; state: string; ok: number }[]
      expect(runs.map((r) => [r.job, r.state])).toEqual([
        ['incremental', 'succeeded'],
        ['historical', 'succeeded'],
        ['symbols', 'succeeded'],
      ])
      expect(runs[1]?.ok).toBe(3)
    })

    it('computes indicators, manages alert rules from the CLI, and delivers what fires to a webhook', async () => {
      const { clock } = market
      const env = { ...marketEnv(market), ...target.env, INDICATORS: 'rsi(14),sma(20)' }
      const received: { body: string; signature: string; timestamp: string }[] = []
      const server = createServer((req, res) => {
        let body = ''
        req.on('data', (c: Buffer) => (body += c.toString()))
        req.on('end', () => {
          received.push({
            body,
            signature: String(req.headers['x-trading-alerts-signature']),
            timestamp: String(req.headers['x-trading-alerts-timestamp']),
          })
          res.writeHead(200).end()
        })
      })
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
      const hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
      try {
        const indicators = await runRunner(['job', 'indicators'], env)
        expect(indicators.code, indicators.stderr).toBe(0)
        expect(indicators.stdout).toMatch(/indicators run #\d+: succeeded/)

        const bad = await runRunner(['alerts', 'add', 'bad', 'rsi(14 < 30'], env)
        expect(bad.code).toBe(2)
        expect(bad.stderr).toContain('expected "," or ")"')
        expect(bad.stderr).toContain('  rsi(14 < 30\n         ^')

        const from = new Date(Math.floor(clock.now() / HOUR) * HOUR - 3 * HOUR)
        const add = await runRunner(
          [
            'alerts',
            'add',
            'btc-up',
            'close > 0 and sma(20) > 0',
            '--symbols',
            'BTCUSDT',
            '--webhook',
            hook,
            '--secret',
            'k3y',
            '--from',
            from.toISOString(),
          ],
          env,
        )
        expect(add.code, add.stderr).toBe(0)
        const rulesFile = join(scratch, 'rules.json')
        writeFileSync(
          rulesFile,
          JSON.stringify([{ name: 'eth-low', rule: 'rsi(14) < 5', symbols: ['ETHUSDT'] }]),
        )
        expect((await runRunner(['alerts', 'load', rulesFile], env)).code).toBe(0)
        const list = JSON.parse((await runRunner(['alerts', 'list', '--json'], env)).stdout) as {
          name: string
          rule: string
        }[]
        expect(list.map((r) => [r.name, r.rule])).toEqual([
          ['btc-up', 'close > 0 and sma(20) > 0'],
          ['eth-low', 'rsi(14) < 5'],
        ])

        const test = await runRunner(
          [
            'alerts',
            'test',
            'close > 0 and sma(20) > 0',
            '--symbol',
            'BTCUSDT',
            '--bars',
            '3',
            '--json',
          ],
          env,
        )
        expect(test.code, test.stderr).toBe(0)
        const tested = JSON.parse(test.stdout) as {
          barsEvaluated: number
          fired: { barTime: string }[]
        }
        expect(tested.barsEvaluated).toBe(3)

        // The rule reads sma(20) on 1h: the indicators job computes it, then the alerts job fires.
        expect((await runRunner(['job', 'indicators'], env)).code).toBe(0)
        const alerts = await runRunner(['job', 'alerts'], env)
        expect(alerts.code, alerts.stderr).toBe(0)
        const status = JSON.parse(
          (await runRunner(['status', '--alerts', '--json'], env)).stdout,
        ) as {
          events: { rule: string; bar: string; delivery: string }[]
          deliveries: { delivered: number; dead: number }
        }
        const fired = status.events
          .filter((e) => e.rule === 'btc-up')
          .map((e) => e.bar)
          .sort()
        // The same bars the dry run finds among the bars closed since --from.
        expect(fired).toEqual(
          tested.fired
            .map((f) => f.barTime)
            .filter((t) => Date.parse(t) + HOUR > from.getTime())
            .sort(),
        )
        expect(fired.length).toBeGreaterThanOrEqual(2)
        expect(received).toHaveLength(fired.length)
        expect(status.deliveries).toMatchObject({ delivered: fired.length, dead: 0 })
        for (const r of received) {
          expect(
            verifyWebhookSignature({
              secret: 'k3y',
              body: r.body,
              timestamp: r.timestamp,
              signature: r.signature,
              nowSeconds: Math.floor(clock.now() / 1000),
            }),
          ).toBe(true)
        }
        // A re-run fires nothing twice.
        expect((await runRunner(['job', 'alerts'], env)).code).toBe(0)
        expect(received).toHaveLength(fired.length)

        expect((await runRunner(['alerts', 'remove', 'eth-low'], env)).code).toBe(0)
        expect((await runRunner(['alerts', 'remove', 'eth-low'], env)).code).toBe(2)
      } finally {
        await new Promise<void>((r) => server.close(() => r()))
      }
    })
  },
)

describe.runIf(hasPostgres)('the runner on PostgreSQL', () => {
  let market: Awaited<ReturnType<typeof startMarket>>
  let database: TestDatabase
  beforeAll(async () => {
    database = await createTestDatabase('postgres')
    market = await startMarket(MID_MONTH)
  })
  afterAll(async () => {
    await market?.sim.close()
    await database?.close()
  })
  const env = () => ({ ...marketEnv(market), DATABASE_URL: database.url ?? '' })

  it('reports a failed symbol with exit 1 and shows it in status, status <run> and status --gaps', async () => {
    const { clock, sim } = market
    expect((await runRunner(['job', 'symbols'], env())).code).toBe(0)
    const { from, to } = historyWindow(clock.now())
    const yesterday = new Date(to).toISOString().slice(0, 10)
    sim.addFault({ route: 'archive-zip', kind: 'corrupt-zip', file: `ETHUSDT-1m-${yesterday}` })
    try {
      const run = await runRunner(['job', 'historical'], env())
      expect(run.code, run.stderr).toBe(1)
      expect(run.stdout).toMatch(/ETHUSDT\s+failed/)
      const runs = JSON.parse((await runRunner(['status', '--json'], env())).stdout) as {
        id: number
        job: string
        state: string
        failed: number
      }[]
      const historical = runs.find((r) => r.job === 'historical')
      expect(historical).toMatchObject({ state: 'failed', failed: 1 })
      const tasks = await runRunner(['status', String(historical?.id)], env())
      expect(tasks.stdout).toMatch(/ETHUSDT\s+failed\s+1\s+\d+\s+[\d.]+\s+ARCHIVE_FORMAT/)
      expect(tasks.stdout).toMatch(/BTCUSDT\s+succeeded/)
      const gaps = await runRunner(['status', '--gaps'], env())
      expect(gaps.stdout).toContain(`ETHUSDT  ${yesterday}`)
    } finally {
      sim.clearFaults()
    }
    // The next run retries the hole and converges.
    const again = await runRunner(['job', 'historical'], env())
    expect(again.code, again.stderr).toBe(0)
    expect(await candlesOf(database.url, undefined, 'ETHUSDT', from, to)).toEqual(
      expected(sim, 'ETHUSDT', from, to),
    )
  })

  it('SIGTERM in the middle of a historical run exits 0 with the run interrupted; SIGKILL too; a re-run converges', async () => {
    const { clock, sim } = market
    const fresh = await createTestDatabase('postgres')
    const loadedFiles = async () =>
      Number(
        (
          await fresh.db
            .selectFrom('archive_file')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('state', '=', 'loaded')
            .executeTakeFirstOrThrow()
        ).n,
      )
    try {
      const e = { ...marketEnv(market), DATABASE_URL: fresh.url ?? '', CONCURRENCY: '1' }
      expect((await runRunner(['job', 'symbols'], e)).code).toBe(0)
      const { from, to } = historyWindow(clock.now())
      // Mid-month: 16 daily files a symbol, 48 in all, each answered after 150 ms.
      sim.addFault({ route: 'archive-zip', kind: 'slow', delayMs: 150 })
      const term = startRunner(['job', 'historical'], e)
      await waitFor(async () => (await loadedFiles()) > 0, term)
      term.child.kill('SIGTERM')
      const stopped = await term.done
      expect(stopped.code, stopped.stderr).toBe(0)
      expect(stopped.stdout).toMatch(/historical run #\d+: interrupted/)
      const before = await loadedFiles()
      const killed = startRunner(['job', 'historical'], e)
      await waitFor(async () => (await loadedFiles()) > before, killed)
      killed.child.kill('SIGKILL')
      expect((await killed.done).signal).toBe('SIGKILL')
      sim.clearFaults()
      const rerun = await runRunner(['job', 'historical'], e)
      expect(rerun.code, rerun.stderr).toBe(0)
      for (const symbol of TRACKED) {
        expect(await candlesOf(fresh.url, undefined, symbol, from, to), symbol).toEqual(
          expected(sim, symbol, from, to),
        )
      }
      const states = await fresh.db
        .selectFrom('job_run')
        .select(['job', 'state'])
        .where('job', '=', 'historical')
        .orderBy('id')
        .execute()
      expect(states.map((s) => s.state)).toEqual(['interrupted', 'interrupted', 'succeeded'])
    } finally {
      sim.clearFaults()
      await fresh.close()
    }
  })

  it('the first start of the daemon catches up in order: symbols, then historical, then incremental on the symbols', async () => {
    const fresh = await createTestDatabase('postgres')
    try {
      const daemon = startRunner(['start'], {
        ...marketEnv(market),
        DATABASE_URL: fresh.url ?? '',
        SHUTDOWN_DEADLINE_MS: '5000',
      })
      const runs = () =>
        fresh.db
          .selectFrom('job_run')
          .select(['id', 'job', 'state', 'started_at', 'finished_at'])
          .orderBy('started_at')
          .execute()
      await waitFor(
        async () => (await runs()).some((r) => r.job === 'alerts' && r.state !== 'running'),
        daemon,
      )
      daemon.child.kill('SIGTERM')
      const exit = await daemon.done
      expect(exit.code, exit.stderr).toBe(0)
      const list = await runs()
      const chain = ['symbols', 'historical', 'incremental', 'indicators', 'alerts']
      expect(list.map((r) => r.job).slice(0, chain.length)).toEqual(chain)
      for (let i = 1; i < chain.length; i++) {
        const previous = list[i - 1]
        const next = list[i]
        expect(previous?.state, `${previous?.job}`).toBe('succeeded')
        expect(
          next?.started_at.getTime(),
          `${next?.job} started before ${previous?.job} finished`,
        ).toBeGreaterThanOrEqual(previous?.finished_at?.getTime() ?? Number.POSITIVE_INFINITY)
      }
      // Incremental ran on the symbols the catch-up had just loaded.
      const incremental = list.find((r) => r.job === 'incremental')
      const tasks = await fresh.db
        .selectFrom('task_run')
        .select('symbol')
        .where('job_run_id', '=', incremental?.id ?? -1)
        .execute()
      expect(tasks.map((t) => t.symbol).sort()).toEqual(TRACKED)
    } finally {
      await fresh.close()
    }
  }, 120_000)

  it('two daemons on one database never run the same job at once', async () => {
    const shared = await createTestDatabase('postgres')
    try {
      const e = {
        ...marketEnv(market),
        DATABASE_URL: shared.url ?? '',
        INCREMENTAL_CRON: '* * * * * *',
        SHUTDOWN_DEADLINE_MS: '5000',
      }
      const a = startRunner(['start'], e)
      const b = startRunner(['start'], e)
      // Until the catch-up runs are done and the every-second schedule has run a few times.
      const finished = async (job: JobName) =>
        Number(
          (
            await shared.db
              .selectFrom('job_run')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .where('job', '=', job)
              .where('state', '!=', 'running')
              .executeTakeFirstOrThrow()
          ).n,
        )
      await waitFor(
        async () =>
          (await finished('symbols')) > 0 &&
          (await finished('historical')) > 0 &&
          (await finished('incremental')) >= 3,
        a,
        b,
      )
      a.child.kill('SIGTERM')
      b.child.kill('SIGTERM')
      const [ra, rb] = await Promise.all([a.done, b.done])
      expect(ra.code, ra.stderr).toBe(0)
      expect(rb.code, rb.stderr).toBe(0)
      const runs = await shared.db
        .selectFrom('job_run')
        .select(['job', 'started_at', 'finished_at', 'host'])
        .orderBy('started_at')
        .execute()
      expect(runs.length).toBeGreaterThan(2)
      for (const job of ['symbols', 'historical', 'incremental']) {
        const list = runs.filter((r) => r.job === job)
        for (let i = 1; i < list.length; i++) {
          const previousEnd = list[i - 1]?.finished_at?.getTime() ?? Number.POSITIVE_INFINITY
          expect(list[i]?.started_at.getTime(), `${job} runs overlap`).toBeGreaterThanOrEqual(
            previousEnd,
          )
        }
      }
    } finally {
      await shared.close()
    }
  }, 60_000)
})
