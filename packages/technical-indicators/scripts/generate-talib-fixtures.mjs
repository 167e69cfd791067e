// Generates src/__fixtures__/talib/<function>.json from TA-Lib itself (talib@1.1.6, which compiles
// TA-Lib's C source). TA-Lib is not a dependency: install it in a throwaway folder and pass its path:
//   mkdir /tmp/talib && cd /tmp/talib && npm i talib@1.1.6
//   node scripts/generate-talib-fixtures.mjs /tmp/talib/node_modules/talib
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fixtureSeries } from './series.mjs'

const talibPath = process.argv[2]
if (talibPath === undefined) {
  console.error('usage: node scripts/generate-talib-fixtures.mjs <path to node_modules/talib>')
  process.exit(2)
}
const talib = createRequire(import.meta.url)(talibPath)

/** Our function name → TA-Lib name, inputs, parameter sets (our names → TA-Lib's), outputs (ours → TA-Lib's). */
const FUNCTIONS = {
  sma: {
    name: 'SMA',
    inputs: ['close'],
    params: [{ period: 30 }, { period: 5 }, { period: 2 }],
    map: { period: 'optInTimePeriod' },
    outputs: { value: 'outReal' },
  },
  ema: {
    name: 'EMA',
    inputs: ['close'],
    params: [{ period: 30 }, { period: 9 }, { period: 2 }],
    map: { period: 'optInTimePeriod' },
    outputs: { value: 'outReal' },
  },
  wma: {
    name: 'WMA',
    inputs: ['close'],
    params: [{ period: 30 }, { period: 7 }],
    map: { period: 'optInTimePeriod' },
    outputs: { value: 'outReal' },
  },
  rsi: {
    name: 'RSI',
    inputs: ['close'],
    params: [{ period: 14 }, { period: 5 }, { period: 2 }],
    map: { period: 'optInTimePeriod' },
    outputs: { value: 'outReal' },
  },
  roc: {
    name: 'ROC',
    inputs: ['close'],
    params: [{ period: 10 }, { period: 3 }],
    map: { period: 'optInTimePeriod' },
    outputs: { value: 'outReal' },
  },
  obv: {
    name: 'OBV',
    inputs: ['close', 'volume'],
    params: [{}],
    map: {},
    outputs: { value: 'outReal' },
  },
  willr: {
    name: 'WILLR',
    inputs: ['high', 'low', 'close'],
    params: [{ period: 14 }, { period: 5 }],
    map: { period: 'optInTimePeriod' },
    outputs: { value: 'outReal' },
  },
  atr: {
    name: 'ATR',
    inputs: ['high', 'low', 'close'],
    params: [{ period: 14 }, { period: 5 }, { period: 1 }],
    map: { period: 'optInTimePeriod' },
    outputs: { value: 'outReal' },
  },
  bbands: {
    name: 'BBANDS',
    inputs: ['close'],
    params: [
      { period: 5, devUp: 2, devDown: 2 },
      { period: 20, devUp: 2.5, devDown: 1.5 },
      { period: 10, devUp: 1, devDown: 1 },
    ],
    map: { period: 'optInTimePeriod', devUp: 'optInNbDevUp', devDown: 'optInNbDevDn' },
    fixed: { optInMAType: 0 },
    outputs: { upper: 'outRealUpperBand', middle: 'outRealMiddleBand', lower: 'outRealLowerBand' },
  },
  macd: {
    name: 'MACD',
    inputs: ['close'],
    params: [
      { fast: 12, slow: 26, signal: 9 },
      { fast: 5, slow: 13, signal: 4 },
      { fast: 26, slow: 12, signal: 9 },
    ],
    map: { fast: 'optInFastPeriod', slow: 'optInSlowPeriod', signal: 'optInSignalPeriod' },
    outputs: { macd: 'outMACD', signal: 'outMACDSignal', histogram: 'outMACDHist' },
  },
  stoch: {
    name: 'STOCH',
    inputs: ['high', 'low', 'close'],
    params: [
      { fastK: 5, slowK: 3, slowD: 3 },
      { fastK: 14, slowK: 1, slowD: 3 },
      { fastK: 9, slowK: 4, slowD: 2 },
    ],
    map: { fastK: 'optInFastK_Period', slowK: 'optInSlowK_Period', slowD: 'optInSlowD_Period' },
    fixed: { optInSlowK_MAType: 0, optInSlowD_MAType: 0 },
    outputs: { k: 'outSlowK', d: 'outSlowD' },
  },
  cci: {
    name: 'CCI',
    inputs: ['high', 'low', 'close'],
    params: [{ period: 14 }, { period: 5 }, { period: 20 }],
    map: { period: 'optInTimePeriod' },
    outputs: { value: 'outReal' },
  },
  adx: {
    name: 'ADX',
    inputs: ['high', 'low', 'close'],
    params: [{ period: 14 }, { period: 5 }, { period: 2 }],
    map: { period: 'optInTimePeriod' },
    outputs: { value: 'outReal' },
  },
  mfi: {
    name: 'MFI',
    inputs: ['high', 'low', 'close', 'volume'],
    params: [{ period: 14 }, { period: 5 }],
    map: { period: 'optInTimePeriod' },
    outputs: { value: 'outReal' },
  },
  sar: {
    name: 'SAR',
    inputs: ['high', 'low'],
    params: [
      { acceleration: 0.02, maximum: 0.2 },
      { acceleration: 0.05, maximum: 0.5 },
      { acceleration: 0.3, maximum: 0.2 },
    ],
    map: { acceleration: 'optInAcceleration', maximum: 'optInMaximum' },
    outputs: { value: 'outReal' },
  },
}

const INPUT_NAMES = { close: 'inReal', high: 'high', low: 'low', volume: 'volume' }

const series = fixtureSeries()
for (const [fn, spec] of Object.entries(FUNCTIONS)) {
  const cases = []
  for (const [seriesName, s] of Object.entries(series)) {
    for (const params of spec.params) {
      const call = {
        name: spec.name,
        startIdx: 0,
        endIdx: s.close.length - 1,
        ...(spec.fixed ?? {}),
      }
      for (const input of spec.inputs) {
        if (spec.inputs.length === 1) call.inReal = s[input]
        else if (input === 'close') call[spec.name === 'OBV' ? 'inReal' : 'close'] = s.close
        else call[INPUT_NAMES[input]] = s[input]
      }
      for (const [ours, theirs] of Object.entries(params)) call[spec.map[ours]] = theirs
      let result
      try {
        result = talib.execute(call)
      } catch (error) {
        throw new Error(`${spec.name} ${seriesName} ${JSON.stringify(params)}: ${error.message}`)
      }
      const outputs = {}
      for (const [ours, theirs] of Object.entries(spec.outputs)) {
        const values = result.result?.[theirs] ?? []
        const full = new Array(s.close.length).fill(null)
        for (let i = 0; i < values.length; i++) full[result.begIndex + i] = values[i]
        outputs[ours] = full
      }
      cases.push({ series: seriesName, params, begIndex: result.begIndex, outputs })
    }
  }
  const fixture = {
    source: `TA-Lib C ${talib.version ?? ''} via the talib@1.1.6 Node binding, generated by scripts/generate-talib-fixtures.mjs`,
    function: spec.name,
    cases,
  }
  writeFileSync(
    new URL(`../src/__fixtures__/talib/${fn}.json`, import.meta.url),
    `${JSON.stringify(fixture)}\n`,
  )
  console.log(fn, cases.length, 'cases')
}
