import {
  archiveFileUrl,
  monthOf,
  parseArchivePeriod,
  type ArchiveLoad,
  type ArchivePeriod,
  type Kline,
} from '@trading-alerts/tickerdata'
import type { Kysely } from 'kysely'
import type { WriteTransaction } from '../db/database.js'
import type { Database } from '../db/schema.js'
import { newestCandleOpen, storedCandleRange, writeCandles } from '../store/candles.js'
import {
  isKnownGap,
  listArchiveFiles,
  listFailedArchiveFiles,
  recordArchiveFile,
  recordExchangeGaps,
  removeDailyFilesOf,
} from '../store/gaps.js'
import { updateTask } from '../store/runs.js'
import { advanceLastUpdated, historicalCandidates, lastUpdatedAt } from '../store/symbols.js'
import {
  defaultHistoryStart,
  findMissingMinutes,
  oneMonthBefore,
  planArchivePeriods,
} from './historical-plan.js'
import { describeError, runSymbolTasks, startJobRun, type TaskContext } from './run-bookkeeping.js'
import { noSymbolsWarnings, withRunWarnings } from './run-warnings.js'
import type { Logger } from '../ports.js'
import type { CommonJobOptions, JobDeps, JobResult } from './types.js'

const MINUTE = 60_000
const CLOSE_OFFSET = MINUTE - 1

export interface HistoricalOptions extends CommonJobOptions {
  /** Earliest month to load (`YYYY-MM`) or 'listing' for all a pair has; default 12 months back. */
  readonly historyStart?: string
  /** Only these symbols (still subject to the selection); default every tracked symbol. */
  readonly symbols?: readonly string[]
}

/**
 * The historical job's selection (the seed's SQL): tracked TRADING symbols with no candle whose
 * close time is within the last month, plus every symbol with a recorded failed archive period,
 * plus every symbol whose last historical task did not succeed (stopped or killed mid-load: it has
 * recent rows, yet its history is incomplete).
 */
export async function selectHistoricalSymbols(
  db: Kysely<Database>,
  now: number,
  only?: readonly string[],
): Promise<string[]> {
  // close_time >= cutoff  ⇔  open_time >= cutoff − 59.999 s: the primary key answers it.
  return historicalCandidates(db, new Date(oneMonthBefore(now) - CLOSE_OFFSET), only)
}

interface SymbolOutcome {
  rows: number
  loaded: number
  skipped: number
  failed: { period: string; error: string; code: string }[]
  gapsFilled: number
  gapsRecorded: number
  lastUpdatedAt: Date | null
}

/**
 * historical: for each selected symbol (in parallel up to `concurrency`), the monthly archive
 * files from HISTORY_START (or the pair's first month) to the last published month, daily files
 * for a late month and for the current month up to yesterday; each file checksummed and written
 * in ONE transaction with its `archive_file` row, its gaps and `last_updated_at`: the minutes the
 * file lacks are asked of REST first (once), and what REST has is written with the file, what it
 * lacks too recorded as an `exchange_gap`, so a file that is committed has its gaps (a kill
 * between the two cannot lose them). A failed file is recorded and the later periods still load;
 * `last_updated_at` stays before the hole; the next run retries it.
 */
export async function runHistorical(
  deps: JobDeps,
  options: HistoricalOptions = {},
): Promise<JobResult> {
  const { database, clock, logger } = deps
  const now = clock.now().getTime()
  const historyStart = options.historyStart ?? defaultHistoryStart(now)
  const params = { historyStart }
  const run = await startJobRun(database.db, 'historical', params, clock, options.host)
  const symbols = await selectHistoricalSymbols(database.db, now, options.symbols)
  logger.info('historical job started', { runId: run.id, symbols: symbols.length, historyStart })
  const warnings = await noSymbolsWarnings(deps, 'historical')
  const result = await runSymbolTasks(
    deps,
    run,
    options,
    symbols.map((symbol) => ({ symbol })),
    () => params,
    async ({ symbol }, task) => {
      const outcome = await loadSymbol(deps, symbol, historyStart, now, options, task)
      task.tally.rows = outcome.rows
      const first = outcome.failed[0]
      return {
        state: isAborted(options.signal)
          ? 'interrupted'
          : first === undefined
            ? 'succeeded'
            : 'failed',
        details: { ...outcome, lastUpdatedAt: outcome.lastUpdatedAt?.toISOString() ?? null },
        ...(first === undefined
          ? {}
          : {
              error: `${outcome.failed.length} archive file(s) failed; first ${first.period}: ${first.error}`,
              errorCode: first.code,
            }),
      }
    },
  )
  return withRunWarnings(database, result, warnings)
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true
}

