import { OpenAPIHono } from '@hono/zod-openapi'
import {
  silentLogger,
  systemClock,
  type Clock,
  type Logger,
  type TradingDatabase,
} from '@trading-alerts/trading-alerts'
import { bodyLimit } from 'hono/body-limit'
import { cors } from 'hono/cors'
import { HTTPException } from 'hono/http-exception'
import { secureHeaders } from 'hono/secure-headers'
import { authMiddleware, SESSION_COOKIE, sessionRoutes } from './auth.js'
import type { ApiEnv } from './context.js'
import { dashboardHeaders, dashboardRoutes, type DashboardAssets } from './dashboard.js'
import { DOCS_CSP, DOCS_HTML } from './docs-page.js'
import { ApiError, isApiError, problemResponse, type ParameterError } from './errors.js'
import { TokenBuckets, type RateLimitOptions } from './rate-limit.js'
import { alertRoutes } from './routes/alerts.js'
import { candleRoutes } from './routes/candles.js'
import { coverageRoutes } from './routes/coverage.js'
import { gapRoutes } from './routes/gaps.js'
import { indicatorCatalogueRoutes } from './routes/indicator-catalogue.js'
import { MAX_INDICATOR_WORK, indicatorRoutes } from './routes/indicators.js'
import { marketRoutes } from './routes/market.js'
import { ruleCheckRoutes } from './routes/rule-check.js'
import { ruleRoutes } from './routes/rules.js'
import { runRoutes, type StartJob } from './routes/runs.js'
import { StreamHub, streamRoutes } from './routes/stream.js'
import { ApiMetrics, systemRoutes } from './routes/system.js'
import { problems } from './schemas.js'

export interface ApiOptions {
  readonly database: TradingDatabase
  /** Time of the rate limiter and of the token bookkeeping; default the system clock. */
  readonly clock?: Clock
  /** Where failures (500s) are logged, with their cause; default silent. */
  readonly logger?: Logger
  /** A token with the admin scope from the configuration (the runner's API_TOKEN), besides the stored ones. */
  readonly adminToken?: string
  /** Origins allowed by CORS (`https://dash.example`); default none: CORS stays off. */
  readonly corsOrigins?: readonly string[]
  /** Largest request body in bytes; default 1 MiB. Larger answers 413. */
  readonly maxBodyBytes?: number
  /** Largest query string in bytes; default 8 KiB. Larger answers 414. */
  readonly maxQueryBytes?: number
  /** The per-token rate limit (token bucket); default a burst of 120 and 20 requests/s. */
  readonly rateLimit?: RateLimitOptions
  /**
   * Starts a run of `job` (POST /api/v1/runs): resolves with the run's id once it has started, or
   * null while a run of that job is in progress (409). The runner's runs the job under its
   * database lock; without it POST /api/v1/runs answers 405.
   */
  readonly startJob?: StartJob
  /**
   * How long `/metrics` and `/api/v1/market/coverage` reuse their count of the rows per symbol (an
   * exact count over the candle table, seconds at tens of millions of rows); default 60 s. The
   * coverage counts again as soon as a symbol's last update moves. Everything else is read per
   * request.
   */
  readonly metricsRowsTtlMs?: number
  /**
   * The most bars × indicators one GET /api/v1/indicators request computes, counting the bars
   * from the symbol's first one (the warm-up is the whole history) to the end of the page;
   * default 2 000 000. Past it 400, naming the cap and the work asked.
   * @throws RangeError when it is not a whole number of at least 1
   */
  readonly maxIndicatorWork?: number
  /** A comment line on each GET /api/v1/stream every this many ms; default 15 000. */
  readonly streamHeartbeatMs?: number
  /**
   * The dashboard's built files, served at `/` on the API's origin (`directoryAssets(dir)` for a
   * folder on disk); default none: only the API's paths answer.
   */
  readonly dashboard?: DashboardAssets
}

/** A standard fetch handler: mount it in Node (@hono/node-server), Bun, Deno or a serverless host. */
export interface Api {
  fetch(request: Request): Promise<Response>
  /** Ends the event streams (GET /api/v1/stream) and their database listener; call it on shutdown. */
  close(): Promise<void>
}

const VERSION = '0.1.0'

/** The zod issues of a failed validation as `errors` entries, named by parameter or body path. */
function issuesToErrors(
  target: string,
  issues: readonly { path: PropertyKey[]; message: string }[],
): ParameterError[] {
  return issues.map((issue) => {
    const path = issue.path.map(String).join('.')
    const name = target === 'json' ? (path === '' ? 'body' : path) : path === '' ? target : path
    return { name, message: issue.message }
  })
}

/**
 * The HTTP API of DESIGN §9 over `database`: Hono with routes defined by zod schemas that
 * validate each request, type its handler and write the OpenAPI 3.1 document
 * (`GET /api/v1/openapi.json`, a readable page at `/api/docs`).
 */
