import { createRequire } from 'node:module'
import * as ti from '@trading-alerts/technical-indicators'
import type { Bar, Stream } from '@trading-alerts/technical-indicators'
import { TradingAlertsError } from '../errors.js'

/** An indicator the pipeline can compute on stored bars: a streaming class of technical-indicators. */
export interface IndicatorDefinition {
  /** TA-Lib's name in lower case, as in rules and configuration (`rsi`, `macd`). */
  readonly name: string
  /** Parameters in the order of the function, with defaults. */
  readonly params: readonly { readonly name: string; readonly default: number }[]
  /** `close`: fed the close; `bar`: fed the whole bar (high, low, volume…). */
  readonly input: 'close' | 'bar'
  /** Named outputs of a multi-output indicator; empty for a single value. */
  readonly outputs: readonly string[]
  create(params: readonly number[]): Stream<number, unknown> | Stream<Bar, unknown>
}

type Spec = readonly [
  name: string,
  streamClass: string,
  input: 'close' | 'bar',
  params: readonly (readonly [string, number])[],
  outputs?: readonly string[],
]

// Every indicator whose stream the technical-indicators package exports. The class is looked up
// by name, so the list is the single place to add one.
const SPECS: readonly Spec[] = [
  ['sma', 'SmaStream', 'close', [['period', 30]]],
  ['ema', 'EmaStream', 'close', [['period', 30]]],
  ['wma', 'WmaStream', 'close', [['period', 30]]],
  ['dema', 'DemaStream', 'close', [['period', 30]]],
  ['tema', 'TemaStream', 'close', [['period', 30]]],
  ['trima', 'TrimaStream', 'close', [['period', 30]]],
  ['kama', 'KamaStream', 'close', [['period', 30]]],
  [
    't3',
    'T3Stream',
    'close',
    [
      ['period', 5],
      ['vFactor', 0.7],
    ],
  ],
  ['hma', 'HmaStream', 'close', [['period', 9]]],
  ['rsi', 'RsiStream', 'close', [['period', 14]]],
  ['roc', 'RocStream', 'close', [['period', 10]]],
  ['rocp', 'RocpStream', 'close', [['period', 10]]],
  ['mom', 'MomStream', 'close', [['period', 10]]],
  ['cmo', 'CmoStream', 'close', [['period', 14]]],
  ['trix', 'TrixStream', 'close', [['period', 30]]],
  [
    'apo',
    'ApoStream',
    'close',
    [
      ['fast', 12],
      ['slow', 26],
    ],
  ],
  [
    'ppo',
    'PpoStream',
    'close',
    [
      ['fast', 12],
      ['slow', 26],
    ],
  ],
  [
    'stddev',
    'StddevStream',
    'close',
    [
      ['period', 5],
      ['nbDev', 1],
    ],
  ],
  ['linearreg', 'LinearregStream', 'close', [['period', 14]]],
  ['linearreg_slope', 'LinearregSlopeStream', 'close', [['period', 14]]],
  ['tsf', 'TsfStream', 'close', [['period', 14]]],
  [
    'bbands',
    'BbandsStream',
    'close',
    [
      ['period', 5],
      ['devUp', 2],
      ['devDown', 2],
    ],
    ['upper', 'middle', 'lower'],
  ],
  [
    'macd',
    'MacdStream',
    'close',
    [
      ['fast', 12],
      ['slow', 26],
      ['signal', 9],
    ],
    ['macd', 'signal', 'histogram'],
  ],
  [
    'stochrsi',
    'StochrsiStream',
    'close',
    [
      ['period', 14],
      ['fastK', 5],
      ['fastD', 3],
    ],
    ['k', 'd'],
  ],
  ['willr', 'WillrStream', 'bar', [['period', 14]]],
  ['atr', 'AtrStream', 'bar', [['period', 14]]],
  ['natr', 'NatrStream', 'bar', [['period', 14]]],
  ['trange', 'TrangeStream', 'bar', []],
  ['obv', 'ObvStream', 'bar', []],
  ['ad', 'AdStream', 'bar', []],
  ['cci', 'CciStream', 'bar', [['period', 14]]],
  ['adx', 'AdxStream', 'bar', [['period', 14]]],
  ['dx', 'DxStream', 'bar', [['period', 14]]],
  ['mfi', 'MfiStream', 'bar', [['period', 14]]],
  [
    'sar',
    'SarStream',
    'bar',
    [
      ['acceleration', 0.02],
      ['maximum', 0.2],
    ],
  ],
  [
    'stoch',
    'StochStream',
    'bar',
    [
      ['fastK', 5],
      ['slowK', 3],
      ['slowD', 3],
    ],
    ['k', 'd'],
  ],
  [
    'stochf',
    'StochfStream',
    'bar',
    [
      ['fastK', 5],
      ['fastD', 3],
    ],
    ['k', 'd'],
  ],
  ['aroon', 'AroonStream', 'bar', [['period', 14]], ['down', 'up']],
  [
    'ultosc',
    'UltoscStream',
    'bar',
    [
      ['period1', 7],
      ['period2', 14],
      ['period3', 28],
    ],
  ],
  ['bop', 'BopStream', 'bar', []],
  ['rocr', 'RocrStream', 'close', [['period', 10]]],
  ['rocr100', 'Rocr100Stream', 'close', [['period', 10]]],
  ['var', 'VarianceStream', 'close', [['period', 5]]],
  ['linearreg_intercept', 'LinearregInterceptStream', 'close', [['period', 14]]],
  ['linearreg_angle', 'LinearregAngleStream', 'close', [['period', 14]]],
  ['midpoint', 'MidpointStream', 'close', [['period', 14]]],
  ['max', 'MaxStream', 'close', [['period', 30]]],
  ['min', 'MinStream', 'close', [['period', 30]]],
  ['sum', 'SumStream', 'close', [['period', 30]]],
  ['ht_trendline', 'HtTrendlineStream', 'close', []],
  ['ht_dcperiod', 'HtDcperiodStream', 'close', []],
  ['ht_dcphase', 'HtDcphaseStream', 'close', []],
  ['ht_trendmode', 'HtTrendmodeStream', 'close', []],
  [
    'mama',
    'MamaStream',
    'close',
    [
      ['fastLimit', 0.5],
      ['slowLimit', 0.05],
    ],
    ['mama', 'fama'],
  ],
  ['macdfix', 'MacdfixStream', 'close', [['signal', 9]], ['macd', 'signal', 'histogram']],
  ['midprice', 'MidpriceStream', 'bar', [['period', 14]]],
  ['aroonosc', 'AroonoscStream', 'bar', [['period', 14]]],
  ['adxr', 'AdxrStream', 'bar', [['period', 14]]],
  ['plus_di', 'PlusDiStream', 'bar', [['period', 14]]],
  ['minus_di', 'MinusDiStream', 'bar', [['period', 14]]],
  ['plus_dm', 'PlusDmStream', 'bar', [['period', 14]]],
  ['minus_dm', 'MinusDmStream', 'bar', [['period', 14]]],
  [
    'adosc',
    'AdoscStream',
    'bar',
    [
      ['fast', 3],
      ['slow', 10],
    ],
  ],
  ['avgprice', 'AvgpriceStream', 'bar', []],
  ['medprice', 'MedpriceStream', 'bar', []],
  ['typprice', 'TyppriceStream', 'bar', []],
  ['wclprice', 'WclpriceStream', 'bar', []],
  ['donchian', 'DonchianStream', 'bar', [['period', 20]], ['upper', 'middle', 'lower']],
  [
    'keltner',
    'KeltnerStream',
    'bar',
    [
      ['period', 20],
      ['multiplier', 2],
      ['atrPeriod', 10],
    ],
    ['upper', 'middle', 'lower'],
  ],
  [
    'supertrend',
    'SupertrendStream',
    'bar',
    [
      ['period', 10],
      ['multiplier', 3],
    ],
    ['value', 'direction'],
  ],
]

