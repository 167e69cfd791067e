import { describe, expect, it } from 'vitest'
import {
  bindRule,
  evaluateBar,
  evaluateMarket,
  formatRule,
  indicatorOperands,
  parseDuration,
  parseIndicator,
  parseRule,
  RuleSyntaxError,
  seriesKeys,
  type Rule,
} from './language.js'
import { TradingAlertsError } from '../errors.js'

const HOUR = 3_600_000

function thrown(f: () => unknown): unknown {
  try {
    f()
  } catch (error) {
    return error
  }
  return undefined
}

describe('parsing', () => {
  it.each([
    ['rsi(14) < 30', 'rsi(14) < 30'],
    ['close crosses above sma(200)', 'close crosses above sma(200)'],
    ['MACD(12, 26, 9).Histogram  CROSSES above 0', 'macd(12,26,9).histogram crosses above 0'],
    ['change(1h) >= 5%', 'change(1h) >= 5'],
    ['change(240m) <= -3%', 'change(4h) <= -3'],
    ['enters top 10', 'enters top 10'],
    ['leaves top 100', 'leaves top 100'],
    ['rank rises by 5', 'rank rises by 5'],
    ['rank falls by 3', 'rank falls by 3'],
    ['rsi(14) < 30 and close > ema(50)', 'rsi(14) < 30 and close > ema(50)'],
    [
      '(rsi(14) < 30 or rsi(14) > 70) and volume > 1000',
      '(rsi(14) < 30 or rsi(14) > 70) and volume > 1000',
    ],
    ['bbands(20,2,2).lower > close', 'bbands(20,2,2).lower > close'],
    ['close != 0.5e1', 'close != 5'],
  ])('%s → %s, and back', (text, canonical) => {
    const rule = parseRule(text)
    expect(formatRule(rule)).toBe(canonical)
    expect(formatRule(parseRule(formatRule(rule)))).toBe(canonical)
  })

  it('builds the expected tree', () => {
    expect(parseRule('macd(12,26,9).histogram crosses above 0')).toEqual({
      kind: 'bar',
      expr: {
        kind: 'cross',
        direction: 'above',
        left: {
          kind: 'indicator',
          name: 'macd',
          params: [12, 26, 9],
          output: 'histogram',
          key: 'macd(12,26,9).histogram',
          position: 0,
        },
        right: { kind: 'number', value: 0, position: 38 },
      },
    })
    expect(parseRule('enters top 10')).toEqual({
      kind: 'market',
      expr: { kind: 'enters-top', n: 10, position: 0 },
    })
    expect(seriesKeys(parseRule('rsi(14) < 30 and close > ema(50) or rsi(14) > 90'))).toEqual([
      'ema(50)',
      'rsi(14)',
    ])
  })

  it.each([
    ['rsi(14 < 30', 7, 'expected "," or ")"'],
    ['close crosses sideways sma(200)', 14, 'expected "above" or "below"'],
    ['rsi(14) < ', 10, 'Unexpected end of rule: expected a number'],
    ['enters top ten', 11, 'expected a whole number, like 10'],
    ['close > 5 and enters top 10', 14, 'cannot be combined'],
    ['foo > 1', 0, 'Unknown word "foo"'],
    ['close >> 1', 7, 'expected a number'],
    ['close ~ 1', 6, 'Unexpected "~"'],
    ['', 0, 'expected a condition'],
    ['close', 5, 'expected a comparison'],
    ['close > 1 2', 10, 'expected "and", "or" or the end of the rule'],
    ['change(1x) > 1', 7, '"1x" is not a duration'],
    ['change(1h > 1', 10, 'expected ")"'],
    ['rank climbs by 2', 5, 'expected "rises" or "falls"'],
    ['(close > 1', 10, 'expected ")"'],
    ['macd(12,26,9). > 0', 15, 'expected the name of an output'],
  ])('rejects %j at %i', (text, position, message) => {
    try {
      parseRule(text)
    } catch (error) {
      expect(error).toBeInstanceOf(RuleSyntaxError)
      const e = error as RuleSyntaxError
      expect(e.position).toBe(position)
      expect(e.message).toContain(message)
      expect(e.message.split('\n')[2]).toBe(`  ${' '.repeat(position)}^`)
      return
    }
    expect.fail(`accepted ${text}`)
  })

  it('asks the caller whether an indicator exists, and points at it', () => {
    const isIndicator = (name: string) => (name === 'rsx' ? 'unknown indicator "rsx"' : undefined)
    expect(() => parseRule('close > 1 and rsx(14) < 3', { isIndicator })).toThrow(
      expect.objectContaining({ position: 14, reason: 'unknown indicator "rsx"' }),
    )
  })

  it('is a TradingAlertsError with code RULE_SYNTAX, its position and source kept', () => {
    const error = thrown(() => parseRule('rsi(14 < 30'))
    expect(error).toBeInstanceOf(TradingAlertsError)
    expect(error).toMatchObject({
      name: 'RuleSyntaxError',
      code: 'RULE_SYNTAX',
      position: 7,
      source: 'rsi(14 < 30',
      reason: 'Unexpected "<": expected "," or ")"',
    })
  })

  it('hands the indicators on as structure, one per key', () => {
    const rule = parseRule('bbands(20).upper < close and rsi(14) > 70 or bbands(20).upper > 1')
    expect(indicatorOperands(rule)).toEqual([
      {
        kind: 'indicator',
        name: 'bbands',
        params: [20],
        output: 'upper',
        key: 'bbands(20).upper',
        position: 0,
      },
      {
        kind: 'indicator',
        name: 'rsi',
        params: [14],
        output: undefined,
        key: 'rsi(14)',
        position: 29,
      },
    ])
    expect(indicatorOperands(parseRule('enters top 10'))).toEqual([])
  })

  it('binds change() windows to the timeframe', () => {
    expect(bindRule(parseRule('change(3h) > 1'), HOUR)).toEqual({ maxOffset: 3 })
    expect(bindRule(parseRule('close crosses above 1'), HOUR)).toEqual({ maxOffset: 1 })
    expect(() => bindRule(parseRule('close > 1 and change(90m) > 1'), HOUR)).toThrow(
      /change\(90m\) is not a whole number of 1h bars/,
    )
    expect(parseDuration('2w')).toBe(14 * 24 * HOUR)
  })
})

