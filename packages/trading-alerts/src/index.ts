export {
  createDatabase,
  type CandleBatch,
  type CreateDatabaseOptions,
  type TradingDatabase,
  type WriteTransaction,
} from './db/database.js'
export { isConnectionFailure, type WaitOptions } from './db/connection-guard.js'
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
  closeStaleRuns,
  failOpenRuns,
  PROGRESS_HEARTBEAT_MS,
  stopFailure,
} from './jobs/run-bookkeeping.js'
// The store layer: the one module of each table family (see src/store/README.md).
export {
  getRun,
  lastRunStart,
  listRuns,
  listTasks,
  type OpenRun,
  type TaskSpec,
} from './store/runs.js'
export {
  alertDeliveries,
  knownHoles,
  recentAlertEvents,
  recentRuns,
  runOverviews,
  runTasks,
  runTaskLog,
  type RunTaskLog,
  type RunOverview,
  type RunSummaryRow,
  type RunTaskCounts,
  type TaskSummaryRow,
} from './store/status.js'
export {
  findSymbol,
  lastUpdatedAt,
  listLoadedSymbols,
  listSymbols,
  readTopSnapshot,
  snapshotDays,
  topCoinSnapshot,
  type LoadedSymbolsFilter,
  type SymbolView,
  type TopCoinSnapshotRow,
  type TopCoinView,
} from './store/symbols.js'
export {
  listBars,
  listCandles,
  readBars,
  readCandleBars,
  readCandleCsvLines,
  readResampledBars,
  resampleCandles,
  type BarColumns,
  type CandleBarQuery,
  type CandleBarView,
} from './store/candles.js'
export { listExchangeGaps, listFailedArchiveFiles } from './store/gaps.js'
export { listIndicatorStates, readIndicatorValues } from './store/indicators.js'
export {
  alertDeliveryPage,
  alertEventPage,
  listAlertDeliveries,
  listAlertEvents,
  listAlertRuleRows,
  retryAlertDelivery,
  type AlertDeliveryView,
  type AlertEventView,
  type DueDelivery,
  type RetryOutcome,
} from './store/alerts.js'
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
export { NO_SYMBOLS_WARNING } from './jobs/run-warnings.js'
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
export {
  BUCKET_ORIGIN_MS,
  TIMEFRAMES,
  bucketStart,
  isTimeframe,
  parseTimeframe,
  timeframeMs,
  type Timeframe,
} from './indicators/timeframes.js'
export {
  INDICATORS,
  feedBar,
  resolveIndicator,
  resolveIndicatorText,
  seriesName,
  type IndicatorDefinition,
  type IndicatorInstance,
} from './indicators/registry.js'
export { closedBarsEnd } from './indicators/resample.js'
export { restoreStreamState } from './indicators/stream-state.js'
export {
  DEFAULT_INDICATORS,
  DEFAULT_TIMEFRAMES,
  computeSymbolIndicators,
  plannedIndicators,
  runIndicators,
  type IndicatorsDeps,
  type IndicatorsOptions,
} from './jobs/indicators.js'
export {
  bindRule,
  evaluateBar,
  evaluateMarket,
  formatRule,
  indicatorKey,
  indicatorOperands,
  parseDuration,
  parseIndicator,
  parseRule,
  RuleSyntaxError,
  seriesKeys,
  type BarCondition,
  type IndicatorOperand,
  type IndicatorRef,
  type MarketCondition,
  type Operand,
  type Rule,
  type SeriesReader,
} from './alerts/language.js'
export {
  checkRuleSymbols,
  getAlertRule,
  listAlertRules,
  parseAlertRule,
  removeAlertRule,
  resolveRuleIndicators,
  ruleIndicators,
  saveAlertRule,
  updateAlertRule,
  validateAlertRule,
  type AlertRuleInput,
  type RuleIndicator,
  type AlertRulePatch,
} from './alerts/rules.js'
export {
  alertText,
  buildWebhookBody,
  DEFAULT_WEBHOOK_MAX_ATTEMPTS,
  parseWebhookPreset,
  sendWebhook,
  signWebhook,
  verifyWebhookSignature,
  WEBHOOK_PRESETS,
  WebhookConfigError,
  webhookRetryDelayMs,
  type AlertMessage,
  type WebhookAttempt,
  type WebhookPreset,
} from './alerts/webhooks.js'
export {
  nextDeliveryState,
  type DeliveryOutcome,
  type DeliveryPolicy,
  type NextDeliveryState,
} from './alerts/delivery.js'
export {
  deliverDueAlerts,
  runAlerts,
  type AlertsDeps,
  type AlertsOptions,
  type AlertsResult,
} from './jobs/alerts.js'
export { testAlertRule, type RuleTestOptions, type RuleTestResult } from './alerts/test-rule.js'
export { sendTestAlert, type SendTestOptions, type SendTestResult } from './alerts/send-test.js'
export {
  API_TOKEN_PREFIX,
  createApiToken,
  ensureFirstToken,
  hashApiToken,
  listApiTokens,
  revokeApiToken,
  tokensEqual,
  verifyApiToken,
  type ApiTokenInfo,
  type CreatedApiToken,
  type VerifiedApiToken,
} from './store/tokens.js'
export { databaseReachable, lastRunPerJob, maxLagSeconds, type LastRun } from './store/health.js'
export {
  deliveriesByState,
  jobRunStats,
  lastFinishedRuns,
  symbolLastUpdates,
  symbolRowCounts,
  throttledAnswers,
  type JobRunStats,
  type SymbolRowCount,
} from './store/metrics.js'
export {
  currentSchema,
  EVENT_CHANNEL,
  EVENT_TYPES,
  lastEventId,
  pruneEvents,
  readEventsAfter,
  type PruneEventsOptions,
  type StreamEvent,
} from './store/events.js'
export { createEventFeed, type EventFeed, type EventFeedOptions } from './events/event-feed.js'
export {
  findRunTask,
  readTaskLog,
  TASK_LOG_HEAD,
  TASK_LOG_TAIL,
  type TaskLog,
  type TaskLogLine,
} from './store/task-logs.js'
export { withTaskLogs } from './jobs/run-bookkeeping.js'
export { symbolCoverage, type SymbolCoverage } from './store/coverage.js'
