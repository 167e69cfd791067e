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
import { createDatabase, verifyWebhookSignature } from '@trading-alerts/trading-alerts'
import {
  createTestDatabase,
  postgresAvailable,
  type TestDatabase,
} from '@trading-alerts/trading-alerts/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
const hasPostgres = await postgresAvailable()
const MINUTE = 60_000
const DAY = 86_400_000

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

interface Run {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

function startRunner(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', CI: '1', LOG_LEVEL: 'info', ...env },
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

function simEnv(sim: ExchangeSimulator): Record<string, string> {
  const monthStart = new Date()
  return {
    BINANCE_API_URL: sim.urls.binanceApiUrl,
    BINANCE_DATA_URL: sim.urls.binanceDataUrl,
    BINANCE_LISTING_URL: sim.urls.binanceListingUrl,
    COINGECKO_API_URL: sim.urls.coingeckoApiUrl,
    TOP_N: '10',
    HISTORY_START: monthStart.toISOString().slice(0, 7),
    CONCURRENCY: '3',
  }
}

/** The range the historical job loads: this month's days up to yesterday. */
function historicalRange(): { from: number; to: number } {
  const now = Date.now()
  const d = new Date(now)
  return {
    from: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1),
    to: Math.floor(now / DAY) * DAY - MINUTE,
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

let sim: ExchangeSimulator
beforeAll(async () => {
  sim = await startExchangeSimulator({ pairs: PAIRS, coins: DEFAULT_COINS })
})
afterAll(async () => {
  await sim?.close()
})

describe('configuration', () => {
  it('exits 2 on an invalid value, naming the variable, what was wrong and an example', async () => {
    const run = await runRunner(['job', 'historical'], {
      TOP_N: 'abc',
      HISTORY_START: '2024-13',
      DATA_DIR: join(tmpdir(), 'never-used'),
    })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(
      'TOP_N: "abc" is not a whole number from 1 to 1000 (example: TOP_N=100)',
    )
    expect(run.stderr).toContain(
      'HISTORY_START: "2024-13" is not a month YYYY-MM or "listing" (example: HISTORY_START=2024-01)',
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

describe('one-shot jobs on the embedded database', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'runner-pglite-'))
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

  it('runs symbols, historical and incremental, exits 0 each time, and stores exactly the simulator candles', async () => {
    const env = { ...simEnv(sim), DATA_DIR: dataDir }
    for (const job of ['symbols', 'historical', 'incremental']) {
      const run = await runRunner(['job', job], env)
      expect(run.code, `${job}: ${run.stderr}`).toBe(0)
      expect(run.stdout).toMatch(new RegExp(`${job} run #\\d+: succeeded`))
    }
    const status = await runRunner(['status', '--json'], env)
    const runs = JSON.parse(status.stdout) as { job: string; state: string; ok: number }[]
    expect(runs.map((r) => [r.job, r.state])).toEqual([
      ['incremental', 'succeeded'],
      ['historical', 'succeeded'],
      ['symbols', 'succeeded'],
    ])
    expect(runs[1]?.ok).toBe(3)
    const { from, to } = historicalRange()
    if (to > from) {
      expect(await candlesOf(undefined, dataDir, 'SOLUSDT', from, to)).toEqual(
        expected(sim, 'SOLUSDT', from, to),
      )
    }
  })

  it('computes indicators, manages alert rules from the CLI, and delivers what fires to a webhook', async () => {
    const env = { ...simEnv(sim), DATA_DIR: dataDir, INDICATORS: 'rsi(14),sma(20)' }
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

      const from = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000)
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
      const rulesFile = join(dataDir, 'rules.json')
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
          .filter((t) => Date.parse(t) + 3_600_000 > from.getTime())
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
})

describe.runIf(hasPostgres)('the runner on PostgreSQL', () => {
  let database: TestDatabase
  beforeAll(async () => {
    database = await createTestDatabase('postgres')
  })
  afterAll(async () => {
    await database?.close()
  })
  const env = () => ({ ...simEnv(sim), DATABASE_URL: database.url ?? '' })

  it('reports a failed symbol with exit 1 and shows it in status, status <run> and status --gaps', async () => {
    expect((await runRunner(['job', 'symbols'], env())).code).toBe(0)
    const yesterday = new Date(Math.floor(Date.now() / DAY) * DAY - DAY).toISOString().slice(0, 10)
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
    const { from, to } = historicalRange()
    expect(await candlesOf(database.url, undefined, 'ETHUSDT', from, to)).toEqual(
      expected(sim, 'ETHUSDT', from, to),
    )
  })

  it('SIGTERM in the middle of a historical run exits 0 with the run interrupted; SIGKILL too; a re-run converges', async () => {
    const fresh = await createTestDatabase('postgres')
    try {
      const e = { ...simEnv(sim), DATABASE_URL: fresh.url ?? '', CONCURRENCY: '1' }
      expect((await runRunner(['job', 'symbols'], e)).code).toBe(0)
      sim.addFault({ route: 'archive-zip', kind: 'slow', delayMs: 150 })
      const term = startRunner(['job', 'historical'], e)
      await new Promise((r) => setTimeout(r, 1500))
      term.child.kill('SIGTERM')
      const stopped = await term.done
      expect(stopped.code, stopped.stderr).toBe(0)
      expect(stopped.stdout).toMatch(/historical run #\d+: interrupted/)
      const killed = startRunner(['job', 'historical'], e)
      await new Promise((r) => setTimeout(r, 1500))
      killed.child.kill('SIGKILL')
      await killed.done
      sim.clearFaults()
      const rerun = await runRunner(['job', 'historical'], e)
      expect(rerun.code, rerun.stderr).toBe(0)
      const { from, to } = historicalRange()
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

  it('two daemons on one database never run the same job at once', async () => {
    const shared = await createTestDatabase('postgres')
    try {
      const e = {
        ...simEnv(sim),
        DATABASE_URL: shared.url ?? '',
        INCREMENTAL_CRON: '* * * * * *',
        SHUTDOWN_DEADLINE_MS: '5000',
      }
      const a = startRunner(['start'], e)
      const b = startRunner(['start'], e)
      await new Promise((r) => setTimeout(r, 6000))
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
