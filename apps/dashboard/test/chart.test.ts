import { saveAlertRule } from '@trading-alerts/trading-alerts'
import { testDatabaseKinds } from '@trading-alerts/trading-alerts/testing'
import { describe, expect, it } from 'vitest'
import { clock, signIn, useWorld } from './harness.js'

const kinds = await testDatabaseKinds()

describe.each(kinds)('the Chart view on %s', (kind) => {
  const files = useWorld(kind)
  const { get } = files
  it('draws the candles the API answers for the range, and switches timeframe', async () => {
    const page = await files.browser.page()
    await signIn(page, files.world, '/chart/BTCUSDT?tf=1h')
    const chart = page.getByTestId('chart')
    await expect.poll(() => chart.getAttribute('data-count')).not.toBe('0')
    const first = (await chart.getAttribute('data-first')) ?? ''
    const api = await get<{ data: { openTime: string }[] }>(
      `/api/v1/candles/BTCUSDT?timeframe=1h&from=${first}&limit=10000`,
    )
    expect(Number(await chart.getAttribute('data-count'))).toBe(api.data.length)
    expect(await chart.getAttribute('data-last')).toBe(api.data.at(-1)?.openTime)
    await page.locator('[data-tf="4h"]').click()
    await expect.poll(() => new URL(page.url()).searchParams.get('tf')).toBe('4h')
    await expect
      .poll(async () => {
        const f = await chart.getAttribute('data-first')
        return f !== null && f !== '' && f !== first && Date.parse(f) % (4 * 3_600_000) === 0
      })
      .toBe(true)
    expect(files.browser.problems).toEqual([])
  })

  it('adds an indicator pane from the picker with the API’s values', async () => {
    const page = await files.browser.page()
    await signIn(page, files.world, '/chart/BTCUSDT?tf=1h')
    await page.getByLabel('Indicator', { exact: true }).selectOption('rsi')
    await page.getByRole('button', { name: 'Add' }).click()
    const legend = page.locator('[data-series="rsi(14)"]')
    await expect.poll(() => legend.getAttribute('data-count')).not.toBe('0')
    const chart = page.getByTestId('chart')
    expect(Number(await chart.getAttribute('data-panes'))).toBe(2)
    const first = (await chart.getAttribute('data-first')) ?? ''
    const api = await get<{ data: { values: Record<string, number | null> }[] }>(
      `/api/v1/indicators/BTCUSDT?timeframe=1h&name=rsi(14)&from=${first}&limit=10000`,
    )
    const values = api.data.map((r) => r.values['rsi(14)']).filter((v) => typeof v === 'number')
    expect(Number(await legend.getAttribute('data-count'))).toBe(values.length)
    expect(Number(await legend.getAttribute('data-last-value'))).toBe(values.at(-1))
    expect(files.browser.problems).toEqual([])
  })

  it('loads older bars when panned left', async () => {
    const page = await files.browser.page()
    await signIn(page, files.world, '/chart/BTCUSDT?tf=1h')
    const chart = page.getByTestId('chart')
    await expect.poll(() => chart.getAttribute('data-count')).not.toBe('0')
    const before = (await chart.getAttribute('data-first')) ?? ''
    const box = await chart.boundingBox()
    if (box === null) throw new Error('no chart box')
    for (let i = 0; i < 6; i++) {
      await page.mouse.move(box.x + 100, box.y + box.height / 2)
      await page.mouse.down()
      await page.mouse.move(box.x + box.width - 100, box.y + box.height / 2, { steps: 10 })
      await page.mouse.up()
    }
    await expect
      .poll(
        async () => Date.parse((await chart.getAttribute('data-first')) ?? '') < Date.parse(before),
      )
      .toBe(true)
    expect(files.browser.problems).toEqual([])
  })

  it('marks the bars where a rule fired, live when the alerts job runs', async () => {
    const page = await files.browser.page()
    await signIn(page, files.world, '/chart/BTCUSDT?tf=1h')
    const chart = page.getByTestId('chart')
    await expect.poll(() => chart.getAttribute('data-count')).not.toBe('0')
    expect(await chart.getAttribute('data-alerts')).toBe('0')
    await saveAlertRule(
      files.world.database.db,
      {
        name: 'up-bars',
        rule: 'close > open',
        symbols: 'BTCUSDT',
        timeframe: '1h',
        from: '2025-04-02T00:00:00Z',
      },
      clock,
    )
    await files.world.runJob('alerts')
    const events = await get<{ data: { barTime: string }[] }>(
      '/api/v1/alerts/events?symbol=BTCUSDT&limit=1000',
    )
    expect(events.data.length).toBeGreaterThan(0)
    // Every event is a bar of the range shown, so each one is a marker.
    const first = Date.parse((await chart.getAttribute('data-first')) ?? '')
    expect(events.data.every((e) => Date.parse(e.barTime) >= first)).toBe(true)
    await expect.poll(() => chart.getAttribute('data-alerts')).toBe(String(events.data.length))
    expect(files.browser.problems).toEqual([])
  })
})
