import { saveState, type Bar, type Stream } from '@trading-alerts/technical-indicators'
import type { Kysely } from 'kysely'
import type { TradingDatabase, WriteTransaction } from '../db/database.js'
import type { Database } from '../db/schema.js'
import { TradingAlertsError } from '../errors.js'
import { feedBar, resolveIndicatorText, type IndicatorInstance } from '../indicators/registry.js'
import { closedBarsEnd } from '../indicators/resample.js'
import { readBars, resampleCandles, resampleStart, type BarColumns } from '../store/candles.js'
import {
  copyIndicatorValues,
  deleteIndicatorValuesAfter,
  listIndicatorStates,
  saveIndicatorState,
} from '../store/indicators.js'
import { lastUpdatedAt, listLoadedSymbols } from '../store/symbols.js'
import { restoreStreamState } from '../indicators/stream-state.js'
import { parseTimeframe, type Timeframe } from '../indicators/timeframes.js'
import type { Clock, Logger } from '../ports.js'
import { ruleIndicators } from '../alerts/rules.js'
import { describeError, runSymbolTasks, startJobRun } from './run-bookkeeping.js'
import type { CommonJobOptions, JobResult } from './types.js'

/** What the indicators job needs, injected. */
export interface IndicatorsDeps {
  readonly database: TradingDatabase
  readonly clock: Clock
  readonly logger: Logger
}

export interface IndicatorsOptions extends CommonJobOptions {
  /** Timeframes to resample to and compute on; default `['1h']`. `1m` uses the stored candles. */
  readonly timeframes?: readonly string[]
  /** Indicators as in rules: `rsi(14)`, `macd(12,26,9)`, `bbands(20,2,2)`; default those three. */
  readonly indicators?: readonly string[]
  /** Also compute the indicators that enabled alert rules use (default true). */
  readonly includeRuleIndicators?: boolean
  /** Only these symbols; default every symbol with candles. */
  readonly symbols?: readonly string[]
  /** Bars read, computed and written per transaction; default 50,000. */
  readonly batchBars?: number
}

export const DEFAULT_INDICATORS = ['rsi(14)', 'macd(12,26,9)', 'bbands(20,2,2)'] as const
export const DEFAULT_TIMEFRAMES = ['1h'] as const

/** The indicator set per timeframe: configured ones, plus those enabled rules need. */
export async function plannedIndicators(
  db: Kysely<Database>,
  timeframes: readonly Timeframe[],
  indicators: readonly string[],
  includeRules: boolean,
): Promise<Map<Timeframe, IndicatorInstance[]>> {
  const plan = new Map<Timeframe, Map<string, IndicatorInstance>>()
  // Each configured text parsed once, before anything is planned.
  const configured = indicators.map((text) => resolveIndicatorText(text).instance)
  const add = (tf: Timeframe, instance: IndicatorInstance) => {
    let set = plan.get(tf)
    if (set === undefined) plan.set(tf, (set = new Map<string, IndicatorInstance>()))
    set.set(instance.key, instance)
  }
  for (const tf of timeframes) {
    plan.set(tf, new Map<string, IndicatorInstance>())
    for (const instance of configured) add(tf, instance)
  }
  if (includeRules) {
    for (const { timeframe, instance } of await ruleIndicators(db)) add(timeframe, instance)
  }
  return new Map([...plan].map(([tf, set]) => [tf, [...set.values()]]))
}

interface InstanceState {
  readonly instance: IndicatorInstance
  stream: Stream<number, unknown> | Stream<Bar, unknown>
  /** Open time of the last bar consumed; -1 before any. */
  last: number
  bars: number
  /** Values of bars after `last` that a previous version may have left are deleted first. */
  fresh: boolean
}

const encoder = new TextEncoder()

/** Feeds `bars` to every instance (only bars after its own last) and writes the outputs. */
async function computeBatch(
  tx: WriteTransaction,
  symbol: string,
  timeframe: Timeframe,
  states: readonly InstanceState[],
  bars: BarColumns,
  now: Date,
): Promise<number> {
  const n = bars.length
  const times: string[] = new Array<string>(n)
  for (let i = 0; i < n; i++) times[i] = new Date(bars.openTime[i] as number).toISOString()
  const prefix = `${symbol}\t${timeframe}\t`
  let rows = 0
  const chunks: Buffer[] = []
  let text = ''
  for (const st of states) {
    const { definition, seriesNames } = st.instance
    const first = bars.openTime.findIndex((t) => t > st.last)
    if (first < 0) continue
    await deleteIndicatorValuesAfter(tx.db, symbol, timeframe, seriesNames, Math.max(st.last, -1))
    const names = seriesNames.map((s) => `${prefix}${s}\t`)
    const outputs = definition.outputs
    for (let i = first; i < n; i++) {
      const out = feedBar(definition, st.stream, bars, i)
      const t = times[i] as string
      if (outputs.length === 0) {
        const v = out as number
        if (Number.isFinite(v)) {
          text += `${names[0] as string}${t}\t${v}\n`
          rows++
        }
      } else {
        const o = out as Record<string, number>
        for (let k = 0; k < outputs.length; k++) {
          const v = o[outputs[k] as string] as number
          if (Number.isFinite(v)) {
            text += `${names[k] as string}${t}\t${v}\n`
            rows++
          }
        }
      }
      if (text.length > 1 << 20) {
        chunks.push(Buffer.from(encoder.encode(text)))
        text = ''
      }
    }
    st.bars += n - first
    st.last = bars.openTime[n - 1] as number
    await saveIndicatorState(tx.db, {
      symbol,
      timeframe,
      indicator: st.instance.key,
      lastOpenTime: st.last,
      bars: st.bars,
      version: String(st.instance.definition.stateVersion),
      state: saveState(st.stream),
      updatedAt: now,
    })
  }
  if (text.length > 0) chunks.push(Buffer.from(encoder.encode(text)))
  await copyIndicatorValues(tx, chunks)
  return rows
}

