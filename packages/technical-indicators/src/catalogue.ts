/**
 * Every indicator of the package, as data: the series its batch function takes, its parameters
 * with their defaults and ranges, and what its stream is fed. The functions and streams validate
 * their parameters against these ranges (one source), which are TA-Lib's own (its ta_abstract
 * tables: `scripts/check-talib-ranges.mjs` compares them); the indicators TA-Lib lacks have ranges
 * of the same kind.
 */

/** An integer parameter (a period): `min` to `max`. */
export interface IntegerParam {
  readonly type: 'integer'
  readonly default: number
  readonly min: number
  readonly max: number
}

/** A real parameter (a deviation, an acceleration, a factor): `min` to `max`, finite. */
export interface RealParam {
  readonly type: 'real'
  readonly default: number
  readonly min: number
  readonly max: number
}

/** A parameter that takes one of a few names (a moving-average type, a VWAP anchor). */
export interface ChoiceParam {
  readonly type: 'choice'
  readonly default: string
  readonly values: readonly string[]
}

export type ParamSpec = IntegerParam | RealParam | ChoiceParam

/**
 * What a stream's `update` takes: a number (`value`, usually the close), a `Bar`, `{ x, y }`
 * (`pair`), `{ value, period }` (`periodValue`, MAVP) or a bar with its `openTime` (`timedBar`).
 */
export type StreamInput = 'value' | 'bar' | 'pair' | 'periodValue' | 'timedBar'

export interface IndicatorSpec {
  /** The batch function's input series, in its order. */
  readonly inputs: readonly string[]
  /** Its parameters in its order, with defaults and ranges. */
  readonly params: Readonly<Record<string, ParamSpec>>
  /** Whether the parameters come as one options object (after the inputs) instead of one by one. */
  readonly options?: boolean
  readonly streamInput: StreamInput
}

/** TA-Lib's largest period (and that of every period here). */
export const PERIOD_MAX = 100_000
/** TA-Lib's bound of real parameters: ±3e37 (TA_REAL_MIN / TA_REAL_MAX). */
export const REAL_LIMIT = 3e37

/** The moving-average types, TA-Lib's TA_MAType codes 0–8 by name, without MAMA (7): see `mama`. */
export const MA_TYPES = ['sma', 'ema', 'wma', 'dema', 'tema', 'trima', 'kama', 't3'] as const

/** A period from `min` (TA-Lib's minimum: 2, or 1 where TA-Lib allows it) to 100000. */
function period(value: number, min = 2): IntegerParam {
  return { type: 'integer', default: value, min, max: PERIOD_MAX }
}

/** A real parameter, TA-Lib's ±3e37 unless narrower. */
function real(value: number, min = -REAL_LIMIT, max = REAL_LIMIT): RealParam {
  return { type: 'real', default: value, min, max }
}

/** A moving-average type, SMA by default (TA-Lib's). */
function maType(): ChoiceParam {
  return { type: 'choice', default: 'sma', values: MA_TYPES }
}

const CLOSE = ['close'] as const
const HL = ['high', 'low'] as const
const HLC = ['high', 'low', 'close'] as const
const HLCV = ['high', 'low', 'close', 'volume'] as const
const OHLC = ['open', 'high', 'low', 'close'] as const
const XY = ['x', 'y'] as const

/** A close-fed indicator with one period. */
function closePeriod(value: number, min = 2) {
  return { inputs: CLOSE, params: { period: period(value, min) }, streamInput: 'value' } as const
}

/** A bar-fed indicator of `inputs` with one period. */
function barPeriod(inputs: readonly string[], value: number, min = 2) {
  return { inputs, params: { period: period(value, min) }, streamInput: 'bar' } as const
}

/** A bar-fed indicator of `inputs` without parameters. */
function barOnly(inputs: readonly string[]) {
  return { inputs, params: {}, streamInput: 'bar' } as const
}

/** A close-fed indicator without parameters (the Hilbert transforms). */
const CLOSE_ONLY = { inputs: CLOSE, params: {}, streamInput: 'value' } as const