type Loaded =
  | { ok: true; file: ArchiveLoad; unchanged: false; ms: number }
  | { ok: true; unchanged: true }
  | { ok: false; error: unknown }

async function loadSymbol(
  deps: JobDeps,
  symbol: string,
  historyStart: string,
  now: number,
  options: HistoricalOptions,
  task: TaskContext,
): Promise<SymbolOutcome> {
  const { database, binance, clock } = deps
  // The task's lines: in its log (task_log) and, labelled with the symbol, in the job's log.
  const logger = task.logger
  const signal = options.signal === undefined ? {} : { signal: options.signal }
  const skipped: string[] = []
  const unpublished: string[] = []
  const outcome: SymbolOutcome = {
    rows: 0,
    loaded: 0,
    skipped: 0,
    failed: [],
    gapsFilled: 0,
    gapsRecorded: 0,
    lastUpdatedAt: null,
  }

  // The pair's first month and the published monthly files, from the S3 listing.
  const months = await binance.listArchive(symbol, 'monthly', '1m', signal)
  let listedAt = months[0]?.start
  if (listedAt === undefined) {
    const days = await binance.listArchive(symbol, 'daily', '1m', signal)
    listedAt = days[0]?.start
  }
  if (listedAt === undefined) {
    logger.warn('nothing in the archive for this symbol yet')
    return outcome
  }
  const firstMonth =
    historyStart === 'listing' || historyStart < monthOf(listedAt)
      ? monthOf(listedAt)
      : historyStart
  const periods = planArchivePeriods({
    firstMonth,
    listedAt,
    now,
    publishedMonths: new Set(months.map((m) => m.period)),
  })
  const known = new Map(
    (await listArchiveFiles(database.db, symbol, '1m')).map((r) => [
      `${r.period_kind}:${r.period}`,
      r,
    ]),
  )
  const total = periods.length
  task.tally.total = total
  logger.info('historical load planned', { from: firstMonth, periods: total })
  const progress = async (done: number) => {
    task.tally.done = done
    task.tally.rows = outcome.rows
    task.report()
    await updateTask(database.db, task.taskId, { progress: { done, total }, rows: outcome.rows })
  }

  const load = async (period: ArchivePeriod): Promise<Loaded> => {
    const started = performance.now()
    try {
      const previous = known.get(`${period.kind}:${period.period}`)
      if (previous?.state === 'loaded' && previous.sha256 !== null) {
        const sha = await binance.getArchiveChecksum(symbol, period.period, '1m', signal)
        if (sha === previous.sha256 || sha === null) return { ok: true, unchanged: true }
        logger.warn('archive file was re-published with another checksum: replacing its rows', {
          period: period.period,
          was: previous.sha256,
          now: sha,
        })
      }
      const file = await binance.loadArchiveFile(symbol, period.period, '1m', signal)
      return { ok: true, unchanged: false, file, ms: performance.now() - started }
    } catch (error) {
      return { ok: false, error }
    }
  }

  let previousOpen: number | undefined
  let hole = false // a failed period precedes: last_updated_at must not pass it
  // One file ahead: the next download and parse overlap this file's write (two files in memory at most).
  let pending = periods[0] === undefined ? undefined : load(periods[0])
  for (let i = 0; i < periods.length; i++) {
    const period = periods[i] as ArchivePeriod
    const current = await (pending as Promise<Loaded>)
    if (options.signal?.aborted === true) break
    const next = periods[i + 1]
    pending = next === undefined ? undefined : load(next)
    const key = `${period.kind}:${period.period}`
    const attempts = (known.get(key)?.state === 'failed' ? (known.get(key)?.attempts ?? 0) : 0) + 1
    const url = archiveFileUrl(binance.dataUrl, symbol, '1m', period.period)

    if (current.ok && current.unchanged) {
      outcome.skipped++
      skipped.push(period.period)
      const { first, last } = await storedCandleRange(database.db, symbol, period.start, period.end)
      try {
        // A gap to the previous file is found when this one loads, unless the previous one was a
        // hole then and has loaded since (a retried failed period): then it is found here.
        if (first !== null) {
          const boundary = findMissingMinutes([first], previousOpen)
          const checked = await checkGaps(deps, symbol, boundary, options)
          if (checked.length > 0) {
            const rows = await database.writeTransaction((tx) =>
              recordGaps(tx, symbol, checked, clock.now()),
            )
            countGaps(outcome, checked, rows, logger)
          }
        }
      } catch (error) {
        if (isAborted(options.signal)) break
        const { message, code } = describeError(error)
        outcome.failed.push({ period: period.period, error: message, code })
        logger.error('checking the gap before an archive file failed: the next run retries it', {
          period: period.period,
          error: message,
          code,
        })
      }
      if (last !== null) previousOpen = last
      await progress(i + 1)
      continue
    }
    if (current.ok && !current.file.found) {
      // Not published (yet): normal. Whatever it would hold is left to later runs or to incremental.
      unpublished.push(period.period)
      await progress(i + 1)
      continue
    }
    try {
      if (!current.ok) throw current.error
      if (!current.file.found) continue
      const file = current.file
      const columns = file.columns
      const writeStarted = performance.now()
      // The file's missing minutes, asked of REST before its transaction, written within it.
      const checked = await checkGaps(
        deps,
        symbol,
        findMissingMinutes(columns.openTime, previousOpen),
        options,
      )
      const lastOpen = columns.length > 0 ? (columns.openTime[columns.length - 1] ?? 0) : undefined
      const { rows, gapRows } = await database.writeTransaction(async (tx) => {
        const written = await writeCandles(tx, {
          symbol,
          start: period.start,
          end: period.end,
          rows: columns,
        })
        const gapRows = await recordGaps(tx, symbol, checked, clock.now())
        await recordArchiveFile(tx.db, {
          symbol,
          interval: '1m',
          period,
          url,
          sha256: file.sha256,
          rows: written,
          state: 'loaded',
          error: null,
          attempts,
          at: clock.now(),
        })
        if (period.kind === 'monthly') {
          // The month's daily files (loaded while the monthly was late) are superseded.
          await removeDailyFilesOf(tx.db, symbol, period.period)
        }
        if (!hole && lastOpen !== undefined)
          await advanceLastUpdated(tx.db, symbol, lastOpen + CLOSE_OFFSET)
        return { rows: written, gapRows }
      })
      logger.info('archive file loaded', {
        period: period.period,
        rows,
        downloadMs: Math.round(current.ms),
        ms: Math.round(performance.now() - writeStarted),
      })
      countGaps(outcome, checked, gapRows, logger)
      if (lastOpen !== undefined) previousOpen = lastOpen
      outcome.rows += rows
      outcome.loaded++
    } catch (error) {
      if (isAborted(options.signal)) break
      const { message, code } = describeError(error)
      hole = true
      previousOpen = undefined
      outcome.failed.push({ period: period.period, error: message, code })
      logger.error('archive file failed: recorded as a hole, later periods still load', {
        period: period.period,
        error: message,
        code,
      })
      await database.writeTransaction((tx) =>
        recordArchiveFile(tx.db, {
          symbol,
          interval: '1m',
          period,
          url,
          sha256: null,
          rows: 0,
          state: 'failed',
          error: message,
          attempts,
          at: clock.now(),
        }),
      )
    }
    await progress(i + 1)
  }
  if (pending !== undefined) await pending // never leave a download running behind us

  // last_updated_at: the newest stored candle before the first recorded hole (or the newest of all).
  const failedPeriods = await listFailedArchiveFiles(database.db, { symbol })
  const holeStart = Math.min(...failedPeriods.map((h) => parseArchivePeriod(h.period).start))
  const newest = await newestCandleOpen(
    database.db,
    symbol,
    Number.isFinite(holeStart) ? holeStart : undefined,
  )
  if (newest !== undefined) await advanceLastUpdated(database.db, symbol, newest + CLOSE_OFFSET)
  outcome.lastUpdatedAt = await lastUpdatedAt(database.db, symbol)
  logger.info('historical load done', {
    loaded: outcome.loaded,
    rows: outcome.rows,
    // Files already loaded with the same checksum, and files not published yet: left as they are.
    skipped: outcome.skipped,
    ...(skipped.length === 0 ? {} : { skippedPeriods: spans(skipped) }),
    ...(unpublished.length === 0 ? {} : { unpublished: spans(unpublished) }),
    failed: outcome.failed.length,
    ...(outcome.failed.length === 0 ? {} : { failedPeriods: outcome.failed.map((f) => f.period) }),
    gapsFilled: outcome.gapsFilled,
    gapsRecorded: outcome.gapsRecorded,
    lastUpdatedAt: outcome.lastUpdatedAt?.toISOString() ?? null,
  })
  return outcome
}

