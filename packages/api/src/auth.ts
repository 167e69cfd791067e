import { createRoute, z } from '@hono/zod-openapi'
import { tokensEqual, verifyApiToken } from '@trading-alerts/trading-alerts'
import type { Context, MiddlewareHandler } from 'hono'
import { getCookie, setCookie, deleteCookie } from 'hono/cookie'
import type { ApiApp, ApiEnv, Principal, RouteDeps } from './context.js'
import { ApiError } from './errors.js'
import type { TokenBuckets } from './rate-limit.js'
import { authProblems, json } from './schemas.js'

/** The cookie the dashboard gets for its token (POST /api/v1/session). */
export const SESSION_COOKIE = 'ta_session'

/** Paths that need no token. */
const PUBLIC = new Set(['/api/v1/health', '/api/v1/session'])

/** The bucket failed authentications share, so guessing tokens is slow too. */
const UNAUTHENTICATED = 'unauthenticated'

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

export interface AuthDeps extends RouteDeps {
  /** A token with the admin scope given in the configuration (API_TOKEN), besides the stored ones. */
  readonly adminToken: string | undefined
  readonly buckets: TokenBuckets
}

function bearer(c: Context): string | undefined {
  const header = c.req.header('authorization')
  if (header === undefined) return undefined
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header)
  return m?.[1] ?? ''
}

async function principalOf(deps: AuthDeps, token: string): Promise<Principal | null> {
  if (deps.adminToken !== undefined && tokensEqual(token, deps.adminToken)) {
    return { id: 'configured', name: 'API_TOKEN', scope: 'admin' }
  }
  return verifyApiToken(deps.database.db, token, deps.clock)
}

function limited(deps: AuthDeps, key: string): void {
  const wait = deps.buckets.take(key)
  if (wait > 0) {
    throw new ApiError('too-many-requests', `rate limit reached: retry in ${wait} s`, {
      headers: { 'retry-after': String(wait) },
    })
  }
}

function unauthorized(detail: string): ApiError {
  return new ApiError('unauthorized', detail, { headers: { 'www-authenticate': 'Bearer' } })
}

/**
 * The principal of `token`, its request counted against its rate limit; no token or a bad one
 * answers 401 (`missing` says how to send one), counted against the shared bucket of failures.
 */
async function authenticate(
  deps: AuthDeps,
  token: string | undefined,
  missing: string,
): Promise<Principal> {
  const principal = token === undefined || token === '' ? undefined : await principalOf(deps, token)
  if (principal == null) {
    limited(deps, UNAUTHENTICATED)
    throw unauthorized(principal === undefined ? missing : 'the token is unknown or revoked')
  }
  limited(deps, `token:${principal.id}`)
  return principal
}

/**
 * Authentication, scope and the per-token rate limit of every path but the public ones: the
 * token from `Authorization: Bearer` or the session cookie; `read` may GET, `admin` anything.
 */
export function authMiddleware(deps: AuthDeps): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    if (PUBLIC.has(c.req.path)) return next()
    const principal = await authenticate(
      deps,
      bearer(c) ?? getCookie(c, SESSION_COOKIE),
      'this path needs a token: Authorization: Bearer <token>',
    )
    if (!READ_METHODS.has(c.req.method) && principal.scope !== 'admin') {
      throw new ApiError('forbidden', `${c.req.method} needs a token with the admin scope`)
    }
    c.set('principal', principal)
    return next()
  }
}

const login = createRoute({
  method: 'post',
  path: '/api/v1/session',
  tags: ['auth'],
  summary: 'Trades a token for an HttpOnly, SameSite=Strict session cookie (the dashboard’s login)',
  description: `The token comes in the body or as \`Authorization: Bearer\`. The cookie \`${SESSION_COOKIE}\` is then accepted like the bearer token, with the same scope.`,
  security: [],
  request: {
    body: {
      required: false,
      content: {
        'application/json': {
          schema: z.object({ token: z.string().max(200).optional() }).strict(),
        },
      },
    },
  },
  responses: {
    200: json(
      z.object({ name: z.string(), scope: z.enum(['read', 'admin']) }),
      'The cookie is set',
    ),
    ...authProblems(400, 413),
  },
})

const whoami = createRoute({
  method: 'get',
  path: '/api/v1/session',
  tags: ['auth'],
  summary:
    'The name and scope of the token or session cookie this request carries (the dashboard asks it on load)',
  security: [{ bearer: [] }, { cookie: [] }],
  responses: {
    200: json(z.object({ name: z.string(), scope: z.enum(['read', 'admin']) }), 'Signed in'),
    ...authProblems(),
  },
})

const logout = createRoute({
  method: 'delete',
  path: '/api/v1/session',
  tags: ['auth'],
  summary: 'Clears the session cookie',
  security: [],
  responses: { 204: { description: 'The cookie is cleared' } },
})

export function sessionRoutes(app: ApiApp, deps: AuthDeps): void {
  app.openapi(login, async (c) => {
    const body = c.req.header('content-type')?.includes('json') === true ? c.req.valid('json') : {}
    const token = body.token ?? bearer(c)
    const principal = await authenticate(
      deps,
      token,
      'send the token as {"token": …} or Authorization: Bearer <token>',
    )
    setCookie(c, SESSION_COOKIE, token as string, {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
      secure: new URL(c.req.url).protocol === 'https:',
    })
    return c.json({ name: principal.name, scope: principal.scope }, 200)
  })

  app.openapi(whoami, async (c) => {
    const principal = await authenticate(
      deps,
      bearer(c) ?? getCookie(c, SESSION_COOKIE),
      'no session: POST /api/v1/session with a token first',
    )
    return c.json({ name: principal.name, scope: principal.scope }, 200)
  })

  app.openapi(logout, (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: '/' })
    return c.body(null, 204)
  })
}
