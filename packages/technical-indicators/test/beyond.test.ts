import { describe, expect, it } from 'vitest'
import * as ti from '../src/index.js'
import { series } from './talib-harness.js'

// No TA-Lib reference here: each indicator is checked against a plain implementation written
// from the formula's source (different structure: windows recomputed from scratch), against
// hand-computed values, and its stream against its batch function (with replaced bars).

const names = Object.keys(series)
const close = (name: string) => series[name]?.close ?? []

function near(got: ArrayLike<number>, want: ArrayLike<number>, label: string): void {
  expect(got.length, label).toBe(want.length)
  for (let i = 0; i < want.length; i++) {
    const g = got[i] as number
    const w = want[i] as number
    if (Number.isNaN(w)) {
      if (!Number.isNaN(g)) expect.fail(`${label}[${i}]: ${g}, want NaN`)
      continue
    }
    if (Math.abs(g - w) > 1e-9 * Math.max(1, Math.abs(w)))
      expect.fail(`${label}[${i}]: ${g} ≠ ${w}`)
  }
}

function naiveWma(x: readonly number[], p: number): number[] {
  return x.map((_, i) => {
    if (i < p - 1) return NaN
    let num = 0
    for (let j = 0; j < p; j++) num += (x[i - j] as number) * (p - j)
    return num / ((p * (p + 1)) / 2)
  })
}

function naiveEma(x: readonly number[], p: number): number[] {
  const out: number[] = []
  let prev = NaN
  for (let i = 0; i < x.length; i++) {
    if (i < p - 1) out.push(NaN)
    else if (i === p - 1) out.push((prev = x.slice(0, p).reduce((a, b) => a + b, 0) / p))
    else out.push((prev = prev + (2 / (p + 1)) * ((x[i] as number) - prev)))
  }
  return out
}

function naiveAtr(h: readonly number[], l: readonly number[], c: readonly number[], p: number) {
  const tr = h.map((hi, i) =>
    i === 0
      ? NaN
      : Math.max(
          hi - (l[i] as number),
          Math.abs(hi - (c[i - 1] as number)),
          Math.abs((l[i] as number) - (c[i - 1] as number)),
        ),
  )
  const out: number[] = []
  let prev = NaN
  for (let i = 0; i < h.length; i++) {
    if (i < p) out.push(NaN)
    else if (i === p) out.push((prev = tr.slice(1, p + 1).reduce((a, b) => a + b, 0) / p))
    else out.push((prev = (prev * (p - 1) + (tr[i] as number)) / p))
  }
  return out
}

/** Stream vs batch, === at every bar, with every bar first given as other prices and replaced. */
function streamEqualsBatch<T>(
  make: () => {
    update(b: ti.Bar & { openTime: number }): T
    replace(b: ti.Bar & { openTime: number }): T
  },
  batch: Record<string, Float64Array>,
  name: string,
  openTime?: (i: number) => number,
  closeOnly = false,
): void {
  const s = series[name]
  if (s === undefined) throw new Error(name)
  const stream = make()
  const keys = Object.keys(batch)
  for (let i = 0; i < s.close.length; i++) {
    const bar = {
      open: s.open[i] as number,
      high: s.high[i] as number,
      low: s.low[i] as number,
      close: s.close[i] as number,
      volume: s.volume[i] as number,
      openTime: openTime?.(i) ?? 0,
    }
    const other = { ...bar, high: bar.high * 1.5, low: bar.low * 0.5, close: bar.close * 1.2 }
    let got: unknown
    if (closeOnly) {
      const st = stream as unknown as { update(v: number): number; replace(v: number): number }
      st.update(other.close)
      got = st.replace(bar.close)
    } else {
      stream.update({ ...other, volume: 7 })
      got = stream.replace(bar)
    }
    for (const k of keys) {
      const g = typeof got === 'number' ? got : (got as Record<string, number>)[k]
      const w = (batch[k] as Float64Array)[i] as number
      if (!Object.is(g, w)) expect.fail(`${name} ${k}[${i}]: stream ${g} !== batch ${w}`)
    }
  }
}

