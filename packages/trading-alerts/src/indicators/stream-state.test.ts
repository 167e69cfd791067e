import { describe, expect, it } from 'vitest'
import type { Bar, Stream } from '@trading-alerts/technical-indicators'
import { INDICATORS } from './registry.js'
import { restoreState, snapshotState, type StateJson } from './stream-state.js'

// Every indicator the job and the rules can use: its state, saved as JSON after some bars and
// restored into a fresh stream, continues exactly as the original, replace of the last bar included.
const bars: Bar[] = Array.from({ length: 160 }, (_, i) => {
  const close = 100 + 10 * Math.sin(i / 7) + i / 5 + (i % 3) * 0.7
  return {
    open: close - 0.5,
    high: close + 1 + (i % 4) * 0.3,
    low: close - 1.2,
    close,
    volume: 10 + (i % 5),
  }
})

describe.each([...INDICATORS.keys()].sort())('%s state', (name) => {
  it('survives a JSON round trip mid-run, replace included', () => {
    const definition = INDICATORS.get(name)
    if (definition === undefined) throw new Error(name)
    const params = definition.params.map((p) => p.default)
    const feed = (s: Stream<number, unknown> | Stream<Bar, unknown>, bar: Bar, replace = false) => {
      const input = definition.input === 'close' ? bar.close : bar
      const stream = s as Stream<number | Bar, unknown>
      return replace ? stream.replace(input) : stream.update(input)
    }
    const original = definition.create(params)
    for (const bar of bars.slice(0, 100)) feed(original, bar)
    const json = JSON.parse(JSON.stringify(snapshotState(original))) as StateJson
    const restored = restoreState(definition.create(params), json)
    const other = { open: 1, high: 500, low: 0.5, close: 250, volume: 3 }
    // The last bar replaced after the restore, then the rest of the series.
    expect(feed(restored, bars[99] as Bar, true)).toEqual(feed(original, bars[99] as Bar, true))
    for (const bar of bars.slice(100)) {
      expect(feed(restored, other)).toEqual(feed(original, other))
      expect(feed(restored, bar, true)).toEqual(feed(original, bar, true))
    }
  })
})
