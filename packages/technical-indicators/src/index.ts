// By TA-Lib's families (its ta_func groups), then the indicators TA-Lib lacks. Each folder holds
// its family's functions and streams; what several share (the stream kernel, windows, window
// extremes, the Hilbert transform, parameter checks) is in internal/.
export type { Bar, Stream } from './stream.js'

// The catalogue, and the streams' saved states
export {
  CATALOGUE,
  MA_TYPES,
  PERIOD_MAX,
  REAL_LIMIT,
  type ChoiceParam,
  type Family,
  type IndicatorName,
  type IndicatorSpec,
  type IntegerParam,
  type ParamSpec,
  type RealParam,
  type StreamInput,
} from './catalogue.js'
export {
  createStream,
  restoreState,
  saveState,
  type IndicatorParams,
  type IndicatorStream,
  type SavedState,
  type StateData,
} from './state.js'
export { IndicatorStateError, type IndicatorStateErrorCode } from './errors.js'

// Overlap studies
export { sma, smaLookback, SmaStream } from './overlap/sma.js'
export { ema, emaLookback, EmaStream } from './overlap/ema.js'
export { wma, wmaLookback, WmaStream } from './overlap/wma.js'
export { dema, demaLookback, DemaStream } from './overlap/dema.js'
export { tema, temaLookback, TemaStream } from './overlap/tema.js'
export { trima, trimaLookback, TrimaStream } from './overlap/trima.js'
export { kama, kamaLookback, KamaStream } from './overlap/kama.js'
export { t3, t3Lookback, T3Stream } from './overlap/t3.js'
export { ma, maKernel, maLookback, MaStream, TALIB_MA_TYPES, type MaType } from './overlap/ma.js'
export { mavp, mavpLookback, MavpStream, type PeriodValue } from './overlap/mavp.js'
export { mama, mamaLookback, MamaStream, type Mama } from './overlap/mama.js'
export { htTrendline, htTrendlineLookback, HtTrendlineStream } from './overlap/ht-trendline.js'
export { bbands, bbandsLookback, BbandsStream, type BollingerBands } from './overlap/bbands.js'
export { sar, sarLookback, SarStream } from './overlap/sar.js'
export { sarext, sarextLookback, SarextStream, type SarExtOptions } from './overlap/sarext.js'
export {
  midpoint,
  MidpointStream,
  midprice,
  MidpriceStream,
  windowLookback,
} from './overlap/midpoint.js'

// Momentum
export { rsi, rsiLookback, RsiStream } from './momentum/rsi.js'
export { macd, macdLookback, MacdStream, type Macd } from './momentum/macd.js'
export {
  macdext,
  macdextLookback,
  MacdextStream,
  macdfix,
  macdfixLookback,
  MacdfixStream,
  type MacdExtOptions,
  type MacdLines,
  type MacdPoint,
} from './momentum/macdext.js'
export { apo, apoLookback, ApoStream, ppo, PpoStream } from './momentum/apo.js'
export { stoch, stochLookback, StochStream, type Stochastic } from './momentum/stoch.js'
export { stochf, stochfLookback, StochfStream, type FastStochastic } from './momentum/stochf.js'
export { stochrsi, stochrsiLookback, StochrsiStream } from './momentum/stochrsi.js'
export { willr, willrLookback, WillrStream } from './momentum/willr.js'
export { cci, cciLookback, CciStream } from './momentum/cci.js'
export { cmo, cmoLookback, CmoStream } from './momentum/cmo.js'
export { roc, rocLookback, RocStream } from './momentum/roc.js'
export {
  changeLookback,
  mom,
  MomStream,
  rocp,
  RocpStream,
  rocr,
  rocr100,
  Rocr100Stream,
  RocrStream,
} from './momentum/change.js'
export { trix, trixLookback, TrixStream } from './momentum/trix.js'
export { ultosc, ultoscLookback, UltoscStream } from './momentum/ultosc.js'
export { adx, adxLookback, AdxStream } from './momentum/adx.js'
export {
  adxr,
  adxrLookback,
  AdxrStream,
  diLookback,
  dmLookback,
  dx,
  dxLookback,
  DxStream,
  minusDI,
  MinusDiStream,
  minusDM,
  MinusDmStream,
  plusDI,
  PlusDiStream,
  plusDM,
  PlusDmStream,
} from './momentum/directional.js'
export {
  aroon,
  aroonLookback,
  aroonosc,
  AroonoscStream,
  AroonStream,
  type Aroon,
} from './momentum/aroon.js'
export { bop, BopStream } from './momentum/bop.js'
export { mfi, mfiLookback, MfiStream } from './momentum/mfi.js'

// Volume
export { obv, obvLookback, ObvStream } from './volume/obv.js'
export { ad, adosc, adoscLookback, AdoscStream, AdStream } from './volume/ad.js'

// Volatility
export {
  atr,
  atrLookback,
  AtrStream,
  trange,
  trangeLookback,
  TrangeStream,
} from './volatility/atr.js'
export { natr, natrLookback, NatrStream } from './volatility/natr.js'

// Price transform
export {
  avgprice,
  AvgpriceStream,
  medprice,
  MedpriceStream,
  typprice,
  TyppriceStream,
  wclprice,
  WclpriceStream,
} from './price-transform/price.js'

// Cycle
export {
  htDcperiod,
  htDcperiodLookback,
  HtDcperiodStream,
  htPhasor,
  HtPhasorStream,
  type Phasor,
} from './cycle/dominant-cycle.js'
export {
  htDcphase,
  htDcphaseLookback,
  HtDcphaseStream,
  htSine,
  HtSineStream,
  htTrendmode,
  HtTrendmodeStream,
  type Sine,
} from './cycle/phase.js'

// Statistic
export {
  stddev,
  StddevStream,
  variance,
  varianceLookback,
  VarianceStream,
} from './statistic/variance.js'
export {
  linearreg,
  linearregAngle,
  LinearregAngleStream,
  linearregIntercept,
  LinearregInterceptStream,
  linearregLookback,
  linearregSlope,
  LinearregSlopeStream,
  LinearregStream,
  tsf,
  TsfStream,
} from './statistic/linearreg.js'
export {
  beta,
  betaLookback,
  BetaStream,
  correl,
  correlLookback,
  CorrelStream,
  type Pair,
} from './statistic/pairs.js'

// Math operators
export { max, MaxStream, min, MinStream, sum, SumStream } from './math/operators.js'

// Beyond TA-Lib
export { hma, hmaLookback, HmaStream } from './beyond/hma.js'
export {
  donchian,
  donchianLookback,
  DonchianStream,
  keltner,
  keltnerLookback,
  KeltnerStream,
  type Channel,
} from './beyond/channels.js'
export { vwap, VwapStream, type TimedBar, type VwapAnchor } from './beyond/vwap.js'
export {
  supertrend,
  supertrendLookback,
  SupertrendStream,
  type Supertrend,
} from './beyond/supertrend.js'
export {
  ichimoku,
  ichimokuLookback,
  IchimokuStream,
  type Ichimoku,
  type IchimokuOptions,
} from './beyond/ichimoku.js'
