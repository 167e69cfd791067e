export { ema, emaLookback, EmaStream } from './overlap/ema.js'
export { sma, smaLookback, SmaStream } from './overlap/sma.js'
export { wma, wmaLookback, WmaStream } from './overlap/wma.js'
export { bbands, bbandsLookback, BbandsStream, type BollingerBands } from './overlap/bbands.js'
export { macd, macdLookback, MacdStream, type Macd } from './momentum/macd.js'
export { roc, rocLookback, RocStream } from './momentum/roc.js'
export { rsi, rsiLookback, RsiStream } from './momentum/rsi.js'
export { willr, willrLookback, WillrStream } from './momentum/willr.js'
export {
  atr,
  atrLookback,
  AtrStream,
  trange,
  trangeLookback,
  TrangeStream,
} from './volatility/atr.js'
export { obv, obvLookback, ObvStream } from './volume/obv.js'
export { stoch, stochLookback, StochStream, type Stochastic } from './momentum/stoch.js'
export { cci, cciLookback, CciStream } from './momentum/cci.js'
export { adx, adxLookback, AdxStream } from './momentum/adx.js'
export { mfi, mfiLookback, MfiStream } from './volume/mfi.js'
export { sar, sarLookback, SarStream } from './overlap/sar.js'
export type { Bar, Stream } from './stream.js'

// Beyond DESIGN §8: TA-Lib's overlap, momentum, volatility, volume, statistic and price functions,
// and what traders ask for that TA-Lib lacks. Each stream runs on the kernel of its batch function.
export {
  dema,
  demaLookback,
  DemaStream,
  kama,
  kamaLookback,
  KamaStream,
  max,
  MaxStream,
  midpoint,
  MidpointStream,
  midprice,
  MidpriceStream,
  min,
  MinStream,
  sum,
  SumStream,
  t3,
  t3Lookback,
  T3Stream,
  tema,
  temaLookback,
  TemaStream,
  trima,
  trimaLookback,
  TrimaStream,
  windowLookback,
} from './extra/overlap.js'
export {
  aroon,
  aroonLookback,
  aroonosc,
  AroonoscStream,
  AroonStream,
  bop,
  BopStream,
  changeLookback,
  cmo,
  cmoLookback,
  CmoStream,
  mom,
  MomStream,
  rocp,
  RocpStream,
  rocr,
  rocr100,
  Rocr100Stream,
  RocrStream,
  trix,
  trixLookback,
  TrixStream,
  type Aroon,
} from './extra/momentum.js'
export {
  ad,
  adosc,
  adoscLookback,
  AdoscStream,
  AdStream,
  avgprice,
  AvgpriceStream,
  linearreg,
  linearregAngle,
  LinearregAngleStream,
  linearregIntercept,
  LinearregInterceptStream,
  linearregLookback,
  linearregSlope,
  LinearregSlopeStream,
  LinearregStream,
  medprice,
  MedpriceStream,
  natr,
  natrLookback,
  NatrStream,
  stddev,
  StddevStream,
  tsf,
  TsfStream,
  typprice,
  TyppriceStream,
  variance,
  varianceLookback,
  VarianceStream,
  wclprice,
  WclpriceStream,
} from './extra/statistics.js'
export {
  donchian,
  donchianLookback,
  DonchianStream,
  hma,
  hmaLookback,
  HmaStream,
  keltner,
  keltnerLookback,
  KeltnerStream,
  supertrend,
  supertrendLookback,
  SupertrendStream,
  vwap,
  VwapStream,
  type Channel,
  type Supertrend,
  type TimedBar,
  type VwapAnchor,
} from './extra/beyond.js'
export * from './index-overlap-statistics.js'
export * from './index-momentum-extra.js'
export * from './index-beyond-talib.js'
