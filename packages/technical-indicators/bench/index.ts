/**
 * technical-indicators benchmark: `pnpm bench` in this package.
 *
 * 1,000,000 bars of a deterministic random walk; each indicator timed as the median of several
 * runs, ours against the peers in the same run. technicalindicators and trading-signals are slow
 * enough that they run on 100,000 bars and are scaled per bar (said in the table). The TA-Lib
 * binding is measured when `TALIB_PATH` points at an installed talib@1.1.6 (not a dependency).
 */
import { createRequire } from 'node:module'
import { cpus } from 'node:os'
import { IndicatorsSync } from '@ixjb94/indicators'
import * as indicatorts from 'indicatorts'
import * as ti from 'technicalindicators'
import * as ts from 'trading-signals'
import { adx, atr, bbands, ema, macd, rsi, sma, stoch } from '../src/index.js'
import { N, perBar, RUNS, walk } from './common.js'
import { printStreamTable, streamTable } from './streams.js'

const SLOW_N = 100_000
const big = walk(N)
const small = walk(SLOW_N)

let talib: { execute(args: Record<string, unknown>): unknown } | undefined
const talibPath = process.env.TALIB_PATH ?? '/tmp/talib/node_modules/talib'
try {
  talib = createRequire(import.meta.url)(talibPath) as typeof talib
} catch {
  talib = undefined
}
const tl =
  (name: string, extra: Record<string, unknown>, hlc = false) =>
  () => {
    // Not installed: throwing makes perBar report n/a (an empty call would time as 0 ns).
    if (talib === undefined) throw new Error('talib binding not installed')
    return talib.execute({
      name,
      startIdx: 0,
      endIdx: N - 1,
      ...(hlc
        ? { high: big.highArr, low: big.lowArr, close: big.closeArr }
        : { inReal: big.closeArr }),
      ...extra,
    })
  }

const ix = new IndicatorsSync()
type Row = { name: string; ours: number; peers: Record<string, number> }
const rows: Row[] = []
const add = (name: string, ours: () => unknown, peers: Record<string, [number, () => unknown]>) => {
  const row: Row = { name, ours: perBar(N, ours), peers: {} }
  for (const [peer, [bars, fn]] of Object.entries(peers)) row.peers[peer] = perBar(bars, fn)
  rows.push(row)
}
const { close, high, low } = big
// Caller-supplied output buffers, reused run after run: the hot-loop use the API offers.
const b1 = new Float64Array(N)
const b2 = new Float64Array(N)
const b3 = new Float64Array(N)
const s = small