describe('hma', () => {
  it.each(names)('equals WMA(2·WMA(n/2) − WMA(n), √n) computed plainly, on %s', (name) => {
    for (const p of [4, 9, 16]) {
      const x = close(name)
      const half = naiveWma(x, Math.floor(p / 2))
      const full = naiveWma(x, p)
      const diff = x.map((_, i) => 2 * (half[i] as number) - (full[i] as number))
      const start = p - 1
      const smooth = naiveWma(diff.slice(start), Math.floor(Math.sqrt(p)))
      const want = [...new Array<number>(Math.min(start, x.length)).fill(NaN), ...smooth]
      near(ti.hma(x, p), want, `hma(${p})`)
      streamEqualsBatch(
        () => new ti.HmaStream(p) as never,
        { value: ti.hma(x, p) },
        name,
        undefined,
        true,
      )
    }
  })

  it('by hand: period 4 on 1…6', () => {
    // WMA2 = (x[i-1] + 2x[i]) / 3; WMA4 = (x[i-3] + 2x[i-2] + 3x[i-1] + 4x[i]) / 10.
    // At i = 3: WMA2 = (3 + 8)/3 = 11/3, WMA4 = (1 + 4 + 9 + 16)/10 = 3, raw = 22/3 − 3 = 13/3.
    // At i = 4: WMA2 = 14/3, WMA4 = 4, raw = 16/3. HMA(4) at 4 = WMA2(raw) = (13/3 + 2·16/3)/3 = 5.
    const h = ti.hma([1, 2, 3, 4, 5, 6], 4)
    expect(Number.isNaN(h[3] as number)).toBe(true)
    expect(h[4]).toBeCloseTo(5, 12)
    expect(h[5]).toBeCloseTo(6, 12)
    expect(() => ti.hma([1, 2, 3], 3)).toThrow(RangeError)
  })
})

describe('donchian', () => {
  it.each(names)('is the highest high and lowest low of the window, on %s', (name) => {
    const s = series[name]
    if (s === undefined) throw new Error(name)
    for (const p of [1, 5, 20]) {
      const d = ti.donchian(s.high, s.low, p)
      for (let i = 0; i < s.high.length; i++) {
        if (i < p - 1) {
          expect(Number.isNaN(d.upper[i] as number)).toBe(true)
          continue
        }
        const highs = s.high.slice(i - p + 1, i + 1)
        const lows = s.low.slice(i - p + 1, i + 1)
        // A window with a NaN: TA-Lib's MAX and MIN decide (tested against TA-Lib in extra.test).
        const nan = [...highs, ...lows].some(Number.isNaN)
        const one = p === 1
        const hi = (nan ? (one ? highs[0] : ti.max(s.high, p)[i]) : Math.max(...highs)) as number
        const lo = (nan ? (one ? lows[0] : ti.min(s.low, p)[i]) : Math.min(...lows)) as number
        expect([d.upper[i], d.lower[i], d.middle[i]]).toEqual([hi, lo, (hi + lo) / 2])
      }
      streamEqualsBatch(() => new ti.DonchianStream(p) as never, { ...d }, name)
    }
  })
})

describe('keltner', () => {
  it.each(names)('is EMA ± m·ATR computed plainly, on %s', (name) => {
    const s = series[name]
    if (s === undefined) throw new Error(name)
    const k = ti.keltner(s.high, s.low, s.close, 20, 2, 10)
    const mid = naiveEma(s.close, 20)
    const atr = naiveAtr(s.high, s.low, s.close, 10)
    near(
      k.middle,
      mid.map((m, i) => (Number.isNaN(atr[i] as number) ? NaN : m)),
      'middle',
    )
    near(
      k.upper,
      mid.map((m, i) => m + 2 * (atr[i] as number)),
      'upper',
    )
    near(
      k.lower,
      mid.map((m, i) => m - 2 * (atr[i] as number)),
      'lower',
    )
    streamEqualsBatch(() => new ti.KeltnerStream(20, 2, 10) as never, { ...k }, name)
  })
})

