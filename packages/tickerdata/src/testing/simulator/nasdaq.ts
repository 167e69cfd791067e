import type { IncomingMessage, ServerResponse } from 'node:http'
import { SCREENER_EXTRA_ROWS } from './default-stocks.js'
import { json, send } from './http.js'
import { centsToText, type StockMarket } from './stocks.js'

const HEADERS = {
  symbol: 'Symbol',
  name: 'Name',
  lastsale: 'Last Sale',
  netchange: 'Net Change',
  pctchange: '% Change',
  marketCap: 'Market Cap',
}

/**
 * The Nasdaq screener (`/api/screener/stocks`): `download=true` answers `data.rows` with every
 * column, otherwise `data.table.rows`; 403 (an Akamai HTML page) without a browser User-Agent.
 * Share classes are written with a slash (`BRK/B`), market caps with thousands separators or "NA".
 */
export function createScreener(stocks: StockMarket, now: () => number) {
  return function handle(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): void {
    const ua = req.headers['user-agent'] ?? ''
    if (!/Mozilla\/\d/.test(ua)) {
      send(
        res,
        403,
        '<HTML><HEAD>\n<TITLE>Access Denied</TITLE>\n</HEAD><BODY>\n<H1>Access Denied</H1>\n \nYou don\'t have permission to access "http&#58;&#47;&#47;api&#46;nasdaq&#46;com&#47;api&#47;screener&#47;stocks" on this server.<P>\n</BODY>\n</HTML>\n',
        { 'content-type': 'text/html' },
      )
      return
    }
    const t = now()
    const rows = stocks.stocks
      .filter((s) => s.market === 'us')
      .map((s) => {
        const price = stocks.priceAt(s, t)
        const prev = stocks.priceAt(s, t - 86_400_000)
        const change = price - prev
        return {
          symbol: s.symbol.replace(/\./g, '/'),
          name: s.name,
          lastsale: `$${centsToText(price)}`,
          netchange: `${change < 0 ? '-' : ''}${centsToText(Math.abs(change))}`,
          pctchange: `${((change / prev) * 100).toFixed(3)}%`,
          marketCap: Math.round(s.marketCap).toLocaleString('en-US'),
          url: `/market-activity/stocks/${s.symbol.toLowerCase().replace(/\./g, '.')}`,
        }
      })
      .concat(
        SCREENER_EXTRA_ROWS.map((r) => ({
          ...r,
          lastsale: '$10.00',
          netchange: '0.00',
          pctchange: '0.000%',
          url: `/market-activity/stocks/${r.symbol.toLowerCase()}`,
        })),
      )
      .sort((a, b) => (a.symbol < b.symbol ? -1 : 1))
    const status = { rCode: 200, bCodeMessage: null, developerMessage: null }
    const download = query.get('download') === 'true'
    const data = download
      ? {
          headers: {
            ...HEADERS,
            country: 'Country',
            ipoyear: 'IPO Year',
            volume: 'Volume',
            sector: 'Sector',
            industry: 'Industry',
            url: 'Url',
          },
          rows: rows.map((r) => ({
            ...r,
            volume: '1000000',
            country: 'United States',
            ipoyear: '',
            industry: '',
            sector: '',
          })),
        }
      : {
          filters: null,
          table: { headers: HEADERS, rows },
          totalrecords: rows.length,
          asof: `Last price as of ${new Date(t).toUTCString().slice(5, 16)}`,
        }
    send(res, 200, json({ data, message: null, status }), {
      'content-type': 'application/json; charset=utf-8',
    })
  }
}
