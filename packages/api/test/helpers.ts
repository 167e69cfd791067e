/* eslint-disable @typescript-eslint/no-explicit-any --
   The answers are JSON of no static type: every use of them is an assertion. */
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import { createApiToken, type ApiTokenScope, type Clock } from '@trading-alerts/trading-alerts'
import {
  createTestDatabase,
  simDeps,
  testDatabaseKinds,
  type TestDatabase,
  type TestDatabaseKind,
} from '@trading-alerts/trading-alerts/testing'
import {
  startExchangeSimulator,
  type ExchangeSimulator,
  type SimPairSpec,
  type SimulatorOptions,
} from '@trading-alerts/tickerdata/testing'
import { createApi, type Api, type ApiOptions } from '../src/index.js'

/**
 * The shared set-up of the API's integration tests: a simulated exchange, a migrated database
 * of each kind (PGlite, and PostgreSQL when a server answers), data loaded by the real jobs, and
 * the API listening on 127.0.0.1 through @hono/node-server, called over real HTTP.
 */

/** The database kinds of this environment: every integration test runs on each. */
export const kinds: TestDatabaseKind[] = await testDatabaseKinds()

/** The simulated now of every test: the simulator's, the jobs' and the API's. */
export const NOW = Date.parse('2025-04-02T12:00:00Z')
export const MINUTE = 60_000
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR

/** A clock frozen at `ms`. */
export const clockAt = (ms: number): Clock => ({ now: () => new Date(ms) })

/** A pair of `base` quoted in USDT (`usdtPair('BTC', …)` is BTCUSDT), listed at `listedAt`. */
export function usdtPair(base: string, listedAt: string | number, basePrice: number): SimPairSpec {
  return {
    symbol: `${base}USDT`,
    baseAsset: base,
    quoteAsset: 'USDT',
    listedAt: typeof listedAt === 'number' ? listedAt : Date.parse(listedAt),
    basePrice,
  }
}

/** The API listening on a free port of 127.0.0.1. */
export interface Served {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  /** Stops listening and drops the open connections (event streams included). */
  close(): Promise<void>
}

/** Serves `api` with @hono/node-server on a free port of 127.0.0.1. */
export async function serve(api: Api): Promise<Served> {
  const server = createAdaptorServer({ fetch: (request: Request) => api.fetch(request) })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        if ('closeAllConnections' in server) server.closeAllConnections()
      }),
  }
}

/** An answer read whole: `json` is the parsed body, undefined when it is not JSON. */
export interface Answer {
  readonly status: number
  readonly headers: Headers
  /** The content-type header, or null. */
  readonly type: string | null
  readonly text: string
  readonly json: any
}

export interface CallOptions {
  readonly method?: string
  /** The bearer token; undefined: the client's own, null: none. */
  readonly token?: string | null
  readonly headers?: Record<string, string>
  /** Sent as JSON (with its content-type). */
  readonly body?: unknown
  /** Sent as is (content-type application/json unless `headers` give one). */
  readonly rawBody?: string
}

export type Call = (path: string, options?: CallOptions) => Promise<Answer>

/** Reads a response whole. */
export async function readAnswer(res: Response): Promise<Answer> {
  const text = await res.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return {
    status: res.status,
    headers: res.headers,
    type: res.headers.get('content-type'),
    text,
    json,
  }
}

/**
 * A client of the API at `url()` over real HTTP, sending `Bearer <token()>` unless told
 * otherwise. Both are read at each call, so a client made before `beforeAll` sees their values.
 */
export function httpClient(url: () => string, token: () => string | null = () => null): Call {
  return async (path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers }
    const bearer = options.token === undefined ? token() : options.token
    if (bearer !== null) headers.authorization = `Bearer ${bearer}`
    let body: string | undefined
    if (options.rawBody !== undefined) body = options.rawBody
    else if (options.body !== undefined) body = JSON.stringify(options.body)
    if (body !== undefined) headers['content-type'] ??= 'application/json'
    const res = await fetch(url() + path, {
      method: options.method ?? 'GET',
      headers,
      ...(body === undefined ? {} : { body }),
    })
    return readAnswer(res)
  }
}

/** The simulator and the database of one test run, with the jobs' dependencies on both. */
export interface Loaded {
  readonly sim: ExchangeSimulator
  readonly database: TestDatabase
  /** The jobs' dependencies on the simulator at NOW. */
  readonly deps: ReturnType<typeof simDeps<TestDatabase>>
}

export interface ApiTestOptions {
  /** The simulator's pairs (and any gaps); its now is NOW. */
  readonly simulator: Omit<SimulatorOptions, 'now'>
  /** Loads the data (runs the jobs, inserts rows) before the API starts. */
  readonly load?: (loaded: Loaded) => Promise<void>
  /** The API's and the tokens' clock; default frozen at NOW. */
  readonly clock?: Clock
  /** More options of createApi (database and clock are given). */
  readonly api?: Omit<ApiOptions, 'database' | 'clock'>
}

export interface ApiTest extends Loaded, Served {
  readonly api: Api
  readonly clock: Clock
  /** A new stored token of `scope` (named after it unless `name` is given). */
  token(scope: ApiTokenScope, name?: string): Promise<string>
}

/**
 * Starts the simulator, opens a migrated database of `kind`, loads the data and serves the API
 * on 127.0.0.1. `close()` ends the API's streams, the server, the simulator and the database
 * (a PostgreSQL one is dropped). A failure half-way closes what was started.
 */
export async function startApiTest(
  kind: TestDatabaseKind,
  options: ApiTestOptions,
): Promise<ApiTest> {
  const closers: (() => Promise<void>)[] = []
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c()
  }
  try {
    const sim = await startExchangeSimulator({ ...options.simulator, now: () => NOW })
    closers.push(() => sim.close())
    const database = await createTestDatabase(kind)
    closers.push(() => database.close())
    const deps = simDeps(sim, database, NOW)
    await options.load?.({ sim, database, deps })
    const clock = options.clock ?? clockAt(NOW)
    const api = createApi({ ...options.api, database, clock })
    closers.push(() => api.close())
    const served = await serve(api)
    closers.push(() => served.close())
    return {
      sim,
      database,
      deps,
      api,
      clock,
      url: served.url,
      close,
      token: async (scope, name = scope) =>
        (await createApiToken(database.db, { name, scope }, clock)).token,
    }
  } catch (error) {
    await close()
    throw error
  }
}
