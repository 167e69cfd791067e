/**
 * Evaluation, the first part of the alerts: a rule and the bars it has not seen → the events it
 * fires and how far it got. Reads only (through the store); the outbox records the result.
 */
import type { Kysely } from 'kysely'
import type { AlertRuleRow, Database } from '../db/schema.js'
import { closedBarsEnd } from '../indicators/resample.js'
import { parseTimeframe, timeframeMs, type Timeframe } from '../indicators/timeframes.js'
import { readAlertCursor } from '../store/alerts.js'
import { newestBarOpen, readBars, readBarsUpTo } from '../store/candles.js'
import { listIndicatorStates, readIndicatorValues } from '../store/indicators.js'
import { lastUpdatedAt, snapshotDays, topCoinSnapshot } from '../store/symbols.js'
import { bindRule, evaluateBar, evaluateMarket, type Rule } from './language.js'
import { resolveRuleIndicators } from './rules.js'

/** One firing of a rule. */
export interface FiredEvent {
  readonly symbol: string
  readonly barTime: Date
  readonly values: Record<string, number>
}

/** What evaluating a rule found: its firings, and the last bar (or day) it evaluated. */
export interface Evaluation {
  readonly fired: readonly FiredEvent[]
  /** Undefined when there was nothing new to evaluate (the cursor stays). */
  readonly last: number | undefined
}

const NOTHING: Evaluation = { fired: [], last: undefined }
const FIELDS = ['open', 'high', 'low', 'close', 'volume'] as const

/** Bars of one symbol read for a rule: times, fields and indicator series by time. */
async function loadWindow(
  db: Kysely<Database>,
  symbol: string,
  timeframe: Timeframe,
  after: number,
  upTo: number,
  prefix: number,
  series: readonly string[],
): Promise<{
  times: number[]
  fields: Map<string, number[]>
  values: Map<string, Map<number, number>>
  first: number
}> {
  const parts = [
    ...(prefix === 0 ? [] : [await readBarsUpTo(db, symbol, timeframe, after, prefix)]),
    // open_time <= upTo: open times are whole minutes.
    await readBars(db, symbol, timeframe, after, upTo + 1),
  ]
  const times = parts.flatMap((p) => [...p.openTime])
  const fields = new Map<string, number[]>(FIELDS.map((f) => [f, parts.flatMap((p) => [...p[f]])]))
  const values = new Map<string, Map<number, number>>()
  if (times.length > 0) {
    for (const name of series) {
      values.set(
        name,
        await readIndicatorValues(db, symbol, timeframe, name, times[0] as number, upTo),
      )
    }
  }
  return { times, fields, values, first: prefix === 0 ? 0 : (parts[0]?.length ?? 0) }
}

/** Evaluates a bar rule for one symbol over the closed bars since its cursor. */
export async function evaluateBarRule(
  db: Kysely<Database>,
  rule: AlertRuleRow,
  parsed: Extract<Rule, { kind: 'bar' }>,
  symbol: string,
): Promise<Evaluation> {
  const timeframe = parseTimeframe(rule.timeframe)
  const size = timeframeMs(timeframe)
  const { maxOffset } = bindRule(parsed, size)
  const indicators = resolveRuleIndicators(parsed)
  const seriesOf = new Map(indicators.map((i) => [i.operand.key, i.seriesName]))
  const instances = [...new Set(indicators.map((i) => i.instance.key))]

  // Evaluate only bars every input is computed for.
  let upTo: number
  if (timeframe === '1m') {
    const updatedAt = await lastUpdatedAt(db, symbol)
    if (updatedAt === null) return NOTHING
    upTo = closedBarsEnd(updatedAt, '1m') - size
  } else {
    const newest = await newestBarOpen(db, symbol, timeframe)
    if (newest === undefined) return NOTHING
    upTo = newest
  }
  if (instances.length > 0) {
    const states = await listIndicatorStates(db, symbol, timeframe, instances)
    if (states.length < instances.length) return NOTHING
    for (const s of states) upTo = Math.min(upTo, s.last_open_time.getTime())
  }
  const cursor = await readAlertCursor(db, rule.id, symbol)
  // A bar is new to the rule when it closes after the rule's evaluate_from.
  const after = cursor ?? rule.evaluate_from.getTime() - size
  if (upTo <= after) return NOTHING

  const w = await loadWindow(db, symbol, timeframe, after, upTo, maxOffset, [
    ...new Set(seriesOf.values()),
  ])
  const fired: FiredEvent[] = []
  for (let i = w.first; i < w.times.length; i++) {
    const get = (key: string, offset: number): number | undefined => {
      const j = i - offset
      if (j < 0) return undefined
      const field = w.fields.get(key)
      if (field !== undefined) return field[j]
      const name = seriesOf.get(key)
      return name === undefined ? undefined : w.values.get(name)?.get(w.times[j] as number)
    }
    const r = evaluateBar(parsed, size, get)
    if (r?.fired === true) {
      fired.push({ symbol, barTime: new Date(w.times[i] as number), values: r.values })
    }
  }
  const last = w.times.length > w.first ? (w.times[w.times.length - 1] as number) : undefined
  return { fired, last }
}

/** Evaluates a market rule over the snapshot days since its cursor. */
export async function evaluateMarketRule(
  db: Kysely<Database>,
  rule: AlertRuleRow,
  parsed: Extract<Rule, { kind: 'market' }>,
  symbols: readonly string[],
): Promise<Evaluation> {
  const cursor = await readAlertCursor(db, rule.id, '*')
  const fromDay = new Date(rule.evaluate_from.toISOString().slice(0, 10) + 'T00:00:00Z').getTime()
  const after = cursor ?? fromDay - 1
  const days = (await snapshotDays(db)).map((day) => Date.parse(`${day}T00:00:00Z`))
  const fired: FiredEvent[] = []
  let last: number | undefined
  const ranks = async (day: number) => {
    const rows = await topCoinSnapshot(db, new Date(day).toISOString().slice(0, 10))
    return new Map(rows.map((r) => [r.coingecko_id, r]))
  }
  for (let d = 0; d < days.length; d++) {
    const day = days[d] as number
    if (day <= after) continue
    last = day
    if (d === 0) continue
    const previous = await ranks(days[d - 1] as number)
    const current = await ranks(day)
    for (const id of new Set([...previous.keys(), ...current.keys()])) {
      const p = previous.get(id)
      const c = current.get(id)
      const label = c?.pair ?? p?.pair ?? (c ?? p)?.coin_symbol.toUpperCase() ?? id
      if (!symbols.includes('*') && !symbols.includes(label)) continue
      const prev = p === undefined ? undefined : { rank: p.rank }
      const cur = { rank: c?.rank ?? null }
      if (evaluateMarket(parsed, prev, cur)) {
        const values: Record<string, number> = {}
        if (cur.rank !== null) values.rank = cur.rank
        if (prev?.rank != null) values.previousRank = prev.rank
        fired.push({ symbol: label, barTime: new Date(day), values })
      }
    }
  }
  return { fired, last }
}
