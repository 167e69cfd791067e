import { getSymbols, runHistorical, runIncremental } from '@trading-alerts/trading-alerts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { httpClient, kinds, NOW, startApiTest, usdtPair, type ApiTest } from './helpers.js'

/** The samples of a Prometheus text exposition: `name{labels}` → value. */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const match = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line)
    if (match === null) throw new Error(`not a sample line: ${line}`)
    out.set(`${match[1]}${match[2] ?? ''}`, Number(match[3]))
  }
  return out
}

describe.each(kinds)('/metrics on %s', (kind) => {
  let fx: ApiTest
  let token = ''
  let now = NOW
  const call = httpClient(
    () => fx.url,
    () => token,
  )

  const scrape = async (auth = true) => {
    const a = await call('/metrics', auth ? {} : { token: null })
    return { status: a.status, type: a.type, text: a.text }
  }

  beforeAll(async () => {
    fx = await startApiTest(kind, {
      simulator: {
        pairs: [
          usdtPair('BTC', '2025-04-01T00:00:00Z', 60_000),
          usdtPair('ETH', '2025-04-01T06:00:00Z', 3_000),
        ],
      },
      load: async ({ sim, database, deps }) => {
        await getSymbols(deps, { topN: 100 })
        await runHistorical(deps, { historyStart: '2025-04' })
        // The source rate-limits three requests of the incremental run: its summary keeps them.
        sim.addFault({ route: 'klines', kind: '429', retryAfterSec: 1, times: 3 })
        await runIncremental(deps, {})
        // Two deliveries: one delivered, one dead.
        const rule = await database.db
          .insertInto('alert_rule')
          .values({
            name: 'r',
            rule: 'close > 0',
            kind: 'bar',
            symbols: JSON.stringify(['*']),
            timeframe: '1h',
            webhook_url: 'http://127.0.0.1:9/hook',
            created_at: new Date(NOW),
            evaluate_from: new Date(NOW),
          })
          .returning('id')
          .executeTakeFirstOrThrow()
        for (const [i, state] of (['delivered', 'dead'] as const).entries()) {
          const event = await database.db
            .insertInto('alert_event')
            .values({
              rule_id: rule.id,
              symbol: 'BTCUSDT',
              timeframe: '1h',
              bar_time: new Date(NOW - (i + 1) * 3_600_000),
              fired_at: new Date(NOW),
              values: JSON.stringify({ close: 1 }),
              text: 't',
            })
            .returning('id')
            .executeTakeFirstOrThrow()
          await database.db
            .insertInto('alert_delivery')
            .values({ event_id: event.id, state, next_attempt_at: new Date(NOW) })
            .execute()
        }
      },
      clock: { now: () => new Date(now) },
      api: { metricsRowsTtlMs: 60_000 },
    })
    token = await fx.token('read', 'prom')
  }, 120_000)
  afterAll(async () => {
    await fx?.close()
  })

  it('reports rows and lag per symbol, runs, throttled answers and deliveries as the tables hold them', async () => {
    const a = await scrape()
    expect(a.status).toBe(200)
    expect(a.type).toMatch(/^text\/plain; version=0\.0\.4/)
    const m = parseMetrics(a.text)

    const rows = await fx.database.db
      .selectFrom('tickerdata_1m')
      .select(['symbol', (eb) => eb.fn.countAll().as('n')])
      .groupBy('symbol')
      .execute()
    expect(rows.length).toBe(2)
    for (const r of rows) {
      expect(m.get(`trading_alerts_symbol_rows{symbol="${r.symbol}"}`)).toBe(Number(r.n))
    }
    const symbols = await fx.database.db
      .selectFrom('symbol')
      .select(['symbol', 'last_updated_at'])
      .where('last_updated_at', 'is not', null)
      .execute()
    for (const s of symbols) {
      expect(m.get(`trading_alerts_symbol_lag_seconds{symbol="${s.symbol}"}`)).toBe(
        (NOW - new Date(s.last_updated_at as Date).getTime()) / 1000,
      )
    }
    const runs = await fx.database.db.selectFrom('job_run').select(['job', 'state']).execute()
    for (const job of ['symbols', 'historical', 'incremental']) {
      expect(m.get(`trading_alerts_job_runs{job="${job}",state="succeeded"}`)).toBe(
        runs.filter((r) => r.job === job && r.state === 'succeeded').length,
      )
      expect(m.get(`trading_alerts_job_last_run_seconds{job="${job}",state="succeeded"}`)).toBe(0)
    }
    expect(m.get('trading_alerts_source_throttled_total{job="incremental",status="429"}')).toBe(3)
    expect(m.get('trading_alerts_source_throttled_total{job="incremental",status="418"}')).toBe(0)
    expect(m.get('trading_alerts_source_throttled_total{job="historical",status="429"}')).toBe(0)
    expect(m.get('trading_alerts_webhook_deliveries{state="delivered"}')).toBe(1)
    expect(m.get('trading_alerts_webhook_deliveries{state="dead"}')).toBe(1)
    expect(m.get('trading_alerts_webhook_deliveries{state="pending"}')).toBe(0)
  })

  it('counts its own answers, and caches the row counts for metricsRowsTtlMs', async () => {
    expect((await scrape(false)).status).toBe(401)
    const before = parseMetrics((await scrape()).text)
    expect(before.get('trading_alerts_api_responses_total{status="401"}')).toBeGreaterThanOrEqual(1)
    const eth = before.get('trading_alerts_symbol_rows{symbol="ETHUSDT"}') ?? 0
    await fx.database.db.deleteFrom('tickerdata_1m').where('symbol', '=', 'ETHUSDT').execute()
    now = NOW + 30_000
    const cached = parseMetrics((await scrape()).text)
    expect(cached.get('trading_alerts_symbol_rows{symbol="ETHUSDT"}')).toBe(eth)
    expect(cached.get('trading_alerts_api_responses_total{status="200"}')).toBe(
      (before.get('trading_alerts_api_responses_total{status="200"}') ?? 0) + 1,
    )
    now = NOW + 61_000
    const fresh = parseMetrics((await scrape()).text)
    expect(fresh.get('trading_alerts_symbol_rows{symbol="ETHUSDT"}')).toBe(0)
    expect(eth).toBeGreaterThan(0)
  })
})
