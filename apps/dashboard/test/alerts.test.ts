import { testDatabaseKinds } from '@trading-alerts/trading-alerts/testing'
import { describe, expect, it } from 'vitest'
import { signIn, useWorld } from './harness.js'

const kinds = await testDatabaseKinds()

describe.each(kinds)('the Alerts view on %s', (kind) => {
  const files = useWorld(kind)
  const { get } = files
  it('checks a rule as it is typed, the error at the check API’s position, and saves it', async () => {
    const page = await files.browser.page()
    await signIn(page, files.world, '/alerts')
    const bad = 'close > 1 and'
    const expected = await get<{ ok: false; error: { position: number; message: string } }>(
      `/api/v1/alerts/rules/check?rule=${encodeURIComponent(bad)}`,
    )
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
    await page.getByRole('button', { name: 'Save' }).click()
    await page.locator('[data-rule="ui-rule"]').waitFor()
    const listed = await get<{ data: { name: string }[] }>('/api/v1/alerts/rules')
    expect(listed.data.map((r) => r.name)).toContain('ui-rule')
    expect(files.browser.problems).toEqual([])
  })

  it('offers no rule form to a read token', async () => {
    const page = await files.browser.page()
    await signIn(page, files.world, '/alerts', files.world.readToken)
    await page.getByTestId('rules').waitFor()
    expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(0)
    expect(files.browser.problems).toEqual([])
  })
})