type StreamClass = new (...params: number[]) => Stream<number, unknown> | Stream<Bar, unknown>

function build(): ReadonlyMap<string, IndicatorDefinition> {
  const exports = ti as unknown as Record<string, unknown>
  const map = new Map<string, IndicatorDefinition>()
  for (const [name, className, input, params, outputs = []] of SPECS) {
    const Class = exports[className]
    // A listed class that technical-indicators does not export is a bug here: fail at import.
    if (typeof Class !== 'function') throw new Error(`technical-indicators exports no ${className}`)
    map.set(name, {
      name,
      input,
      outputs,
      params: params.map(([p, d]) => ({ name: p, default: d })),
      create: (values) => new (Class as StreamClass)(...values),
    })
  }
  return map
}

/** The indicators available to the indicators job and to alert rules. */
export const INDICATORS: ReadonlyMap<string, IndicatorDefinition> = build()

/** technical-indicators' version: saved indicator states are only reused by the same version. */
export const INDICATORS_VERSION: string = (
  createRequire(import.meta.url)('@trading-alerts/technical-indicators/package.json') as {
    version: string
  }
).version

/** A configured indicator with every parameter resolved. */
export interface IndicatorInstance {
  readonly definition: IndicatorDefinition
  readonly params: readonly number[]
  /** Canonical key without output, e.g. `macd(12,26,9)`. */
  readonly key: string
  /** The stored series names: `rsi(14)`, or `macd(12,26,9).macd` and the others. */
  readonly seriesNames: readonly string[]
}

