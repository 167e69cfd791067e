/**
 * The browser tests' world: the exchange simulator on 127.0.0.1, a database (PGlite or a fresh
 * PostgreSQL database) loaded from it by the real jobs, the API with the built dashboard bound on
 * 127.0.0.1, and Debian's Chromium driven by playwright-core with a fresh profile.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { createAdaptorServer } from '@hono/node-server'
import { createApi, directoryAssets, type Api, type StartJob } from '@trading-alerts/api'
import {
  createApiToken,
  getSymbols,
  runAlerts,
  runHistorical,
  runIncremental,
  runIndicators,
  type JobName,
} from '@trading-alerts/trading-alerts'
import {
  createTestDatabase,
  simDeps,
  type TestDatabase,
  type TestDatabaseKind,
} from '@trading-alerts/trading-alerts/testing'
import { startExchangeSimulator, type ExchangeSimulator } from '@trading-alerts/tickerdata/testing'
import { chromium, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core'
import { afterAll, beforeAll, expect } from 'vitest'

export const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url))
export const DIST = join(PACKAGE_DIR, 'dist')
/** The simulated "now" of every job and of the API: data never depends on the wall clock. */
export const NOW = Date.parse('2025-04-02T12:00:00Z')
export const clock = { now: () => new Date(NOW) }
export const CHROMIUM = '/usr/bin/chromium'
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]
export const INDICATOR_TIMEFRAMES = ['1h']

export interface World {
  readonly kind: TestDatabaseKind
  readonly sim: ExchangeSimulator
  readonly database: TestDatabase
  readonly api: Api
  /** `http://127.0.0.1:PORT` */
  readonly base: string
  readonly adminToken: string
  readonly readToken: string
  /** The jobs as the runner would run them, against the simulator (the API's startJob uses it). */
  runJob(job: JobName, onStart?: (runId: number) => void): Promise<{ runId: number; state: string }>
  close(): Promise<void>
}

const PAIRS = [
  {
    symbol: 'BTCUSDT',
    baseAsset: 'BTC',
    quoteAsset: 'USDT',
    listedAt: Date.parse('2025-01-01T00:00:00Z'),
    basePrice: 60_000,
  },
  {
    symbol: 'ETHUSDT',
    baseAsset: 'ETH',
    quoteAsset: 'USDT',
    listedAt: Date.parse('2025-01-01T00:00:00Z'),
    basePrice: 3_000,
  },
]

/**
 * Starts the world on `kind` and loads it with the jobs symbols, historical (from `historyStart`),
 * incremental and indicators, as `pnpm demo` does.
 */
export async function startWorld(
  kind: TestDatabaseKind,
  options: { historyStart?: string } = {},
): Promise<World> {
  if (!existsSync(join(DIST, 'index.html')))
    throw new Error(`the dashboard is not built: run "pnpm build" (no ${DIST})`)
  const sim = await startExchangeSimulator({ now: () => NOW, pairs: PAIRS })
  const database = await createTestDatabase(kind)
  const deps = () => simDeps(sim, database, NOW)
  const runJob: World['runJob'] = async (job, onStart) => {
    const release = await database.tryLock(job)
    if (release === null) throw new Error(`a run of ${job} is in progress`)
    const onProgress =
      onStart === undefined ? undefined : (e: { runId: number }) => onStart(e.runId)
    const common = { concurrency: 2, ...(onProgress === undefined ? {} : { onProgress }) }
    try {
      switch (job) {
        case 'symbols':
          return await getSymbols(deps(), { ...common, topN: 100 })
        case 'historical':
          return await runHistorical(deps(), {
            ...common,
            historyStart: options.historyStart ?? '2025-03',
          })
        case 'incremental':
          return await runIncremental(deps(), common)
        case 'indicators':
          return await runIndicators(deps(), {
            ...common,
            timeframes: INDICATOR_TIMEFRAMES,
            indicators: [],
          })
        case 'alerts':
          return await runAlerts(deps(), common)
      }
    } finally {
      await release()
    }
  }
  for (const job of ['symbols', 'historical', 'incremental', 'indicators'] as const)
    await runJob(job)

  const adminToken = (await createApiToken(database.db, { name: 'admin', scope: 'admin' }, clock))
    .token
  const readToken = (await createApiToken(database.db, { name: 'reader', scope: 'read' }, clock))
    .token
  const startJob: StartJob = (job) =>
    new Promise((resolve, reject) => {
      let settled = false
      runJob(job, (runId) => {
        if (!settled) resolve({ id: runId })
        settled = true
      }).then(
        (r) => {
          if (!settled) resolve({ id: r.runId })
          settled = true
        },
        (e: unknown) => {
          if (!settled) {
            if (e instanceof Error && e.message.includes('in progress')) resolve(null)
            else reject(e instanceof Error ? e : new Error(String(e)))
          }
          settled = true
        },
      )
    })
  const api = createApi({
    database,
    clock,
    startJob,
    dashboard: directoryAssets(DIST),
    rateLimit: { burst: 10_000, perSecond: 10_000 },
  })
  const server = createAdaptorServer({ fetch: (request: Request) => api.fetch(request) })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    kind,
    sim,
    database,
    api,
    base,
    adminToken,
    readToken,
    runJob,
    async close() {
      await api.close()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        if ('closeAllConnections' in server) server.closeAllConnections()
      })
      await sim.close()
      await database.close()
    },
  }
}

