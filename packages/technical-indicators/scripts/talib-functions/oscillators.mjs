// TA-Lib's MA, the oscillators with a moving-average type (APO, PPO, MACDEXT, STOCHF, STOCHRSI),
// MACDFIX, ULTOSC and the directional-movement family (PLUS_DM, MINUS_DM, PLUS_DI, MINUS_DI, DX,
// ADXR). `maType` parameters are TA-Lib's TA_MAType codes (SMA 0 … T3 8; MAMA 7 is not ours).
// See ../generate-talib-fixtures.mjs for the format.
const TYPES = [0, 1, 2, 3, 4, 5, 6, 8]
const hlc = (name, params, inputs = ['high', 'low', 'close']) => ({
  name,
  inputs,
  params,
  map: { period: 'optInTimePeriod' },
  outputs: { value: 'outReal' },
})

export const FUNCTIONS = {
  ma: {
    name: 'MA',
    inputs: ['close'],
    params: [
      ...TYPES.map((maType) => ({ period: 10, maType })),
      { period: 1, maType: 1 },
      { period: 2, maType: 6 },
      { period: 3, maType: 8 },
    ],
    map: { period: 'optInTimePeriod', maType: 'optInMAType' },
    outputs: { value: 'outReal' },
  },
  apo: {
    name: 'APO',
    inputs: ['close'],
    params: [
      { fast: 12, slow: 26, maType: 0 },
      { fast: 12, slow: 26, maType: 1 },
      { fast: 5, slow: 3, maType: 2 },
      { fast: 3, slow: 10, maType: 6 },
      { fast: 4, slow: 9, maType: 8 },
    ],
    map: { fast: 'optInFastPeriod', slow: 'optInSlowPeriod', maType: 'optInMAType' },
    outputs: { value: 'outReal' },
  },
  ppo: {
    name: 'PPO',
    inputs: ['close'],
    params: [
      { fast: 12, slow: 26, maType: 0 },
      { fast: 12, slow: 26, maType: 1 },
      { fast: 10, slow: 4, maType: 3 },
      { fast: 3, slow: 8, maType: 5 },
    ],
    map: { fast: 'optInFastPeriod', slow: 'optInSlowPeriod', maType: 'optInMAType' },
    outputs: { value: 'outReal' },
  },
  macdext: {
    name: 'MACDEXT',
    inputs: ['close'],
    params: [
      { fast: 12, fastMaType: 0, slow: 26, slowMaType: 0, signal: 9, signalMaType: 0 },
      { fast: 12, fastMaType: 1, slow: 26, slowMaType: 1, signal: 9, signalMaType: 1 },
      { fast: 5, fastMaType: 8, slow: 20, slowMaType: 0, signal: 4, signalMaType: 2 },
      { fast: 15, fastMaType: 4, slow: 6, slowMaType: 1, signal: 1, signalMaType: 6 },
      { fast: 3, fastMaType: 6, slow: 8, slowMaType: 3, signal: 3, signalMaType: 5 },
    ],
    map: {
      fast: 'optInFastPeriod',
      fastMaType: 'optInFastMAType',
      slow: 'optInSlowPeriod',
      slowMaType: 'optInSlowMAType',
      signal: 'optInSignalPeriod',
      signalMaType: 'optInSignalMAType',
    },
    outputs: { macd: 'outMACD', signal: 'outMACDSignal', histogram: 'outMACDHist' },
  },
  macdfix: {
    name: 'MACDFIX',
    inputs: ['close'],
    // Not signal 1: TA-Lib then reports its first value one bar early, an uninitialised denormal,
    // and every later value shifted by a bar (its EMA of period 1 and INT_MACD disagree on the
    // lookback). Ours gives the line itself as the signal there; see the test.
    params: [{ signal: 9 }, { signal: 2 }, { signal: 4 }],
    map: { signal: 'optInSignalPeriod' },
    outputs: { macd: 'outMACD', signal: 'outMACDSignal', histogram: 'outMACDHist' },
  },
  stochf: {
    name: 'STOCHF',
    inputs: ['high', 'low', 'close'],
    params: [
      { fastK: 5, fastD: 3, maType: 0 },
      { fastK: 14, fastD: 3, maType: 1 },
      { fastK: 1, fastD: 1, maType: 0 },
      { fastK: 3, fastD: 4, maType: 8 },
    ],
    map: { fastK: 'optInFastK_Period', fastD: 'optInFastD_Period', maType: 'optInFastD_MAType' },
    outputs: { k: 'outFastK', d: 'outFastD' },
  },
  stochrsi: {
    name: 'STOCHRSI',
    inputs: ['close'],
    params: [
      { period: 14, fastK: 5, fastD: 3, maType: 0 },
      { period: 14, fastK: 14, fastD: 3, maType: 1 },
      { period: 5, fastK: 3, fastD: 1, maType: 0 },
      { period: 2, fastK: 1, fastD: 2, maType: 2 },
    ],
    map: {
      period: 'optInTimePeriod',
      fastK: 'optInFastK_Period',
      fastD: 'optInFastD_Period',
      maType: 'optInFastD_MAType',
    },
    outputs: { k: 'outFastK', d: 'outFastD' },
  },
  ultosc: {
    name: 'ULTOSC',
    inputs: ['high', 'low', 'close'],
    params: [
      { period1: 7, period2: 14, period3: 28 },
      { period1: 20, period2: 3, period3: 9 },
      { period1: 1, period2: 1, period3: 2 },
    ],
    map: { period1: 'optInTimePeriod1', period2: 'optInTimePeriod2', period3: 'optInTimePeriod3' },
    outputs: { value: 'outReal' },
  },
  plusDM: hlc('PLUS_DM', [{ period: 14 }, { period: 2 }, { period: 1 }], ['high', 'low']),
  minusDM: hlc('MINUS_DM', [{ period: 14 }, { period: 2 }, { period: 1 }], ['high', 'low']),
  plusDI: hlc('PLUS_DI', [{ period: 14 }, { period: 2 }, { period: 1 }]),
  minusDI: hlc('MINUS_DI', [{ period: 14 }, { period: 2 }, { period: 1 }]),
  dx: hlc('DX', [{ period: 14 }, { period: 5 }, { period: 2 }]),
  adxr: hlc('ADXR', [{ period: 14 }, { period: 5 }, { period: 2 }]),
}
