import { spawn, type StdioOptions } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startExchangeSimulator } from '@trading-alerts/tickerdata/testing'
import {
  createDatabase,
  runHistorical,
  TASK_LOG_HEAD,
  type TradingDatabase,
} from '@trading-alerts/trading-alerts'
import {
  createTestDatabase,
  insertTestSymbols,
  postgresAvailable,
  simDeps,
} from '@trading-alerts/trading-alerts/testing'
import { describe, expect, it } from 'vitest'
import { OFFLINE, scratchDirs } from './helpers.js'

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
const PKG = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string
}

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

const scratch = scratchDirs('runner-cli-')

/** Runs the built CLI with a clean, offline environment in `cwd`. */
function run(
  args: string[],
  env: Record<string, string> = {},
  cwd: string = scratch(),
  stdio: StdioOptions = ['ignore', 'pipe', 'pipe'],
): Promise<Run> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', CI: '1', DATA_DIR: join(cwd, 'db'), ...OFFLINE, ...env },
    stdio,
  })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })))
}

describe('flags are checked', () => {
  it('an unknown flag exits 2 with a suggestion', async () => {
    const r = await run(['status', '--gap'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('unknown option --gap')
    expect(r.stderr).toContain('did you mean --gaps?')
    expect(r.stdout).not.toContain('no runs yet')
  })

  it('a malformed --limit exits 2', async () => {
    const r = await run(['status', '--limit', 'abc'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--limit: "abc" is not a whole number')
  })

  it('a flag of another command is refused', async () => {
    const r = await run(['job', 'symbols', '--symbols', 'BTCUSDT'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('unknown option --symbols')
  })

  it('--version prints the package version and exits 0', async () => {
    const r = await run(['--version'])
    expect(r.code).toBe(0)
    expect(r.stdout.trim()).toBe(PKG.version)
  })

  it.each(['job', 'start', 'status', 'alerts', 'migrate', 'demo'])(
    '%s --help exits 0',
    async (command) => {
      const r = await run([command, '--help'])
      expect(r.code).toBe(0)
      expect(r.stdout).toContain('Usage: runner')
    },
  )
})

const hasPostgres = await postgresAvailable()

/** A fresh migrated database for one test: PostgreSQL when there is one, else embedded. */
async function freshDatabase(): Promise<{
  env: Record<string, string>
  /** Opens the database from the test (close it before a runner opens an embedded one). */
  open: () => Promise<{
    db: TradingDatabase['db']
    database: TradingDatabase
    close: () => Promise<void>
  }>
  close: () => Promise<void>
}> {
  if (hasPostgres) {
    const database = await createTestDatabase('postgres')
    return {
      env: { DATABASE_URL: database.url ?? '' },
      open: () => Promise.resolve({ db: database.db, database, close: () => Promise.resolve() }),
      close: () => database.close(),
    }
  }
  const dataDir = join(scratch(), 'db')
  return {
    env: { DATA_DIR: dataDir },
    open: async () => {
      const database = await createDatabase({ dataDir })
      await database.migrate()
      return { db: database.db, database, close: () => database.close() }
    },
    close: () => Promise.resolve(),
  }
}

describe('a closed stdout', () => {
  it('status piped into a reader that closes after one line: no EPIPE stack, a quiet exit', async () => {
    const target = await freshDatabase()
    try {
      // More output than a pipe holds (64 KiB): the runner is still writing when the reader closes.
      const handle = await target.open()
      const start = Date.parse('2026-01-01T00:00:00Z')
      const gaps = Array.from({ length: 5000 }, (_, i) => ({
        symbol: `S${String(i).padStart(5, '0')}USDT`,
        start_time: new Date(start + i * 60_000),
        end_time: new Date(start + i * 60_000 + 30 * 60_000),
        detected_at: new Date(start),
      }))
      for (let i = 0; i < gaps.length; i += 1000)
        await handle.db
          .insertInto('exchange_gap')
          .values(gaps.slice(i, i + 1000))
          .execute()
      await handle.close()
      const cwd = scratch()
      const child = spawn(process.execPath, [CLI, 'status', '--gaps'], {
        cwd,
        env: { PATH: process.env.PATH ?? '', CI: '1', ...OFFLINE, ...target.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stderr = ''
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
      const exited = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)))
      // Like `head -1`: read the first line, then close the pipe.
      const firstLine = await new Promise<string>((resolve) => {
        let buffered = ''
        child.stdout.on('data', (d: Buffer) => {
          buffered += d.toString()
          const nl = buffered.indexOf('\n')
          if (nl >= 0) {
            child.stdout.destroy()
            resolve(buffered.slice(0, nl))
          }
        })
      })
      expect(firstLine).toBe('exchange gaps (5000):')
      const code = await exited
      expect(stderr).not.toMatch(/EPIPE|\n\s+at /)
      expect(stderr).toBe('')
      expect(code).toBe(0)
    } finally {
      await target.close()
    }
  })
})

/** The one pair the task-log tests' simulators list. */
const BTC_PAIR = {
  symbol: 'BTCUSDT',
  baseAsset: 'BTC',
  quoteAsset: 'USDT',
  listedAt: Date.parse('2025-03-30T00:00:00Z'),
  basePrice: 60_000,
}

describe("a task's log", () => {
  it('status --run <id> --task <symbol>: the state line and the log lines, the dropped ones counted; unknown run or task: exit 2', async () => {
    const target = await freshDatabase()
    const now = Date.parse('2025-04-02T12:00:00Z')
    const sim = await startExchangeSimulator({
      now: () => now,
      pairs: [BTC_PAIR],
    })
    try {
      const handle = await target.open()
      let runId: number
      try {
        await insertTestSymbols(handle.db, ['BTCUSDT'])
        const deps = simDeps(sim, handle.database, now)
        const result = await runHistorical(deps, { symbols: ['BTCUSDT'] })
        expect(result.tasks).toMatchObject([{ symbol: 'BTCUSDT', state: 'succeeded' }])
        runId = result.runId
      } finally {
        await handle.close()
      }
      const env = target.env

      const shown = await run(['status', '--run', String(runId), '--task', 'BTCUSDT'], env)
      expect(shown.code, shown.stderr).toBe(0)
      const lines = shown.stdout.trimEnd().split('\n')
      expect(lines[0]).toMatch(
        new RegExp(`^run ${runId}, symbol BTCUSDT: succeeded, attempts 1, rows [1-9]\\d*`),
      )
      expect(shown.stdout).toMatch(
        /\n2025-04-02T12:00:00\.000Z {2}info {3}historical load planned {2}\{"from":"2025-03","periods":\d+\}\n/,
      )
      expect(lines.at(-1)).toMatch(
        /^2025-04-02T12:00:00\.000Z {2}info {3}task succeeded {2}\{"rows":[1-9]/,
      )
      expect(shown.stdout).not.toContain('dropped')

      const asJson = await run(
        ['status', '--run', String(runId), '--task', 'BTCUSDT', '--json'],
        env,
      )
      const parsed = JSON.parse(asJson.stdout) as {
        task: { key: string; state: string }
        lines: { message: string }[]
        dropped: number
      }
      expect(parsed.task).toMatchObject({ key: 'BTCUSDT', state: 'succeeded' })
      expect(parsed.dropped).toBe(0)
      expect(parsed.lines.length).toBe(lines.length - 1)

      const unknownRun = await run(['status', '--run', '999999', '--task', 'BTCUSDT'], env)
      expect(unknownRun.code).toBe(2)
      expect(unknownRun.stderr).toContain('status: no run 999999')
      const unknownTask = await run(['status', '--run', String(runId), '--task', 'ETHUSDT'], env)
      expect(unknownTask.code).toBe(2)
      expect(unknownTask.stderr).toContain(
        `status: run ${runId} has no task "ETHUSDT" (its tasks: BTCUSDT)`,
      )
      const noRun = await run(['status', '--task', 'BTCUSDT'], env)
      expect(noRun.code).toBe(2)
      expect(noRun.stderr).toContain('--task needs the run')

      // A task that wrote more than the store keeps: its lines past the first TASK_LOG_HEAD, with
      // 700 dropped before the last ones (the rows the store leaves after a long task).
      const again = await target.open()
      const task = await again.db
        .selectFrom('task_run')
        .select('id')
        .where('job_run_id', '=', runId)
        .executeTakeFirstOrThrow()
      await again.db.deleteFrom('task_log').where('task_run_id', '=', task.id).execute()
      const line = (seq: number) => ({
        task_run_id: task.id,
        job_run_id: runId,
        seq,
        time: new Date(now),
        level: 'info' as const,
        message: `line ${seq}`,
        fields: JSON.stringify({ seq }),
      })
      await again.db
        .insertInto('task_log')
        .values([
          ...Array.from({ length: TASK_LOG_HEAD }, (_, i) => line(i)),
          ...Array.from({ length: 300 }, (_, i) => line(TASK_LOG_HEAD + 700 + i)),
        ])
        .execute()
      await again.close()
      const long = await run(['status', '--run', String(runId), '--task', 'BTCUSDT'], env)
      expect(long.code, long.stderr).toBe(0)
      const longLines = long.stdout.trimEnd().split('\n')
      expect(longLines).toHaveLength(1 + 500 + 1)
      expect(longLines[TASK_LOG_HEAD]).toContain(`line ${TASK_LOG_HEAD - 1}  {"seq":199}`)
      expect(longLines[TASK_LOG_HEAD + 1]).toBe('… 700 lines dropped …')
      expect(longLines[TASK_LOG_HEAD + 2]).toContain('line 900')
    } finally {
      await sim.close()
      await target.close()
    }
  })
})

describe("the clients' lines in a task's log", () => {
  it("a retried archive download shows in the task's log, as the runner wires the clients", async () => {
    const target = await freshDatabase()
    // The runner's clock and the simulator's read the same shifted time (TRADING_ALERTS_CLOCK_OFFSET_MS).
    const offsetMs = Date.parse('2025-04-02T12:00:00Z') - Date.now()
    const sim = await startExchangeSimulator({
      now: () => Date.now() + offsetMs,
      pairs: [BTC_PAIR],
    })
    try {
      const handle = await target.open()
      await insertTestSymbols(handle.db, ['BTCUSDT'])
      await handle.close()
      const env = {
        ...target.env,
        BINANCE_API_URL: sim.urls.binanceApiUrl,
        BINANCE_DATA_URL: sim.urls.binanceDataUrl,
        BINANCE_LISTING_URL: sim.urls.binanceListingUrl,
        HISTORY_START: '2025-03',
        TRADING_ALERTS_CLOCK_OFFSET_MS: String(offsetMs),
      }
      sim.addFault({ route: 'archive-zip', kind: '5xx', symbol: 'BTCUSDT', times: 1 })
      const job = await run(['job', 'historical'], env)
      expect(job.code, job.stderr).toBe(0)
      const runs = JSON.parse((await run(['status', '--json'], env)).stdout) as { id: number }[]
      const runId = runs[0]?.id ?? 0
      const shown = await run(
        ['status', '--run', String(runId), '--task', 'BTCUSDT', '--json'],
        env,
      )
      expect(shown.code, shown.stderr).toBe(0)
      const log = JSON.parse(shown.stdout) as {
        lines: { level: string; message: string; fields: Record<string, unknown> }[]
      }
      expect(log.lines).toContainEqual(
        expect.objectContaining({ level: 'warn', message: 'request failed, retrying' }),
      )
      expect(log.lines.map((l) => l.message)).toContain('archive file loaded')
    } finally {
      await sim.close()
      await target.close()
    }
  })
})

describe('each job lists its environment', () => {
  it('historical: HISTORY_START, CONCURRENCY, the Binance URLs with their defaults', async () => {
    const r = await run(['job', 'historical', '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Usage: runner job historical')
    expect(r.stdout).toMatch(/HISTORY_START +earliest month loaded.*\n +default: 12 months before/)
    expect(r.stdout).toMatch(/CONCURRENCY +symbols processed at once by a job\n +default: 4\n/)
    expect(r.stdout).toMatch(/BINANCE_DATA_URL .*\n +default: https:\/\/data\.binance\.vision\n/)
    expect(r.stdout).toContain('DATABASE_URL')
    expect(r.stdout).not.toContain('TOP_N')
    expect(r.stdout).not.toContain('COINGECKO')
  })

  it('symbols: TOP_N, QUOTE_ASSET, the CoinGecko variables', async () => {
    const r = await run(['job', 'symbols', '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/TOP_N +how many coins .*\n +default: 100\n/)
    expect(r.stdout).toMatch(/QUOTE_ASSET .*\n +default: USDT\n/)
    expect(r.stdout).toContain('COINGECKO_API_URL')
    expect(r.stdout).toContain('COINGECKO_API_KEY')
    expect(r.stdout).not.toContain('HISTORY_START')
  })
})

describe('configuration from the environment and .env', () => {
  it('a HISTORY_START after the current month exits 2; the .env comment is no part of the value', async () => {
    const cwd = scratch()
    writeFileSync(join(cwd, '.env'), 'HISTORY_START=2999-01 # far in the future\n')
    const r = await run(['job', 'historical'], {}, cwd)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/HISTORY_START: "2999-01" is after the current month \d{4}-\d{2}/)
  })
})

describe('one-shot jobs', () => {
  it("print the run's warnings after the summary", async () => {
    const target = await freshDatabase()
    try {
      const r = await run(['job', 'historical'], target.env)
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout).toMatch(/historical run #\d+: succeeded/)
      expect(r.stdout).toContain('warning: no symbols tracked: run getSymbols first')
    } finally {
      await target.close()
    }
  })
})

describe('alerts on the command line', () => {
  it('--symbol and --symbols on add and test; an unknown pair is refused; send-test reports the status', async () => {
    const target = await freshDatabase()
    const received: string[] = []
    let status = 200
    const server = createServer((req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c.toString()))
      req.on('end', () => {
        received.push(body)
        res.writeHead(status).end()
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
    try {
      const handle = await target.open()
      await insertTestSymbols(handle.db, ['BTCUSDT', 'ETHUSDT'])
      await handle.close()
      const env = target.env
      const cwd = scratch()

      const nope = await run(
        ['alerts', 'add', 'nope', 'close > 0', '--symbols', 'NOPEUSDT'],
        env,
        cwd,
      )
      expect(nope.code).toBe(2)
      expect(nope.stderr).toContain('NOPEUSDT: not a pair of the symbol table')

      const both = await run(
        ['alerts', 'add', 'both', 'close > 0', '--symbol', 'BTCUSDT', '--symbol', 'ethusdt'],
        env,
        cwd,
      )
      expect(both.code, both.stderr).toBe(0)
      const add = await run(
        ['alerts', 'add', 'hooked', 'close > 0', '--symbols', 'BTCUSDT', '--webhook', hook],
        env,
        cwd,
      )
      expect(add.code, add.stderr).toBe(0)
      const list = JSON.parse((await run(['alerts', 'list', '--json'], env, cwd)).stdout) as {
        name: string
        symbols: string
      }[]
      expect(list.map((r) => [r.name, r.symbols])).toEqual([
        ['both', 'BTCUSDT,ETHUSDT'],
        ['hooked', 'BTCUSDT'],
      ])

      // test reads --symbols too (no candles are loaded: the first symbol says so).
      const test = await run(
        ['alerts', 'test', 'close > 0', '--symbols', 'ETHUSDT,BTCUSDT'],
        env,
        cwd,
      )
      expect(test.code).toBe(2)
      expect(test.stderr).toContain('no candles loaded for ETHUSDT')

      const sent = await run(['alerts', 'send-test', 'hooked'], env, cwd)
      expect(sent.code, sent.stderr).toBe(0)
      expect(sent.stdout).toMatch(
        /rule hooked: test message \(json\) to http:\/\/127\.0\.0\.1:\d+ → HTTP 200/,
      )
      expect(received).toHaveLength(1)
      expect(JSON.parse(received[0] ?? '')).toMatchObject({ test: true, ruleName: 'hooked' })

      status = 503
      const failed = await run(['alerts', 'send-test', 'hooked'], env, cwd)
      expect(failed.code).toBe(1)
      expect(failed.stdout).toContain('failed: HTTP 503')

      const logOnly = await run(['alerts', 'send-test', 'both'], env, cwd)
      expect(logOnly.code).toBe(2)
      expect(logOnly.stderr).toContain('rule both has no webhook')
      expect(received).toHaveLength(2)
    } finally {
      await new Promise<void>((r) => server.close(() => r()))
      await target.close()
    }
  })
})

describe('alerts retry', () => {
  it('puts a dead delivery back in the queue; unknown, pending or bad ids exit 2', async () => {
    const target = await freshDatabase()
    const handle = await target.open()
    await insertTestSymbols(handle.db, ['BTCUSDT'])
    const rule = await handle.db
      .insertInto('alert_rule')
      .values({
        name: 'hooked',
        rule: 'close > 0',
        kind: 'bar',
        symbols: JSON.stringify(['BTCUSDT']),
        timeframe: '1h',
        enabled: true,
        webhook_url: 'http://127.0.0.1:9/hook',
        webhook_preset: 'json',
        created_at: new Date('2025-04-01T00:00:00Z'),
        evaluate_from: new Date('2025-04-01T00:00:00Z'),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    const event = await handle.db
      .insertInto('alert_event')
      .values({
        rule_id: rule.id,
        symbol: 'BTCUSDT',
        timeframe: '1h',
        bar_time: new Date('2025-04-01T10:00:00Z'),
        fired_at: new Date('2025-04-01T11:00:00Z'),
        values: JSON.stringify({ close: 1 }),
        text: 'BTCUSDT close > 0',
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    const delivery = await handle.db
      .insertInto('alert_delivery')
      .values({
        event_id: event.id,
        state: 'dead',
        attempts: 8,
        next_attempt_at: new Date('2025-04-01T12:00:00Z'),
        last_status: 500,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await handle.close()
    const env = target.env
    const cwd = scratch()
    try {
      const ok = await run(['alerts', 'retry', String(delivery.id)], env, cwd)
      expect(ok.code, ok.stderr).toBe(0)
      expect(ok.stdout).toContain(`delivery ${delivery.id} (rule hooked, BTCUSDT`)
      const check = await target.open()
      const row = await check.db
        .selectFrom('alert_delivery')
        .select(['state', 'attempts'])
        .where('id', '=', delivery.id)
        .executeTakeFirstOrThrow()
      await check.close()
      expect(row).toEqual({ state: 'pending', attempts: 0 })

      const again = await run(['alerts', 'retry', String(delivery.id)], env, cwd)
      expect(again.code).toBe(2)
      expect(again.stderr).toContain('is pending: only a dead delivery can be retried')
      const unknown = await run(['alerts', 'retry', '424242'], env, cwd)
      expect(unknown.code).toBe(2)
      expect(unknown.stderr).toContain('no delivery 424242')
      const bad = await run(['alerts', 'retry', 'x'], env, cwd)
      expect(bad.code).toBe(2)
      expect(bad.stderr).toContain('usage: runner alerts retry <delivery id>')
    } finally {
      await target.close()
    }
  })
})

/** A port free right now on 127.0.0.1. */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

describe('the demo', () => {
  it(
    'prints the next commands; status --demo shows its runs; serve --demo answers as printed',
    { timeout: 400_000 },
    async () => {
      const cwd = scratch()
      const port = String(await freePort())
      const demo = await run(['demo'], { API_PORT: port }, cwd)
      expect(demo.code, demo.stderr).toBe(0)
      expect(demo.stdout).toContain('Next: "runner status --demo"')
      const runs = JSON.parse((await run(['status', '--demo', '--json'], {}, cwd)).stdout) as {
        job: string
        state: string
      }[]
      expect(runs.map((r) => [r.job, r.state])).toEqual([
        ['alerts', 'succeeded'],
        ['indicators', 'succeeded'],
        ['incremental', 'succeeded'],
        ['historical', 'succeeded'],
        ['symbols', 'succeeded'],
      ])
      // The configured database (DATA_DIR here) is another one, and says where the demo's runs are.
      const plain = await run(['status'], {}, cwd)
      expect(plain.stdout.trim()).toBe("no runs yet (the demo's runs: runner status --demo)")

      // It ends with the command that serves the dashboard on its data, and the URL with a token.
      const tail = demo.stdout.trimEnd().split('\n').slice(-2)
      expect(tail[0]?.trim()).toBe(`API_PORT=${port} pnpm serve --demo`)
      const printed = /^ {2}then open (http:\/\/127\.0\.0\.1:(\d+)\/)#token=(ta_\S+)$/.exec(
        tail[1] ?? '',
      )
      expect(printed, tail.join('\n')).not.toBeNull()
      const [, url = '', printedPort, token = ''] = printed ?? []
      expect(printedPort).toBe(port)
      const child = spawn(process.execPath, [CLI, 'serve', '--demo'], {
        cwd,
        env: { PATH: process.env.PATH ?? '', CI: '1', ...OFFLINE, API_PORT: port },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stderr = ''
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
      try {
        for (let i = 0; !stderr.includes('"message":"api listening"'); i++) {
          if (i > 600 || child.exitCode !== null)
            throw new Error(`serve --demo did not listen:\n${stderr}`)
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
        const page = await fetch(url)
        expect(page.status).toBe(200)
        expect(await page.text()).toContain('<div id="app">')
        const login = await fetch(`${url}api/v1/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token }),
        })
        expect(await login.json()).toEqual({ name: 'demo', scope: 'admin' })
        const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
        const served = (await (
          await fetch(`${url}api/v1/runs`, { headers: { cookie } })
        ).json()) as {
          data: { job: string }[]
        }
        expect(served.data.map((r) => r.job)).toEqual(runs.map((r) => r.job))
        const events = (await (
          await fetch(`${url}api/v1/alerts/events`, { headers: { cookie } })
        ).json()) as { data: unknown[] }
        expect(events.data.length).toBeGreaterThan(0)
      } finally {
        child.kill('SIGTERM')
      }
      expect(await exited).toBe(0)
    },
  )

  it('serve --demo without a demo database says to run the demo first (exit 2)', async () => {
    const r = await run(['serve', '--demo'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('run "pnpm demo" first')
  })
})
