import { spawn, type StdioOptions } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
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
