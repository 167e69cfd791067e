/**
 * The dashboard's benchmarks: `pnpm bench` in this package (PostgreSQL from TEST_DATABASE_URL or
 * the local server, in a fresh database dropped at the end; Debian's Chromium, headless).
 *
 * The data: one year of 1-minute BTCUSDT candles generated in the database (a deterministic price
 * path), shown as 1h bars with RSI(14) and MACD(12,26,9). Each figure is a ratio against a
 * baseline measured in the same run, because the machines are shared and noisy:
 *
 * - the chart page's first meaningful paint (navigation start → candles and both indicator panes
 *   drawn), against the same API requests the page makes for them, fetched from Node;
 * - a timeframe switch (1h ↔ 4h: click → the other bars and panes drawn), against the same;
 * - the built assets' size, gzip, and that the page asks nothing from outside the server.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { cpus, loadavg } from 'node:os'
import { join, relative } from 'node:path'
import { gzipSync } from 'node:zlib'
import { createAdaptorServer } from '@hono/node-server'
import { createApi, directoryAssets } from '@trading-alerts/api'
import { createApiToken, silentLogger } from '@trading-alerts/trading-alerts'
import { createTestDatabase } from '@trading-alerts/trading-alerts/testing'
import pg from 'pg'
import { chromium, type Page } from 'playwright-core'
import { CHROMIUM, CHROMIUM_ARGS, DIST } from '../test/harness.js'

const YEAR_FROM = '2024-01-01T00:00:00Z'
const YEAR_TO = '2025-01-01T00:00:00Z'
const RUNS = 7
const INDICATORS = ['rsi(14)', 'macd(12,26,9)']

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? Number.NaN
}

/** One year of 1-minute BTCUSDT candles, generated in the database (as packages/api's bench). */
async function seed(client: pg.Client): Promise<number> {
  await client.query(
    `insert into symbol (symbol, base_asset, quote_asset, market_cap_rank, in_top_n, status,
       first_seen_at, last_seen_at, last_updated_at)
     values ('BTCUSDT', 'BTC', 'USDT', 1, true, 'TRADING', $1, $1, $2)`,
    [new Date(YEAR_TO), new Date(Date.parse(YEAR_TO) - 1)],
  )
  const result = await client.query(
    `insert into tickerdata_1m (symbol, open_time, open, high, low, close, volume, close_time,
       quote_volume, trades, taker_buy_base_volume, taker_buy_quote_volume)
     select 'BTCUSDT', t,
       round((40000 + 5000 * sin(i / 5000.0) + 50 * sin(i / 7.0))::numeric, 2),
       round((40000 + 5000 * sin(i / 5000.0) + 50 * sin(i / 7.0) + 20)::numeric, 2),
       round((40000 + 5000 * sin(i / 5000.0) + 50 * sin(i / 7.0) - 20)::numeric, 2),
       round((40000 + 5000 * sin(i / 5000.0) + 50 * sin((i + 1) / 7.0))::numeric, 2),
       round((10 + 5 * abs(sin(i / 13.0)))::numeric, 8),
       t + interval '59.999 seconds',
       round((400000 + 200000 * abs(sin(i / 13.0)))::numeric, 8),
       100 + (i % 50),
       round((5 + 2 * abs(sin(i / 11.0)))::numeric, 8),
       round((200000 + 80000 * abs(sin(i / 11.0)))::numeric, 8)
     from generate_series($1::timestamptz, $2::timestamptz - interval '1 minute', interval '1 minute')
       with ordinality as g(t, i)`,
    [YEAR_FROM, YEAR_TO],
  )
  await client.query('analyze tickerdata_1m')
  return result.rowCount ?? 0
}

/** Until the chart shows `tf`'s bars (not `previousFirst`'s) and every indicator series has values. */
async function drawn(
  page: Page,
  previousFirst: string | null,
): Promise<{ first: string; count: number }> {
  const handle = await page.waitForFunction(
    ([prev, series]) => {
      const box = document.querySelector<HTMLElement>('[data-testid="chart"]')
      if (box === null || Number(box.dataset.count ?? 0) === 0) return null
      if (prev !== null && box.dataset.first === prev) return null
      const shown = [...document.querySelectorAll<HTMLElement>('[data-series]')]
      if (shown.length < series || shown.some((s) => Number(s.dataset.count ?? 0) === 0))
        return null
      return { first: box.dataset.first ?? '', count: Number(box.dataset.count) }
    },
    [previousFirst, 1 + 3] as const,
    { timeout: 60_000, polling: 'raf' },
  )
  return (await handle.jsonValue()) as { first: string; count: number }
}

function assetSizes(): { file: string; bytes: number; gzip: number }[] {
  const files: { file: string; bytes: number; gzip: number }[] = []
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) walk(path)
      else {
        const body = readFileSync(path)
        files.push({
          file: relative(DIST, path),
          bytes: body.length,
          gzip: gzipSync(body, { level: 9 }).length,
        })
      }
    }
  }
  walk(DIST)
  return files.sort((a, b) => b.gzip - a.gzip)
}

