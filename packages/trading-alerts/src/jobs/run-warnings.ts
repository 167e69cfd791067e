import type { TradingDatabase } from '../db/database.js'
import type { Logger } from '../ports.js'
import { addRunWarnings } from '../store/runs.js'
import { anySymbolTracked } from '../store/symbols.js'
import type { JobResult } from './types.js'

/** What the historical and incremental jobs say when the symbol table tracks nothing. */
export const NO_SYMBOLS_WARNING = 'no symbols tracked: run getSymbols first'

/**
 * The warning of a job that finds nothing to do because no symbol is tracked (in the top N and
 * TRADING): logged, and to be kept in the run with `withRunWarnings`. Empty when some are.
 */
export async function noSymbolsWarnings(
  deps: { readonly database: TradingDatabase; readonly logger: Logger },
  job: string,
): Promise<string[]> {
  if (await anySymbolTracked(deps.database.db)) return []
  deps.logger.warn(NO_SYMBOLS_WARNING, { job })
  return [NO_SYMBOLS_WARNING]
}

/** Adds warnings to a finished run: to its `job_run.summary` and to the result. */
export async function withRunWarnings<R extends JobResult>(
  database: TradingDatabase,
  result: R,
  warnings: readonly string[],
): Promise<R> {
  if (warnings.length === 0) return result
  await addRunWarnings(database.db, result.runId, warnings)
  return { ...result, warnings }
}