/**
 * Runs `job` in another Node process on the same PostgreSQL database (the case of a run started by
 * the daemon or by hand while the dashboard is open); resolves with its run.
 */
export async function runJobInAnotherProcess(
  world: World,
  job: 'symbols' | 'incremental',
): Promise<{ runId: number; state: string }> {
  if (world.database.url === undefined) throw new Error('another process needs PostgreSQL')
  const script = `
    import { ${job === 'symbols' ? 'getSymbols' : 'runIncremental'} as run } from '@trading-alerts/trading-alerts'
    import { createDatabase } from '@trading-alerts/trading-alerts'
    import { simDeps } from '@trading-alerts/trading-alerts/testing'
    const [url, urls, now] = process.argv.slice(1)
    const database = await createDatabase({ url })
    const sim = { urls: JSON.parse(urls) }
    const result = await run(simDeps(sim, database, Number(now)), { topN: 100 })
    await database.close()
    process.stdout.write(JSON.stringify({ runId: result.runId, state: result.state }))
  `
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      script,
      world.database.url,
      JSON.stringify(world.sim.urls),
      String(NOW),
    ],
    { cwd: PACKAGE_DIR, timeout: 60_000 },
  )
  return JSON.parse(stdout) as { runId: number; state: string }
}

export interface Browser {
  readonly context: BrowserContext
  /** A new page whose console errors and failed requests land in `problems`. */
  page(options?: { width?: number; height?: number; colorScheme?: 'light' | 'dark' }): Promise<Page>
  /** Console errors, page errors and requests to anywhere but the server, as they happened. */
  readonly problems: string[]
  close(): Promise<void>
}

/** Debian's Chromium, headless, with a fresh profile and no way to the network but 127.0.0.1. */
export async function launchBrowser(base: string): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'ta-dashboard-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
    timezoneId: 'Europe/Berlin',
    locale: 'en-GB',
  })
  const problems: string[] = []
  const origin = new URL(base).origin
  // Every request outside the server fails the test: the page must load nothing from elsewhere.
  await context.route('**/*', async (route) => {
    const url = route.request().url()
    if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:'))
      return route.continue()
    problems.push(`request outside the server: ${url}`)
    return route.abort()
  })
  const watch = (page: Page) => {
    page.on('console', (m: ConsoleMessage) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`)
    })
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
  }
  context.pages().forEach(watch)
  context.on('page', watch)
  return {
    context,
    problems,
    async page(options = {}) {
      const page =
        context.pages().find((p) => p.url() === 'about:blank') ?? (await context.newPage())
      await page.setViewportSize({ width: options.width ?? 1280, height: options.height ?? 800 })
      if (options.colorScheme !== undefined)
        await page.emulateMedia({ colorScheme: options.colorScheme })
      return page
    },
    async close() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

/** Signs `page` in with `token` the way a user does: the URL the server printed, `/#token=…`. */
export async function signIn(
  page: Page,
  world: World,
  path = '/runs',
  token = world.adminToken,
): Promise<void> {
  await page.goto(`${world.base}${path}#token=${encodeURIComponent(token)}`)
  await page.locator('header.top').waitFor()
}

export interface FileWorld {
  readonly world: World
  readonly browser: Browser
  /** GET `path` of the API with the read token; its JSON (any answer but 200 fails). */
  readonly get: <T>(path: string) => Promise<T>
}

/**
 * The world and the browser of one `describe` block on `kind`: started before its tests, closed
 * after them. Read `world` and `browser` inside the tests (they exist once the block has started).
 */
export function useWorld(kind: TestDatabaseKind): FileWorld {
  let world: World | undefined
  let browser: Browser | undefined
  beforeAll(async () => {
    world = await startWorld(kind)
    browser = await launchBrowser(world.base)
  })
  afterAll(async () => {
    await browser?.close()
    await world?.close()
  })
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the world is not started yet')
    return value
  }
  return {
    get world() {
      return started(world)
    },
    get browser() {
      return started(browser)
    },
    async get<T>(path: string): Promise<T> {
      const w = started(world)
      const res = await fetch(w.base + path, {
        headers: { authorization: `Bearer ${w.readToken}` },
      })
      expect(res.status, path).toBe(200)
      return (await res.json()) as T
    },
  }
}
