import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import { createAdaptorServer } from '@hono/node-server'
import { createApi, directoryAssets } from '@trading-alerts/api'
import { ensureFirstToken, listApiTokens } from '@trading-alerts/trading-alerts'
import type { JobName } from '@trading-alerts/trading-alerts'
import { runJob, type App } from './app.js'

/** The HTTP API bound to a port: its URL, and how to stop it. */
export interface ServedApi {
  readonly url: string
  close(): Promise<void>
}

/** Whether `host` is a loopback interface (only this machine can connect). */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '')
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
}

/** The dashboard's built files (apps/dashboard/dist), or null when it is not built. */
export function dashboardDir(): string | null {
  try {
    const pkg = createRequire(import.meta.url).resolve('@trading-alerts/dashboard/package.json')
    const dir = join(dirname(pkg), 'dist')
    return existsSync(join(dir, 'index.html')) ? dir : null
  } catch {
    return null
  }
}

/** `http://HOST:PORT`, an IPv6 address in brackets. */
function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`
}

/**
 * Serves the HTTP API of `app`'s database on API_HOST:API_PORT (DESIGN §9) and logs
 * `api listening` with its URL. On a loopback host with no token at all (API_TOKEN unset, none
 * stored, revoked ones included) it creates the first-start admin token and prints it once on
 * stdout. Returns 2 (the exit code) when the host is not loopback and no token is configured:
 * nobody could use the API, and anyone could once a token is created. Throws when the port
 * cannot be bound (in use, no permission).
 */
export async function serveApi(app: App): Promise<ServedApi | 2> {
  const { config, database, clock, logger } = app
  const host = config.apiHost
  const port = config.apiPort ?? 0
  const adminToken = config.apiToken
  if (adminToken === undefined) {
    if (!isLoopback(host)) {
      const active = (await listApiTokens(database.db)).filter((t) => t.revokedAt === null)
      if (active.length === 0) {
        logger.error(
          'api refused: a non-loopback API_HOST needs a token (set API_TOKEN, or run "runner tokens create --scope admin" first)',
          { host },
        )
        return 2
      }
    }
  }
  const first =
    adminToken === undefined && isLoopback(host) ? await ensureFirstToken(database.db, clock) : null
  // Runs started by POST /api/v1/runs: under the job's database lock (runJob), as the daemon's;
  // stopped with the server (their current file or batch finishes within SHUTDOWN_DEADLINE_MS).
  const jobs = new AbortController()
  const running = new Set<Promise<unknown>>()
  const startJob = (job: JobName) =>
    new Promise<{ id: number } | null>((resolve, reject) => {
      let settled = false
      const settle = (value: { id: number } | null) => {
        if (!settled) resolve(value)
        settled = true
      }
      const p = runJob(app, job, {
        signal: jobs.signal,
        // The first progress event names the run; a run with no task at all answers at its end.
        onProgress: (event) => settle({ id: event.runId }),
      }).then(
        (result) => {
          settle(result === null ? null : { id: result.runId })
          if (result !== null)
            logger.info('job finished', { job, runId: result.runId, state: result.state })
        },
        (error: unknown) => {
          if (settled) logger.error('job crashed', { job, error })
          else reject(error instanceof Error ? error : new Error(String(error)))
          settled = true
        },
      )
      running.add(p)
      void p.finally(() => running.delete(p))
    })
  const dashboard = dashboardDir()
  if (dashboard === null)
    logger.warn('dashboard not built: only the API answers ("pnpm build" builds it)')
  const api = createApi({
    database,
    ...(dashboard === null ? {} : { dashboard: directoryAssets(dashboard) }),
    clock,
    logger,
    startJob,
    ...(adminToken === undefined ? {} : { adminToken }),
    corsOrigins: config.apiCorsOrigins,
  })
  const server = createAdaptorServer({ fetch: (request) => api.fetch(request), hostname: host })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const url = urlOf(host, (server.address() as AddressInfo).port)
  logger.info('api listening', { url })
  if (first !== null) {
    // Shown once, as notebook servers do: only its hash is stored.
    process.stdout.write(
      `API token (admin, "first-start"; shown once, only its hash is stored): ${first.token}\n` +
        (dashboard === null ? '' : `  dashboard: ${url}/#token=${first.token}\n`) +
        `  curl -H "Authorization: Bearer ${first.token}" ${url}/api/v1/runs\n` +
        `  docs: ${url}/api/docs\n`,
    )
  }
  return {
    url,
    close: async () => {
      // The event streams end first: server.close() waits for open connections.
      await api.close()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        if ('closeAllConnections' in server) server.closeAllConnections()
      })
      jobs.abort()
      const deadline = new Promise<void>((resolve) =>
        setTimeout(resolve, config.shutdownDeadlineMs).unref(),
      )
      await Promise.race([Promise.allSettled([...running]), deadline])
    },
  }
}
