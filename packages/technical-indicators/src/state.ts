import { CATALOGUE, type IndicatorName, type IndicatorSpec, type ParamSpec } from './catalogue.js'
import { IndicatorStateError } from './errors.js'
import { BEFORE_RESTORE } from './internal/kernel.js'
import { paramsOf } from './internal/params.js'
import { SmaStream } from './overlap/sma.js'
import { EmaStream } from './overlap/ema.js'
import { WmaStream } from './overlap/wma.js'
import { DemaStream } from './overlap/dema.js'
import { TemaStream } from './overlap/tema.js'
import { TrimaStream } from './overlap/trima.js'
import { KamaStream } from './overlap/kama.js'
import { T3Stream } from './overlap/t3.js'
import { MaStream } from './overlap/ma.js'
import { MavpStream } from './overlap/mavp.js'
import { MamaStream } from './overlap/mama.js'
import { HtTrendlineStream } from './overlap/ht-trendline.js'
import { BbandsStream } from './overlap/bbands.js'
import { SarStream } from './overlap/sar.js'
import { SarextStream } from './overlap/sarext.js'
import { MidpointStream, MidpriceStream } from './overlap/midpoint.js'
import { RsiStream } from './momentum/rsi.js'
import { MacdStream } from './momentum/macd.js'
import { MacdextStream, MacdfixStream } from './momentum/macdext.js'
import { ApoStream, PpoStream } from './momentum/apo.js'
import { StochStream } from './momentum/stoch.js'
import { StochfStream } from './momentum/stochf.js'
import { StochrsiStream } from './momentum/stochrsi.js'
import { WillrStream } from './momentum/willr.js'
import { CciStream } from './momentum/cci.js'
import { CmoStream } from './momentum/cmo.js'
import { MomStream, RocpStream, Rocr100Stream, RocrStream } from './momentum/change.js'
import { RocStream } from './momentum/roc.js'
import { TrixStream } from './momentum/trix.js'
import { UltoscStream } from './momentum/ultosc.js'
import { AdxStream } from './momentum/adx.js'
import {
  AdxrStream,
  DxStream,
  MinusDiStream,
  MinusDmStream,
  PlusDiStream,
  PlusDmStream,
} from './momentum/directional.js'
import { AroonStream, AroonoscStream } from './momentum/aroon.js'
import { BopStream } from './momentum/bop.js'
import { MfiStream } from './momentum/mfi.js'
import { ObvStream } from './volume/obv.js'
import { AdStream, AdoscStream } from './volume/ad.js'
import { AtrStream, TrangeStream } from './volatility/atr.js'
import { NatrStream } from './volatility/natr.js'
import {
  AvgpriceStream,
  MedpriceStream,
  TyppriceStream,
  WclpriceStream,
} from './price-transform/price.js'
import { HtDcperiodStream, HtPhasorStream } from './cycle/dominant-cycle.js'
import { HtDcphaseStream, HtSineStream, HtTrendmodeStream } from './cycle/phase.js'
import { StddevStream, VarianceStream } from './statistic/variance.js'
import {
  LinearregAngleStream,
  LinearregInterceptStream,
  LinearregSlopeStream,
  LinearregStream,
  TsfStream,
} from './statistic/linearreg.js'
import { BetaStream, CorrelStream } from './statistic/pairs.js'
import { MaxStream, MinStream, SumStream } from './math/operators.js'
import { HmaStream } from './beyond/hma.js'
import { VwapStream } from './beyond/vwap.js'
import { SupertrendStream } from './beyond/supertrend.js'
import { DonchianStream, KeltnerStream } from './beyond/channels.js'
import { IchimokuStream } from './beyond/ichimoku.js'