describe('vwap', () => {
  const HOUR = 3_600_000
  // Bars every 7 hours from Friday 2025-01-31 00:00 UTC: crosses days, a Monday and a month end.
  const t0 = Date.UTC(2025, 0, 31)
  const time = (i: number) => t0 + i * 7 * HOUR

  it.each(['none', 'day', 'week', 'month'] as const)('resets at each %s session', (anchor) => {
    const s = series['random-walk']
    if (s === undefined) throw new Error('series')
    const times = s.close.map((_, i) => time(i))
    const got = ti.vwap(s.high, s.low, s.close, s.volume, times, anchor)
    const key = (t: number) => {
      const d = new Date(t)
      if (anchor === 'none') return ''
      if (anchor === 'day') return d.toISOString().slice(0, 10)
      if (anchor === 'month') return d.toISOString().slice(0, 7)
      const monday = new Date(t - ((d.getUTCDay() + 6) % 7) * 86_400_000)
      return monday.toISOString().slice(0, 10)
    }
    const want = times.map((t, i) => {
      let pv = 0
      let v = 0
      for (let j = i; j >= 0 && key(times[j] as number) === key(t); j--) {
        pv +=
          (((s.high[j] as number) + (s.low[j] as number) + (s.close[j] as number)) / 3) *
          (s.volume[j] as number)
        v += s.volume[j] as number
      }
      return pv / v
    })
    near(got, want, `vwap ${anchor}`)
    streamEqualsBatch(() => new ti.VwapStream(anchor) as never, { value: got }, 'random-walk', time)
  })

  it('by hand, and NaN while a session has no volume', () => {
    // Day 1: tp 10 × v 1 and tp 20 × v 3 → (10 + 60) / 4 = 17.5; day 2 starts over: tp 30, v 0 → NaN.
    const day = 86_400_000
    const got = ti.vwap([10, 20, 30], [10, 20, 30], [10, 20, 30], [1, 3, 0], [0, HOUR, day], 'day')
    expect([got[0], got[1]]).toEqual([10, 17.5])
    expect(Number.isNaN(got[2] as number)).toBe(true)
  })
})

describe('supertrend', () => {
  /** TradingView's ta.supertrend, transcribed line by line (its direction: 1 down, −1 up). */
  function pine(
    h: readonly number[],
    l: readonly number[],
    c: readonly number[],
    p: number,
    m: number,
  ) {
    const atr = naiveAtr(h, l, c, p)
    const value: number[] = []
    const dir: number[] = []
    let upperPrev = NaN
    let lowerPrev = NaN
    let stPrev = NaN
    for (let i = 0; i < h.length; i++) {
      const a = atr[i] as number
      if (Number.isNaN(a)) {
        value.push(NaN)
        dir.push(NaN)
        continue
      }
      const src = ((h[i] as number) + (l[i] as number)) / 2
      let upper = src + m * a
      let lower = src - m * a
      const pl = Number.isNaN(lowerPrev) ? 0 : lowerPrev
      const pu = Number.isNaN(upperPrev) ? 0 : upperPrev
      const c1 = c[i - 1] ?? NaN
      lower = lower > pl || c1 < pl ? lower : pl
      upper = upper < pu || c1 > pu ? upper : pu
      let d: number
      if (Number.isNaN(atr[i - 1])) d = 1
      else if (stPrev === pu) d = (c[i] as number) > upper ? -1 : 1
      else d = (c[i] as number) < lower ? 1 : -1
      const st = d === -1 ? lower : upper
      value.push(st)
      dir.push(-d)
      upperPrev = upper
      lowerPrev = lower
      stPrev = st
    }
    return { value, dir }
  }

  it.each(names)('equals TradingView’s definition, on %s', (name) => {
    const s = series[name]
    if (s === undefined) throw new Error(name)
    for (const [p, m] of [
      [10, 3],
      [7, 1.5],
    ] as const) {
      const got = ti.supertrend(s.high, s.low, s.close, p, m)
      const want = pine(s.high, s.low, s.close, p, m)
      near(got.value, want.value, 'value')
      near(got.direction, want.dir, 'direction')
      streamEqualsBatch(() => new ti.SupertrendStream(p, m) as never, { ...got }, name)
    }
  })

  it('flips on a series built to reverse', () => {
    const up = Array.from({ length: 30 }, (_, i) => 100 + i)
    const down = Array.from({ length: 30 }, (_, i) => 129 - 3 * i)
    const c = [...up, ...down]
    const st = ti.supertrend(
      c.map((x) => x + 1),
      c.map((x) => x - 1),
      c,
      5,
      2,
    )
    expect(st.direction[25]).toBe(1)
    expect(st.direction[59]).toBe(-1)
    const flip = [...st.direction].findIndex((d, i) => i > 30 && d === -1)
    expect(flip).toBeGreaterThan(30)
    expect(flip).toBeLessThan(40)
  })
})

