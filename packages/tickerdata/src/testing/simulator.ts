import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { DEFAULT_COINS, DEFAULT_PAIRS } from './default-market.js'
import { createMarket, type Market } from './market.js'
import type {
  ExchangeSimulator,
  SimCoin,
  SimRoute,
  SimulatorOptions,
  SimulatorStats,
} from './simulator-types.js'
import { parseAlpacaBar } from '../alpaca/parse.js'
import { parseTrendRow } from '../eastmoney/parse.js'
import type { StockKline } from '../stock-kline.js'
import { alpacaBar, createAlpaca } from './simulator/alpaca.js'
import { createArchive } from './simulator/archive.js'
import { DEFAULT_STOCKS } from './simulator/default-stocks.js'
import { createEastmoney, trendRows } from './simulator/eastmoney.js'
import { createScreener } from './simulator/nasdaq.js'
import { createStockMarket } from './simulator/stocks.js'
import { createBinanceRest } from './simulator/binance-rest.js'
import { createCoingecko } from './simulator/coingecko.js'
import type { MutableStats, SimContext } from './simulator/context.js'
import { applyFault, createFaults, slowDelay } from './simulator/faults.js'
import { delay, json, send } from './simulator/http.js'
import { createWeightLimiter } from './simulator/limiter.js'
import { createListing } from './simulator/listing.js'

const WEIGHTS: Partial<Record<SimRoute, number>> = { klines: 2, exchangeInfo: 20 }

function routeOf(path: string): SimRoute | 'other' {
  if (path === '/api/v3/klines') return 'klines'
  if (path === '/api/v3/exchangeInfo') return 'exchangeInfo'
  if (path.startsWith('/data/'))
    return path.endsWith('.CHECKSUM') ? 'archive-checksum' : 'archive-zip'
  if (path === '/s3' || path === '/s3/') return 'listing'
  if (path === '/coingecko/api/v3/coins/markets') return 'coins-markets'
  if (path === '/v2/stocks/bars') return 'alpaca-multi-bars'
  if (/^\/v2\/stocks\/[^/]+\/bars$/.test(path)) return 'alpaca-bars'
  if (path === '/v2/calendar') return 'alpaca-calendar'
  if (/^\/v2\/assets\/[^/]+$/.test(path)) return 'alpaca-assets'
  if (path === '/api/screener/stocks') return 'screener'
  if (path === '/api/qt/stock/trends2/get') return 'eastmoney-trends'
  if (path === '/api/qt/clist/get') return 'eastmoney-clist'
  return 'other'
}

/**
 * Starts the exchange simulator on 127.0.0.1: Binance REST, the public archive with its S3
 * listing, and CoinGecko, in the real formats, from a deterministic market. See
 * `simulator-types.ts` for the contract and the package README for a walkthrough. Each route
 * family lives in `simulator/`; this file dispatches requests and owns the server.
 */
