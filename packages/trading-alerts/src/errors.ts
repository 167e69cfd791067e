/** Machine-readable reason for a failure of the pipeline. Branch on `code`, not on `message`. */
export type TradingAlertsErrorCode =
  | 'MIGRATION_FAILED'
  | 'DATABASE_ERROR'
  | 'INVALID_OPTION'
  | 'ARCHIVE_INCOMPLETE'
  | 'INTERRUPTED'
  | 'STATE_MISMATCH'
  | 'UNKNOWN_INDICATOR'
  | 'INVALID_RULE'
  | 'RULE_SYNTAX'
  | 'WEBHOOK_CONFIG'
  | 'NOT_FOUND'
  | 'UNKNOWN_SYMBOL'

/** Base class for every error this package throws on purpose. */
export class TradingAlertsError extends Error {
  override name = 'TradingAlertsError'
  readonly code: TradingAlertsErrorCode

  constructor(code: TradingAlertsErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.code = code
  }
}

export function isTradingAlertsError(error: unknown): error is TradingAlertsError {
  return error instanceof TradingAlertsError
}
