import { describe, expect, it } from 'vitest'
import * as ti from '../src/index.js'
import type { Bar, MaType, Stream } from '../src/index.js'
import {
  describeBatch,
  describeStreams,
  expectEqualToTalib,
  loadFixture,
  series,
  type BatchCompute,
  type StreamSpec,
} from './talib-harness.js'

// MA, the oscillators with an MA type, MACDFIX, ULTOSC and the directional-movement family against
// TA-Lib fixtures (scripts/talib-functions/oscillators.mjs); `maType` there is TA-Lib's code.
const type = (code: number | undefined): MaType => {
  const t = ti.TALIB_MA_TYPES[code ?? 0]
  if (t === undefined) throw new Error(`MA type ${code} is not offered`)
  return t
}
const v = (a: Float64Array) => ({ value: a })
type P = Record<string, number>
const macdOptions = (p: P): ti.MacdExtOptions => ({
  fast: p.fast,
  fastMaType: type(p.fastMaType),
  slow: p.slow,
  slowMaType: type(p.slowMaType),
  signal: p.signal,
  signalMaType: type(p.signalMaType),
})

const BATCH: Record<string, BatchCompute> = {
  ma: (s, p) => v(ti.ma(s.close, p.period, type(p.maType))),
  apo: (s, p) => v(ti.apo(s.close, p.fast, p.slow, type(p.maType))),
  ppo: (s, p) => v(ti.ppo(s.close, p.fast, p.slow, type(p.maType))),
  macdext: (s, p) => ({ ...ti.macdext(s.close, macdOptions(p)) }),
  macdfix: (s, p) => ({ ...ti.macdfix(s.close, p.signal) }),
  stochf: (s, p) => ({ ...ti.stochf(s.high, s.low, s.close, p.fastK, p.fastD, type(p.maType)) }),
  stochrsi: (s, p) => ({ ...ti.stochrsi(s.close, p.period, p.fastK, p.fastD, type(p.maType)) }),
  ultosc: (s, p) => v(ti.ultosc(s.high, s.low, s.close, p.period1, p.period2, p.period3)),
  plusDM: (s, p) => v(ti.plusDM(s.high, s.low, p.period)),
  minusDM: (s, p) => v(ti.minusDM(s.high, s.low, p.period)),
  plusDI: (s, p) => v(ti.plusDI(s.high, s.low, s.close, p.period)),
  minusDI: (s, p) => v(ti.minusDI(s.high, s.low, s.close, p.period)),
  dx: (s, p) => v(ti.dx(s.high, s.low, s.close, p.period)),
  adxr: (s, p) => v(ti.adxr(s.high, s.low, s.close, p.period)),
  sarext: (s, p) => v(ti.sarext(s.high, s.low, p)),
  htTrendline: (s) => v(ti.htTrendline(s.close)),
  mavp: (s, p) => v(ti.mavp(s.close, s.periods, p.minPeriod, p.maxPeriod, type(p.maType))),
}
describeBatch(BATCH)

const c = (create: (p: P) => Stream<number, unknown>): StreamSpec => ({ input: 'close', create })
const b = (create: (p: P) => Stream<Bar, unknown>): StreamSpec => ({ input: 'bar', create })

const STREAMS: Record<string, StreamSpec> = {
  ma: c((p) => new ti.MaStream(p.period, type(p.maType))),
  apo: c((p) => new ti.ApoStream(p.fast, p.slow, type(p.maType))),
  ppo: c((p) => new ti.PpoStream(p.fast, p.slow, type(p.maType))),
  macdext: c((p) => new ti.MacdextStream(macdOptions(p))),
  macdfix: c((p) => new ti.MacdfixStream(p.signal)),
  stochf: b((p) => new ti.StochfStream(p.fastK, p.fastD, type(p.maType))),
  stochrsi: c((p) => new ti.StochrsiStream(p.period, p.fastK, p.fastD, type(p.maType))),
  ultosc: b((p) => new ti.UltoscStream(p.period1, p.period2, p.period3)),
  plusDM: b((p) => new ti.PlusDmStream(p.period)),
  minusDM: b((p) => new ti.MinusDmStream(p.period)),
  plusDI: b((p) => new ti.PlusDiStream(p.period)),
  minusDI: b((p) => new ti.MinusDiStream(p.period)),
  dx: b((p) => new ti.DxStream(p.period)),
  adxr: b((p) => new ti.AdxrStream(p.period)),
  sarext: b((p) => new ti.SarextStream(p)),
  htTrendline: c(() => new ti.HtTrendlineStream()),
}
describeStreams(STREAMS)

