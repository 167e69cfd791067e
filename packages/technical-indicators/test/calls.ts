// Calls any indicator of the catalogue by name: its batch function on named input series, and its
// stream, with parameters by name (defaults for the others). Shared by the tests that sweep every
// indicator (ranges, memory, state).
import {
  CATALOGUE,
  type IndicatorName,
  type IndicatorSpec,
  type ParamSpec,
} from '../src/catalogue.js'
import * as ti from '../src/index.js'

export type Params = Record<string, unknown>

export const NAMES = Object.keys(CATALOGUE) as IndicatorName[]

export function paramSpecs(name: IndicatorName): [string, ParamSpec][] {
  return Object.entries(CATALOGUE[name].params as Record<string, ParamSpec>)
}

/** The parameters in the function's order: `given` where named, the defaults elsewhere. */
function ordered(name: IndicatorName, given: Params): unknown[] {
  return paramSpecs(name).map(([p, spec]) => (p in given ? given[p] : spec.default))
}

/** The arguments after the inputs: one options object, or the parameters one by one. */
export function paramArgs(name: IndicatorName, given: Params = {}): unknown[] {
  const values = ordered(name, given)
  const spec: IndicatorSpec = CATALOGUE[name]
  if (spec.options !== true) return values
  return [Object.fromEntries(paramSpecs(name).map(([p], i) => [p, values[i]]))]
}

const exports = ti as unknown as Record<string, unknown>

/** The exported stream class of `name` (`SmaStream`, `PlusDiStream`). */
export function streamClassName(name: string): string {
  const pascal = name.charAt(0).toUpperCase() + name.slice(1)
  return `${pascal.replace(/D([IM])$/, (_, c: string) => `D${c.toLowerCase()}`)}Stream`
}

export interface AnyStream {
  readonly lookback: number
  update(input: unknown): unknown
  replace(input: unknown): unknown
}

export function makeStream(name: IndicatorName, given: Params = {}): AnyStream {
  return ti.createStream(name, given as ti.IndicatorParams)
}

/** A deterministic series of `n` bars, with every input any indicator takes. */
export function bars(n: number): Record<string, number[]> & { close: number[] } {
  const close = Array.from({ length: n }, (_, i) => 100 + 10 * Math.sin(i / 3) + i / 4)
  return {
    close,
    open: close.map((c, i) => c - 0.5 + (i % 3) * 0.3),
    high: close.map((c, i) => c + 1 + (i % 4) * 0.2),
    low: close.map((c, i) => c - 1 - (i % 5) * 0.1),
    volume: close.map((_, i) => 10 + (i % 7)),
    openTime: close.map((_, i) => Date.UTC(2026, 0, 1) + i * 3_600_000),
    periods: close.map((_, i) => 2 + (i % 9)),
    x: close,
    y: close.map((c, i) => c * 0.5 + (i % 3)),
  }
}

export function runBatch(name: IndicatorName, data: Record<string, number[]>, given: Params = {}) {
  const fn = exports[name] as (...args: unknown[]) => Float64Array | Record<string, Float64Array>
  return fn(...CATALOGUE[name].inputs.map((input) => data[input]), ...paramArgs(name, given))
}

/** What the stream of `name` takes at bar `i` of `data`. */
export function streamInput(name: IndicatorName, data: Record<string, number[]>, i: number) {
  const at = (k: string) => data[k]?.[i] as number
  const bar = {
    open: at('open'),
    high: at('high'),
    low: at('low'),
    close: at('close'),
    volume: at('volume'),
  }
  switch (CATALOGUE[name].streamInput) {
    case 'value':
      return at('close')
    case 'bar':
      return bar
    case 'pair':
      return { x: at('x'), y: at('y') }
    case 'periodValue':
      return { value: at('close'), period: at('periods') }
    case 'timedBar':
      return { ...bar, openTime: at('openTime') }
  }
}
