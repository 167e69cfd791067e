// Shared by every test that compares us to TA-Lib's fixtures (src/__fixtures__/talib/<name>.json,
// made by scripts/generate-talib-fixtures.mjs). Each group of indicators registers its batch and
// streaming functions with `describeBatch` and `describeStreams` from its own test file.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { fixtureSeries, type Series } from '../scripts/series.mjs'
import type { Bar, Stream } from '../src/stream.js'

export interface Fixture {
  function: string
  cases: {
    series: string
    params: Record<string, number>
    begIndex: number
    outputs: Record<string, (number | null)[]>
  }[]
}

export const series = fixtureSeries()

export function loadFixture(name: string): Fixture {
  return JSON.parse(
    readFileSync(new URL(`../src/__fixtures__/talib/${name}.json`, import.meta.url), 'utf8'),
  ) as Fixture
}

/** Compares to TA-Lib: `===` where TA-Lib has a value, NaN where it has none. */
export function expectEqualToTalib(
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

/** Our batch call on a series with a fixture's parameters → named outputs (`value` for one). */
export type BatchCompute = (s: Series, p: Record<string, number>) => Record<string, Float64Array>

/** For each name: every case of its fixture equals TA-Lib on every output. */
export function describeBatch(batch: Record<string, BatchCompute>): void {
  describe.each(Object.keys(batch))('%s equals TA-Lib to the last bit', (name) => {
    const fixture = loadFixture(name)
    it.each(fixture.cases.map((c) => [`${c.series} ${JSON.stringify(c.params)}`, c] as const))(
      'on %s',
      (_label, c) => {
        const s = series[c.series]
        if (s === undefined) throw new Error(`no series ${c.series}`)
        const got = (batch[name] as BatchCompute)(s, c.params)
        for (const [output, want] of Object.entries(c.outputs)) {
          const g = got[output]
          if (g === undefined) expect.fail(`${name}: no output ${output}`)
          expectEqualToTalib(`${name}.${output}`, g, want)
        }
      },
    )
  })
}

/**
 * A stream under test: `create` builds it from the fixture's parameters; `input` says whether it
 * takes the close (a number) or the whole bar.
 */
export type StreamSpec =
  | { input: 'close'; create: (p: Record<string, number>) => Stream<number, unknown> }
  | { input: 'bar'; create: (p: Record<string, number>) => Stream<Bar, unknown> }

function barAt(s: Series, i: number): Bar {
  return {
    open: s.open[i] as number,
    high: s.high[i] as number,
    low: s.low[i] as number,
    close: s.close[i] as number,
    volume: s.volume[i] as number,
  }
}

/** The still-open candle before it closes: other prices that must leave no trace. */
function perturbed(b: Bar, f: number, d: number): Bar {
  return {
    open: b.open * f + d,
    high: b.high * f + d * 2,
    low: b.low * f - d,
    close: b.close * f + d,
    volume: b.volume * f + 1,
  }
}

/**
 * For each name: fed bar by bar, the stream gives TA-Lib's numbers; a second stream whose every bar
 * is first given as other prices, then replaced twice, gives the same numbers.
 */
export function describeStreams(streams: Record<string, StreamSpec>): void {
  describe.each(Object.keys(streams))('%s streaming equals TA-Lib bar by bar', (name) => {
    const fixture = loadFixture(name)
    const spec = streams[name] as StreamSpec
    it.each(fixture.cases.map((c) => [`${c.series} ${JSON.stringify(c.params)}`, c] as const))(
      'on %s, with replaced last bars',
      (_label, c) => {
        const s = series[c.series]
        if (s === undefined) throw new Error(`no series ${c.series}`)
        const n = s.close.length
        const outputs = Object.keys(c.outputs)
        const plainOut = Object.fromEntries(outputs.map((o) => [o, new Float64Array(n)]))
        const replacedOut = Object.fromEntries(outputs.map((o) => [o, new Float64Array(n)]))
        const store = (into: Record<string, Float64Array>, i: number, v: unknown) => {
          for (const o of outputs) {
            const value =
              typeof v === 'number' ? v : ((v as Record<string, number>)[o] ?? Number.NaN)
            ;(into[o] as Float64Array)[i] = value
          }
        }
        if (spec.input === 'close') {
          const plain = spec.create(c.params)
          const replaced = spec.create(c.params)
          for (let i = 0; i < n; i++) {
            const v = s.close[i] as number
            store(plainOut, i, plain.update(v))
            replaced.update(v * 1.01 + 3)
            replaced.replace(v * 0.97)
            store(replacedOut, i, replaced.replace(v))
          }
        } else {
          const plain = spec.create(c.params)
          const replaced = spec.create(c.params)
          for (let i = 0; i < n; i++) {
            const bar = barAt(s, i)
            store(plainOut, i, plain.update(bar))
            replaced.update(perturbed(bar, 1.01, 3))
            replaced.replace(perturbed(bar, 0.97, -1))
            store(replacedOut, i, replaced.replace(bar))
          }
        }
        for (const o of outputs) {
          const want = c.outputs[o] ?? []
          expectEqualToTalib(`${name}.${o} stream`, plainOut[o] as Float64Array, want)
          expectEqualToTalib(
            `${name}.${o} stream with replace`,
            replacedOut[o] as Float64Array,
            want,
          )
        }
      },
    )
  })
}
