import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  CATALOGUE,
  createStream,
  IndicatorStateError,
  restoreState,
  RsiStream,
  saveState,
  SmaStream,
  type IndicatorStream,
  type SavedState,
} from '../src/index.js'
import * as ti from '../src/index.js'
import { bars, makeStream, NAMES, streamClassName, streamInput, type AnyStream } from './calls.js'

const data = bars(160)
const other = bars(160).close.map((c) => c * 1.7 + 3)
const feed = (s: AnyStream, name: (typeof NAMES)[number], i: number, replace = false) => {
  const input = streamInput(name, data, i)
  return replace ? s.replace(input) : s.update(input)
}
/** The same bar with other prices: the still-open candle before it closes. */
const moved = (name: (typeof NAMES)[number], i: number): unknown => {
  const input = streamInput(name, data, i)
  if (typeof input === 'number') return other[i]
  return Object.fromEntries(
    Object.entries(input as Record<string, number>).map(([k, v]) => [
      k,
      k === 'openTime' || k === 'period' ? v : v * 1.3 + 1,
    ]),
  )
}
const roundTrip = (s: SavedState): unknown => JSON.parse(JSON.stringify(s))

describe.each(NAMES)('%s state', (name) => {
  it.each([0, 3, 100])('survives a JSON round trip after %i bars, replace included', (at) => {
    const original = makeStream(name)
    for (let i = 0; i < at; i++) feed(original, name, i)
    const saved = saveState(original)
    expect(saved.indicator).toBe(name)
    expect(saved.version).toBe(CATALOGUE[name].stateVersion)
    expect(Object.keys(saved.params)).toEqual(Object.keys(CATALOGUE[name].params))
    const restored = restoreState(roundTrip(saved), { indicator: name }) as AnyStream
    expect(restored.constructor).toBe(original.constructor)
    if (at > 0)
      expect(feed(restored, name, at - 1, true)).toEqual(feed(original, name, at - 1, true))
    for (let i = at; i < data.close.length; i++) {
      expect(restored.update(moved(name, i))).toEqual(original.update(moved(name, i)))
      expect(feed(restored, name, i, true)).toEqual(feed(original, name, i, true))
    }
  })
})

describe('saveState and restoreState', () => {
  it('keep the parameters as given, defaults filled in', () => {
    const saved = saveState(createStream('macdext', { fast: 5, signalMaType: 'ema' }))
    expect(saved.params).toEqual({
      fast: 5,
      fastMaType: 'sma',
      slow: 26,
      slowMaType: 'sma',
      signal: 9,
      signalMaType: 'ema',
    })
    expect(saveState(new RsiStream()).params).toEqual({ period: 14 })
  })

  it('refuse a state of another version, indicator or parameters, and data that is no state', () => {
    const stream = new SmaStream(5)
    for (let i = 0; i < 9; i++) stream.update(i)
    const saved = saveState(stream)
    const code = (f: () => unknown) => {
      try {
        f()
      } catch (error) {
        expect(error).toBeInstanceOf(IndicatorStateError)
        return (error as IndicatorStateError).code
      }
      return 'restored'
    }
    expect(code(() => restoreState({ ...saved, version: saved.version + 1 }))).toBe('STATE_VERSION')
    expect(code(() => restoreState({ ...saved, indicator: 'smaa' }))).toBe('STATE_INDICATOR')
    expect(code(() => restoreState(saved, { indicator: 'ema' }))).toBe('STATE_INDICATOR')
    expect(code(() => restoreState(saved, { params: { period: 6 } }))).toBe('STATE_PARAMS')
    expect(code(() => restoreState(saved, { indicator: 'sma', params: { period: 5 } }))).toBe(
      'restored',
    )
    expect(code(() => restoreState({ ...saved, params: { period: 1 } }))).toBe('STATE_INVALID')
    const state = saved.state as Record<string, unknown>
    expect(code(() => restoreState({ ...saved, state: { ...state, total: 'x' } }))).toBe(
      'STATE_INVALID',
    )
    expect(code(() => restoreState({ ...saved, state: { ...state, extra: 1 } }))).toBe(
      'STATE_INVALID',
    )
    expect(code(() => restoreState('sma'))).toBe('STATE_INVALID')
    expect(code(() => saveState({ update: () => 0 }))).toBe('STATE_INVALID')
  })

  it('createStream makes the exported stream of every indicator', () => {
    for (const name of NAMES) {
      expect(createStream(name).constructor).toBe(
        (ti as unknown as Record<string, unknown>)[streamClassName(name)],
      )
    }
  })

  it('createStream takes parameters by name and refuses unknown ones', () => {
    const stream: IndicatorStream<'bbands'> = createStream('bbands', { period: 20 })
    expect(stream.lookback).toBe(19)
    expect(() => createStream('bbands', { periods: 20 })).toThrow(
      new RangeError('bbands has no parameter periods (its parameters: period, devUp, devDown)'),
    )
    expect(() => createStream('nope' as 'sma')).toThrow(RangeError)
  })
})

// What each stream keeps, as a shape (fields and their types, no values), recorded per state
// version in state-shapes.json: a change that alters a stream's state without bumping its
// `stateVersion` in the catalogue fails here, so states saved before are refused, not read wrong.
describe('state versions', () => {
  const recorded = JSON.parse(
    readFileSync(new URL('./state-shapes.json', import.meta.url), 'utf8'),
  ) as Record<string, Record<string, string>>

  const shape = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.length === 0 ? '' : shape(v[0])}]`
    if (v !== null && typeof v === 'object') {
      return `{${Object.entries(v)
        .map(([k, x]) => `${k}:${shape(x)}`)
        .join(',')}}`
    }
    // A non-finite number is saved as its name.
    return typeof v === 'string' && ['NaN', 'Infinity', '-Infinity'].includes(v)
      ? 'number'
      : typeof v
  }

  it.each(NAMES)('%s: its state has the shape recorded for its version', (name) => {
    const stream = makeStream(name)
    for (let i = 0; i < 100; i++) feed(stream, name, i)
    const { version, state } = saveState(stream)
    const hash = createHash('sha256').update(shape(state)).digest('hex').slice(0, 16)
    expect(
      recorded[name]?.[String(version)],
      `${name} state version ${version} has shape ${hash}: if its state changed, bump its ` +
        `stateVersion in src/catalogue.ts and record the new shape in test/state-shapes.json`,
    ).toBe(hash)
  })
})
