#!/usr/bin/env node
// The README's screenshots, taken from a running dashboard (e.g. `pnpm demo`, then `pnpm serve --demo`):
//   node apps/dashboard/scripts/screenshots.mjs http://127.0.0.1:8080/#token=ta_…
// writes docs/dashboard-*.png at 1280×800 (light) and one phone-sized shot (390×844, dark).
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const [printed] = process.argv.slice(2)
const m = /^(https?:\/\/[^/]+)\/?#token=(\S+)$/.exec(printed ?? '')
if (m === null) {
  process.stderr.write(
    'usage: screenshots.mjs http://HOST:PORT/#token=TOKEN (the URL pnpm demo prints)\n',
  )
  process.exit(2)
}
const [, base, token] = m
const docs = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs')
mkdirSync(docs, { recursive: true })
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
})
const shots = [
  {
    name: 'dashboard-runs',
    path: '/runs',
    ready: '[data-testid="task-log"] pre.log > div',
    open: async (page) => {
      const id = await page
        .locator('[data-job="historical"] [data-run]')
        .last()
        .getAttribute('data-run')
      await page.goto(`${base}/runs/${id}/tasks/BTCUSDT`)
    },
  },
  {
    name: 'dashboard-chart',
    path: '/chart/BTCUSDT?tf=1h&ind=sma(20)&ind=bbands(20,2,2)&ind=rsi(14)&ind=macd(12,26,9)',
    ready: '[data-testid="chart"]:not([data-count="0"])',
  },
  { name: 'dashboard-market', path: '/market', ready: 'main table tbody tr' },
  { name: 'dashboard-alerts', path: '/alerts', ready: 'main table tbody tr' },
  {
    name: 'dashboard-chart-phone',
    path: '/chart/BTCUSDT?tf=4h&ind=rsi(14)',
    ready: '[data-testid="chart"]:not([data-count="0"])',
    phone: true,
  },
]
const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
const page = await context.newPage()
await page.goto(`${base}/#token=${token}`)
await page.locator('header.top').waitFor()
for (const shot of shots) {
  await page.setViewportSize(
    shot.phone ? { width: 390, height: 844 } : { width: 1280, height: 800 },
  )
  await page.emulateMedia({ colorScheme: shot.phone ? 'dark' : 'light' })
  await page.goto(base + shot.path)
  try {
    if (shot.open) await shot.open(page)
    await page.locator(shot.ready).first().waitFor({ timeout: 15_000 })
  } catch {
    process.stderr.write(`${shot.name}: not ready (${shot.ready}) at ${page.url()}; skipped\n`)
    await page.screenshot({ path: join(docs, `${shot.name}.failed.png`) })
    continue
  }
  await page.waitForTimeout(500)
  await page.screenshot({ path: join(docs, `${shot.name}.png`) })
  process.stdout.write(`${join('docs', `${shot.name}.png`)}\n`)
}
await browser.close()