/** Loads each instance's saved state; a missing or foreign one starts the instance over. */
async function loadStates(
  db: Kysely<Database>,
  symbol: string,
  timeframe: Timeframe,
  instances: readonly IndicatorInstance[],
  logger: Logger,
): Promise<InstanceState[]> {
  const saved = await listIndicatorStates(db, symbol, timeframe)
  const byKey = new Map(saved.map((s) => [s.indicator, s]))
  return instances.map((instance) => {
    const row = byKey.get(instance.key)
    const version = String(instance.definition.stateVersion)
    if (row !== undefined && row.version === version) {
      try {
        const stream = restoreStreamState(instance, row.state)
        return {
          instance,
          stream,
          last: row.last_open_time.getTime(),
          bars: row.bars,
          fresh: false,
        }
      } catch (error) {
        logger.warn('indicator state unusable, recomputing from the first bar', {
          symbol,
          timeframe,
          indicator: instance.key,
          error: describeError(error).message,
        })
      }
    } else if (row !== undefined) {
      logger.info('indicator state of another state version, recomputing', {
        symbol,
        timeframe,
        indicator: instance.key,
        saved: row.version,
        current: version,
      })
    }
    return {
      instance,
      stream: instance.definition.create(instance.params),
      last: -1,
      bars: 0,
      fresh: true,
    }
  })
}

/**
 * One symbol: resample each timeframe up to its closed bars, then continue every indicator from
 * its saved state over the new bars, in transactions of `batchBars` bars that write the values and
 * the new state together (kill-safe: a re-run continues from the last committed batch).
 */
export async function computeSymbolIndicators(
  deps: IndicatorsDeps,
  symbol: string,
  plan: ReadonlyMap<Timeframe, readonly IndicatorInstance[]>,
  batchBars: number,
  signal: AbortSignal | undefined,
): Promise<{ bars: number; values: number }> {
  const { database, clock, logger } = deps
  const db = database.db
  const updatedAt = await lastUpdatedAt(db, symbol)
  if (updatedAt === null) return { bars: 0, values: 0 }
  let bars = 0
  let values = 0
  for (const [timeframe, instances] of plan) {
    const end = closedBarsEnd(updatedAt, timeframe)
    let resampled = 0
    if (timeframe !== '1m') {
      const start = await resampleStart(db, symbol, timeframe)
      if (start !== undefined && start < end) {
        resampled = await resampleCandles(db, symbol, timeframe, start, end)
        bars += resampled
      }
    }
    if (instances.length === 0) continue
    const states = await loadStates(db, symbol, timeframe, instances, logger)
    let after = Math.min(...states.map((s) => s.last))
    let fed = 0
    let written = 0
    for (;;) {
      if (signal?.aborted === true) {
        throw new TradingAlertsError('INTERRUPTED', 'stopped before the indicators were current')
      }
      const batch = await readBars(db, symbol, timeframe, after, end, batchBars)
      if (batch.length === 0) break
      written += await database.writeTransaction((tx) =>
        computeBatch(tx, symbol, timeframe, states, batch, clock.now()),
      )
      fed += batch.length
      after = batch.openTime[batch.length - 1] as number
      if (batch.length < batchBars) break
    }
    values += written
    logger.info(fed === 0 ? 'indicators already current' : 'indicator series computed', {
      timeframe,
      indicators: instances.map((i) => i.key),
      resampledBars: resampled,
      bars: fed,
      values: written,
      ...(after < 0 ? {} : { through: new Date(after).toISOString() }),
    })
  }
  return { bars, values }
}

/**
 * indicators: for every symbol with candles and every configured timeframe, resample the new
 * closed bars and compute the configured indicators (and those alert rules use) over them,
 * continuing from the stored streaming state: a re-run changes nothing, and the values equal a
 * full recomputation over all stored bars.
 */
export async function runIndicators(
  deps: IndicatorsDeps,
  options: IndicatorsOptions = {},
): Promise<JobResult> {
  const { database, clock } = deps
  const timeframes = (options.timeframes ?? DEFAULT_TIMEFRAMES).map(parseTimeframe)
  const plan = await plannedIndicators(
    database.db,
    timeframes,
    options.indicators ?? DEFAULT_INDICATORS,
    options.includeRuleIndicators ?? true,
  )
  const symbols = (await listLoadedSymbols(database.db, { only: options.symbols })).map(
    (r) => r.symbol,
  )
  const params = {
    timeframes: [...plan.keys()],
    indicators: Object.fromEntries([...plan].map(([tf, list]) => [tf, list.map((i) => i.key)])),
  }
  const run = await startJobRun(database.db, 'indicators', params, clock, options.host)
  return runSymbolTasks(
    deps,
    run,
    options,
    symbols.map((symbol) => ({ symbol })),
    () => params,
    async ({ symbol }, task) => {
      task.tally.total = 1
      task.report()
      const r = await computeSymbolIndicators(
        { ...deps, logger: task.logger },
        symbol,
        plan,
        options.batchBars ?? 50_000,
        options.signal,
      )
      task.tally.rows = r.values
      task.tally.done = 1
      return {
        state: 'succeeded',
        progress: { bars: r.bars, values: r.values },
        details: { bars: r.bars },
      }
    },
  )
}