export async function startExchangeSimulator(
  options: SimulatorOptions = {},
): Promise<ExchangeSimulator> {
  const now = options.now ?? (() => Date.now())
  const pairs = options.pairs ?? DEFAULT_PAIRS
  const coins: readonly SimCoin[] = options.coins ?? DEFAULT_COINS
  const market: Market = createMarket({ seed: options.seed ?? 1, pairs, gaps: options.gaps ?? [] })
  const weightLimit = options.weightLimit ?? { limit: 6000, interval: 'MINUTE', intervalNum: 1 }

  const sockets = new Set<Socket>()
  const requestLog: { route: SimRoute | 'other'; path: string; headers: Record<string, string> }[] =
    []
  const stats: MutableStats = {
    requests: {
      klines: 0,
      exchangeInfo: 0,
      'archive-zip': 0,
      'archive-checksum': 0,
      listing: 0,
      'coins-markets': 0,
      'alpaca-bars': 0,
      'alpaca-multi-bars': 0,
      'alpaca-calendar': 0,
      'alpaca-assets': 0,
      screener: 0,
      'eastmoney-trends': 0,
      'eastmoney-clist': 0,
      other: 0,
    },
    rateLimited429: 0,
    banned418: 0,
    maxUsedWeight: 0,
  }
  const ctx: SimContext = { options, now, market, pairs, coins, stats }
  const faults = createFaults()
  const chargeWeight = createWeightLimiter(options, weightLimit, stats)
  const rest = createBinanceRest(ctx, weightLimit)
  const archive = createArchive(ctx, faults)
  const handleListing = createListing(ctx, archive)
  const handleCoinsMarkets = createCoingecko(ctx, faults)
  const stocks = createStockMarket({
    seed: options.seed ?? 1,
    stocks: options.stocks ?? DEFAULT_STOCKS,
    halts: options.halts ?? [],
  })
  const alpaca = createAlpaca(ctx, stocks)
  const handleScreener = createScreener(stocks, now)
  const eastmoney = createEastmoney(ctx, stocks)

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const route = routeOf(url.pathname)
    stats.requests[route] += 1
    const headers: Record<string, string> = {}
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === 'string') headers[k] = v
    }
    requestLog.push({ route, path: url.pathname, headers })
    if (requestLog.length > 1000) requestLog.shift()
    if (route === 'other') {
      send(res, 404, json({ code: -1, msg: 'Not found' }), { 'content-type': 'application/json' })
      return
    }
    const query = url.searchParams
    if (route === 'archive-zip' || route === 'archive-checksum')
      return archive.handleArchive(res, url.pathname, route)
    const fault = faults.take(route, query.get('symbol') ?? undefined, undefined)
    await delay(slowDelay(fault))
    if (route === 'klines' || route === 'exchangeInfo') {
      if (applyFault(res, fault, route)) return
      if (!chargeWeight(res, WEIGHTS[route] ?? 1)) return
      if (route === 'klines') return rest.handleKlines(res, query)
      return rest.handleExchangeInfo(res, query)
    }
    if (applyFault(res, fault, route)) return
    if (route === 'listing') return handleListing(res, query)
    if (route === 'coins-markets') return handleCoinsMarkets(res, query)
    if (route === 'screener') return handleScreener(req, res, query)
    if (route === 'eastmoney-trends' || route === 'eastmoney-clist')
      return eastmoney.handle(req, res, url.pathname, query)
    return alpaca.handle(req, res, url.pathname, query)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, json({ code: -1000, msg: String(error) }))
      else res.destroy()
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const url = `http://127.0.0.1:${port}`

  return {
    url,
    urls: {
      binanceApiUrl: url,
      binanceDataUrl: url,
      binanceListingUrl: `${url}/s3`,
      coingeckoApiUrl: `${url}/coingecko/api/v3`,
      alpacaApiUrl: url,
      alpacaTradingUrl: url,
      usUniverseUrl: `${url}/api/screener/stocks`,
      eastmoneyApiUrl: url,
      eastmoneyListUrl: url,
    },
    stockBars(symbol, startMs, endMs, barOptions): StockKline[] {
      const spec = stocks.stock(symbol)
      if (spec === undefined) return []
      const t = now()
      if (spec.market === 'us') {
        const out: StockKline[] = []
        for (const m of stocks.usMinutes(startMs, Math.min(endMs, t - 60_000))) {
          if (!m.regular) continue
          const bar = alpacaBar(stocks, spec, m.t, true, barOptions?.feed ?? 'sip')
          if (bar !== null) out.push(parseAlpacaBar(bar, 'simulator', out.length))
        }
        return out
      }
      const sessions = stocks.lastCnSessions(t, 5)
      return sessions
        .flatMap((s) => trendRows(stocks, spec, s, t, s === sessions.at(-1)))
        .map((row, i) => parseTrendRow(row, 'simulator', i))
        .filter((k) => k.openTime >= startMs && k.openTime <= endMs)
    },
    candles(symbol, startMs, endMs, candleOptions) {
      const t = now()
      const rows = market.klines(symbol, '1m', startMs, endMs, t, Number.MAX_SAFE_INTEGER)
      if (candleOptions?.includeOpen === true) return rows
      return rows.filter((k) => k.closeTime < t)
    },
    addFault(fault) {
      faults.add(fault)
    },
    clearFaults() {
      faults.clear()
    },
    get stats(): SimulatorStats {
      return { ...stats, requests: { ...stats.requests } }
    },
    requestLog,
    resetStats() {
      for (const k of Object.keys(stats.requests) as (SimRoute | 'other')[]) stats.requests[k] = 0
      stats.rateLimited429 = 0
      stats.banned418 = 0
      stats.maxUsedWeight = 0
      requestLog.length = 0
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
