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
export * from './index-overlap-statistics.js'
export * from './index-momentum-extra.js'
export * from './index-beyond-talib.js'