/** `name(p1,p2)` or `name(p1,p2).output` or `name` (all defaults). */
const KEY = /^\s*([a-z_][a-z0-9_]*)\s*(?:\(([^)]*)\))?\s*(?:\.\s*([a-z_]+))?\s*$/i

/**
 * Resolves an indicator written as in rules and configuration: `rsi(14)`, `rsi` (defaults),
 * `bbands(20,2)` (trailing defaults). Returns the instance and the output named after the dot.
 *
 * @throws TradingAlertsError('UNKNOWN_INDICATOR') with what is available or expected.
 */
export function resolveIndicator(text: string): {
  instance: IndicatorInstance
  output: string | undefined
} {
  const m = KEY.exec(text)
  if (m === null) {
    throw new TradingAlertsError(
      'UNKNOWN_INDICATOR',
      `"${text}" is not an indicator; write it like rsi(14) or macd(12,26,9).histogram`,
    )
  }
  const name = (m[1] ?? '').toLowerCase()
  const definition = INDICATORS.get(name)
  if (definition === undefined) {
    throw new TradingAlertsError(
      'UNKNOWN_INDICATOR',
      `unknown indicator "${name}"; available: ${[...INDICATORS.keys()].sort().join(', ')}`,
    )
  }
  const given =
    m[2] === undefined || m[2].trim() === '' ? [] : m[2].split(',').map((p) => Number(p.trim()))
  if (given.length > definition.params.length || given.some((p) => !Number.isFinite(p))) {
    throw new TradingAlertsError(
      'UNKNOWN_INDICATOR',
      `${name} takes ${definition.params.length === 0 ? 'no parameters' : `(${definition.params.map((p) => `${p.name} = ${p.default}`).join(', ')})`}, got "${text.trim()}"`,
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
  const key = `${name}(${params.map((p) => String(p)).join(',')})`
  const output = m[3]?.toLowerCase()
  if (definition.outputs.length === 0 && output !== undefined) {
    throw new TradingAlertsError('UNKNOWN_INDICATOR', `${name} has one output; drop ".${output}"`)
  }
  if (
    definition.outputs.length > 0 &&
    (output === undefined || !definition.outputs.includes(output))
  ) {
    if (output !== undefined) {
      throw new TradingAlertsError(
        'UNKNOWN_INDICATOR',
        `${name} has outputs ${definition.outputs.join(', ')}; got ".${output}"`,
      )
    }
  }
  const seriesNames =
    definition.outputs.length === 0 ? [key] : definition.outputs.map((o) => `${key}.${o}`)
  return { instance: { definition, params, key, seriesNames }, output }
}

/** The stored series name of `text` (`rsi(14)`, `macd(12,26,9).histogram`). */
export function seriesName(text: string): string {
  const { instance, output } = resolveIndicator(text)
  if (instance.definition.outputs.length > 0 && output === undefined) {
    throw new TradingAlertsError(
      'UNKNOWN_INDICATOR',
      `${instance.definition.name} has outputs ${instance.definition.outputs.join(', ')}; pick one, e.g. ${instance.key}.${instance.definition.outputs[0] ?? ''}`,
    )
  }
  return output === undefined ? instance.key : `${instance.key}.${output}`
}
