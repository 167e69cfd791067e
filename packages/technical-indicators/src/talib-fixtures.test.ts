import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { fixtureSeries, type Series } from '../scripts/series.mjs'
import {
  adx,
  atr,
  cci,
  mfi,
  sar,
  stoch,
  bbands,
  ema,
  EmaStream,
  macd,
  obv,
  roc,
  rsi,
  RsiStream,
  sma,
  SmaStream,
  willr,
  wma,
} from './index.js'

interface Fixture {
  function: string
  cases: {
    series: string
    params: Record<string, number>
    begIndex: number
    outputs: Record<string, (number | null)[]>
  }[]
}

const series = fixtureSeries()
const load = (name: string): Fixture =>
  JSON.parse(
    readFileSync(new URL(`./__fixtures__/talib/${name}.json`, import.meta.url), 'utf8'),
  ) as Fixture

type Compute = (s: Series, p: Record<string, number>) => Record<string, Float64Array>

const BATCH: Record<string, Compute> = {
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

/** Compares to TA-Lib: `===` where TA-Lib has a value, NaN where it has none. */
function expectEqualToTalib(
  name: string,
  got: ArrayLike<number>,
  want: readonly (number | null)[],
): void {
  expect(got.length, name).toBe(want.length)
  for (let i = 0; i < want.length; i++) {
    const w = want[i]
    const g = got[i] as number
    if (w === null || w === undefined) {
      if (!Number.isNaN(g)) expect.fail(`${name}[${i}]: TA-Lib has no value, we gave ${g}`)
    } else if (g !== w) {
      expect.fail(`${name}[${i}]: ${g} !== TA-Lib's ${w}`)
    }
  }
}

describe.each(Object.keys(BATCH))('%s equals TA-Lib to the last bit', (name) => {
  const fixture = load(name)
  it.each(fixture.cases.map((c) => [`${c.series} ${JSON.stringify(c.params)}`, c] as const))(
    'on %s',
    (_label, c) => {
      const s = series[c.series]
      if (s === undefined) throw new Error(`no series ${c.series}`)
      const got = (BATCH[name] as Compute)(s, c.params)
      for (const [output, want] of Object.entries(c.outputs)) {
        expectEqualToTalib(`${name}.${output}`, got[output] ?? new Float64Array(), want)
      }
    },
  )
})

type StreamLike = { update(v: number): number; replace(v: number): number }
const STREAMS: Record<string, (p: Record<string, number>) => StreamLike> = {
  sma: (p) => new SmaStream(p.period),
  ema: (p) => new EmaStream(p.period),
  rsi: (p) => new RsiStream(p.period),
}

describe.each(Object.keys(STREAMS))('%s streaming equals TA-Lib bar by bar', (name) => {
  const fixture = load(name)
  it.each(fixture.cases.map((c) => [`${c.series} ${JSON.stringify(c.params)}`, c] as const))(
    'on %s, with replaced last bars',
    (_label, c) => {
      const s = series[c.series]
      if (s === undefined) throw new Error(`no series ${c.series}`)
      const want = c.outputs.value ?? []
      const plain = (STREAMS[name] as (p: Record<string, number>) => StreamLike)(c.params)
      const replaced = (STREAMS[name] as (p: Record<string, number>) => StreamLike)(c.params)
      const a = new Float64Array(s.close.length)
      const b = new Float64Array(s.close.length)
      s.close.forEach((v, i) => {
        a[i] = plain.update(v)
        // The still-open candle: updated with other prices first, then replaced by the close.
        replaced.update(v * 1.01 + 3)
        replaced.replace(v * 0.97)
        replaced.replace(v + 1e-9)
        b[i] = replaced.replace(v)
      })
      expectEqualToTalib(`${name} stream`, a, want)
      expectEqualToTalib(`${name} stream with replace`, b, want)
    },
  )
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
