import {
  CATALOGUE,
  createStream,
  type Bar,
  type Family,
  type IndicatorName,
  type IndicatorSpec,
  type Stream,
} from '@trading-alerts/technical-indicators'
import { indicatorKey, parseIndicator, type IndicatorRef } from '../alerts/language.js'
import { TradingAlertsError } from '../errors.js'

/** An indicator the pipeline can compute on stored bars: a stream of technical-indicators. */
export interface IndicatorDefinition {
  /** TA-Lib's name in lower case, as in rules and configuration (`rsi`, `linearreg_slope`). */
  readonly name: string
  /** Its name in technical-indicators' catalogue (`rsi`, `linearregSlope`). */
  readonly indicator: IndicatorName
  /** TA-Lib's name as it spells it (`LINEARREG_SLOPE`), or the catalogue's name in capitals. */
  readonly title: string
  /** TA-Lib's function group (`overlap`, `momentum`…), or `beyond TA-Lib`. */
  readonly family: Family
  /**
   * Whether its values are prices (drawn over the candles, as TA-Lib's overlap studies): the
   * overlap studies and price transforms, and the others whose every output is on the price's
   * scale (MAX, MIN, LINEARREG, TSF, Keltner and Donchian channels, HMA…).
   */
  readonly overlay: boolean
  /** Its numeric parameters in the order of the function, with defaults and ranges (choices keep theirs). */
  readonly params: readonly {
    readonly name: string
    readonly default: number
    readonly min: number
    readonly max: number
  }[]
  /** `close`: fed the close; `bar`: fed the whole bar (high, low, volume…). */
  readonly input: 'close' | 'bar'
  /** Named outputs of a multi-output indicator; empty for a single value. */
  readonly outputs: readonly string[]
  /** The version of the stream's saved state (technical-indicators' catalogue). */
  readonly stateVersion: number
  create(params: readonly number[]): Stream<number, unknown> | Stream<Bar, unknown>
}

/** Outside the overlap and price-transform families, the indicators whose outputs are prices. */
const PRICE_SCALED: ReadonlySet<string> = new Set([
  'max',
  'min',
  'linearreg',
  'linearregIntercept',
  'tsf',
  'hma',
  'keltner',
  'donchian',
])

/**
 * The rule language's indicators, from technical-indicators' catalogue: every one whose stream
 * takes a close or a bar, and whose parameters come one by one (MACDEXT, SAREXT and Ichimoku take
 * an options object; BETA, CORREL, MAVP and VWAP other inputs). A rule gives the numeric
 * parameters in order; choices (an MA type) keep their default. Named as TA-Lib names them, in
 * lower case; the indicators TA-Lib lacks by their own name.
 */
function build(): ReadonlyMap<string, IndicatorDefinition> {
  const map = new Map<string, IndicatorDefinition>()
  for (const [indicator, spec] of Object.entries(CATALOGUE) as [IndicatorName, IndicatorSpec][]) {
    if (spec.options === true || (spec.streamInput !== 'value' && spec.streamInput !== 'bar')) {
      continue
    }
    const params = Object.entries(spec.params).flatMap(([name, p]) =>
      p.type === 'choice' ? [] : [{ name, default: p.default, min: p.min, max: p.max }],
    )
    const name = (spec.talib ?? indicator).toLowerCase()
    map.set(name, {
      name,
      indicator,
      title: spec.talib ?? indicator.toUpperCase(),
      family: spec.family,
      overlay:
        spec.family === 'overlap' ||
        spec.family === 'price transform' ||
        PRICE_SCALED.has(indicator),
      input: spec.streamInput === 'value' ? 'close' : 'bar',
      outputs: spec.outputs.length === 1 ? [] : spec.outputs,
      params,
      stateVersion: spec.stateVersion,
      create: (values) =>
        createStream(
          indicator,
          Object.fromEntries(params.map((p, i) => [p.name, values[i] ?? p.default])),
        ) as Stream<number, unknown> | Stream<Bar, unknown>,
    })
  }
  return map
}

/** The indicators available to the indicators job and to alert rules. */
export const INDICATORS: ReadonlyMap<string, IndicatorDefinition> = build()

/** A configured indicator with every parameter resolved. */
export interface IndicatorInstance {
  readonly definition: IndicatorDefinition
  readonly params: readonly number[]
  /** Canonical key without output, e.g. `macd(12,26,9)`. */
  readonly key: string
  /** The stored series names: `rsi(14)`, or `macd(12,26,9).macd` and the others. */
  readonly seriesNames: readonly string[]
}