export function createApi(options: ApiOptions): Api {
  const clock = options.clock ?? systemClock
  const logger = options.logger ?? silentLogger
  const maxQueryBytes = options.maxQueryBytes ?? 8192
  const buckets = new TokenBuckets(clock, options.rateLimit)
  const maxIndicatorWork = options.maxIndicatorWork ?? MAX_INDICATOR_WORK
  if (!Number.isSafeInteger(maxIndicatorWork) || maxIndicatorWork < 1) {
    throw new RangeError('maxIndicatorWork must be a whole number of at least 1')
  }
  const deps = {
    database: options.database,
    clock,
    logger,
    adminToken: options.adminToken === '' ? undefined : options.adminToken,
    buckets,
  }
  const counters = new ApiMetrics(options.metricsRowsTtlMs ?? 60_000)

  const app = new OpenAPIHono<ApiEnv>({
    defaultHook: (result) => {
      if (result.success) return
      const errors = issuesToErrors(result.target, result.error.issues)
      throw new ApiError('bad-request', errors.map((e) => `${e.name}: ${e.message}`).join('; '), {
        errors,
      })
    },
  })

  app.onError((error, c) => {
    let problem: ApiError
    if (isApiError(error)) problem = error
    else if (error instanceof HTTPException && error.status < 500) {
      // Hono's own 4xx (a body that is not JSON): the message is Hono's, safe to show.
      problem = new ApiError('bad-request', error.message || 'bad request', {
        errors: [{ name: 'body', message: error.message || 'malformed' }],
      })
    } else {
      logger.error('api request failed', {
        method: c.req.method,
        path: c.req.path,
        error: error instanceof Error ? error.message : String(error),
        stack: error instanceof Error ? error.stack : undefined,
      })
      problem = new ApiError('internal', 'the request failed unexpectedly; the failure is logged')
    }
    return problemResponse(problem)
  })
  app.notFound((c) =>
    problemResponse(new ApiError('not-found', `no route ${c.req.method} ${c.req.path}`)),
  )

  app.use('*', async (c, next) => {
    await next()
    counters.count(c.res.status)
  })
  // Registered first, so they run last: the pages' own policies replace the strict one.
  if (options.dashboard !== undefined) dashboardHeaders(app)
  app.use('/api/docs', async (c, next) => {
    await next()
    c.res.headers.set('content-security-policy', DOCS_CSP)
  })
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
      xFrameOptions: 'DENY',
    }),
  )
  if (options.corsOrigins !== undefined && options.corsOrigins.length > 0) {
    app.use(
      '*',
      cors({
        origin: [...options.corsOrigins],
        allowHeaders: ['Authorization', 'Content-Type'],
        allowMethods: ['GET', 'POST', 'PATCH', 'DELETE'],
        exposeHeaders: ['Retry-After', 'Location'],
        maxAge: 600,
      }),
    )
  }
  app.use('*', async (c, next) => {
    const url = c.req.url
    const q = url.indexOf('?')
    if (q >= 0 && Buffer.byteLength(url.slice(q + 1)) > maxQueryBytes) {
      throw new ApiError('uri-too-long', `the query string is over ${maxQueryBytes} bytes`)
    }
    return next()
  })
  app.use(
    '*',
    bodyLimit({
      maxSize: options.maxBodyBytes ?? 1024 * 1024,
      onError: () => {
        throw new ApiError(
          'payload-too-large',
          `the body is over ${options.maxBodyBytes ?? 1024 * 1024} bytes`,
        )
      },
    }),
  )
  app.use('/api/v1/*', authMiddleware(deps))
  app.use('/metrics', authMiddleware(deps))

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'A token (`read` may GET; `admin` may also POST, PATCH and DELETE)',
  })
  app.openAPIRegistry.registerComponent('securitySchemes', 'cookie', {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description: 'The session cookie POST /api/v1/session sets; the same scope as its token',
  })

  systemRoutes(app, deps, counters)
  sessionRoutes(app, deps)
  marketRoutes(app, deps)
  ruleCheckRoutes(app, deps) // before ruleRoutes: `check` is not a rule {id}
  ruleRoutes(app, deps)
  alertRoutes(app, deps)
  candleRoutes(app, deps)
  gapRoutes(app, deps)
  coverageRoutes(app, deps, options.metricsRowsTtlMs ?? 60_000)
  indicatorRoutes(app, { ...deps, maxIndicatorWork })
  indicatorCatalogueRoutes(app, deps)
  runRoutes(app, { ...deps, startJob: options.startJob })
  const hub = new StreamHub(options.database, logger)
  streamRoutes(app, {
    hub,
    ...(options.streamHeartbeatMs === undefined ? {} : { heartbeatMs: options.streamHeartbeatMs }),
  })

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/api/v1/openapi.json',
    tags: ['system'],
    summary: 'This document: OpenAPI 3.1, generated from the schemas that validate the requests',
    responses: {
      200: { description: 'The OpenAPI document', content: { 'application/json': { schema: {} } } },
      401: problems[401],
      429: problems[429],
    },
  })
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/api/docs',
    tags: ['system'],
    summary: 'A readable page of this document (self-contained: loads nothing from elsewhere)',
    security: [],
    responses: { 200: { description: 'HTML', content: { 'text/html': { schema: {} } } } },
  })
  app.doc31('/api/v1/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'trading-alerts API',
      version: VERSION,
      description:
        'Market data, runs and alert rules of a trading-alerts database. Errors are application/problem+json (RFC 9457). Times are ISO 8601 UTC; decimals are strings.',
      license: { name: 'MIT', url: 'https://opensource.org/licenses/MIT' },
    },
    security: [{ bearer: [] }, { cookie: [] }],
  })
  app.get('/api/docs', (c) => c.html(DOCS_HTML))
  if (options.dashboard !== undefined) dashboardRoutes(app, options.dashboard)

  return { fetch: async (request: Request) => app.fetch(request), close: () => hub.close() }
}
