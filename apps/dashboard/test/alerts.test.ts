import { testDatabaseKinds } from '@trading-alerts/trading-alerts/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, signIn, startWorld, type Browser, type World } from './harness.js'

const kinds = await testDatabaseKinds()

describe.each(kinds)('the Alerts view on %s', (kind) => {
  let world: World
  let browser: Browser

  beforeAll(async () => {
    world = await startWorld(kind)
    browser = await launchBrowser(world.base)
  })
  afterAll(async () => {
    await browser?.close()
    await world?.close()
  })

  const apiGet = async (path: string) => {
    const res = await fetch(`${world.base}${path}`, {
      headers: { authorization: `Bearer ${world.readToken}` },
    })
    return (await res.json()) as unknown
  }

  it('checks a rule as it is typed, the error at the check API’s position, and saves it', async () => {
    const page = await browser.page()
    await signIn(page, world, '/alerts')
    const bad = 'close > 1 and'
    const expected = (await apiGet(
      `/api/v1/alerts/rules/check?rule=${encodeURIComponent(bad)}`,
    )) as { ok: false; error: { position: number; message: string } }
    expect(expected.ok).toBe(false)
    await page.getByLabel('Name').fill('ui-rule')
    await page.getByLabel('Rule').fill(bad)
    const caret = page.locator('#rule-error')
    await expect
      .poll(() => caret.getAttribute('data-position'))
      .toBe(String(expected.error.position))
    const text = (await caret.textContent()) ?? ''
    expect(text.indexOf('^')).toBe(expected.error.position)
    expect(text).toContain(expected.error.message)
    await page.getByLabel('Rule').fill('close > 1')
    await expect.poll(() => caret.textContent()).toBe('')
    await page.screenshot({ path: `/tmp/alertsui/form-${kind}.png` })
    await page.getByRole('button', { name: 'Save' }).click()
    await page.locator('[data-rule="ui-rule"]').waitFor()
    const listed = (await apiGet('/api/v1/alerts/rules')) as { data: { name: string }[] }
    expect(listed.data.map((r) => r.name)).toContain('ui-rule')
    expect(browser.problems).toEqual([])
  })

  it('offers no rule form to a read token', async () => {
    const page = await browser.page()
    await signIn(page, world, '/alerts', world.readToken)
    await page.getByTestId('rules').waitFor()
    expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(0)
    expect(browser.problems).toEqual([])
  })
})
