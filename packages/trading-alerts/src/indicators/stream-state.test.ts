import { describe, expect, it } from 'vitest'
import { saveState, type Bar, type Stream } from '@trading-alerts/technical-indicators'
import { TradingAlertsError } from '../errors.js'
import { INDICATORS, resolveIndicator } from './registry.js'
import { restoreStreamState } from './stream-state.js'

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
    const { instance } = resolveIndicator({ name, params: [] })
    const feed = (s: Stream<number, unknown> | Stream<Bar, unknown>, bar: Bar, replace = false) => {
      const input = instance.definition.input === 'close' ? bar.close : bar
      const stream = s as Stream<number | Bar, unknown>
      return replace ? stream.replace(input) : stream.update(input)
    }
    const original = instance.definition.create(instance.params)
    for (const bar of bars.slice(0, 100)) feed(original, bar)
    const json: unknown = JSON.parse(JSON.stringify(saveState(original)))
    const restored = restoreStreamState(instance, json)
    const other = { open: 1, high: 500, low: 0.5, close: 250, volume: 3 }
    // The last bar replaced after the restore, then the rest of the series.
    expect(feed(restored, bars[99] as Bar, true)).toEqual(feed(original, bars[99] as Bar, true))
    for (const bar of bars.slice(100)) {
      expect(feed(restored, other)).toEqual(feed(original, other))
      expect(feed(restored, bar, true)).toEqual(feed(original, bar, true))
    }
  })
})

describe('restoreStreamState', () => {
  it('refuses a state of other parameters, another indicator or another state version', () => {
    const { instance } = resolveIndicator({ name: 'rsi', params: [14] })
    const saved = saveState(instance.definition.create(instance.params))
    const refused = (state: unknown, text: string) => {
      expect(() => restoreStreamState(instance, state)).toThrow(TradingAlertsError)
      expect(() => restoreStreamState(instance, state)).toThrow(text)
    }
    refused({ ...saved, params: { period: 15 } }, 'STATE_PARAMS')
    refused({ ...saved, indicator: 'cmo' }, 'STATE_INDICATOR')
    refused({ ...saved, version: saved.version + 1 }, 'STATE_VERSION')
    refused({ state: 1 }, 'STATE_INVALID')
  })

  it('names indicators as TA-Lib does, with the parameters and outputs of the catalogue', () => {
    expect(INDICATORS.get('linearreg_slope')?.indicator).toBe('linearregSlope')
    expect(INDICATORS.get('var')?.params).toEqual([
      { name: 'period', default: 5, min: 1, max: 100_000 },
    ])
    expect(INDICATORS.get('stochf')?.params.map((p) => p.name)).toEqual(['fastK', 'fastD'])
    expect(INDICATORS.get('macd')?.outputs).toEqual(['macd', 'signal', 'histogram'])
    expect(INDICATORS.get('rsi')?.outputs).toEqual([])
    for (const absent of ['macdext', 'sarext', 'ichimoku', 'mavp', 'beta', 'vwap']) {
      expect(INDICATORS.has(absent), absent).toBe(false)
    }
  })
})
