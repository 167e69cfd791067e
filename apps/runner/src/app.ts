import { hostname } from 'node:os'
import { BinanceAPI, CoingeckoAPI } from '@trading-alerts/tickerdata'
import {
  closeStaleRuns,
  createDatabase,
  failOpenRuns,
  getSymbols,
  isTradingAlertsError,
  runHistorical,
  runAlerts,
  runIncremental,
  runIndicators,
  systemClock,
  withTaskLogs,
  type Clock,
  type JobResult,
  type Logger,
  type ProgressEvent,
  type TradingDatabase,
} from '@trading-alerts/trading-alerts'
import * as store from '@trading-alerts/trading-alerts'
import type { Config } from './config.js'

/** Everything a command needs, wired from the configuration: the composition root. */
export interface App {
  readonly config: Config
  readonly database: TradingDatabase
  readonly binance: BinanceAPI
  readonly coingecko: CoingeckoAPI
  readonly clock: Clock
  readonly logger: Logger
  close(): Promise<void>
}

/** The runner's clock: the system clock, shifted by `clockOffsetMs` (tests only; see config.ts). */
export function runnerClock(clockOffsetMs: number): Clock {
  if (clockOffsetMs === 0) return systemClock
  return { now: () => new Date(Date.now() + clockOffsetMs) }
}

export async function createApp(
  config: Config,
  logger: Logger,
  clock: Clock = runnerClock(config.clockOffsetMs),
): Promise<App> {
  const database = await createDatabase({
    url: config.databaseUrl,
    schema: config.databaseSchema,
    dataDir: config.dataDir,
    applicationName: 'trading-alerts-runner',
    logger,
  })
  await database.migrate()
  // The clients decide with `now` which candles are closed and when a ban ends: the jobs' clock.
  // Their lines (retries, bans, warnings) also go to the log of the task they were made for.
  const http = {
    timeoutMs: config.httpTimeoutMs,
    maxBanWaitMs: config.maxBanWaitMs,
    logger: withTaskLogs(logger),
    now: () => clock.now().getTime(),
  }
  const binance = new BinanceAPI({
    apiUrl: config.binanceApiUrl,
    dataUrl: config.binanceDataUrl,
    listingUrl: config.binanceListingUrl,
    ...http,
  })
  const coingecko = new CoingeckoAPI({
    apiUrl: config.coingeckoApiUrl,
    ...(config.coingeckoApiKey === undefined ? {} : { apiKey: config.coingeckoApiKey }),
    ...http,
  })
  return { config, database, binance, coingecko, clock, logger, close: () => database.close() }
}

import type { RunnableJob } from './names.js'
export { RUNNABLE_JOBS, type RunnableJob } from './names.js'

export interface RunJobOptions {
  readonly signal?: AbortSignal
  readonly onProgress?: (event: ProgressEvent) => void
}

/** How long a job that lost its database connection waits for it, to record how its run ended. */
const RECONNECT_TIMEOUT_MS = 30_000

/**
 * Runs one job under its database lock (one instance at a time across processes sharing the
 * database). Returns null when another process holds the lock. Runs of this job left 'running'
 * by a killed process are marked interrupted first, ending at their last progress: holding the
 * lock proves nobody runs them. A lost database connection stops the job (its writes would fail,
 * and the lock may be gone with it): the run is failed, written on the way out once the database
 * answers again, and the job throws the DATABASE_ERROR when it could not finish its own writes.
 */
export async function runJob(
  app: App,
  job: RunnableJob,
  options: RunJobOptions = {},
): Promise<JobResult | null> {
  const release = await app.database.tryLock(job)
  if (release === null) {
    app.logger.warn('another runner is running this job: skipped', { job })
    return null
  }
  const host = `${hostname()}:${process.pid}`
  const lost = new AbortController()
  const unsubscribe = app.database.onConnectionLost((error) => {
    if (lost.signal.aborted) return
    app.logger.error('lost the database connection: stopping the job', { job, error })
    lost.abort(error)
  })
  const signal =
    options.signal === undefined ? lost.signal : AbortSignal.any([options.signal, lost.signal])
  try {
    const stale = await closeStaleRuns(app.database.db, job)
    if (stale.length > 0) {
      app.logger.warn('runs left behind by a stopped process marked interrupted', {
        job,
        runs: stale,
      })
    }
    const deps = {
      database: app.database,
      binance: app.binance,
      clock: app.clock,
      logger: app.logger,
    }
    const common = {
      concurrency: app.config.concurrency,
      host,
      signal,
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    }
    switch (job) {
      case 'symbols':
        return await getSymbols(
          { ...deps, coingecko: app.coingecko },
          {
            ...common,
            topN: app.config.topN,
            quoteAsset: app.config.quoteAsset,
            excludeList: app.config.excludeCoins,
          },
        )
      case 'historical':
        return await runHistorical(deps, {
          ...common,
          ...(app.config.historyStart === undefined
            ? {}
            : { historyStart: app.config.historyStart }),
        })
      case 'incremental':
        return await runIncremental(deps, common)
      case 'indicators':
        return await runIndicators(deps, {
          ...common,
          timeframes: app.config.indicatorTimeframes,
          indicators: app.config.indicators,
        })
      case 'alerts':
        return await runAlerts(deps, {
          ...common,
          maxAttempts: app.config.alertMaxAttempts,
          timeoutMs: app.config.webhookTimeoutMs,
        })
    }
  } catch (error) {
    if (isTradingAlertsError(error) && error.code === 'DATABASE_ERROR')
      await recordLostRun(app, job, host, error, options.signal)
    throw error
  } finally {
    unsubscribe()
    await release()
  }
}

/** Once the database answers again, the runs this process left open are recorded as failed. */
async function recordLostRun(
  app: App,
  job: RunnableJob,
  host: string,
  error: unknown,
  signal: AbortSignal | undefined,
): Promise<void> {
  try {
    await app.database.waitUntilReachable({
      timeoutMs: RECONNECT_TIMEOUT_MS,
      ...(signal === undefined ? {} : { signal }),
    })
    const runs = await failOpenRuns(app.database.db, { job, host }, error)
    if (runs.length > 0) app.logger.warn('run recorded as failed', { job, runs })
  } catch (cause) {
    app.logger.error('could not record the run: the next start marks it interrupted', {
      job,
      error: cause,
    })
  }
}

// ------------------------------------------------------------------------------------- status

// The status queries live in the library's store layer; these take the app for the CLI.

export type { RunSummaryRow } from '@trading-alerts/trading-alerts'

export const recentRuns = (app: App, limit: number) => store.recentRuns(app.database.db, limit)

export const runTasks = (app: App, runId: number) => store.runTasks(app.database.db, runId)

/** One task of a run with its log lines (or why there is none). */
export const runTaskLog = (app: App, runId: number, key: string) =>
  store.runTaskLog(app.database.db, runId, key)

export const knownHoles = (app: App) => store.knownHoles(app.database.db)

/** Delivery counts by state, and the dead letters (newest first). */
export const alertDeliveries = (app: App, limit: number) =>
  store.alertDeliveries(app.database.db, limit)

/** The newest alert events with the state of their delivery. */
export const recentAlertEvents = (app: App, limit: number) =>
  store.recentAlertEvents(app.database.db, limit)
