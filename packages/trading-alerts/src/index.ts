export {
  createDatabase,
  type CandleBatch,
  type CreateDatabaseOptions,
  type TradingDatabase,
  type WriteTransaction,
} from './db/database.js'
export { migrations } from './db/migrations.js'
export { COPY_COLUMNS, encodeColumns, encodeKlines } from './db/copy-encoder.js'
export { Mutex, PGliteDialect, type PGliteQueryable } from './db/pglite-dialect.js'
export type * from './db/schema.js'
export { TradingAlertsError, isTradingAlertsError, type TradingAlertsErrorCode } from './errors.js'
export { silentLogger, systemClock, type Clock, type Logger } from './ports.js'
export type {
  CommonJobOptions,
  JobDeps,
  JobResult,
  ProgressEvent,
  TaskResult,
} from './jobs/types.js'
export {
  getSymbols,
  type GetSymbolsDeps,
  type GetSymbolsOptions,
  type GetSymbolsResult,
} from './jobs/get-symbols.js'
export {
  DEFAULT_EXCLUDED_CATEGORIES,
  mapTopCoinsToPairs,
  type ExclusionReason,
  type MapTopCoinsOptions,
  type MappedCoin,
} from './jobs/symbols-plan.js'
export {
  runHistorical,
  selectHistoricalSymbols,
  type HistoricalOptions,
} from './jobs/historical.js'
export {
  defaultHistoryStart,
  findMissingMinutes,
  parseHistoryStart,
  planArchivePeriods,
  type PlanArchiveOptions,
} from './jobs/historical-plan.js'
export {
  planIncrementalRequests,
  runIncremental,
  type IncrementalOptions,
  type IncrementalPlan,
} from './jobs/incremental.js'
