import { describe, expect, it } from 'vitest'
import { parseAlertRule, resolveRuleIndicators } from '../alerts/rules.js'
import { RuleSyntaxError } from '../alerts/language.js'
import { TradingAlertsError } from '../errors.js'
import { resolveIndicator, resolveIndicatorText, seriesName } from './registry.js'

describe('resolveIndicator', () => {
  it('resolves the parsed structure, filling the trailing defaults', () => {
    const { instance, output } = resolveIndicator({ name: 'bbands', params: [20], output: 'upper' })
    expect(output).toBe('upper')
    expect(instance.params).toEqual([20, 2, 2])
    expect(instance.key).toBe('bbands(20,2,2)')
    expect(instance.seriesNames).toEqual([
      'bbands(20,2,2).upper',
      'bbands(20,2,2).middle',
      'bbands(20,2,2).lower',
    ])
    expect(resolveIndicator({ name: 'rsi', params: [] }).instance.key).toBe('rsi(14)')
    expect(seriesName({ name: 'macd', params: [12, 26, 9], output: 'signal' })).toBe(
      'macd(12,26,9).signal',
    )
  })

  it.each([
    [{ name: 'rsx', params: [14] }, 'unknown indicator "rsx"'],
    [{ name: 'rsi', params: [14, 3] }, 'rsi takes (period = 14), got "rsi(14,3)"'],
    [{ name: 'rsi', params: [14], output: 'upper' }, 'rsi has one output; drop ".upper"'],
    [{ name: 'macd', params: [], output: 'nope' }, 'macd has outputs macd, signal, histogram'],
  ])('refuses %j with UNKNOWN_INDICATOR', (ref, message) => {
    expect(() => resolveIndicator(ref)).toThrow(TradingAlertsError)
    expect(() => resolveIndicator(ref)).toThrow(
      expect.objectContaining({
        code: 'UNKNOWN_INDICATOR',
        message: expect.stringContaining(message) as unknown,
      }),
    )
  })

  it('asks for an output where a series is meant', () => {
    expect(() => seriesName({ name: 'macd', params: [] })).toThrow(/pick one, e\.g\. macd/)
  })
})

describe('resolveIndicatorText', () => {
  it('parses the text once with the rule grammar and resolves it', () => {
    expect(resolveIndicatorText(' MACD(12, 26, 9) ').instance.key).toBe('macd(12,26,9)')
    expect(resolveIndicatorText('bbands(20).lower').output).toBe('lower')
    expect(resolveIndicatorText('ema').instance.key).toBe('ema(30)')
  })

  it('points at the bad character of malformed text, and names an unknown indicator', () => {
    expect(() => resolveIndicatorText('rsi(14]')).toThrow(RuleSyntaxError)
    expect(() => resolveIndicatorText('rsi(14]')).toThrow(
      expect.objectContaining({ code: 'RULE_SYNTAX', position: 6 }),
    )
    expect(() => resolveIndicatorText('rsx(14)')).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_INDICATOR' }),
    )
  })
})

describe('resolveRuleIndicators', () => {
  it('resolves what a rule reads from its parsed operands', () => {
    const rule = parseAlertRule('bbands(20).upper < close and rsi(14) > 70')
    expect(
      resolveRuleIndicators(rule).map((i) => [i.operand.key, i.instance.key, i.seriesName]),
    ).toEqual([
      ['bbands(20).upper', 'bbands(20,2,2)', 'bbands(20,2,2).upper'],
      ['rsi(14)', 'rsi(14)', 'rsi(14)'],
    ])
  })
})
