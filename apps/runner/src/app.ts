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
  type Clock,
  type JobName,
  type JobResult,
  type Logger,
  type ProgressEvent,
  type TradingDatabase,
} from '@trading-alerts/trading-alerts'
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
  const http = {
    timeoutMs: config.httpTimeoutMs,
    maxBanWaitMs: config.maxBanWaitMs,
    logger,
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

export type RunnableJob = Extract<
  JobName,
  'symbols' | 'historical' | 'incremental' | 'indicators' | 'alerts'
>

export const RUNNABLE_JOBS: readonly RunnableJob[] = [
  'symbols',
  'historical',
  'incremental',
  'indicators',
  'alerts',
]

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

export interface RunSummaryRow {
  readonly id: number
  readonly job: string
  readonly state: string
  readonly startedAt: string
  readonly durationS: number | null
  readonly ok: number
  readonly failed: number
  readonly rows: number
}

export async function recentRuns(app: App, limit: number): Promise<RunSummaryRow[]> {
  const runs = await app.database.db
    .selectFrom('job_run as r')
    .leftJoin('task_run as t', 't.job_run_id', 'r.id')
    .select((eb) => [
      'r.id',
      'r.job',
      'r.state',
      'r.started_at',
      'r.finished_at',
      eb.fn.count<number>('t.id').filterWhere('t.state', '=', 'succeeded').as('ok'),
      eb.fn.count<number>('t.id').filterWhere('t.state', '=', 'failed').as('failed'),
      eb.fn.coalesce(eb.fn.sum<number>('t.rows_written'), eb.lit(0)).as('rows'),
    ])
    .groupBy(['r.id', 'r.job', 'r.state', 'r.started_at', 'r.finished_at'])
    .orderBy('r.id', 'desc')
    .limit(limit)
    .execute()
  return runs.map((r) => ({
    id: Number(r.id),
    job: r.job,
    state: r.state,
    startedAt: r.started_at.toISOString(),
    durationS:
      r.finished_at === null ? null : (r.finished_at.getTime() - r.started_at.getTime()) / 1000,
    ok: Number(r.ok),
    failed: Number(r.failed),
    rows: Number(r.rows),
  }))
}

export async function runTasks(app: App, runId: number) {
  const rows = await app.database.db
    .selectFrom('task_run')
    .selectAll()
    .where('job_run_id', '=', runId)
    .orderBy('symbol')
    .execute()
  return rows.map((t) => ({
    symbol: t.symbol,
    state: t.state,
    attempts: t.attempts,
    rows: Number(t.rows_written),
    durationS:
      t.started_at === null || t.finished_at === null
        ? null
        : (t.finished_at.getTime() - t.started_at.getTime()) / 1000,
    error: t.error,
    errorCode: t.error_code,
  }))
}

export async function knownHoles(app: App) {
  const gaps = await app.database.db
    .selectFrom('exchange_gap')
    .selectAll()
    .orderBy('symbol')
    .orderBy('start_time')
    .execute()
  const failed = await app.database.db
    .selectFrom('archive_file')
    .selectAll()
    .where('state', '=', 'failed')
    .orderBy('symbol')
    .orderBy('period')
    .execute()
  return {
    exchangeGaps: gaps.map((g) => ({
      symbol: g.symbol,
      start: g.start_time.toISOString(),
      end: g.end_time.toISOString(),
      minutes: Math.round((g.end_time.getTime() - g.start_time.getTime()) / 60_000),
    })),
    failedFiles: failed.map((f) => ({
      symbol: f.symbol,
      period: f.period,
      attempts: f.attempts,
      error: f.error,
    })),
  }
}

/** Delivery counts by state, and the dead letters (newest first). */
export async function alertDeliveries(app: App, limit: number) {
  const db = app.database.db
  const counts = await db
    .selectFrom('alert_delivery')
    .select((eb) => ['state', eb.fn.countAll<number>().as('n')])
    .groupBy('state')
    .execute()
  const dead = await db
    .selectFrom('alert_delivery as d')
    .innerJoin('alert_event as e', 'e.id', 'd.event_id')
    .innerJoin('alert_rule as r', 'r.id', 'e.rule_id')
    .select([
      'd.id',
      'r.name',
      'e.symbol',
      'e.bar_time',
      'd.attempts',
      'd.last_status',
      'd.last_error',
    ])
    .where('d.state', '=', 'dead')
    .orderBy('d.id', 'desc')
    .limit(limit)
    .execute()
  const by = Object.fromEntries(counts.map((c) => [c.state, Number(c.n)]))
  return {
    pending: by.pending ?? 0,
    delivered: by.delivered ?? 0,
    dead: by.dead ?? 0,
    deadLetters: dead.map((d) => ({
      delivery: Number(d.id),
      rule: d.name,
      symbol: d.symbol,
      bar: d.bar_time.toISOString(),
      attempts: d.attempts,
      status: d.last_status,
      error: d.last_error,
    })),
  }
}

/** The newest alert events with the state of their delivery. */
export async function recentAlertEvents(app: App, limit: number) {
  const rows = await app.database.db
    .selectFrom('alert_event as e')
    .innerJoin('alert_rule as r', 'r.id', 'e.rule_id')
    .leftJoin('alert_delivery as d', 'd.event_id', 'e.id')
    .select(['e.id', 'r.name', 'e.symbol', 'e.timeframe', 'e.bar_time', 'e.text', 'd.state'])
    .orderBy('e.id', 'desc')
    .limit(limit)
    .execute()
  return rows.map((r) => ({
    id: Number(r.id),
    rule: r.name,
    symbol: r.symbol,
    timeframe: r.timeframe,
    bar: r.bar_time.toISOString(),
    delivery: r.state ?? 'log only',
    text: r.text,
  }))
}