/**
 * Resolves an indicator as parsed from a rule or from `parseIndicator`: `{ name: 'rsi', params:
 * [14] }`, `{ name: 'rsi', params: [] }` (defaults), `{ name: 'bbands', params: [20, 2] }`
 * (trailing defaults). Returns the instance and the output named after the dot.
 *
 * @throws TradingAlertsError('UNKNOWN_INDICATOR') with what is available or expected.
 */
export function resolveIndicator(ref: IndicatorRef): {
  instance: IndicatorInstance
  output: string | undefined
} {
  const name = ref.name.toLowerCase()
  const definition = INDICATORS.get(name)
  if (definition === undefined) {
    throw new TradingAlertsError(
      'UNKNOWN_INDICATOR',
      `unknown indicator "${name}"; available: ${[...INDICATORS.keys()].sort().join(', ')}`,
    )
  }
  const given = ref.params
  if (given.length > definition.params.length || given.some((p) => !Number.isFinite(p))) {
    throw new TradingAlertsError(
      'UNKNOWN_INDICATOR',
      `${name} takes ${definition.params.length === 0 ? 'no parameters' : `(${definition.params.map((p) => `${p.name} = ${p.default}`).join(', ')})`}, got "${indicatorKey({ ...ref, name })}"`,
    )
  }
  const params = definition.params.map((p, i) => given[i] ?? p.default)
  try {
    definition.create(params)
  } catch (cause) {
    throw new TradingAlertsError(
      'UNKNOWN_INDICATOR',
      `${name}(${params.join(',')}): ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    )
  }
  const key = indicatorKey({ name, params })
  const output = ref.output?.toLowerCase()
  if (definition.outputs.length === 0 && output !== undefined) {
    throw new TradingAlertsError('UNKNOWN_INDICATOR', `${name} has one output; drop ".${output}"`)
  }
  if (output !== undefined && !definition.outputs.includes(output)) {
    throw new TradingAlertsError(
      'UNKNOWN_INDICATOR',
      `${name} has outputs ${definition.outputs.join(', ')}; got ".${output}"`,
    )
  }
  const seriesNames =
    definition.outputs.length === 0 ? [key] : definition.outputs.map((o) => `${key}.${o}`)
  return { instance: { definition, params, key, seriesNames }, output }
}

/** The stored series name of an indicator (`rsi(14)`, `macd(12,26,9).histogram`). */
export function seriesName(ref: IndicatorRef): string {
  const { instance, output } = resolveIndicator(ref)
  if (instance.definition.outputs.length > 0 && output === undefined) {
    throw new TradingAlertsError(
      'UNKNOWN_INDICATOR',
      `${instance.definition.name} has outputs ${instance.definition.outputs.join(', ')}; pick one, e.g. ${instance.key}.${instance.definition.outputs[0] ?? ''}`,
    )
  }
  return output === undefined ? instance.key : `${instance.key}.${output}`
}

/**
 * An indicator given as text (`INDICATORS`, the indicators job's options, an HTTP query's
 * `name=`): parsed once with the rule language's grammar (`parseIndicator`), then resolved.
 * `rsi(14)`, `macd(12,26,9)` (every output), `macd(12,26,9).signal`, `rsi` (defaults).
 *
 * @throws RuleSyntaxError for malformed text, pointing at the offending character;
 *   TradingAlertsError('UNKNOWN_INDICATOR') as `resolveIndicator`.
 */
export function resolveIndicatorText(text: string): {
  instance: IndicatorInstance
  output: string | undefined
} {
  return resolveIndicator(parseIndicator(text))
}

/** Bars as columns (the store's `BarColumns`), as `feedBar` reads them. */
interface BarInputs {
  readonly open: Float64Array
  readonly high: Float64Array
  readonly low: Float64Array
  readonly close: Float64Array
  readonly volume: Float64Array
}

/** Feeds bar `i` of `bars` to a stream `definition` made: its close, or the whole bar. */
export function feedBar(
  definition: IndicatorDefinition,
  stream: ReturnType<IndicatorDefinition['create']>,
  bars: BarInputs,
  i: number,
): unknown {
  return definition.input === 'close'
    ? (stream as Stream<number, unknown>).update(bars.close[i] as number)
    : (stream as Stream<Bar, unknown>).update({
        open: bars.open[i] as number,
        high: bars.high[i] as number,
        low: bars.low[i] as number,
        close: bars.close[i] as number,
        volume: bars.volume[i] as number,
      })
}