/** Every indicator's stream class, by the indicator's name in the catalogue. */
const STREAMS = {
  sma: SmaStream,
  ema: EmaStream,
  wma: WmaStream,
  dema: DemaStream,
  tema: TemaStream,
  trima: TrimaStream,
  kama: KamaStream,
  t3: T3Stream,
  ma: MaStream,
  mavp: MavpStream,
  mama: MamaStream,
  htTrendline: HtTrendlineStream,
  bbands: BbandsStream,
  sar: SarStream,
  sarext: SarextStream,
  midpoint: MidpointStream,
  midprice: MidpriceStream,
  rsi: RsiStream,
  macd: MacdStream,
  macdext: MacdextStream,
  macdfix: MacdfixStream,
  apo: ApoStream,
  ppo: PpoStream,
  stoch: StochStream,
  stochf: StochfStream,
  stochrsi: StochrsiStream,
  willr: WillrStream,
  cci: CciStream,
  cmo: CmoStream,
  mom: MomStream,
  roc: RocStream,
  rocp: RocpStream,
  rocr: RocrStream,
  rocr100: Rocr100Stream,
  trix: TrixStream,
  ultosc: UltoscStream,
  adx: AdxStream,
  adxr: AdxrStream,
  dx: DxStream,
  plusDI: PlusDiStream,
  minusDI: MinusDiStream,
  plusDM: PlusDmStream,
  minusDM: MinusDmStream,
  aroon: AroonStream,
  aroonosc: AroonoscStream,
  bop: BopStream,
  mfi: MfiStream,
  obv: ObvStream,
  ad: AdStream,
  adosc: AdoscStream,
  atr: AtrStream,
  natr: NatrStream,
  trange: TrangeStream,
  avgprice: AvgpriceStream,
  medprice: MedpriceStream,
  typprice: TyppriceStream,
  wclprice: WclpriceStream,
  htDcperiod: HtDcperiodStream,
  htDcphase: HtDcphaseStream,
  htPhasor: HtPhasorStream,
  htSine: HtSineStream,
  htTrendmode: HtTrendmodeStream,
  variance: VarianceStream,
  stddev: StddevStream,
  linearreg: LinearregStream,
  linearregSlope: LinearregSlopeStream,
  linearregIntercept: LinearregInterceptStream,
  linearregAngle: LinearregAngleStream,
  tsf: TsfStream,
  beta: BetaStream,
  correl: CorrelStream,
  max: MaxStream,
  min: MinStream,
  sum: SumStream,
  hma: HmaStream,
  vwap: VwapStream,
  supertrend: SupertrendStream,
  keltner: KeltnerStream,
  donchian: DonchianStream,
  ichimoku: IchimokuStream,
} as const

type Streams = typeof STREAMS

/** The stream of indicator `K` (`IndicatorStream<'rsi'>` is `RsiStream`). */
export type IndicatorStream<K extends IndicatorName = IndicatorName> = InstanceType<Streams[K]>

/** Parameters by name, as the catalogue lists them: numbers, and names for the choices. */
export type IndicatorParams = Readonly<Record<string, number | string>>

/** JSON data: what a saved state holds. */
export type StateData =
  null | boolean | number | string | readonly StateData[] | { readonly [key: string]: StateData }

/**
 * A stream's state as plain JSON data (`JSON.stringify` keeps it whole): the indicator, the
 * version of its stream's state (the catalogue's `stateVersion`), every parameter, and the state.
 */
export interface SavedState {
  readonly indicator: IndicatorName
  readonly version: number
  readonly params: IndicatorParams
  readonly state: StateData
}

const INDICATOR_OF = new Map<unknown, IndicatorName>(
  Object.entries(STREAMS).map(([name, Class]) => [Class, name as IndicatorName]),
)

function specsOf(indicator: IndicatorName): [string, ParamSpec][] {
  return Object.entries(CATALOGUE[indicator].params as Readonly<Record<string, ParamSpec>>)
}

function isIndicator(name: unknown): name is IndicatorName {
  return typeof name === 'string' && Object.hasOwn(CATALOGUE, name)
}

/**
 * The stream of `indicator` with `params` by name (the catalogue's defaults for the others).
 *
 * ### Examples
 * ```ts
 * createStream('rsi', { period: 14 }) // a RsiStream
 * createStream('macdext', { fast: 5, fastMaType: 'ema' })
 * ```
 * @throws RangeError for an unknown indicator or parameter, or a parameter out of its range.
 */
export function createStream<K extends IndicatorName>(
  indicator: K,
  params: IndicatorParams = {},
): IndicatorStream<K> {
  if (!isIndicator(indicator))
    throw new RangeError(`unknown indicator ${JSON.stringify(indicator)}`)
  const specs = specsOf(indicator)
  for (const name of Object.keys(params)) {
    if (!specs.some(([p]) => p === name)) {
      const known = specs.length === 0 ? 'none' : specs.map(([p]) => p).join(', ')
      throw new RangeError(`${indicator} has no parameter ${name} (its parameters: ${known})`)
    }
  }
  const Class = STREAMS[indicator] as unknown as new (...args: unknown[]) => IndicatorStream<K>
  const spec: IndicatorSpec = CATALOGUE[indicator]
  if (spec.options === true) return new Class(params)
  return new Class(...specs.map(([p, s]) => params[p] ?? s.default))
}

