import { testDatabaseKinds } from '@trading-alerts/trading-alerts/testing'
import { describe, expect, it } from 'vitest'
import { signIn, useWorld } from './harness.js'

const kinds = await testDatabaseKinds()

interface Coverage {
  symbol: string
  lastUpdatedAt: string | null
  completeness: number | null
  gaps: number
}

describe.each(kinds)('the Market view on %s', (kind) => {
  const files = useWorld(kind)
  const { get } = files
  it('shows every tracked symbol with the rank, last update, lag and completeness the API gives', async () => {
    const page = await files.browser.page()
    await signIn(page, files.world, '/market')
    const table = page.getByTestId('symbols')
    await table.locator('tbody tr').first().waitFor()
    const symbols = await get<{ data: { symbol: string; marketCapRank: number | null }[] }>(
      '/api/v1/symbols',
    )
    const coverage = await get<{ now: string; data: Coverage[] }>('/api/v1/market/coverage')
    expect(await table.locator('tbody tr').count()).toBe(symbols.data.length)
    for (const s of symbols.data) {
      const row = table.locator(`tr[data-symbol="${s.symbol}"]`)
      const c = coverage.data.find((x) => x.symbol === s.symbol)
      expect(c).toBeDefined()
      expect(await row.locator('[data-col="rank"]').textContent()).toBe(
        String(s.marketCapRank ?? '—'),
      )
      expect(await row.locator('[data-col="completeness"]').textContent()).toBe(
        c?.completeness == null ? '—' : `${(c.completeness * 100).toFixed(2)} %`,
      )
      expect(await row.locator('[data-col="gaps"]').textContent()).toBe(String(c?.gaps))
      // UTC on the page, the same instant as the API's.
      const time = await row.locator('[data-col="last-update"] time').getAttribute('datetime')
      expect(time).toBe(c?.lastUpdatedAt)
      // The simulator's data is complete up to the simulated now.
      expect(c?.completeness).toBeGreaterThan(0.99)
    }
    // Sorting by rank descending puts the lowest-ranked coin first.
    await page.getByRole('button', { name: 'Sort by Rank' }).click()
    const ranked = [...symbols.data].sort((a, b) => (b.marketCapRank ?? 0) - (a.marketCapRank ?? 0))
    await expect
      .poll(() => table.locator('tbody tr').first().getAttribute('data-symbol'))
      .toBe(ranked[0]?.symbol)
    // The filter keeps the matching rows only.
    await page.getByLabel('Filter').fill('eth')
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1)
    expect(await table.locator('tbody tr').first().getAttribute('data-symbol')).toBe('ETHUSDT')
    expect(files.browser.problems).toEqual([])
  })

  it('lists the day’s top coins, the ones without a pair marked with the reason', async () => {
    const page = await files.browser.page()
    await signIn(page, files.world, '/market')
    const top = page.getByTestId('top')
    await top.locator('tbody tr').first().waitFor()
    const day = await get<{
      day: string
      data: { coingeckoId: string; pair: string | null; excludedReason: string | null }[]
    }>('/api/v1/market/top')
    expect(await top.locator('tbody tr').count()).toBe(day.data.length)
    const excluded = day.data.filter((c) => c.pair === null)
    const tracked = day.data.filter((c) => c.pair !== null)
    expect(excluded.length).toBeGreaterThan(0)
    expect(tracked.length).toBeGreaterThan(0)
    for (const c of [...excluded.slice(0, 5), ...tracked]) {
      const cell = top.locator(`tr[data-coin="${c.coingeckoId}"] [data-col="pair"]`)
      expect(await cell.textContent()).toBe(c.pair ?? `no pair: ${c.excludedReason ?? 'unknown'}`)
    }
    expect(await top.locator('tr.excluded').count()).toBe(excluded.length)
    expect(await page.getByLabel('Day', { exact: true }).inputValue()).toBe(day.day)
    expect(files.browser.problems).toEqual([])
  })
})
