import type { BinanceAPI } from '@trading-alerts/tickerdata'
import type { TradingDatabase } from '../db/database.js'
import type { JobName, RunState, TaskKind, TaskState } from '../db/schema.js'
import type { Clock, Logger } from '../ports.js'

/** What every job needs, injected. */
export interface JobDeps {
  readonly database: TradingDatabase
  readonly binance: BinanceAPI
  readonly clock: Clock
  readonly logger: Logger
}

/** A progress event, for live displays. */
export interface ProgressEvent {
  readonly job: JobName
  readonly runId: number
  /** The task's kind and key (the symbol, the job's name or the rule's name). */
  readonly kind: TaskKind
  readonly key: string
  /** The symbol of a symbol task. */
  readonly symbol?: string
  readonly state: TaskState
  /** Units done and planned (files for historical, requests for incremental). */
  readonly done: number
  readonly total: number
  readonly rows: number
  readonly error?: string
}

export interface CommonJobOptions {
  /** Symbols processed at once; default 4. */
  readonly concurrency?: number
  /**
   * Stops the job: the current file or batch finishes, the rest is recorded as interrupted. Aborted
   * with one of the packages' errors as its reason (the runner's DATABASE_ERROR on a lost
   * connection), the run is recorded as failed with it instead.
   */
  readonly signal?: AbortSignal
  readonly onProgress?: (event: ProgressEvent) => void
  /** Recorded in job_run.host (e.g. `hostname:pid`). */
  readonly host?: string
}

export interface TaskResult {
  /** The task's kind and key (the symbol, the job's name or the rule's name). */
  readonly kind: TaskKind
  readonly key: string
  /** The symbol of a symbol task. */
  readonly symbol?: string
  readonly state: TaskState
  readonly rows: number
  readonly attempts: number
  readonly error?: string
  readonly errorCode?: string
  readonly details?: Record<string, unknown>
}

export interface JobResult {
  readonly runId: number
  readonly job: JobName
  readonly state: RunState
  readonly tasks: readonly TaskResult[]
  readonly rowsWritten: number
  readonly startedAt: Date
  readonly finishedAt: Date
  /** What went wrong without failing the run (also in `job_run.summary.warnings`). */
  readonly warnings?: readonly string[]
}