/** A number as JSON holds it: NaN and the infinities as their names. */
function encodeNumber(v: number): number | string {
  return Number.isFinite(v) ? v : String(v)
}

/** The fields of a stream (and of what it is built of) as JSON data. */
function encode(value: unknown): StateData {
  if (typeof value === 'number') return encodeNumber(value)
  if (value === undefined || value === null) return null
  if (typeof value === 'string' || typeof value === 'boolean') return value
  if (value instanceof Float64Array) return Array.from(value, encodeNumber)
  if (Array.isArray(value)) return value.map(encode)
  if (typeof value === 'object' && !ArrayBuffer.isView(value)) {
    const out: Record<string, StateData> = {}
    for (const [key, v] of Object.entries(value)) if (typeof v !== 'function') out[key] = encode(v)
    return out
  }
  throw new Error(`technical-indicators keeps a ${typeof value} in a stream: cannot save it`)
}

/**
 * The state of `stream`, any stream of this package, as plain JSON data, to continue it later
 * with `restoreState` exactly where it is (the last bar still replaceable).
 *
 * ### Examples
 * ```ts
 * const saved = saveState(rsiStream) // { indicator: 'rsi', version: 1, params: { period: 14 }, state: {…} }
 * const again = restoreState(JSON.parse(JSON.stringify(saved)))
 * ```
 * @throws IndicatorStateError('STATE_INVALID') for an object that is not a stream of this package.
 */
export function saveState(stream: object): SavedState {
  const indicator = INDICATOR_OF.get(stream.constructor)
  if (indicator === undefined) {
    throw new IndicatorStateError('STATE_INVALID', 'not a stream of technical-indicators')
  }
  const given = paramsOf(stream)
  const params = Object.fromEntries(
    specsOf(indicator).map(([p, s]) => [p, (given[p] ?? s.default) as number | string]),
  )
  return { indicator, version: CATALOGUE[indicator].stateVersion, params, state: encode(stream) }
}

class Mismatch extends Error {}

function decodeNumber(data: StateData | undefined, path: string): number {
  if (typeof data === 'number') return data
  if (data === 'NaN' || data === 'Infinity' || data === '-Infinity') return Number(data)
  throw new Mismatch(path)
}

function isRecord(data: StateData | undefined): data is { readonly [key: string]: StateData } {
  return typeof data === 'object' && data !== null && !Array.isArray(data)
}

/** `data` as the value of a field holding `current` (a fresh stream's, the template). */
function decode(current: unknown, data: StateData | undefined, path: string): unknown {
  if (typeof current === 'number') return decodeNumber(data, path)
  if (typeof current === 'string' || typeof current === 'boolean') {
    if (typeof data !== typeof current) throw new Mismatch(path)
    return data
  }
  if (current instanceof Float64Array) {
    if (!Array.isArray(data)) throw new Mismatch(path)
    const values = data as readonly StateData[]
    // A window grows with its bars: a fresh stream's may hold fewer slots than the saved one.
    const into = values.length === current.length ? current : new Float64Array(values.length)
    values.forEach((v, i) => (into[i] = decodeNumber(v, `${path}[${i}]`)))
    return into
  }
  if (Array.isArray(current)) {
    if (!Array.isArray(data) || data.length !== current.length) throw new Mismatch(path)
    const values = data as readonly StateData[]
    current.forEach((c, i) => (current[i] = decode(c, values[i], `${path}[${i}]`)))
    return current
  }
  if (typeof current === 'object' && current !== null) {
    if (!isRecord(data)) throw new Mismatch(path)
    into(current, data, path)
    return current
  }
  throw new Mismatch(path)
}

/** Writes `data` into the fields of `target`, which must have exactly those fields. */
function into(target: object, data: { readonly [key: string]: StateData }, path: string): void {
  const t = target as Record<string, unknown>
  const keys = Object.keys(t).filter((k) => typeof t[k] !== 'function')
  for (const key of Object.keys(data)) if (!keys.includes(key)) throw new Mismatch(`${path}.${key}`)
  for (const key of keys) {
    const at = `${path}.${key}`
    if (!(key in data)) throw new Mismatch(at)
    const d = data[key] ?? null
    if (t[key] !== undefined) t[key] = decode(t[key], d, at)
    else if (d === null) continue
    // A kernel's state before its last bar (for replace) mirrors the kernel's own fields.
    else if (key === 'snapshot' && isRecord(d)) t[key] = plain(target, d, at)
    else throw new Mismatch(at)
  }
}

