import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ConfigError, ENV_VARS, envHelp, envVarsOf, loadConfig, readDotEnv } from '../src/config.js'

const dir = mkdtempSync(join(tmpdir(), 'runner-config-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function problems(env: Record<string, string>, now?: string): readonly string[] {
  try {
    loadConfig(env, now === undefined ? {} : { now: () => new Date(now) })
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
  return []
}

describe('.env', () => {
  it('reads values with dotenv semantics: an inline # comment is dropped, quotes keep #', () => {
    const file = join(dir, '.env')
    writeFileSync(
      file,
      [
        '# a comment line',
        'TOP_N=25 # how many coins',
        'QUOTE_ASSET=BTC    # spaces before the comment',
        'COINGECKO_API_KEY="abc#123" # quoted',
        "EXCLUDE_COINS='pepe, shib # still the value'",
        'export CONCURRENCY=8',
        'LOG_LEVEL=debug',
        '',
      ].join('\n'),
    )
    const env: Record<string, string | undefined> = { LOG_LEVEL: 'warn' }
    readDotEnv(file, env)
    expect(env).toEqual({
      TOP_N: '25',
      QUOTE_ASSET: 'BTC',
      COINGECKO_API_KEY: 'abc#123',
      EXCLUDE_COINS: 'pepe, shib # still the value',
      CONCURRENCY: '8',
      // The environment wins over the file.
      LOG_LEVEL: 'warn',
    })
    expect(loadConfig(env)).toMatchObject({ topN: 25, concurrency: 8, coingeckoApiKey: 'abc#123' })
  })

  it('a missing file changes nothing', () => {
    const env = { TOP_N: '3' }
    readDotEnv(join(dir, 'absent.env'), env)
    expect(env).toEqual({ TOP_N: '3' })
  })
})

describe('HISTORY_START', () => {
  it('after the current month of the runner clock is a configuration error', () => {
    expect(problems({ HISTORY_START: '2026-04' }, '2026-03-31T23:59:59Z')).toEqual([
      'HISTORY_START: "2026-04" is after the current month 2026-03: nothing there to load (example: HISTORY_START=2026-03, or a month before it)',
    ])
    expect(problems({ HISTORY_START: '2026-03' }, '2026-03-01T00:00:00Z')).toEqual([])
    expect(problems({ HISTORY_START: '2025-12' }, '2026-03-01T00:00:00Z')).toEqual([])
    expect(problems({ HISTORY_START: 'listing' }, '2026-03-01T00:00:00Z')).toEqual([])
  })

  it('follows TRADING_ALERTS_CLOCK_OFFSET_MS (the runner clock) when no clock is given', () => {
    const offset = (iso: string) => String(Date.parse(iso) - Date.now())
    const env = { HISTORY_START: '2031-06' }
    expect(
      problems({ ...env, TRADING_ALERTS_CLOCK_OFFSET_MS: offset('2031-05-20T00:00:00Z') }),
    ).toEqual([expect.stringContaining('is after the current month 2031-05')])
    expect(
      problems({ ...env, TRADING_ALERTS_CLOCK_OFFSET_MS: offset('2031-06-20T00:00:00Z') }),
    ).toEqual([])
  })
})

describe('the table of variables', () => {
  it('gives loadConfig its defaults', () => {
    const config = loadConfig({})
    const byName = Object.fromEntries(ENV_VARS.map((v) => [v.name, v.default]))
    expect(String(config.topN)).toBe(byName.TOP_N)
    expect(String(config.concurrency)).toBe(byName.CONCURRENCY)
    expect(config.incrementalCron).toBe(byName.INCREMENTAL_CRON)
    expect(config.binanceApiUrl).toBe(byName.BINANCE_API_URL)
    expect(config.indicators.join(',')).toBe(byName.INDICATORS)
    expect(config.dataDir).toBe(byName.DATA_DIR)
  })

  it('lists per job what it reads, and everything for the daemon', () => {
    const names = (scope: Parameters<typeof envVarsOf>[0]) => envVarsOf(scope).map((v) => v.name)
    expect(names('historical')).toEqual(
      expect.arrayContaining(['HISTORY_START', 'CONCURRENCY', 'BINANCE_DATA_URL', 'DATABASE_URL']),
    )
    expect(names('historical')).not.toContain('TOP_N')
    expect(names('symbols')).toEqual(
      expect.arrayContaining(['TOP_N', 'QUOTE_ASSET', 'COINGECKO_API_URL', 'COINGECKO_API_KEY']),
    )
    expect(names('symbols')).not.toContain('HISTORY_START')
    expect(names('start')).toEqual(ENV_VARS.map((v) => v.name))
    expect(envHelp('indicators')).toMatch(/INDICATORS +indicators stored .*\n +default: rsi\(14\)/)
  })
})