add('SMA(30)', () => sma(close, 30, b1), {
  technicalindicators: [SLOW_N, () => ti.SMA.calculate({ period: 30, values: s.closeArr })],
  'trading-signals': [
    SLOW_N,
    () => {
      const x = new ts.SMA(30)
      for (const v of s.close) x.update(v, false)
    },
  ],
  '@ixjb94/indicators': [N, () => ix.sma(big.closeArr, 30)],
  indicatorts: [N, () => indicatorts.sma(big.closeArr, { period: 30 })],
  'talib binding': [N, tl('SMA', { optInTimePeriod: 30 })],
})
add('EMA(30)', () => ema(close, 30, b1), {
  technicalindicators: [SLOW_N, () => ti.EMA.calculate({ period: 30, values: s.closeArr })],
  'trading-signals': [
    SLOW_N,
    () => {
      const x = new ts.EMA(30)
      for (const v of s.close) x.update(v, false)
    },
  ],
  '@ixjb94/indicators': [N, () => ix.ema(big.closeArr, 30)],
  indicatorts: [N, () => indicatorts.ema(big.closeArr, { period: 30 })],
  'talib binding': [N, tl('EMA', { optInTimePeriod: 30 })],
})
add('RSI(14)', () => rsi(close, 14, b1), {
  technicalindicators: [SLOW_N, () => ti.RSI.calculate({ period: 14, values: s.closeArr })],
  'trading-signals': [
    SLOW_N,
    () => {
      const x = new ts.RSI(14)
      for (const v of s.close) x.update(v, false)
    },
  ],
  '@ixjb94/indicators': [N, () => ix.rsi(big.closeArr, 14)],
  indicatorts: [N, () => indicatorts.rsi(big.closeArr, { period: 14 })],
  'talib binding': [N, tl('RSI', { optInTimePeriod: 14 })],
})
add('MACD(12,26,9)', () => macd(close, 12, 26, 9, { macd: b1, signal: b2, histogram: b3 }), {
  technicalindicators: [
    SLOW_N,
    () =>
      ti.MACD.calculate({
        values: s.closeArr,
        fastPeriod: 12,
        slowPeriod: 26,
        signalPeriod: 9,
        SimpleMAOscillator: false,
        SimpleMASignal: false,
      }),
  ],
  'trading-signals': [
    SLOW_N,
    () => {
      const x = new ts.MACD(new ts.EMA(12), new ts.EMA(26), new ts.EMA(9))
      for (const v of s.close) x.update(v, false)
    },
  ],
  '@ixjb94/indicators': [N, () => ix.macd(big.closeArr, 12, 26, 9)],
  indicatorts: [N, () => indicatorts.macd(big.closeArr, { fast: 12, slow: 26, signal: 9 })],
  'talib binding': [
    N,
    tl('MACD', { optInFastPeriod: 12, optInSlowPeriod: 26, optInSignalPeriod: 9 }),
  ],
})
add('BBANDS(20,2)', () => bbands(close, 20, 2, 2, { upper: b1, middle: b2, lower: b3 }), {
  technicalindicators: [
    SLOW_N,
    () => ti.BollingerBands.calculate({ period: 20, values: s.closeArr, stdDev: 2 }),
  ],
  'trading-signals': [
    SLOW_N,
    () => {
      const x = new ts.BollingerBands(20, 2)
      for (const v of s.close) x.update(v, false)
    },
  ],
  '@ixjb94/indicators': [N, () => ix.bbands(big.closeArr, 20, 2)],
  indicatorts: [N, () => indicatorts.bb(big.closeArr, { period: 20 })],
  'talib binding': [
    N,
    tl('BBANDS', { optInTimePeriod: 20, optInNbDevUp: 2, optInNbDevDn: 2, optInMAType: 0 }),
  ],
})
add('ATR(14)', () => atr(high, low, close, 14, b1), {
  technicalindicators: [
    SLOW_N,
    () => ti.ATR.calculate({ period: 14, high: s.highArr, low: s.lowArr, close: s.closeArr }),
  ],
  'trading-signals': [
    SLOW_N,
    () => {
      const x = new ts.ATR(14)
      for (let i = 0; i < SLOW_N; i++)
        x.update({ high: s.high[i] ?? 0, low: s.low[i] ?? 0, close: s.close[i] ?? 0 }, false)
    },
  ],
  '@ixjb94/indicators': [N, () => ix.atr(big.highArr, big.lowArr, big.closeArr, 14)],
  indicatorts: [N, () => indicatorts.atr(big.highArr, big.lowArr, big.closeArr, { period: 14 })],
  'talib binding': [N, tl('ATR', { optInTimePeriod: 14 }, true)],
})
add('STOCH(5,3,3)', () => stoch(high, low, close, 5, 3, 3, { k: b1, d: b2 }), {
  technicalindicators: [
    SLOW_N,
    () =>
      ti.Stochastic.calculate({
        period: 5,
        signalPeriod: 3,
        high: s.highArr,
        low: s.lowArr,
        close: s.closeArr,
      }),
  ],
  'trading-signals': [
    SLOW_N,
    () => {
      const x = new ts.StochasticOscillator({ kPeriod: 5, kSlowingPeriod: 3, dPeriod: 3 })
      for (let i = 0; i < SLOW_N; i++)
        x.update({ high: s.high[i] ?? 0, low: s.low[i] ?? 0, close: s.close[i] ?? 0 }, false)
    },
  ],
  '@ixjb94/indicators': [N, () => ix.stoch(big.highArr, big.lowArr, big.closeArr, 5, 3, 3)],
  indicatorts: [N, () => indicatorts.stoch(big.highArr, big.lowArr, big.closeArr)],
  'talib binding': [
    N,
    tl(
      'STOCH',
      {
        optInFastK_Period: 5,
        optInSlowK_Period: 3,
        optInSlowD_Period: 3,
        optInSlowK_MAType: 0,
        optInSlowD_MAType: 0,
      },
      true,
    ),
  ],
})
add('ADX(14)', () => adx(high, low, close, 14, b1), {
  technicalindicators: [
    SLOW_N,
    () => ti.ADX.calculate({ period: 14, high: s.highArr, low: s.lowArr, close: s.closeArr }),
  ],
  'trading-signals': [
    SLOW_N,
    () => {
      const x = new ts.ADX(14)
      for (let i = 0; i < SLOW_N; i++)
        x.update({ high: s.high[i] ?? 0, low: s.low[i] ?? 0, close: s.close[i] ?? 0 }, false)
    },
  ],
  '@ixjb94/indicators': [N, () => ix.adx(big.highArr, big.lowArr, 14)],
  'talib binding': [N, tl('ADX', { optInTimePeriod: 14 }, true)],
})

// Streaming: bench/streams.ts measures each stream loop in a Node process of its own, so that
// nothing measured before it (the batch peers above share base classes with their streams) can
// slow it down.
const streams = streamTable()

const fmt = (sec: number) => (Number.isNaN(sec) ? 'n/a' : `${(sec * 1e9).toFixed(1)} ns`)
const peerNames = [
  'technicalindicators',
  'trading-signals',
  '@ixjb94/indicators',
  'indicatorts',
  'talib binding',
]
console.log(
  `machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}; ${N.toLocaleString('en-US')} bars (technicalindicators and trading-signals: ${SLOW_N.toLocaleString('en-US')}, per bar); median of ${RUNS} runs; ours write into reused output buffers; talib binding ${talib === undefined ? 'not installed (set TALIB_PATH)' : 'measured'}`,
)
console.log('')
console.log(
  `| indicator | ours per bar | ${peerNames.join(' | ')} | vs fastest peer | vs technicalindicators |`,
)
console.log(`| --- | --- | ${peerNames.map(() => '---').join(' | ')} | --- | --- |`)
for (const r of rows) {
  const peerTimes = peerNames.map((p) => r.peers[p] ?? Number.NaN)
  const fastest = Math.min(...peerTimes.filter((t) => !Number.isNaN(t)))
  const vsTi = (r.peers.technicalindicators ?? Number.NaN) / r.ours
  console.log(
    `| ${r.name} | ${fmt(r.ours)} | ${peerTimes.map(fmt).join(' | ')} | **${(fastest / r.ours).toFixed(1)}×** | **${vsTi.toFixed(0)}×** |`,
  )
}
console.log('')
printStreamTable(streams)