/** Periods (in plan order) for a log line: more than three as "first…last" (counted beside). */
function spans(periods: readonly string[]): string[] {
  if (periods.length <= 3) return [...periods]
  return [`${periods[0] ?? ''}…${periods[periods.length - 1] ?? ''}`]
}

/** Missing minutes of an archive file as REST answered for them (not yet written). */
interface CheckedGap {
  readonly gap: { readonly start: number; readonly end: number }
  /** What REST has of them. */
  readonly candles: readonly Kline[]
  /** What REST lacks too: the exchange gaps. */
  readonly missing: readonly { start: number; end: number }[]
}

/**
 * Asks REST once for minutes the archive lacks, skipping those already recorded as an exchange
 * gap (never asked again). Writes nothing: `recordGaps` does, in the file's transaction.
 */
async function checkGaps(
  deps: JobDeps,
  symbol: string,
  gaps: readonly { start: number; end: number }[],
  options: HistoricalOptions,
): Promise<CheckedGap[]> {
  const { database, binance } = deps
  const checked: CheckedGap[] = []
  for (const gap of gaps) {
    if (await isKnownGap(database.db, symbol, gap.start)) continue
    const candles = await binance.getHistorical(
      symbol,
      gap.start,
      gap.end - MINUTE,
      '1m',
      options.signal === undefined ? {} : { signal: options.signal },
    )
    const missing = findMissingMinutes(
      [gap.start - MINUTE, ...candles.map((k) => k.openTime), gap.end],
      undefined,
    )
    checked.push({ gap, candles, missing })
  }
  return checked
}

/** Writes checked gaps (inside the transaction): REST's candles, the rest as exchange gaps. */
async function recordGaps(
  tx: WriteTransaction,
  symbol: string,
  checked: readonly CheckedGap[],
  at: Date,
): Promise<number> {
  let rows = 0
  for (const { gap, candles, missing } of checked) {
    if (candles.length > 0)
      rows += await writeCandles(tx, { symbol, start: gap.start, end: gap.end, rows: candles })
    await recordExchangeGaps(tx.db, symbol, missing, at)
  }
  return rows
}

/** Counts committed gaps in the outcome and logs the exchange gaps (in the task's log). */
function countGaps(
  outcome: SymbolOutcome,
  checked: readonly CheckedGap[],
  rows: number,
  logger: Logger,
): void {
  outcome.rows += rows
  for (const { candles, missing } of checked) {
    if (candles.length > 0) outcome.gapsFilled++
    outcome.gapsRecorded += missing.length
    if (missing.length > 0) {
      logger.info('exchange gap recorded', {
        gaps: missing.map((m) => [new Date(m.start).toISOString(), new Date(m.end).toISOString()]),
      })
    }
  }
}
