import {
  isTradingAlertsError,
  RuleSyntaxError,
  WebhookConfigError,
} from '@trading-alerts/trading-alerts'
import { ApiError, badParameter } from '../errors.js'

/**
 * The ApiError for an error the library throws on purpose (bad input, unknown rule or symbol),
 * or undefined for anything else (a 500). `field` names the parameter the input came from.
 */
export function libraryError(error: unknown, field = 'body'): ApiError | undefined {
  if (error instanceof RuleSyntaxError) {
    return new ApiError('bad-request', `rule: ${error.reason} at ${error.position + 1}`, {
      errors: [{ name: 'rule', message: error.reason, position: error.position }],
      cause: error,
    })
  }
  if (error instanceof WebhookConfigError) return badParameter('webhook', error.message)
  if (!isTradingAlertsError(error)) return undefined
  switch (error.code) {
    case 'INVALID_RULE':
    case 'INVALID_OPTION':
    case 'UNKNOWN_INDICATOR':
    case 'RULE_SYNTAX':
    case 'WEBHOOK_CONFIG':
      return badParameter(field, error.message)
    case 'UNKNOWN_SYMBOL':
      return badParameter('symbols', error.message)
    case 'NOT_FOUND':
      return new ApiError('not-found', error.message, { cause: error })
    case 'DATABASE_ERROR':
      return new ApiError('unavailable', 'the database is unreachable', { cause: error })
    case 'MIGRATION_FAILED':
    case 'ARCHIVE_INCOMPLETE':
    case 'INTERRUPTED':
    case 'STATE_MISMATCH':
      return undefined
  }
}
