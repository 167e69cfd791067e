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