describe('mama', () => {
  // Not bit-exact: its phase is an arctangent, TA-Lib's from the C library, ours Math.atan, which
  // differ in the last bit on some inputs, and the adaptive factor carries that on. Everything else
  // is TA-Lib's arithmetic (HT_TRENDLINE, on the same Hilbert core, is exact above), so MAMA and
  // FAMA are within 4 ulps; the stream equals the batch function exactly, with replaced bars.
  const fixture = loadFixture('mama')
  it.each(fixture.cases.map((c) => [`${c.series} ${JSON.stringify(c.params)}`, c] as const))(
    'is within 4 ulps of TA-Lib on %s, and its stream equals it',
    (_label, c) => {
      const s = series[c.series]
      if (s === undefined) throw new Error(c.series)
      const got = ti.mama(s.close, c.params.fastLimit, c.params.slowLimit)
      const stream = new ti.MamaStream(c.params.fastLimit, c.params.slowLimit)
      s.close.forEach((x, i) => {
        stream.update(x * 1.1)
        const v = stream.replace(x)
        expect(Object.is(v.mama, got.mama[i]) && Object.is(v.fama, got.fama[i])).toBe(true)
      })
      for (const o of ['mama', 'fama'] as const) {
        ;(c.outputs[o] ?? []).forEach((w, i) => {
          const g = got[o][i] as number
          if (w === null) return expect(Number.isNaN(g)).toBe(true)
          expect(Math.abs(g - w)).toBeLessThanOrEqual(4 * Number.EPSILON * Math.abs(w))
        })
      }
    },
  )
})

// The Hilbert cycle family beyond HT_TRENDLINE: the cycle period is an arctangent (Math.atan, not the
// C library's), fed back into every transform, and the phase adds sines, cosines and another
// arctangent, so last-bit differences travel on. Values within `tolerance` of the largest value of
// the series (a per-bar relative bound means nothing where a line crosses zero); HT_TRENDMODE, a 0
// or 1, equal. On the flat series the phase is the arctangent of two sums that cancel to rounding
// noise, in TA-Lib as here: only its range is checked there. Streams equal their batch functions
// exactly, with replaced bars.
const HT: readonly [
  string,
  () => Stream<number, unknown>,
  (c: number[]) => Record<string, Float64Array>,
  number,
][] = [
  ['htDcperiod', () => new ti.HtDcperiodStream(), (x) => ({ value: ti.htDcperiod(x) }), 1e-13],
  ['htPhasor', () => new ti.HtPhasorStream(), (x) => ({ ...ti.htPhasor(x) }), 1e-13],
  ['htDcphase', () => new ti.HtDcphaseStream(), (x) => ({ value: ti.htDcphase(x) }), 1e-12],
  ['htSine', () => new ti.HtSineStream(), (x) => ({ ...ti.htSine(x) }), 1e-12],
  ['htTrendmode', () => new ti.HtTrendmodeStream(), (x) => ({ value: ti.htTrendmode(x) }), 0],
]
describe.each(HT)('%s', (name, make, batch, tolerance) => {
  const fixture = loadFixture(name)
  it.each(fixture.cases.map((c) => [c.series, c] as const))(
    'is close to TA-Lib on %s, and its stream equals it',
    (_label, c) => {
      const s = series[c.series]
      if (s === undefined) throw new Error(c.series)
      const stream = make()
      const streamed: Record<string, number[]> = {}
      s.close.forEach((x) => {
        stream.update(x * 0.9)
        const v = stream.replace(x)
        const values = typeof v === 'number' ? { value: v } : (v as Record<string, number>)
        for (const [k, y] of Object.entries(values)) (streamed[k] ??= []).push(y)
      })
      const got = batch(s.close)
      for (const [o, want] of Object.entries(c.outputs)) {
        const g = got[o] as Float64Array
        expect(streamed[o]).toEqual([...g])
        if (
          c.series === 'flat' &&
          (name === 'htDcphase' || name === 'htSine' || name === 'htTrendmode')
        ) {
          const range = name === 'htDcphase' ? [-45, 315] : name === 'htSine' ? [-1, 1] : [0, 1]
          g.forEach((x, i) => {
            if (want[i] === null) return expect(Number.isNaN(x)).toBe(true)
            expect(x >= (range[0] as number) && x <= (range[1] as number)).toBe(true)
          })
          continue
        }
        const finite = want.map((w) => Math.abs(w ?? 0)).filter(Number.isFinite)
        const scale = Math.max(...finite, 1e-300)
        want.forEach((w, i) => {
          const x = g[i] as number
          if (w === null || Number.isNaN(w)) return expect(Number.isNaN(x)).toBe(true)
          expect(Math.abs(x - w)).toBeLessThanOrEqual(tolerance * scale)
        })
      }
    },
  )
})

