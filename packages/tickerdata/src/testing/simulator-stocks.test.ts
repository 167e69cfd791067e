import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startExchangeSimulator, type ExchangeSimulator } from './index.js'

/** Checks the simulator's stock routes against every sample file of the real formats. */
const fixture = (name: string) =>
  readFileSync(new URL(`../__fixtures__/stocks/${name}`, import.meta.url), 'utf8')
const json = (name: string) => JSON.parse(fixture(name)) as unknown
const NOW = Date.parse('2024-03-20T04:00:00Z')
const KEYS = { 'APCA-API-KEY-ID': 'k', 'APCA-API-SECRET-KEY': 's' }

let sim: ExchangeSimulator
beforeAll(async () => {
  sim = await startExchangeSimulator({ now: () => NOW, eastmoneyMinIntervalMs: 0 })
})
afterAll(async () => {
  await sim.close()
})

const get = async (path: string, headers: Record<string, string> = KEYS) => {
  const res = await fetch(`${sim.url}${path}`, { headers })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

/** The shape of a JSON value: keys (sorted) and the types of the leaves. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? [] : [shape(value[0])]
  if (value === null) return 'null'
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, shape((value as Record<string, unknown>)[k])]),
    )
  }
  return typeof value
}

const bar = '&timeframe=1Min&feed=sip&adjustment=raw&limit=3'

describe('simulated stock sources in the real formats', () => {
  it('Alpaca single-symbol bars: a page, and the last empty page with bars null', async () => {
    const page = await get(
      `/v2/stocks/AAPL/bars?start=2024-03-19T13:30:00Z&end=2024-03-19T20:00:00Z${bar}`,
    )
    const sample = json('bars_single_AAPL_1Day_page1.json') as Record<string, unknown>
    expect(shape(page.body)).toEqual(shape(sample))
    expect(Object.keys((page.body.bars as object[])[0] ?? {})).toEqual(
      Object.keys((sample.bars as object[])[0] ?? {}),
    )
    expect(Buffer.from(String(page.body.next_page_token), 'base64').toString()).toMatch(
      /^AAPL\|M\|2024-03-19T13:3\d:00\.000000000Z$/,
    )
    const empty = await get(
      `/v2/stocks/AAPL/bars?start=2024-03-16T00:00:00Z&end=2024-03-17T00:00:00Z${bar}`,
    )
    expect(empty.body).toEqual(json('bars_single_empty.json'))
    expect(shape((json('bars_single_TSLA_desc.json') as { bars: unknown[] }).bars[0])).toEqual(
      shape((page.body.bars as unknown[])[0]),
    )
  })

  it('Alpaca multi-symbol bars, and the empty answer with bars {}', async () => {
    const page = await get(
      `/v2/stocks/bars?symbols=TSLA,AAPL&start=2024-03-19T13:30:00Z&end=2024-03-19T13:31:00Z&timeframe=1Min&feed=sip&adjustment=raw&limit=100`,
    )
    expect(shape(page.body)).toEqual(shape(json('bars_multi_AAPL_TSLA_1Day.json')))
    expect(Object.keys(page.body.bars as object)).toEqual(['AAPL', 'TSLA'])
    const empty = await get(
      `/v2/stocks/bars?symbols=TSLA,AAPL&start=2024-03-16T05:00:00Z&end=2024-03-17T00:00:00Z${bar}`,
    )
    expect(empty.body).toEqual(json('bars_multi_empty.json'))
  })

  it('Alpaca calendar rows', async () => {
    const rows = await get('/v2/calendar?start=2024-03-18&end=2024-03-19')
    expect(shape(rows.body)).toEqual(shape(json('calendar.json')))
    expect(rows.body).toEqual([
      {
        date: '2024-03-18',
        open: '09:30',
        close: '16:00',
        session_open: '0400',
        session_close: '2000',
      },
      {
        date: '2024-03-19',
        open: '09:30',
        close: '16:00',
        session_open: '0400',
        session_close: '2000',
      },
    ])
  })

  it('Alpaca refuses missing keys and recent SIP data with its messages', async () => {
    expect(await get('/v2/stocks/AAPL/bars?start=2024-03-19T13:30:00Z&timeframe=1Min', {})).toEqual(
      {
        status: 401,
        body: { message: 'unauthorized.' },
      },
    )
    expect(
      await get(`/v2/stocks/AAPL/bars?start=2024-03-20T03:00:00Z&end=2024-03-20T03:59:00Z${bar}`),
    ).toEqual({
      status: 403,
      body: { message: 'subscription does not permit querying recent SIP data' },
    })
  })

  it('the screener table rows', async () => {
    const ua = { 'user-agent': 'Mozilla/5.0 (test)' }
    const table = await get('/api/screener/stocks?tableonly=true', ua)
    // the excerpt is cut after `totalrecords`: read its headers and rows as they stand
    const text = fixture('nasdaq_screener_table_rows_excerpt.json')
    const sample = {
      data: {
        table: {
          headers: JSON.parse(/"headers":(\{[^}]*\})/.exec(text)?.[1] ?? '{}') as unknown,
          rows: [...text.matchAll(/\{"symbol":[^{}]*\}/g)].map((m) => JSON.parse(m[0]) as unknown),
        },
      },
    }
    const got = table.body as unknown as typeof sample
    expect(got.data.table.headers).toEqual(sample.data.table.headers)
    expect(shape(got.data.table.rows[0])).toEqual(shape(sample.data.table.rows[0]))
    const aapl = got.data.table.rows.find((r) => (r as { symbol: string }).symbol === 'AAPL') as {
      marketCap: string
    }
    expect(aapl.marketCap).toBe('3,450,000,000,000')
    const download = await get('/api/screener/stocks?tableonly=true&download=true', ua)
    expect(Array.isArray((download.body.data as { rows: unknown }).rows)).toBe(true)
  })

  it('Eastmoney trends2 envelope and rows', async () => {
    const res = await get(
      '/api/qt/stock/trends2/get?fields1=f1&fields2=f51&ndays=1&iscr=0&secid=1.600519',
      {},
    )
    const data = res.body.data as Record<string, unknown>
    const sample = (
      json('eastmoney_trends2_600519_excerpt_unattributed.json') as {
        data: Record<string, unknown>
      }
    ).data
    for (const key of Object.keys(sample)) expect(data).toHaveProperty(key)
    const tdx = fixture('eastmoney_trends2_shape_300059_from_tdx-quant.jsonc')
    for (const key of [...tdx.matchAll(/^\s*\/\/\s+"(\w+)":/gm)].map((m) => m[1] ?? '')) {
      if (['b', 'e', 'date', 'prePrice', 'pre', 'after', 'periods'].includes(key)) continue
      expect(data, key).toHaveProperty(key)
    }
    const rows = data.trends as string[]
    expect(rows[0]).toMatch(/^2024-03-20 09:30,(\d+\.\d{2},){4}\d+,\d+\.\d{2},\d+\.\d{3}$/)
    expect(rows[1]).toMatch(/^2024-03-20 09:31,/)
    expect(rows).toHaveLength(121)
    expect(data.trendsTotal).toBe(121)
    expect(data.tradePeriods).toMatchObject({
      periods: [
        { b: 202403200930, e: 202403201130 },
        { b: 202403201300, e: 202403201500 },
      ],
    })
  })

  it('Eastmoney clist: Shanghai A-shares by total market cap', async () => {
    const res = await get(
      '/api/qt/clist/get?pn=1&pz=2&po=1&np=1&fltt=2&invt=2&fid=f20&fs=m:1+t:2,m:1+t:23&fields=f2,f12,f14,f20,f21',
      {},
    )
    expect(res.body).toMatchObject({
      rc: 0,
      data: { total: 6, diff: [{ f12: '601398', f14: '工商银行' }, { f12: '600519' }] },
    })
  })
})