describe('ichimoku', () => {
  const mid = (h: readonly number[], l: readonly number[], i: number, p: number) => {
    if (i < p - 1) return NaN
    const highs = h.slice(i - p + 1, i + 1)
    const lows = l.slice(i - p + 1, i + 1)
    // A window with a NaN: TA-Lib's MAX and MIN decide (tested against TA-Lib in extra.test).
    if ([...highs, ...lows].some(Number.isNaN)) {
      return ((ti.max(h, p)[i] as number) + (ti.min(l, p)[i] as number)) / 2
    }
    return (Math.max(...highs) + Math.min(...lows)) / 2
  }

  it.each(names)(
    'is the window midpoints, the spans drawn ahead, computed plainly, on %s',
    (name) => {
      const s = series[name]
      if (s === undefined) throw new Error(name)
      for (const o of [{}, { tenkan: 3, kijun: 5, spanB: 8, displacement: 4 }]) {
        const { tenkan = 9, kijun = 26, spanB = 52, displacement = 26 } = o
        const got = ti.ichimoku(s.high, s.low, o)
        const n = s.high.length
        const t = Array.from({ length: n }, (_, i) => mid(s.high, s.low, i, tenkan))
        const k = Array.from({ length: n }, (_, i) => mid(s.high, s.low, i, kijun))
        // The value over bar i was computed displacement − 1 bars before it.
        const from = (i: number) => i - displacement + 1
        const a = t.map((_, i) =>
          from(i) < 0 ? NaN : ((t[from(i)] as number) + (k[from(i)] as number)) / 2,
        )
        const b = t.map((_, i) => (from(i) < 0 ? NaN : mid(s.high, s.low, from(i), spanB)))
        near(got.tenkan, t, 'tenkan')
        near(got.kijun, k, 'kijun')
        near(got.spanA, a, 'spanA')
        near(got.spanB, b, 'spanB')
        const all = [got.tenkan, got.kijun, got.spanA, got.spanB]
        const first = all.map((x) => x.findIndex((v) => !Number.isNaN(v)))
        if (n > ti.ichimokuLookback(o)) expect(Math.max(...first)).toBe(ti.ichimokuLookback(o))
        streamEqualsBatch(() => new ti.IchimokuStream(o) as never, { ...got }, name)
      }
    },
  )

  it('by hand: tenkan 2, kijun 3, span B 4, displacement 2', () => {
    const high = [10, 12, 11, 15, 14]
    const low = [8, 9, 7, 12, 13]
    const x = ti.ichimoku(high, low, { tenkan: 2, kijun: 3, spanB: 4, displacement: 2 })
    // tenkan at 1: (12 + 8)/2 = 10; at 2: (12 + 7)/2 = 9.5; at 3: (15 + 7)/2 = 11; at 4: (15 + 12)/2.
    expect([...x.tenkan]).toEqual([NaN, 10, 9.5, 11, 13.5])
    // kijun at 2: (12 + 7)/2; at 3: (15 + 7)/2; at 4: (15 + 7)/2.
    expect([...x.kijun]).toEqual([NaN, NaN, 9.5, 11, 11])
    // span A over bar i is (tenkan + kijun)/2 of bar i − 1: over 3 → 9.5, over 4 → 11.
    expect([...x.spanA]).toEqual([NaN, NaN, NaN, 9.5, 11])
    // span B over bar 4 is the 4-bar midpoint at bar 3: (15 + 7)/2.
    expect([...x.spanB]).toEqual([NaN, NaN, NaN, NaN, 11])
    expect(() => ti.ichimoku(high, low, { tenkan: 0 })).toThrow(RangeError)
  })
})