describe('parseIndicator', () => {
  it.each([
    ['rsi(14)', { name: 'rsi', params: [14], output: undefined, key: 'rsi(14)' }],
    [
      ' MACD(12, 26, 9).Signal ',
      { name: 'macd', params: [12, 26, 9], output: 'signal', key: 'macd(12,26,9).signal' },
    ],
    ['rsi', { name: 'rsi', params: [], output: undefined, key: 'rsi()' }],
    ['macd.hist', { name: 'macd', params: [], output: 'hist', key: 'macd().hist' }],
    ['ema()', { name: 'ema', params: [], output: undefined, key: 'ema()' }],
    ['mom(-1.5)', { name: 'mom', params: [-1.5], output: undefined, key: 'mom(-1.5)' }],
  ])('reads %j as the rule language does', (text, want) => {
    expect(parseIndicator(text)).toEqual({
      kind: 'indicator',
      ...want,
      position: text.search(/\S/),
    })
  })

  it.each([
    ['rsi(14', 6, 'Unexpected end of indicator: expected "," or ")"'],
    ['rsi(14) < 30', 8, 'expected the end of the indicator'],
    ['rsi(a)', 4, 'expected a number'],
    ['close', 0, '"close" is not an indicator'],
    ['change(1h)', 0, '"change" is not an indicator'],
    ['14', 0, 'expected an indicator, like rsi(14)'],
    ['', 0, 'expected an indicator, like rsi(14)'],
    ['macd(12,26,9).', 14, 'expected the name of an output'],
    ['rsi(14),ema(50)', 7, 'expected the end of the indicator'],
  ])('rejects %j at %i', (text, position, message) => {
    const error = thrown(() => parseIndicator(text))
    expect(error).toBeInstanceOf(RuleSyntaxError)
    expect(error).toMatchObject({ code: 'RULE_SYNTAX', position, source: text })
    expect((error as RuleSyntaxError).message).toContain(message)
  })

  it('asks the caller whether the indicator exists, and points at it', () => {
    const isIndicator = (name: string) => (name === 'rsx' ? 'unknown indicator "rsx"' : undefined)
    expect(() => parseIndicator('  rsx(14)', { isIndicator })).toThrow(
      expect.objectContaining({ position: 2, reason: 'unknown indicator "rsx"' }),
    )
  })
})

