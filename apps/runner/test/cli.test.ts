import { spawn, type StdioOptions } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createDatabase, type TradingDatabase } from '@trading-alerts/trading-alerts'
import { createTestDatabase, postgresAvailable } from '@trading-alerts/trading-alerts/testing'
import { afterAll, describe, expect, it } from 'vitest'

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
const PKG = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string
}

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

/** A scratch directory (working directory and DATA_DIR of a run). */
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'runner-cli-'))
  dirs.push(dir)
  return dir
}

/** Every remote endpoint points at a closed local port: nothing may reach the outside. */
const OFFLINE = {
  BINANCE_API_URL: 'http://127.0.0.1:9',
  BINANCE_DATA_URL: 'http://127.0.0.1:9',
  BINANCE_LISTING_URL: 'http://127.0.0.1:9',
  COINGECKO_API_URL: 'http://127.0.0.1:9',
}

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
  open: () => Promise<{ db: TradingDatabase['db']; close: () => Promise<void> }>
  close: () => Promise<void>
}> {
  if (hasPostgres) {
    const database = await createTestDatabase('postgres')
    return {
      env: { DATABASE_URL: database.url ?? '' },
      open: () => Promise.resolve({ db: database.db, close: () => Promise.resolve() }),
      close: () => database.close(),
    }
  }
  const dataDir = join(scratch(), 'db')
  return {
    env: { DATA_DIR: dataDir },
    open: async () => {
      const database = await createDatabase({ dataDir })
      await database.migrate()
      return { db: database.db, close: () => database.close() }
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
