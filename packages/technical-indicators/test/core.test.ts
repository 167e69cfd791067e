import { describe, expect, it } from 'vitest'
import {
  describeBatch,
  describeStreams,
  series,
  type BatchCompute,
  type StreamSpec,
} from './talib-harness.js'
import {
  AdxStream,
  AtrStream,
  CciStream,
  MfiStream,
  ObvStream,
  RocStream,
  SarStream,
  StochStream,
  WillrStream,
  WmaStream,
  adx,
  atr,
  cci,
  mfi,
  sar,
  stoch,
  bbands,
  BbandsStream,
  MacdStream,
  ema,
  EmaStream,
  macd,
  obv,
  roc,
  trange,
  TrangeStream,
  rsi,
  RsiStream,
  sma,
  SmaStream,
  willr,
  wma,
} from '../src/index.js'

const BATCH: Record<string, BatchCompute> = {
  sma: (s, p) => ({ value: sma(s.close, p.period) }),
  ema: (s, p) => ({ value: ema(s.close, p.period) }),
  wma: (s, p) => ({ value: wma(s.close, p.period) }),
  rsi: (s, p) => ({ value: rsi(s.close, p.period) }),
  roc: (s, p) => ({ value: roc(s.close, p.period) }),
  obv: (s) => ({ value: obv(s.close, s.volume) }),
  willr: (s, p) => ({ value: willr(s.high, s.low, s.close, p.period) }),
  atr: (s, p) => ({ value: atr(s.high, s.low, s.close, p.period) }),
  bbands: (s, p) => ({ ...bbands(s.close, p.period, p.devUp, p.devDown) }),
  macd: (s, p) => ({ ...macd(s.close, p.fast, p.slow, p.signal) }),
  stoch: (s, p) => ({ ...stoch(s.high, s.low, s.close, p.fastK, p.slowK, p.slowD) }),
  cci: (s, p) => ({ value: cci(s.high, s.low, s.close, p.period) }),
  adx: (s, p) => ({ value: adx(s.high, s.low, s.close, p.period) }),
  mfi: (s, p) => ({ value: mfi(s.high, s.low, s.close, s.volume, p.period) }),
  sar: (s, p) => ({ value: sar(s.high, s.low, p.acceleration, p.maximum) }),
}
describeBatch(BATCH)

const STREAMS: Record<string, StreamSpec> = {
  sma: { input: 'close', create: (p) => new SmaStream(p.period) },
  ema: { input: 'close', create: (p) => new EmaStream(p.period) },
  rsi: { input: 'close', create: (p) => new RsiStream(p.period) },
  macd: { input: 'close', create: (p) => new MacdStream(p.fast, p.slow, p.signal) },
  bbands: { input: 'close', create: (p) => new BbandsStream(p.period, p.devUp, p.devDown) },
  wma: { input: 'close', create: (p) => new WmaStream(p.period) },
  roc: { input: 'close', create: (p) => new RocStream(p.period) },
  willr: { input: 'bar', create: (p) => new WillrStream(p.period) },
  atr: { input: 'bar', create: (p) => new AtrStream(p.period) },
  obv: { input: 'bar', create: () => new ObvStream() },
  stoch: { input: 'bar', create: (p) => new StochStream(p.fastK, p.slowK, p.slowD) },
  cci: { input: 'bar', create: (p) => new CciStream(p.period) },
  adx: { input: 'bar', create: (p) => new AdxStream(p.period) },
  mfi: { input: 'bar', create: (p) => new MfiStream(p.period) },
  sar: { input: 'bar', create: (p) => new SarStream(p.acceleration, p.maximum) },
}
describeStreams(STREAMS)

describe('trange', () => {
  it('streams the batch values bar by bar, with replace', () => {
    const s = series['random-walk']
    if (s === undefined) throw new Error('no series')
    const want = trange(s.high, s.low, s.close)
    const stream = new TrangeStream()
    s.close.forEach((close, i) => {
      const bar = { high: s.high[i] as number, low: s.low[i] as number, close }
      stream.update({ high: bar.high * 2, low: bar.low / 2, close: close + 1 })
      const got = stream.replace(bar)
      if (i === 0) expect(Number.isNaN(got)).toBe(true)
      else expect(got).toBe(want[i])
    })
  })
})

describe('EMA and RSI streams around NaN', () => {
  const closes = (series['random-walk']?.close ?? []).slice(0, 120)
  const streams = [
    ['ema', (p: number) => new EmaStream(p), (c: number[], p: number) => ema(c, p)],
    ['rsi', (p: number) => new RsiStream(p), (c: number[], p: number) => rsi(c, p)],
  ] as const

  // A NaN bar replaced before the next bar leaves no trace, in the warm-up and after it, and a NaN
  // that stays makes every later value NaN, as in the batch function (TA-Lib's arithmetic).
  it.each(streams)('%s: a NaN bar replaced leaves no trace', (name, make, batch) => {
    for (const period of [2, 5, 14]) {
      const want = batch(closes, period)
      const stream = make(period)
      closes.forEach((v, i) => {
        stream.update(Number.NaN)
        expect(stream.replace(v)).toBe(want[i])
      })
    }
  })

  it.each(streams)('%s: a NaN bar that stays propagates as in batch', (_name, make, batch) => {
    for (const at of [0, 3, 40]) {
      const input = closes.map((v, i) => (i === at ? Number.NaN : v))
      const want = batch(input, 5)
      const stream = make(5)
      input.forEach((v, i) => {
        stream.update(v + 1)
        expect(stream.replace(v)).toBe(want[i])
        expect(stream.replace(v)).toBe(want[i])
      })
    }
  })
})

describe('edge cases', () => {
  it('returns an empty array for an empty input, and all NaN when the period exceeds the input', () => {
    expect(sma([], 5)).toEqual(new Float64Array())
    expect([...rsi([1, 2, 3], 14)].every(Number.isNaN)).toBe(true)
    expect([...macd([1, 2, 3]).macd].every(Number.isNaN)).toBe(true)
  })

  it('gives RSI 0 on a flat series, like TA-Lib', () => {
    expect(rsi(new Array(30).fill(5), 14)[20]).toBe(0)
  })

  it('propagates NaN inputs into the values that depend on them', () => {
    const input = [1, 2, 3, Number.NaN, 5, 6, 7, 8]
    const out = sma(input, 2)
    expect(out[2]).toBe(2.5)
    expect(Number.isNaN(out[3])).toBe(true)
    expect(Number.isNaN(out[4])).toBe(true)
  })

  it('rejects invalid parameters with a RangeError', () => {
    expect(() => sma([1, 2, 3], 1)).toThrow(RangeError)
    expect(() => rsi([1, 2, 3], 2.5)).toThrow(/period must be an integer/)
    expect(() => bbands([1, 2, 3], 5, Number.NaN)).toThrow(RangeError)
    expect(() => willr([1], [1, 2], [1], 5)).toThrow(/same length/)
  })

  it('writes into a caller-supplied buffer, and refuses one that is too short', () => {
    const close = series['random-walk']?.close ?? []
    const buffer = new Float64Array(close.length)
    expect(sma(close, 10, buffer)).toBe(buffer)
    expect(buffer).toEqual(sma(close, 10))
    expect(() => sma(close, 10, new Float64Array(3))).toThrow(RangeError)
  })
})
