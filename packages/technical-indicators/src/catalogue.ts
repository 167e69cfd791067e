/**
 * Every indicator of the package, as data: its TA-Lib family and name, the series its batch
 * function takes, its parameters with their defaults and ranges, its outputs, what its stream is
 * fed, and the version of its stream's saved state (`saveState`). The functions and streams check
 * their parameters against these ranges (one source), which are TA-Lib's own (its ta_abstract
 * tables: `scripts/check-talib-ranges.ts` compares them); the indicators TA-Lib lacks have ranges
 * of the same kind. Typed to the letter (`as const`), so a user can derive from it, e.g. the
 * indicators a rule language offers and the parameters each takes.
 *
 * When a change alters what a stream keeps (a field added, removed or meaning something else, here
 * or in a stream it is built on), bump its `stateVersion`: states saved before are then refused by
 * `restoreState` instead of being read wrong.
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

/** TA-Lib's function groups, and the indicators TA-Lib lacks. */
export type Family =
  | 'overlap'
  | 'momentum'
  | 'volume'
  | 'volatility'
  | 'price transform'
  | 'cycle'
  | 'statistic'
  | 'math operator'
  | 'beyond TA-Lib'

export interface IndicatorSpec {
  readonly family: Family
  /** TA-Lib's name of the function (`LINEARREG_SLOPE`); null for the indicators TA-Lib lacks. */
  readonly talib: string | null
  /** The batch function's input series, in its order. */
  readonly inputs: readonly string[]
  /** Its parameters in its order, with defaults and ranges. */
  readonly params: Readonly<Record<string, ParamSpec>>
  /** Whether the parameters come as one options object (after the inputs) instead of one by one. */
  readonly options?: boolean
  /**
   * The outputs, in order: `['value']` for one (a Float64Array from the batch function, a number
   * from the stream), else the keys of the object both return.
   */
  readonly outputs: readonly string[]
  readonly streamInput: StreamInput
  /** The version of the stream's saved state (see above). */
  readonly stateVersion: number
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

const ONE = ['value'] as const
const OVERLAP = { family: 'overlap' } as const
const MOMENTUM = { family: 'momentum' } as const
const VOLUME = { family: 'volume' } as const
const VOLATILITY = { family: 'volatility' } as const
const PRICE_TRANSFORM = { family: 'price transform' } as const
const CYCLE = { family: 'cycle' } as const
const STATISTIC = { family: 'statistic' } as const
const MATH = { family: 'math operator' } as const
const BEYOND = { family: 'beyond TA-Lib' } as const

export const CATALOGUE = {
  // Overlap studies
  sma: { ...OVERLAP, talib: 'SMA', ...closePeriod(30), outputs: ONE, stateVersion: 1 },
  ema: { ...OVERLAP, talib: 'EMA', ...closePeriod(30), outputs: ONE, stateVersion: 1 },
  wma: { ...OVERLAP, talib: 'WMA', ...closePeriod(30), outputs: ONE, stateVersion: 1 },
  dema: { ...OVERLAP, talib: 'DEMA', ...closePeriod(30), outputs: ONE, stateVersion: 1 },
  tema: { ...OVERLAP, talib: 'TEMA', ...closePeriod(30), outputs: ONE, stateVersion: 1 },
  trima: { ...OVERLAP, talib: 'TRIMA', ...closePeriod(30), outputs: ONE, stateVersion: 1 },
  kama: { ...OVERLAP, talib: 'KAMA', ...closePeriod(30), outputs: ONE, stateVersion: 1 },
  t3: {
    ...OVERLAP,
    talib: 'T3',
    inputs: CLOSE,
    params: { period: period(5), vFactor: real(0.7, 0, 1) },
    streamInput: 'value',
    outputs: ONE,
    stateVersion: 1,
  },
  ma: {
    ...OVERLAP,
    talib: 'MA',
    inputs: CLOSE,
    params: { period: period(30, 1), maType: maType() },
    streamInput: 'value',
    outputs: ONE,
    stateVersion: 1,
  },
  mavp: {
    ...OVERLAP,
    talib: 'MAVP',
    inputs: ['close', 'periods'],
    params: { minPeriod: period(2), maxPeriod: period(30), maType: maType() },
    streamInput: 'periodValue',
    outputs: ONE,
    stateVersion: 1,
  },
  mama: {
    ...OVERLAP,
    talib: 'MAMA',
    inputs: CLOSE,
    params: { fastLimit: real(0.5, 0.01, 0.99), slowLimit: real(0.05, 0.01, 0.99) },
    streamInput: 'value',
    outputs: ['mama', 'fama'],
    stateVersion: 1,
  },
  htTrendline: { ...OVERLAP, talib: 'HT_TRENDLINE', ...CLOSE_ONLY, outputs: ONE, stateVersion: 1 },
  bbands: {
    ...OVERLAP,
    talib: 'BBANDS',
    inputs: CLOSE,
    params: { period: period(5), devUp: real(2), devDown: real(2) },
    streamInput: 'value',
    outputs: ['upper', 'middle', 'lower'],
    stateVersion: 1,
  },
  sar: {
    ...OVERLAP,
    talib: 'SAR',
    inputs: HL,
    params: { acceleration: real(0.02, 0), maximum: real(0.2, 0) },
    streamInput: 'bar',
    outputs: ONE,
    stateVersion: 1,
  },
  sarext: {
    ...OVERLAP,
    talib: 'SAREXT',
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
    outputs: ONE,
    stateVersion: 1,
  },
  midpoint: { ...OVERLAP, talib: 'MIDPOINT', ...closePeriod(14), outputs: ONE, stateVersion: 1 },
  midprice: { ...OVERLAP, talib: 'MIDPRICE', ...barPeriod(HL, 14), outputs: ONE, stateVersion: 1 },

  // Momentum
  rsi: { ...MOMENTUM, talib: 'RSI', ...closePeriod(14), outputs: ONE, stateVersion: 1 },
  macd: {
    ...MOMENTUM,
    talib: 'MACD',
    inputs: CLOSE,
    params: { fast: period(12), slow: period(26), signal: period(9, 1) },
    streamInput: 'value',
    outputs: ['macd', 'signal', 'histogram'],
    stateVersion: 1,
  },
  macdext: {
    ...MOMENTUM,
    talib: 'MACDEXT',
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
    outputs: ['macd', 'signal', 'histogram'],
    stateVersion: 1,
  },
  macdfix: {
    ...MOMENTUM,
    talib: 'MACDFIX',
    inputs: CLOSE,
    params: { signal: period(9, 1) },
    streamInput: 'value',
    outputs: ['macd', 'signal', 'histogram'],
    stateVersion: 1,
  },
  apo: {
    ...MOMENTUM,
    talib: 'APO',
    inputs: CLOSE,
    params: { fast: period(12), slow: period(26), maType: maType() },
    streamInput: 'value',
    outputs: ONE,
    stateVersion: 1,
  },
  ppo: {
    ...MOMENTUM,
    talib: 'PPO',
    inputs: CLOSE,
    params: { fast: period(12), slow: period(26), maType: maType() },
    streamInput: 'value',
    outputs: ONE,
    stateVersion: 1,
  },
  stoch: {
    ...MOMENTUM,
    talib: 'STOCH',
    inputs: HLC,
    params: { fastK: period(5, 1), slowK: period(3, 1), slowD: period(3, 1) },
    streamInput: 'bar',
    outputs: ['k', 'd'],
    stateVersion: 1,
  },
  stochf: {
    ...MOMENTUM,
    talib: 'STOCHF',
    inputs: HLC,
    params: { fastK: period(5, 1), fastD: period(3, 1), maType: maType() },
    streamInput: 'bar',
    outputs: ['k', 'd'],
    stateVersion: 1,
  },
  stochrsi: {
    ...MOMENTUM,
    talib: 'STOCHRSI',
    inputs: CLOSE,
    params: { period: period(14), fastK: period(5, 1), fastD: period(3, 1), maType: maType() },
    streamInput: 'value',
    outputs: ['k', 'd'],
    stateVersion: 1,
  },
  willr: { ...MOMENTUM, talib: 'WILLR', ...barPeriod(HLC, 14), outputs: ONE, stateVersion: 1 },
  cci: { ...MOMENTUM, talib: 'CCI', ...barPeriod(HLC, 14), outputs: ONE, stateVersion: 1 },
  cmo: { ...MOMENTUM, talib: 'CMO', ...closePeriod(14), outputs: ONE, stateVersion: 1 },
  mom: { ...MOMENTUM, talib: 'MOM', ...closePeriod(10, 1), outputs: ONE, stateVersion: 1 },
  roc: { ...MOMENTUM, talib: 'ROC', ...closePeriod(10, 1), outputs: ONE, stateVersion: 1 },
  rocp: { ...MOMENTUM, talib: 'ROCP', ...closePeriod(10, 1), outputs: ONE, stateVersion: 1 },
  rocr: { ...MOMENTUM, talib: 'ROCR', ...closePeriod(10, 1), outputs: ONE, stateVersion: 1 },
  rocr100: { ...MOMENTUM, talib: 'ROCR100', ...closePeriod(10, 1), outputs: ONE, stateVersion: 1 },
  // TA-Lib allows 1, but its TRIX(1) reads outside its EMAs: no meaningful value to equal.
  trix: { ...MOMENTUM, talib: 'TRIX', ...closePeriod(30), outputs: ONE, stateVersion: 1 },
  ultosc: {
    ...MOMENTUM,
    talib: 'ULTOSC',
    inputs: HLC,
    params: { period1: period(7, 1), period2: period(14, 1), period3: period(28, 1) },
    streamInput: 'bar',
    outputs: ONE,
    stateVersion: 1,
  },
  adx: { ...MOMENTUM, talib: 'ADX', ...barPeriod(HLC, 14), outputs: ONE, stateVersion: 1 },
  adxr: { ...MOMENTUM, talib: 'ADXR', ...barPeriod(HLC, 14), outputs: ONE, stateVersion: 1 },
  dx: { ...MOMENTUM, talib: 'DX', ...barPeriod(HLC, 14), outputs: ONE, stateVersion: 1 },
  plusDI: {
    ...MOMENTUM,
    talib: 'PLUS_DI',
    ...barPeriod(HLC, 14, 1),
    outputs: ONE,
    stateVersion: 1,
  },
  minusDI: {
    ...MOMENTUM,
    talib: 'MINUS_DI',
    ...barPeriod(HLC, 14, 1),
    outputs: ONE,
    stateVersion: 1,
  },
  plusDM: { ...MOMENTUM, talib: 'PLUS_DM', ...barPeriod(HL, 14, 1), outputs: ONE, stateVersion: 1 },
  minusDM: {
    ...MOMENTUM,
    talib: 'MINUS_DM',
    ...barPeriod(HL, 14, 1),
    outputs: ONE,
    stateVersion: 1,
  },
  aroon: {
    ...MOMENTUM,
    talib: 'AROON',
    ...barPeriod(HL, 14),
    outputs: ['down', 'up'],
    stateVersion: 1,
  },
  aroonosc: { ...MOMENTUM, talib: 'AROONOSC', ...barPeriod(HL, 14), outputs: ONE, stateVersion: 1 },
  bop: { ...MOMENTUM, talib: 'BOP', ...barOnly(OHLC), outputs: ONE, stateVersion: 1 },
  mfi: { ...MOMENTUM, talib: 'MFI', ...barPeriod(HLCV, 14), outputs: ONE, stateVersion: 1 },

  // Volume
  obv: { ...VOLUME, talib: 'OBV', ...barOnly(['close', 'volume']), outputs: ONE, stateVersion: 1 },
  ad: { ...VOLUME, talib: 'AD', ...barOnly(HLCV), outputs: ONE, stateVersion: 1 },
  adosc: {
    ...VOLUME,
    talib: 'ADOSC',
    inputs: HLCV,
    params: { fast: period(3), slow: period(10) },
    streamInput: 'bar',
    outputs: ONE,
    stateVersion: 1,
  },

  // Volatility
  atr: { ...VOLATILITY, talib: 'ATR', ...barPeriod(HLC, 14, 1), outputs: ONE, stateVersion: 1 },
  natr: { ...VOLATILITY, talib: 'NATR', ...barPeriod(HLC, 14, 1), outputs: ONE, stateVersion: 1 },
  trange: { ...VOLATILITY, talib: 'TRANGE', ...barOnly(HLC), outputs: ONE, stateVersion: 1 },

  // Price transform
  avgprice: {
    ...PRICE_TRANSFORM,
    talib: 'AVGPRICE',
    ...barOnly(OHLC),
    outputs: ONE,
    stateVersion: 1,
  },
  medprice: {
    ...PRICE_TRANSFORM,
    talib: 'MEDPRICE',
    ...barOnly(HL),
    outputs: ONE,
    stateVersion: 1,
  },
  typprice: {
    ...PRICE_TRANSFORM,
    talib: 'TYPPRICE',
    ...barOnly(HLC),
    outputs: ONE,
    stateVersion: 1,
  },
  wclprice: {
    ...PRICE_TRANSFORM,
    talib: 'WCLPRICE',
    ...barOnly(HLC),
    outputs: ONE,
    stateVersion: 1,
  },

  // Cycle
  htDcperiod: { ...CYCLE, talib: 'HT_DCPERIOD', ...CLOSE_ONLY, outputs: ONE, stateVersion: 1 },
  htDcphase: { ...CYCLE, talib: 'HT_DCPHASE', ...CLOSE_ONLY, outputs: ONE, stateVersion: 1 },
  htPhasor: {
    ...CYCLE,
    talib: 'HT_PHASOR',
    ...CLOSE_ONLY,
    outputs: ['inPhase', 'quadrature'],
    stateVersion: 1,
  },
  htSine: {
    ...CYCLE,
    talib: 'HT_SINE',
    ...CLOSE_ONLY,
    outputs: ['sine', 'leadSine'],
    stateVersion: 1,
  },
  htTrendmode: { ...CYCLE, talib: 'HT_TRENDMODE', ...CLOSE_ONLY, outputs: ONE, stateVersion: 1 },

  // Statistic
  variance: { ...STATISTIC, talib: 'VAR', ...closePeriod(5, 1), outputs: ONE, stateVersion: 1 },
  stddev: {
    ...STATISTIC,
    talib: 'STDDEV',
    inputs: CLOSE,
    params: { period: period(5), nbDev: real(1) },
    streamInput: 'value',
    outputs: ONE,
    stateVersion: 1,
  },
  linearreg: {
    ...STATISTIC,
    talib: 'LINEARREG',
    ...closePeriod(14),
    outputs: ONE,
    stateVersion: 1,
  },
  linearregSlope: {
    ...STATISTIC,
    talib: 'LINEARREG_SLOPE',
    ...closePeriod(14),
    outputs: ONE,
    stateVersion: 1,
  },
  linearregIntercept: {
    ...STATISTIC,
    talib: 'LINEARREG_INTERCEPT',
    ...closePeriod(14),
    outputs: ONE,
    stateVersion: 1,
  },
  linearregAngle: {
    ...STATISTIC,
    talib: 'LINEARREG_ANGLE',
    ...closePeriod(14),
    outputs: ONE,
    stateVersion: 1,
  },
  tsf: { ...STATISTIC, talib: 'TSF', ...closePeriod(14), outputs: ONE, stateVersion: 1 },
  beta: {
    ...STATISTIC,
    talib: 'BETA',
    inputs: XY,
    params: { period: period(5, 1) },
    streamInput: 'pair',
    outputs: ONE,
    stateVersion: 1,
  },
  correl: {
    ...STATISTIC,
    talib: 'CORREL',
    inputs: XY,
    params: { period: period(30, 1) },
    streamInput: 'pair',
    outputs: ONE,
    stateVersion: 1,
  },

  // Math operators
  max: { ...MATH, talib: 'MAX', ...closePeriod(30), outputs: ONE, stateVersion: 1 },
  min: { ...MATH, talib: 'MIN', ...closePeriod(30), outputs: ONE, stateVersion: 1 },
  sum: { ...MATH, talib: 'SUM', ...closePeriod(30), outputs: ONE, stateVersion: 1 },

  // Beyond TA-Lib: periods up to 100000 from the least that makes sense, multipliers ±3e37 as
  // TA-Lib's deviations.
  hma: { ...BEYOND, talib: null, ...closePeriod(9, 4), outputs: ONE, stateVersion: 1 },
  vwap: {
    ...BEYOND,
    talib: null,
    inputs: ['high', 'low', 'close', 'volume', 'openTime'],
    params: {
      anchor: { type: 'choice', default: 'day', values: ['none', 'day', 'week', 'month'] },
    },
    streamInput: 'timedBar',
    outputs: ONE,
    stateVersion: 1,
  },
  supertrend: {
    ...BEYOND,
    talib: null,
    inputs: HLC,
    params: { period: period(10, 1), multiplier: real(3) },
    streamInput: 'bar',
    outputs: ['value', 'direction'],
    stateVersion: 1,
  },
  keltner: {
    ...BEYOND,
    talib: null,
    inputs: HLC,
    params: { period: period(20), multiplier: real(2), atrPeriod: period(10, 1) },
    streamInput: 'bar',
    outputs: ['upper', 'middle', 'lower'],
    stateVersion: 1,
  },
  donchian: {
    ...BEYOND,
    talib: null,
    ...barPeriod(HL, 20, 1),
    outputs: ['upper', 'middle', 'lower'],
    stateVersion: 1,
  },
  ichimoku: {
    ...BEYOND,
    talib: null,
    inputs: HL,
    params: {
      tenkan: period(9, 1),
      kijun: period(26, 1),
      spanB: period(52, 1),
      displacement: period(26, 1),
    },
    options: true,
    streamInput: 'bar',
    outputs: ['tenkan', 'kijun', 'spanA', 'spanB'],
    stateVersion: 1,
  },
} as const satisfies Record<string, IndicatorSpec>

export type IndicatorName = keyof typeof CATALOGUE