/** Plain data shaped like the fields of `template` (a kernel's saved state, see Kernel). */
function plain(template: object, data: { readonly [key: string]: StateData }, path: string) {
  const t = template as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const [key, d] of Object.entries(data)) {
    const at = `${path}.${key}`
    const current = t[key]
    if (current === undefined && d === null) out[key] = undefined
    else if (typeof current === 'number') out[key] = decodeNumber(d, at)
    else if (current instanceof Float64Array && Array.isArray(d)) {
      out[key] = Float64Array.from(d as readonly StateData[], (v, i) =>
        decodeNumber(v, `${at}[${i}]`),
      )
    } else if (typeof current === 'object' && current !== null && isRecord(d)) {
      out[key] = plain(current, d, at)
    } else if (typeof current === typeof d) out[key] = d
    else throw new Mismatch(at)
  }
  return out
}

function fail(
  code: 'STATE_INVALID' | 'STATE_INDICATOR' | 'STATE_VERSION' | 'STATE_PARAMS',
  message: string,
  cause?: unknown,
): never {
  throw new IndicatorStateError(code, message, cause === undefined ? undefined : { cause })
}

/**
 * The stream `saveState` saved, rebuilt: the same indicator and parameters, continuing from the
 * same bar (the last one still replaceable). `expected`, when given, is what the caller wants
 * back: a state of another indicator or with other parameters is refused.
 *
 * @throws IndicatorStateError: `STATE_VERSION` when the indicator's stream keeps another state
 * since it was saved (its catalogue `stateVersion` moved on: recompute from the first bar);
 * `STATE_INDICATOR` for an unknown indicator or another than expected; `STATE_PARAMS` for other
 * parameters than expected; `STATE_INVALID` for data that is not a saved state of that stream.
 */
export function restoreState(
  saved: unknown,
  expected: { readonly indicator?: IndicatorName; readonly params?: IndicatorParams } = {},
): IndicatorStream {
  const s = saved as Partial<Record<keyof SavedState, unknown>> | null
  if (
    typeof s !== 'object' ||
    s === null ||
    typeof s.version !== 'number' ||
    !isRecord(s.params as StateData) ||
    !isRecord(s.state as StateData)
  ) {
    fail('STATE_INVALID', 'not a saved indicator state: want { indicator, version, params, state }')
  }
  const { indicator, version } = s
  if (!isIndicator(indicator))
    fail('STATE_INDICATOR', `unknown indicator ${JSON.stringify(indicator)}`)
  if (expected.indicator !== undefined && expected.indicator !== indicator) {
    fail('STATE_INDICATOR', `a state of ${indicator}, not of ${expected.indicator}`)
  }
  const current = CATALOGUE[indicator].stateVersion
  if (version !== current) {
    fail(
      'STATE_VERSION',
      `${indicator} state version ${version}, this version keeps version ${current}`,
    )
  }
  const params = s.params as IndicatorParams
  if (expected.params !== undefined) {
    for (const [p, spec] of specsOf(indicator)) {
      const want = expected.params[p] ?? spec.default
      if (params[p] !== want) {
        fail(
          'STATE_PARAMS',
          `${indicator} saved with ${p} = ${String(params[p])}, not ${String(want)}`,
        )
      }
    }
  }
  let stream: IndicatorStream
  try {
    stream = createStream(indicator, params)
  } catch (error) {
    fail(
      'STATE_INVALID',
      `${indicator}: ${error instanceof Error ? error.message : String(error)}`,
      error,
    )
  }
  const state = s.state as { readonly [key: string]: StateData }
  const prepare = (stream as { [BEFORE_RESTORE]?: (state: unknown) => void })[BEFORE_RESTORE]
  try {
    prepare?.call(stream, state)
    into(stream, state, indicator)
  } catch (error) {
    if (!(error instanceof Mismatch)) throw error
    fail('STATE_INVALID', `the saved state does not fit a ${indicator} stream at ${error.message}`)
  }
  return stream
}
