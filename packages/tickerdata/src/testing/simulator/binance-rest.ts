import type { ServerResponse } from 'node:http'
import { KLINE_INTERVALS, type Kline, type KlineInterval } from '../../binance/kline.js'
import { formatUnits } from '../market.js'
import type { SimContext } from './context.js'
import type { WeightLimit } from './limiter.js'
import { binanceError, json, send } from './http.js'

/** Binance REST: /api/v3/klines and /api/v3/exchangeInfo, after the limiter let them through. */
export function createBinanceRest(
  ctx: SimContext,
  weightLimit: WeightLimit,
): {
  handleKlines(res: ServerResponse, query: URLSearchParams): void
  handleExchangeInfo(res: ServerResponse, query: URLSearchParams): void
} {
  const { market, now, pairs } = ctx

  function klineArray(k: Kline): unknown[] {
    return [
      k.openTime,
      k.open,
      k.high,
      k.low,
      k.close,
      k.volume,
      k.closeTime,
      k.quoteVolume,
      k.trades,
      k.takerBuyBaseVolume,
      k.takerBuyQuoteVolume,
      '0',
    ]
  }

  function handleKlines(res: ServerResponse, query: URLSearchParams): void {
    const symbol = query.get('symbol')
    const interval = query.get('interval')
    if (symbol === null || symbol === '')
      return binanceError(
        res,
        400,
        -1102,
        "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.",
      )
    if (interval === null || interval === '')
      return binanceError(
        res,
        400,
        -1102,
        "Mandatory parameter 'interval' was not sent, was empty/null, or malformed.",
      )
    if (!market.hasSymbol(symbol)) return binanceError(res, 400, -1121, 'Invalid symbol.')
    if (!(interval in KLINE_INTERVALS)) return binanceError(res, 400, -1120, 'Invalid interval.')
    const limit = query.has('limit') ? Number(query.get('limit')) : 500
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      return binanceError(res, 400, -1130, "Data sent for parameter 'limit' is not valid.")
    }
    const t = now()
    const start = query.has('startTime') ? Number(query.get('startTime')) : undefined
    const end = query.has('endTime') ? Number(query.get('endTime')) : undefined
    if (
      (start !== undefined && !Number.isFinite(start)) ||
      (end !== undefined && !Number.isFinite(end))
    ) {
      return binanceError(
        res,
        400,
        -1100,
        "Illegal characters found in parameter 'startTime'; legal range is '^[0-9]{1,20}$'.",
      )
    }
    if (start !== undefined && end !== undefined && start > end) {
      return binanceError(res, 400, -1023, 'Start time is greater than end time.')
    }
    const iv = interval as KlineInterval
    const rows =
      start !== undefined
        ? market.klines(symbol, iv, start, end ?? Number.MAX_SAFE_INTEGER, t, limit)
        : market.latestKlines(symbol, iv, end ?? t, t, limit)
    send(res, 200, json(rows.map(klineArray)), { 'content-type': 'application/json;charset=UTF-8' })
  }

  function exchangeInfoBody(query: URLSearchParams): unknown {
    let list = pairs
    const one = query.get('symbol')
    const many = query.get('symbols')
    if (one !== null) list = pairs.filter((p) => p.symbol === one)
    if (many !== null) {
      const wanted = new Set(JSON.parse(many) as string[])
      list = pairs.filter((p) => wanted.has(p.symbol))
    }
    return {
      timezone: 'UTC',
      serverTime: now(),
      rateLimits: [
        {
          rateLimitType: 'REQUEST_WEIGHT',
          interval: weightLimit.interval,
          intervalNum: weightLimit.intervalNum,
          limit: weightLimit.limit,
        },
        { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
        { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
        { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
      ],
      exchangeFilters: [],
      symbols: list.map((p) => {
        const price = market.priceAt(p.symbol, now())
        const tick = price === null ? 1 : 10 ** Math.max(0, Math.floor(Math.log10(price)) - 6)
        return {
          symbol: p.symbol,
          status: p.status ?? 'TRADING',
          baseAsset: p.baseAsset,
          baseAssetPrecision: 8,
          quoteAsset: p.quoteAsset,
          quotePrecision: 8,
          quoteAssetPrecision: 8,
          baseCommissionPrecision: 8,
          quoteCommissionPrecision: 8,
          orderTypes: [
            'LIMIT',
            'LIMIT_MAKER',
            'MARKET',
            'STOP_LOSS',
            'STOP_LOSS_LIMIT',
            'TAKE_PROFIT',
            'TAKE_PROFIT_LIMIT',
          ],
          icebergAllowed: true,
          ocoAllowed: true,
          otoAllowed: true,
          quoteOrderQtyMarketAllowed: true,
          allowTrailingStop: true,
          cancelReplaceAllowed: true,
          isSpotTradingAllowed: true,
          isMarginTradingAllowed: false,
          filters: [
            {
              filterType: 'PRICE_FILTER',
              minPrice: formatUnits(tick),
              maxPrice: '1000000.00000000',
              tickSize: formatUnits(tick),
            },
            {
              filterType: 'LOT_SIZE',
              minQty: '0.00001000',
              maxQty: '9000.00000000',
              stepSize: '0.00001000',
            },
          ],
          permissions: [],
          permissionSets: [['SPOT']],
          defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
          allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
        }
      }),
    }
  }

  return {
    handleKlines,
    handleExchangeInfo(res, query) {
      send(res, 200, json(exchangeInfoBody(query)), {
        'content-type': 'application/json;charset=UTF-8',
      })
    },
  }
}
