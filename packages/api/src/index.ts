export { createApi, type Api, type ApiOptions } from './create-api.js'
export {
  ApiError,
  badParameter,
  isApiError,
  PROBLEM_BASE,
  problemBody,
  problemResponse,
  type ParameterError,
  type ProblemKind,
} from './errors.js'
export {
  cursorParam,
  decodeCursor,
  DEFAULT_LIMIT,
  encodeCursor,
  keysetPage,
  limitParam,
  MAX_LIMIT,
  parseTime,
  timeParam,
  timeRange,
  type Page,
  type TimeRange,
} from './pagination.js'
export { TokenBuckets, type RateLimitOptions } from './rate-limit.js'
export { SESSION_COOKIE } from './auth.js'
export type { StartJob } from './routes/runs.js'
export { DASHBOARD_CSP, directoryAssets, type DashboardAssets } from './dashboard.js'
