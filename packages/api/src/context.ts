import type { OpenAPIHono } from '@hono/zod-openapi'
import type { ApiTokenScope, Clock, Logger, TradingDatabase } from '@trading-alerts/trading-alerts'

/** Who a request was authenticated as. */
export interface Principal {
  /** The token's id, or `configured` for the token given as `adminToken`. */
  readonly id: number | 'configured'
  readonly name: string
  readonly scope: ApiTokenScope
}

export interface ApiEnv {
  Variables: { principal: Principal; dashboard: boolean }
}

export type ApiApp = OpenAPIHono<ApiEnv>

/** What every route module gets. */
export interface RouteDeps {
  readonly database: TradingDatabase
  readonly clock: Clock
  readonly logger: Logger
}