describe('evaluation', () => {
  const series = (values: Record<string, number[]>, i: number) => (key: string, offset: number) =>
    values[key]?.[i - offset]

  it('fires a crossing exactly on the crossing bar, touching first', () => {
    const rule = parseRule('close crosses above sma(3)')
    const close = [1, 2, 2, 3, 2, 4, 5]
    const sma = [NaN, NaN, 2, 2, 3, 3, 4]
    const fired = close.map(
      (_, i) => evaluateBar(rule, HOUR, series({ close, 'sma(3)': sma }, i))?.fired,
    )
    // bar 2 touches (2 = 2), bar 3 crosses (2 ≤ 2 then 3 > 2); bar 5 crosses back up (2 ≤ 3, 4 > 3).
    expect(fired).toEqual([undefined, undefined, undefined, true, false, true, false])
  })

  it('crosses below, thresholds, and/or, and the values recorded', () => {
    const rule = parseRule('rsi(14) < 30 and close > 10')
    const r = evaluateBar(rule, HOUR, series({ close: [11], 'rsi(14)': [29.5] }, 0))
    expect(r).toEqual({ fired: true, values: { 'rsi(14)': 29.5, close: 11 } })
    const below = parseRule('close crosses below 5')
    expect(evaluateBar(below, HOUR, series({ close: [6, 4] }, 1))?.fired).toBe(true)
    expect(evaluateBar(below, HOUR, series({ close: [4, 3] }, 1))?.fired).toBe(false)
    const either = parseRule('close > 100 or close < 1')
    expect(evaluateBar(either, HOUR, series({ close: [0.5] }, 0))?.fired).toBe(true)
  })

  it('computes change() over whole bars and never fires on missing data', () => {
    const rule = parseRule('change(3h) <= -3%')
    const close = [100, 99, 98, 96.9, 97]
    expect(evaluateBar(rule, HOUR, series({ close }, 3))).toEqual({
      fired: true,
      values: { 'change(3h)': (100 * (96.9 - 100)) / 100 },
    })
    expect(evaluateBar(rule, HOUR, series({ close }, 4))?.fired).toBe(false)
    expect(evaluateBar(rule, HOUR, series({ close }, 2))).toBeUndefined()
    expect(
      evaluateBar(parseRule('rsi(14) < 30'), HOUR, series({ 'rsi(14)': [NaN] }, 0)),
    ).toBeUndefined()
  })

  it('evaluates market events between two snapshots', () => {
    const r = (text: string): Rule => parseRule(text)
    const cases: [string, number | null | undefined, number | null, boolean][] = [
      ['enters top 10', 11, 10, true],
      ['enters top 10', undefined, 3, true],
      ['enters top 10', 9, 3, false],
      ['enters top 10', 12, 11, false],
      ['leaves top 10', 10, 11, true],
      ['leaves top 10', 10, null, true],
      ['leaves top 10', 11, null, false],
      ['rank rises by 5', 20, 15, true],
      ['rank rises by 5', 20, 16, false],
      ['rank rises by 5', undefined, 1, false],
      ['rank falls by 2', 3, 5, true],
      ['rank falls by 2', 3, null, false],
    ]
    for (const [text, before, now, want] of cases) {
      const previous = before === undefined ? undefined : { rank: before }
      expect(evaluateMarket(r(text), previous, { rank: now }), `${text} ${before} → ${now}`).toBe(
        want,
      )
    }
  })
})
