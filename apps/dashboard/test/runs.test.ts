import { testDatabaseKinds } from '@trading-alerts/trading-alerts/testing'
import { describe, expect, it } from 'vitest'
import { runJobInAnotherProcess, signIn, useWorld } from './harness.js'

const kinds = await testDatabaseKinds()

describe.each(kinds)('the Runs view on %s', (kind) => {
  const files = useWorld(kind)
  it('shows every job’s runs in the grid, coloured by state', async () => {
    const page = await files.browser.page()
    await signIn(page, files.world)
    const grid = page.getByTestId('run-grid')
    for (const job of ['symbols', 'historical', 'incremental', 'indicators']) {
      await expect.poll(() => grid.locator(`[data-job="${job}"] [data-run]`).count()).toBe(1)
      expect(
        await grid.locator(`[data-job="${job}"] [data-run]`).first().getAttribute('data-state'),
      ).toBe('succeeded')
    }
    expect(await grid.locator('[data-job="alerts"]').textContent()).toContain('no run yet')
    expect(files.browser.problems).toEqual([])
  })

  it('drills down from a run to its tasks and a task’s log lines', async () => {
    const page = await files.browser.page()
    await signIn(page, files.world)
    await page.locator('[data-job="historical"] [data-run]').first().click()
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/runs\/\d+$/)
    const tasks = page.getByTestId('tasks')
    await tasks.locator('tr[data-task="BTCUSDT"]').waitFor()
    expect(await tasks.locator('tr[data-task="BTCUSDT"]').getAttribute('data-state')).toBe(
      'succeeded',
    )
    const rows = await tasks.locator('tr[data-task="BTCUSDT"] td.num').nth(1).textContent()
    expect(Number(rows?.replace(/,/g, ''))).toBeGreaterThan(0)
    await tasks.getByRole('link', { name: 'BTCUSDT' }).click()
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/runs\/\d+\/tasks\/BTCUSDT$/)
    const log = page.getByTestId('task-log')
    await log.locator('pre.log > div').first().waitFor()
    expect(await log.textContent()).toContain('BTCUSDT')
    // The address is the view: a reload lands on the same task's log.
    await page.reload()
    await page.getByTestId('task-log').locator('pre.log > div').first().waitFor()
    expect(files.browser.problems).toEqual([])
  })

  it('starts a job from the page (admin) and follows it live', async () => {
    const page = await files.browser.page()
    await signIn(page, files.world)
    await page.getByLabel('Start a job').selectOption('incremental')
    await page.getByRole('button', { name: 'Start' }).click()
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/runs\/\d+$/)
    const id = new URL(page.url()).pathname.split('/')[2]
    const cell = page.locator(`[data-job="incremental"] [data-run="${id}"]`)
    await cell.waitFor()
    await expect.poll(() => cell.getAttribute('data-state'), { timeout: 60_000 }).toBe('succeeded')
    await expect.poll(() => page.getByTestId('run-detail').textContent()).toContain('succeeded')
    expect(files.browser.problems).toEqual([])
  })

  it('offers no start button to a read token', async () => {
    const page = await files.browser.page()
    await signIn(page, files.world, '/runs', files.world.readToken)
    await page.getByTestId('run-grid').waitFor()
    expect(await page.getByLabel('Start a job').count()).toBe(0)
    expect(await page.locator('.who').textContent()).toBe('read')
    expect(files.browser.problems).toEqual([])
  })

  // Only PostgreSQL has other processes: the embedded database lives in this one.
  if (kind === 'postgres')
    it('shows a run started by another process without a reload', async () => {
      const page = await files.browser.page()
      await signIn(page, files.world)
      await page.getByTestId('run-grid').waitFor()
      await page.locator('[data-stream="open"]').waitFor()
      const before = await page.locator('[data-job="symbols"] [data-run]').count()
      const child = await runJobInAnotherProcess(files.world, 'symbols')
      const cell = page.locator(`[data-job="symbols"] [data-run="${child.runId}"]`)
      await cell.waitFor({ timeout: 30_000 })
      await expect
        .poll(() => cell.getAttribute('data-state'), { timeout: 30_000 })
        .toBe(child.state)
      expect(await page.locator('[data-job="symbols"] [data-run]').count()).toBe(before + 1)
      expect(files.browser.problems).toEqual([])
    })
})
