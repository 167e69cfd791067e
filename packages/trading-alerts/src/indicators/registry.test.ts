import { describe, expect, it } from 'vitest'
import { parseAlertRule, resolveRuleIndicators } from '../alerts/rules.js'
import { RuleSyntaxError } from '../alerts/language.js'
import { TradingAlertsError } from '../errors.js'
import { resolveIndicator, resolveIndicatorText, seriesName } from './registry.js'

function thrown(f: () => unknown): unknown {
  try {
    f()
  } catch (error) {
    return error
  }
  return undefined
}

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
    const error = thrown(() => resolveIndicator(ref))
    expect(error).toBeInstanceOf(TradingAlertsError)
    expect(error).toMatchObject({ code: 'UNKNOWN_INDICATOR' })
    expect((error as Error).message).toContain(message)
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
    const bad = thrown(() => resolveIndicatorText('rsi(14]'))
    expect(bad).toBeInstanceOf(RuleSyntaxError)
    expect(bad).toMatchObject({ code: 'RULE_SYNTAX', position: 6 })
    expect(thrown(() => resolveIndicatorText('rsx(14)'))).toMatchObject({
      code: 'UNKNOWN_INDICATOR',
    })
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
