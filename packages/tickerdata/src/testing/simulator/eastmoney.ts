import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Session } from '../../calendar/calendar.js'
import { zonedDate } from '../../calendar/zone.js'
import type { SimStockSpec } from '../simulator-types.js'
import { MINUTE, type SimContext } from './context.js'
import { json, send } from './http.js'
import { centsToText, type StockMarket } from './stocks.js'

const SHANGHAI = 8 * 3_600_000 // Asia/Shanghai is UTC+8 all year

/** "YYYY-MM-DD HH:MM" in Shanghai wall time for an instant. */
function label(t: number): string {
  return new Date(t + SHANGHAI).toISOString().slice(0, 16).replace('T', ' ')
}

const compact = (t: number) => Number(label(t).replace(/[- :]/g, ''))

/**
 * The rows of one SSE session as Eastmoney's trends2 writes them, END-labelled: the 09:30 row is
 * the opening call auction (the bar of 09:29), then 09:31 … 11:30 and 13:01 … 15:00; the 14:58 and
 * 14:59 rows (the closing call auction) carry no volume. `latest` false writes the open as 0, as
 * Eastmoney does for the older days of a multi-day answer.
 */
export function trendRows(
  stocks: StockMarket,
  spec: SimStockSpec,
  s: Session,
  now: number,
  latest: boolean,
): string[] {
  const rows: string[] = []
  const starts: number[] = []
  if (s.auctionBar !== null) starts.push(s.auctionBar)
  for (let t = s.open; t < (s.breakStart ?? s.close); t += MINUTE) starts.push(t)
  if (s.breakEnd !== null) for (let t = s.breakEnd; t < s.close; t += MINUTE) starts.push(t)
  let lots = 0
  let amount = 0
  for (const t of starts) {
    if (t + MINUTE > now) break
    const m = stocks.minute(spec, t, false)
    if (m === null) continue // halted
    const closingAuction = t >= s.close - 3 * MINUTE && t < s.close - MINUTE
    const auction = t === s.auctionBar
    const price = auction ? m.open : m.close
    const barLots = closingAuction ? 0 : m.volume / 100
    const barAmount = Math.round(
      (barLots * 100 * (auction ? m.open : (m.open + m.close) / 2)) / 100,
    )
    lots += barLots
    amount += barAmount
    const avg = lots === 0 ? price / 100 : amount / (lots * 100)
    const flat = auction || closingAuction
    rows.push(
      [
        label(t + MINUTE),
        latest ? centsToText(flat ? price : m.open) : '0',
        centsToText(price),
        centsToText(flat ? price : m.high),
        centsToText(flat ? price : m.low),
        String(barLots),
        closingAuction ? '0.0' : `${barAmount}.00`,
        avg.toFixed(3),
      ].join(','),
    )
  }
  return rows
}

/**
 * Eastmoney's trends2/get (one-minute bars of the last 5 trading days) and clist/get (Shanghai
 * A-shares by total market cap), in their real envelopes. A request sooner than
 * `eastmoneyMinIntervalMs` after the previous one gets its connection reset.
 */
export function createEastmoney(ctx: SimContext, stocks: StockMarket) {
  const minInterval = ctx.options.eastmoneyMinIntervalMs ?? 100
  let last = -Infinity
  const envelope = (data: unknown) => ({
    rc: 0,
    rt: 6,
    svr: 181669437,
    lt: 1,
    full: 1,
    dlmkts: '',
    data,
  })
  const ok = (res: ServerResponse, body: unknown) =>
    send(res, 200, json(body), { 'content-type': 'application/json; charset=UTF-8' })

  function trends(res: ServerResponse, query: URLSearchParams): void {
    const [market, code = ''] = (query.get('secid') ?? '').split('.')
    const spec = stocks.stock(code)
    if (spec === undefined || spec.market !== 'cn' || market !== '1') return ok(res, envelope(null))
    const ndays = Math.min(5, Math.max(1, Number(query.get('ndays') ?? 1) || 1))
    const t = ctx.now()
    const sessions = stocks.lastCnSessions(t, ndays)
    const newest = sessions.at(-1)
    const trendsRows = sessions.flatMap((s) => trendRows(stocks, spec, s, t, s === newest))
    const pre =
      newest === undefined
        ? spec.basePrice * 100
        : stocks.priceAt(spec, newest.open - 18 * 3_600_000)
    const preClose = Number(centsToText(pre))
    const p = (s: Session | undefined) => (s === undefined ? 0 : compact(s.open))
    ok(
      res,
      envelope({
        code: spec.symbol,
        market: 1,
        type: 2,
        status: 0,
        name: spec.name,
        decimal: 2,
        preSettlement: 0,
        preClose,
        beticks: '33300|34200|54000|34200|41400|46800|54000',
        trendsTotal: trendsRows.length,
        time: Math.floor(t / 1000),
        kind: 1,
        prePrice: preClose,
        tradePeriods: {
          pre: { b: p(newest) - 15, e: p(newest) },
          after:
            newest === undefined
              ? null
              : { b: compact(newest.close), e: compact(newest.close) + 30 },
          periods:
            newest === undefined
              ? []
              : [
                  { b: compact(newest.open), e: compact(newest.breakStart ?? newest.close) },
                  { b: compact(newest.breakEnd ?? newest.open), e: compact(newest.close) },
                ],
        },
        hisPrePrices: sessions.map((s) => ({
          date: Number(zonedDate('Asia/Shanghai', s.open).replace(/-/g, '')),
          prePrice: preClose,
        })),
        trends: trendsRows,
      }),
    )
  }

  function clist(res: ServerResponse, query: URLSearchParams): void {
    const pz = Math.min(100, Math.max(1, Number(query.get('pz') ?? 20) || 20))
    const pn = Math.max(1, Number(query.get('pn') ?? 1) || 1)
    const t = ctx.now()
    const ascending = query.get('po') === '0'
    const list = stocks.stocks
      .filter((s) => s.market === 'cn' && s.symbol.startsWith('6'))
      .sort((a, b) => (ascending ? a.marketCap - b.marketCap : b.marketCap - a.marketCap))
    const page = list.slice((pn - 1) * pz, pn * pz)
    if (page.length === 0) return ok(res, envelope(null))
    const diff = page.map((s) => ({
      f2: stocks.halted(s, t) ? '-' : Number(centsToText(stocks.priceAt(s, t))),
      f12: s.symbol,
      f14: s.name,
      f20: stocks.halted(s, t) ? '-' : Math.round(s.marketCap),
      f21: stocks.halted(s, t) ? '-' : Math.round(s.marketCap * 0.95),
    }))
    ok(res, envelope({ total: list.length, diff }))
  }

  return {
    handle(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): void {
      const t = Date.now()
      const tooFast = minInterval > 0 && t - last < minInterval
      last = t
      if (tooFast) {
        req.socket.destroy() // what Eastmoney does to a client that polls too fast
        return
      }
      if (path === '/api/qt/clist/get') return clist(res, query)
      trends(res, query)
    },
  }
}
