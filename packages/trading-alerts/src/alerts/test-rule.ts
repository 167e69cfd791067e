import type { Bar, Stream } from '@trading-alerts/technical-indicators'
import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import { TradingAlertsError } from '../errors.js'
import { closedBarsEnd } from '../indicators/resample.js'
import {
  BUCKET_ORIGIN_MS,
  parseTimeframe,
  timeframeMs,
  type Timeframe,
} from '../indicators/timeframes.js'
import { bindRule, evaluateBar } from './language.js'
import { parseAlertRule, resolveRuleIndicators } from './rules.js'

export interface RuleTestOptions {
  readonly rule: string
  readonly symbol: string
  readonly timeframe?: string
  /** Report the firings among the newest `bars` closed bars (all stored history is the warm-up). */
  readonly bars?: number
}

export interface RuleTestResult {
  readonly symbol: string
  readonly timeframe: Timeframe
  readonly barsEvaluated: number
  readonly fired: readonly { readonly barTime: Date; readonly values: Record<string, number> }[]
}

/**
 * Evaluates a bar rule over a symbol's stored history without writing anything: the bars are
 * resampled on the fly from the 1-minute candles and the indicators computed over all of them, so
 * the answer is what the rule would have fired had it existed. For trying a rule before adding it.
 */
export async function testAlertRule(
  db: Kysely<Database>,
  options: RuleTestOptions,
): Promise<RuleTestResult> {
  const rule = parseAlertRule(options.rule)
  if (rule.kind !== 'bar') {
    throw new TradingAlertsError(
      'INVALID_RULE',
      'market rules are evaluated on the daily snapshots; only price and indicator rules can be tested',
    )
  }
  const timeframe = parseTimeframe(options.timeframe ?? '1h')
  const size = timeframeMs(timeframe)
  const { maxOffset } = bindRule(rule, size)
  const symbol = options.symbol.toUpperCase()
  const s = await db
    .selectFrom('symbol')
    .select('last_updated_at')
    .where('symbol', '=', symbol)
    .executeTakeFirst()
  if (s?.last_updated_at == null) {
    throw new TradingAlertsError('NOT_FOUND', `no candles loaded for ${symbol}`)
  }
  const end = closedBarsEnd(s.last_updated_at, timeframe)
  const rows = (
    await sql<{ t: number; o: number; h: number; l: number; c: number; v: number }>`
      select (extract(epoch from b) * 1000)::float8 as t,
        ((array_agg(open order by open_time))[1])::float8 as o, max(high)::float8 as h,
        min(low)::float8 as l, ((array_agg(close order by open_time desc))[1])::float8 as c,
        sum(volume)::float8 as v
      from (
        select date_bin(${`${size / 1000} seconds`}::interval, open_time,
          ${new Date(BUCKET_ORIGIN_MS)}::timestamptz) as b, open_time, open, high, low, close, volume
        from tickerdata_1m where symbol = ${symbol} and open_time < ${new Date(end)}
      ) m
      group by b order by b
    `.execute(db)
  ).rows
  const n = rows.length
  const field = (k: 'o' | 'h' | 'l' | 'c' | 'v') => rows.map((r) => Number(r[k]))
  const fields = new Map<string, number[]>([
    ['open', field('o')],
    ['high', field('h')],
    ['low', field('l')],
    ['close', field('c')],
    ['volume', field('v')],
  ])
  const series = new Map<string, Float64Array>()
  for (const { operand, instance } of resolveRuleIndicators(rule)) {
    const { output } = operand
    const values = new Float64Array(n)
    const stream = instance.definition.create(instance.params)
    for (let i = 0; i < n; i++) {
      const r = rows[i] as { o: number; h: number; l: number; c: number; v: number }
      const out =
        instance.definition.input === 'close'
          ? (stream as Stream<number, unknown>).update(Number(r.c))
          : (stream as Stream<Bar, unknown>).update({
              open: Number(r.o),
              high: Number(r.h),
              low: Number(r.l),
              close: Number(r.c),
              volume: Number(r.v),
            })
      values[i] =
        output === undefined ? (out as number) : ((out as Record<string, number>)[output] ?? NaN)
    }
    series.set(operand.key, values)
  }
  const from = Math.max(0, n - (options.bars ?? n), maxOffset)
  const fired: { barTime: Date; values: Record<string, number> }[] = []
  for (let i = from; i < n; i++) {
    const r = evaluateBar(rule, size, (key, offset) => {
      const j = i - offset
      if (j < 0) return undefined
      return (fields.get(key) ?? series.get(key))?.[j]
    })
    if (r?.fired === true) fired.push({ barTime: new Date(Number(rows[i]?.t)), values: r.values })
  }
  return { symbol, timeframe, barsEvaluated: n - from, fired }
}