export const CATALOGUE = {
  // Overlap studies
  sma: closePeriod(30),
  ema: closePeriod(30),
  wma: closePeriod(30),
  dema: closePeriod(30),
  tema: closePeriod(30),
  trima: closePeriod(30),
  kama: closePeriod(30),
  t3: {
    inputs: CLOSE,
    params: { period: period(5), vFactor: real(0.7, 0, 1) },
    streamInput: 'value',
  },
  ma: { inputs: CLOSE, params: { period: period(30, 1), maType: maType() }, streamInput: 'value' },
  mavp: {
    inputs: ['close', 'periods'],
    params: { minPeriod: period(2), maxPeriod: period(30), maType: maType() },
    streamInput: 'periodValue',
  },
  mama: {
    inputs: CLOSE,
    params: { fastLimit: real(0.5, 0.01, 0.99), slowLimit: real(0.05, 0.01, 0.99) },
    streamInput: 'value',
  },
  htTrendline: CLOSE_ONLY,
  bbands: {
    inputs: CLOSE,
    params: { period: period(5), devUp: real(2), devDown: real(2) },
    streamInput: 'value',
  },
  sar: {
    inputs: HL,
    params: { acceleration: real(0.02, 0), maximum: real(0.2, 0) },
    streamInput: 'bar',
  },
  sarext: {
    inputs: HL,
    params: {
      startValue: real(0),
      offsetOnReverse: real(0, 0),
      accelerationInitLong: real(0.02, 0),
      accelerationLong: real(0.02, 0),
      accelerationMaxLong: real(0.2, 0),
      accelerationInitShort: real(0.02, 0),
      accelerationShort: real(0.02, 0),
      accelerationMaxShort: real(0.2, 0),
    },
    options: true,
    streamInput: 'bar',
  },
  midpoint: closePeriod(14),
  midprice: barPeriod(HL, 14),

  // Momentum
  rsi: closePeriod(14),
  macd: {
    inputs: CLOSE,
    params: { fast: period(12), slow: period(26), signal: period(9, 1) },
    streamInput: 'value',
  },
  macdext: {
    inputs: CLOSE,
    params: {
      fast: period(12),
      fastMaType: maType(),
      slow: period(26),
      slowMaType: maType(),
      signal: period(9, 1),
      signalMaType: maType(),
    },
    options: true,
    streamInput: 'value',
  },
  macdfix: { inputs: CLOSE, params: { signal: period(9, 1) }, streamInput: 'value' },
  apo: {
    inputs: CLOSE,
    params: { fast: period(12), slow: period(26), maType: maType() },
    streamInput: 'value',
  },
  ppo: {
    inputs: CLOSE,
    params: { fast: period(12), slow: period(26), maType: maType() },
    streamInput: 'value',
  },
  stoch: {
    inputs: HLC,
    params: { fastK: period(5, 1), slowK: period(3, 1), slowD: period(3, 1) },
    streamInput: 'bar',
  },
  stochf: {
    inputs: HLC,
    params: { fastK: period(5, 1), fastD: period(3, 1), maType: maType() },
    streamInput: 'bar',
  },
  stochrsi: {
    inputs: CLOSE,
    params: { period: period(14), fastK: period(5, 1), fastD: period(3, 1), maType: maType() },
    streamInput: 'value',
  },
  willr: barPeriod(HLC, 14),
  cci: barPeriod(HLC, 14),
  cmo: closePeriod(14),
  mom: closePeriod(10, 1),
  roc: closePeriod(10, 1),
  rocp: closePeriod(10, 1),
  rocr: closePeriod(10, 1),
  rocr100: closePeriod(10, 1),
  // TA-Lib allows 1, but its TRIX(1) reads outside its EMAs: no meaningful value to equal.
  trix: closePeriod(30),
  ultosc: {
    inputs: HLC,
    params: { period1: period(7, 1), period2: period(14, 1), period3: period(28, 1) },
    streamInput: 'bar',
  },
  adx: barPeriod(HLC, 14),
  adxr: barPeriod(HLC, 14),
  dx: barPeriod(HLC, 14),
  plusDI: barPeriod(HLC, 14, 1),
  minusDI: barPeriod(HLC, 14, 1),
  plusDM: barPeriod(HL, 14, 1),
  minusDM: barPeriod(HL, 14, 1),
  aroon: barPeriod(HL, 14),
  aroonosc: barPeriod(HL, 14),
  bop: barOnly(OHLC),
  mfi: barPeriod(HLCV, 14),

  // Volume
  obv: barOnly(['close', 'volume']),
  ad: barOnly(HLCV),
  adosc: {
    inputs: HLCV,
    params: { fast: period(3), slow: period(10) },
    streamInput: 'bar',
  },

  // Volatility
  atr: barPeriod(HLC, 14, 1),
  natr: barPeriod(HLC, 14, 1),
  trange: barOnly(HLC),

  // Price transform
  avgprice: barOnly(OHLC),
  medprice: barOnly(HL),
  typprice: barOnly(HLC),
  wclprice: barOnly(HLC),

  // Cycle
  htDcperiod: CLOSE_ONLY,
  htDcphase: CLOSE_ONLY,
  htPhasor: CLOSE_ONLY,
  htSine: CLOSE_ONLY,
  htTrendmode: CLOSE_ONLY,

  // Statistic
  variance: closePeriod(5, 1),
  stddev: {
    inputs: CLOSE,
    params: { period: period(5), nbDev: real(1) },
    streamInput: 'value',
  },
  linearreg: closePeriod(14),
  linearregSlope: closePeriod(14),
  linearregIntercept: closePeriod(14),
  linearregAngle: closePeriod(14),
  tsf: closePeriod(14),
  beta: { inputs: XY, params: { period: period(5, 1) }, streamInput: 'pair' },
  correl: { inputs: XY, params: { period: period(30, 1) }, streamInput: 'pair' },

  // Math operators
  max: closePeriod(30),
  min: closePeriod(30),
  sum: closePeriod(30),

  // Beyond TA-Lib: periods up to 100000 from the least that makes sense, multipliers ±3e37 as
  // TA-Lib's deviations.
  hma: closePeriod(9, 4),
  vwap: {
    inputs: ['high', 'low', 'close', 'volume', 'openTime'],
    params: {
      anchor: { type: 'choice', default: 'day', values: ['none', 'day', 'week', 'month'] },
    },
    streamInput: 'timedBar',
  },
  supertrend: {
    inputs: HLC,
    params: { period: period(10, 1), multiplier: real(3) },
    streamInput: 'bar',
  },
  keltner: {
    inputs: HLC,
    params: { period: period(20), multiplier: real(2), atrPeriod: period(10, 1) },
    streamInput: 'bar',
  },
  donchian: barPeriod(HL, 20, 1),
  ichimoku: {
    inputs: HL,
    params: {
      tenkan: period(9, 1),
      kijun: period(26, 1),
      spanB: period(52, 1),
      displacement: period(26, 1),
    },
    options: true,
    streamInput: 'bar',
  },
} as const satisfies Record<string, IndicatorSpec>

export type IndicatorName = keyof typeof CATALOGUE