describe('mavp streaming equals TA-Lib bar by bar', () => {
  // Its input is a value and a period per bar, so it has its own loop: every bar is first given as
  // another value and period, then replaced.
  const fixture = loadFixture('mavp')
  it.each(fixture.cases.map((c) => [`${c.series} ${JSON.stringify(c.params)}`, c] as const))(
    'on %s, with replaced last bars',
    (_label, c) => {
      const s = series[c.series]
      if (s === undefined) throw new Error(c.series)
      const p = c.params
      const make = () => new ti.MavpStream(p.minPeriod, p.maxPeriod, type(p.maType))
      const plain = make()
      const replaced = make()
      const a = new Float64Array(s.close.length)
      const r = new Float64Array(s.close.length)
      s.close.forEach((value, i) => {
        const period = s.periods[i] as number
        a[i] = plain.update({ value, period })
        replaced.update({ value: value * 3, period: period + 7 })
        r[i] = replaced.replace({ value, period })
      })
      expectEqualToTalib('mavp stream', a, c.outputs.value ?? [])
      expectEqualToTalib('mavp stream with replace', r, c.outputs.value ?? [])
    },
  )
})

describe('lookbacks and parameters of the oscillators', () => {
  it('exports lookbacks equal to the first bar with a value', () => {
    const close = Array.from({ length: 200 }, (_, i) => 100 + Math.sin(i / 3) * 5 + i / 10)
    const high = close.map((x) => x + 1)
    const low = close.map((x) => x - 1)
    const first = (a: Float64Array) => a.findIndex((x) => !Number.isNaN(x))
    expect(first(ti.ma(close, 10, 't3'))).toBe(ti.maLookback(10, 't3'))
    expect(first(ti.apo(close, 12, 26, 'kama'))).toBe(ti.apoLookback(12, 26, 'kama'))
    expect(first(ti.macdext(close, { signalMaType: 'ema' }).signal)).toBe(
      ti.macdextLookback({ signalMaType: 'ema' }),
    )
    expect(first(ti.macdfix(close).histogram)).toBe(ti.macdfixLookback())
    expect(first(ti.stochf(high, low, close).d)).toBe(ti.stochfLookback())
    expect(first(ti.stochrsi(close).k)).toBe(ti.stochrsiLookback())
    expect(first(ti.ultosc(high, low, close))).toBe(ti.ultoscLookback())
    expect(first(ti.plusDM(high, low))).toBe(ti.dmLookback())
    expect(first(ti.minusDI(high, low, close))).toBe(ti.diLookback())
    expect(first(ti.dx(high, low, close))).toBe(ti.dxLookback())
    expect(first(ti.adxr(high, low, close))).toBe(ti.adxrLookback())
    expect(first(ti.sarext(high, low))).toBe(ti.sarextLookback())
    expect(first(ti.mama(close).fama)).toBe(ti.mamaLookback())
    expect(first(ti.htTrendline(close))).toBe(ti.htTrendlineLookback())
    expect(first(ti.htDcperiod(close))).toBe(ti.htDcperiodLookback())
    expect(first(ti.htPhasor(close).quadrature)).toBe(ti.htDcperiodLookback())
    expect(first(ti.htDcphase(close))).toBe(ti.htDcphaseLookback())
    expect(first(ti.htSine(close).leadSine)).toBe(ti.htDcphaseLookback())
    expect(first(ti.htTrendmode(close))).toBe(ti.htDcphaseLookback())
    const periods = close.map((_, i) => 2 + (i % 20))
    expect(first(ti.mavp(close, periods, 2, 30, 'ema'))).toBe(ti.mavpLookback(2, 30, 'ema'))
  })

  it('MACDFIX with a 1-bar signal: the signal is the line (TA-Lib misaligns it; no fixture)', () => {
    const close = Array.from({ length: 60 }, (_, i) => 50 + Math.cos(i / 4) * 3)
    const m = ti.macdfix(close, 1)
    expect(ti.macdfixLookback(1)).toBe(25)
    expect(Number.isNaN(m.macd[24] as number)).toBe(true)
    for (let i = 25; i < 60; i++) {
      expect(m.signal[i]).toBe(m.macd[i])
      expect(m.histogram[i]).toBe(0)
    }
  })

  it('rejects bad parameters with RangeError and takes empty input', () => {
    expect(() => ti.apo([1, 2], 1, 26)).toThrow(RangeError)
    expect(() => ti.ma([1, 2], 10, 'mama' as MaType)).toThrow(/maType must be one of sma, ema/)
    expect(() => ti.dx([1], [1], [1], 1)).toThrow(RangeError)
    expect(() => ti.ultosc([1], [1], [1], 0)).toThrow(RangeError)
    expect(() => ti.stochf([1], [1, 2], [1])).toThrow(/same length/)
    expect(ti.macdfix([]).macd).toEqual(new Float64Array())
    expect(() => ti.mavp([1], [1], 10, 5)).toThrow(/maxPeriod/)
    expect(() => ti.mama([1], 1.5)).toThrow(/fastLimit/)
    expect(() => ti.sarext([1], [1], { accelerationLong: -1 })).toThrow(RangeError)
    expect([...ti.adxr([1, 2], [0, 1], [1, 1])].every(Number.isNaN)).toBe(true)
  })
})
