import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createDatabase } from '@trading-alerts/trading-alerts'
import {
  createTestDatabase,
  postgresAvailable,
  type TestDatabase,
} from '@trading-alerts/trading-alerts/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OFFLINE, scratchDirs } from './helpers.js'

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url))

const scratch = scratchDirs('runner-serve-')

interface Spawned {
  readonly child: ChildProcess
  stdout: string
  stderr: string
  readonly exited: Promise<number | null>
}

function spawnRunner(args: string[], env: Record<string, string>, cwd = scratch()): Spawned {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      CI: '1',
      DATA_DIR: join(cwd, 'db'),
      API_PORT: '0',
      ...OFFLINE,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const s: Spawned = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.on('close', (code) => resolve(code))),
  }
  child.stdout?.on('data', (d: Buffer) => (s.stdout += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (s.stderr += d.toString()))
  return s
}

/** Runs a command to its end. */
async function runRunner(args: string[], env: Record<string, string>, cwd?: string) {
  const s = spawnRunner(args, env, cwd)
  const code = await s.exited
  return { code, stdout: s.stdout, stderr: s.stderr }
}

/** The URL of the "api listening" line, once it is logged (or the exit, as an error). */
async function listening(s: Spawned): Promise<string> {
  let exited = false
  void s.exited.then(() => (exited = true))
  for (;;) {
    for (const line of s.stderr.split('\n')) {
      if (!line.startsWith('{')) continue
      const entry = JSON.parse(line) as { message?: string; url?: string }
      if (entry.message === 'api listening' && entry.url !== undefined) return entry.url
    }
    if (exited) throw new Error(`the runner exited before listening:\n${s.stderr}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** The first-start token the runner printed on stdout, if any. */
function printedToken(s: Spawned): string | undefined {
  return /shown once, only its hash is stored\): (ta_\S+)/.exec(s.stdout)?.[1]
}

async function stop(s: Spawned): Promise<number | null> {
  s.child.kill('SIGTERM')
  return s.exited
}

const get = (url: string, token?: string) =>
  fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } })

const hasPostgres = await postgresAvailable()

describe.each([...(hasPostgres ? (['postgres'] as const) : []), 'pglite' as const])(
  'runner serve on %s',
  (kind) => {
    let database: TestDatabase | undefined
    let env: Record<string, string>
    const cwd = scratch()
    beforeAll(async () => {
      if (kind === 'postgres') {
        database = await createTestDatabase('postgres')
        env = { DATABASE_URL: database.url ?? '' }
      } else env = {}
    })
    afterAll(async () => {
      await database?.close()
    })

    it('listens, prints a first-start token once, answers health and authed paths, stops on SIGTERM', async () => {
      const s = spawnRunner(['serve'], env, cwd)
      const url = await listening(s)
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const token = printedToken(s)
      expect(token).toBeDefined()
      expect(s.stdout).not.toContain(':0/')

      const health = await get(`${url}/api/v1/health`)
      expect(health.status).toBe(200)
      expect(((await health.json()) as { database: string }).database).toBe('ok')
      expect((await get(`${url}/api/v1/symbols`)).status).toBe(401)
      const symbols = await get(`${url}/api/v1/symbols`, token)
      expect(symbols.status).toBe(200)
      expect(await symbols.json()).toEqual({ data: [] })
      expect(await stop(s)).toBe(0)

      // A token exists now: the second start creates none and prints none.
      const again = spawnRunner(['serve'], env, cwd)
      await listening(again)
      expect(printedToken(again)).toBeUndefined()
      expect((await get(`${await listening(again)}/api/v1/symbols`, token)).status).toBe(200)
      expect(await stop(again)).toBe(0)
    })

    it('tokens create, list and revoke: a revoked token gets 401', async () => {
      const created = await runRunner(
        ['tokens', 'create', '--scope', 'read', '--name', 'ci', '--json'],
        env,
        cwd,
      )
      expect(created.code).toBe(0)
      const { id, token, scope } = JSON.parse(created.stdout) as {
        id: number
        token: string
        scope: string
      }
      expect(scope).toBe('read')
      const listed = await runRunner(['tokens', 'list', '--json'], env, cwd)
      expect(listed.code).toBe(0)
      expect(listed.stdout).not.toContain(token)
      const tokens = JSON.parse(listed.stdout) as { id: number; name: string; revokedAt: null }[]
      expect(tokens.find((t) => t.id === id)).toMatchObject({ name: 'ci', revokedAt: null })

      const s = spawnRunner(['serve'], env, cwd)
      const url = await listening(s)
      expect((await get(`${url}/api/v1/symbols`, token)).status).toBe(200)
      // read may GET, not POST
      const post = await fetch(`${url}/api/v1/alerts/rules`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{}',
      })
      expect(post.status).toBe(403)

      // The embedded database belongs to one process at a time: there the server stops first.
      if (kind === 'pglite') expect(await stop(s)).toBe(0)
      const revoked = await runRunner(['tokens', 'revoke', 'ci'], env, cwd)
      expect(revoked.code).toBe(0)
      expect(revoked.stdout).toContain('revoked 1 token')
      if (kind === 'postgres') {
        // The running server sees the revocation at the next request.
        expect((await get(`${url}/api/v1/symbols`, token)).status).toBe(401)
        expect(await stop(s)).toBe(0)
      }
      const after = spawnRunner(['serve'], env, cwd)
      expect((await get(`${await listening(after)}/api/v1/symbols`, token)).status).toBe(401)
      expect(await stop(after)).toBe(0)

      const twice = await runRunner(['tokens', 'revoke', 'ci'], env, cwd)
      expect(twice.code).toBe(2)
      expect(twice.stderr).toContain('no active API token "ci"')
    })
  },
)

describe.runIf(hasPostgres)('POST /api/v1/runs through runner serve', () => {
  it('starts a run (202 { id }), answers 409 while another process holds the job lock', async () => {
    const database = await createTestDatabase('postgres')
    const other = await createDatabase({ url: database.url ?? '' })
    const admin = 'ta_admin-token-of-the-runs-test'
    const s = spawnRunner(['serve'], { DATABASE_URL: database.url ?? '', API_TOKEN: admin })
    try {
      const url = await listening(s)
      const post = (job: string) =>
        fetch(`${url}/api/v1/runs`, {
          method: 'POST',
          headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
          body: JSON.stringify({ job }),
        })
      // Another runner (this test process) holds the incremental lock: 409, no run recorded.
      const release = await other.tryLock('incremental')
      expect(release).not.toBeNull()
      const busy = await post('incremental')
      expect(busy.status).toBe(409)
      expect(busy.headers.get('content-type')).toBe('application/problem+json')
      expect(((await busy.json()) as { detail: string }).detail).toContain('incremental')
      expect(await database.db.selectFrom('job_run').select('id').execute()).toEqual([])
      await release?.()

      const started = await post('incremental')
      expect(started.status).toBe(202)
      const { id } = (await started.json()) as { id: number }
      const run = await database.db
        .selectFrom('job_run')
        .select(['id', 'job'])
        .executeTakeFirstOrThrow()
      expect({ id: Number(run.id), job: run.job }).toEqual({ id, job: 'incremental' })
      const one = await fetch(`${url}/api/v1/runs/${id}`, {
        headers: { authorization: `Bearer ${admin}` },
      })
      expect(((await one.json()) as { job: string }).job).toBe('incremental')
      expect((await post('nope')).status).toBe(400)
      expect(await stop(s)).toBe(0)
    } finally {
      s.child.kill('SIGKILL')
      await other.close()
      await database.close()
    }
  })
})

describe('runner serve: configuration', () => {
  it('a non-loopback API_HOST with no token configured is refused with exit 2', async () => {
    const r = await runRunner(['serve'], { API_HOST: '0.0.0.0' })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('api refused')
    expect(r.stderr).not.toContain('api listening')
  })

  it('API_TOKEN is an admin token, and no first-start token is made beside it', async () => {
    const admin = 'ta_configured-admin-token-for-the-test'
    const s = spawnRunner(['serve'], { API_TOKEN: admin })
    const url = await listening(s)
    expect(printedToken(s)).toBeUndefined()
    expect((await get(`${url}/api/v1/symbols`, admin)).status).toBe(200)
    expect(s.stderr).not.toContain(admin)
    expect(await stop(s)).toBe(0)
  })

  it('a bad API_PORT is a configuration error (exit 2), API_PORT=off is refused by serve', async () => {
    const bad = await runRunner(['serve'], { API_PORT: '80000' })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('API_PORT: "80000" is not a port')
    const off = await runRunner(['serve'], { API_PORT: 'off' })
    expect(off.code).toBe(2)
    expect(off.stderr).toContain('API_PORT=off')
  })

  it('tokens create without --scope, or with a bad one, exits 2', async () => {
    expect((await runRunner(['tokens', 'create'], {})).code).toBe(2)
    const bad = await runRunner(['tokens', 'create', '--scope', 'root'], {})
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('scope "root" is not read or admin')
  })
})

describe('runner start serves the API too', () => {
  it('the daemon logs "api listening" and answers; SIGTERM closes both', async () => {
    const s = spawnRunner(['start'], { SHUTDOWN_DEADLINE_MS: '1000' })
    const url = await listening(s)
    expect((await get(`${url}/api/v1/health`)).status).toBe(200)
    expect(await stop(s)).toBe(0)
    expect(s.stderr).toContain('daemon started')
  })

  it('API_PORT=off: the daemon serves no API', async () => {
    const s = spawnRunner(['start'], { API_PORT: 'off', SHUTDOWN_DEADLINE_MS: '1000' })
    while (!s.stderr.includes('daemon started')) await new Promise((r) => setTimeout(r, 50))
    expect(await stop(s)).toBe(0)
    expect(s.stderr).not.toContain('api listening')
  })
})
