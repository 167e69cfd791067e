import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import { TradingAlertsError } from '../errors.js'
import { feedBar } from '../indicators/registry.js'
import { closedBarsEnd } from '../indicators/resample.js'
import { parseTimeframe, timeframeMs, type Timeframe } from '../indicators/timeframes.js'
import { readResampledBars } from '../store/candles.js'
import { lastUpdatedAt } from '../store/symbols.js'
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
  const updatedAt = await lastUpdatedAt(db, symbol)
  if (updatedAt === null) {
    throw new TradingAlertsError('NOT_FOUND', `no candles loaded for ${symbol}`)
  }
  const bars = await readResampledBars(db, symbol, timeframe, closedBarsEnd(updatedAt, timeframe))
  const n = bars.length
  const fields = new Map<string, Float64Array>([
    ['open', bars.open],
    ['high', bars.high],
    ['low', bars.low],
    ['close', bars.close],
    ['volume', bars.volume],
  ])
  const series = new Map<string, Float64Array>()
  for (const { operand, instance } of resolveRuleIndicators(rule)) {
    const { output } = operand
    const values = new Float64Array(n)
    const stream = instance.definition.create(instance.params)
    for (let i = 0; i < n; i++) {
      const out = feedBar(instance.definition, stream, bars, i)
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
    if (r?.fired === true)
      fired.push({ barTime: new Date(bars.openTime[i] as number), values: r.values })
  }
  return { symbol, timeframe, barsEvaluated: n - from, fired }
}