async function main(): Promise<void> {
  // A fresh database on the test server (TEST_DATABASE_URL), dropped on close.
  const database = await createTestDatabase('postgres')
  const client = new pg.Client({ connectionString: database.url })
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  })
  try {
    await client.connect()
    const rows = await seed(client)
    const clock = { now: () => new Date(YEAR_TO) }
    const { token } = await createApiToken(database.db, { name: 'bench', scope: 'read' }, clock)
    const api = createApi({
      database,
      clock,
      logger: silentLogger,
      rateLimit: { burst: 1e9, perSecond: 1e9 },
      dashboard: directoryAssets(DIST),
    })
    const server = createAdaptorServer({ fetch: (request: Request) => api.fetch(request) })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const auth = { authorization: `Bearer ${token}` }

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    const outside: string[] = []
    await context.route('**/*', (route) => {
      const url = route.request().url()
      if (url.startsWith(base) || url.startsWith('data:') || url.startsWith('blob:'))
        return route.continue()
      outside.push(url)
      return route.abort()
    })
    const page = await context.newPage()
    // The requests the chart makes for its data, recorded from the page, replayed from Node.
    const requests: { tf: string; url: string }[] = []
    page.on('request', (r) => {
      const u = new URL(r.url())
      if (/^\/api\/v1\/(candles|indicators)\//.test(u.pathname))
        requests.push({ tf: u.searchParams.get('timeframe') ?? '', url: r.url() })
    })
    await page.goto(`${base}/#token=${token}`)
    await page.locator('header.top').waitFor()
    const chartUrl = (tf: string) =>
      `${base}/chart/BTCUSDT?tf=${tf}${INDICATORS.map((i) => `&ind=${encodeURIComponent(i)}`).join('')}`

    const replay = async (tf: string) => {
      const urls = [...new Set(requests.filter((r) => r.tf === tf).map((r) => r.url))]
      const t = performance.now()
      await Promise.all(urls.map(async (u) => (await fetch(u, { headers: auth })).arrayBuffer()))
      return performance.now() - t
    }

    const paint: number[] = []
    const paintBase: number[] = []
    const fcp: number[] = []
    let bars = 0
    for (let i = 0; i <= RUNS; i++) {
      await page.goto('about:blank')
      const t = performance.now()
      await page.goto(chartUrl('1h'))
      const shown = await drawn(page, null)
      const ms = performance.now() - t
      bars = shown.count
      const contentful = await page.evaluate(
        () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
      )
      const baseline = await replay('1h')
      if (i === 0) continue // warm-up
      paint.push(ms)
      fcp.push(contentful)
      paintBase.push(baseline)
    }

    const switchMs: number[] = []
    const switchBase: number[] = []
    let first = (await drawn(page, null)).first
    let tf = '1h'
    for (let i = 0; i <= RUNS * 2; i++) {
      const next = tf === '1h' ? '4h' : '1h'
      const t = performance.now()
      await page.locator(`[data-tf="${next}"]`).click()
      first = (await drawn(page, first)).first
      const ms = performance.now() - t
      const baseline = await replay(next)
      tf = next
      if (i < 2) continue // warm-up of both
      switchMs.push(ms)
      switchBase.push(baseline)
    }

    const sizes = assetSizes()
    const total = sizes.reduce((s, f) => s + f.gzip, 0)
    const ratio = (a: number[], b: number[]) => (median(a) / median(b)).toFixed(2)
    const out = [
      `machine: ${cpus().length} cores, load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}, node ${process.version}, ${browser.version()}`,
      `data: ${rows.toLocaleString('en-US')} 1m rows (one year); the chart shows the newest ${bars} 1h bars with ${INDICATORS.join(' and ')}`,
      `chart first meaningful paint: ${median(paint).toFixed(0)} ms (first contentful paint ${median(fcp).toFixed(0)} ms); its data requests from Node: ${median(paintBase).toFixed(0)} ms; ratio ${ratio(paint, paintBase)}×`,
      `timeframe switch 1h ↔ 4h: ${median(switchMs).toFixed(0)} ms; its data requests from Node: ${median(switchBase).toFixed(0)} ms; ratio ${ratio(switchMs, switchBase)}×`,
      `assets: ${(total / 1024).toFixed(1)} KiB gzip in all (${sizes.length} files); ${sizes
        .slice(0, 6)
        .map((f) => `${f.file} ${(f.gzip / 1024).toFixed(1)} KiB`)
        .join(', ')}`,
      `requests outside the server: ${outside.length}${outside.length > 0 ? ` (${outside.join(', ')})` : ''}`,
    ]
    process.stdout.write(`${out.join('\n')}\n`)
    await context.close()
    await api.close()
    await new Promise<void>((resolve) => {
      server.close(() => resolve())
      if ('closeAllConnections' in server) server.closeAllConnections()
    })
    if (outside.length > 0) process.exitCode = 1
  } finally {
    await browser.close()
    await client.end()
    await database.close()
  }
}

await main()
