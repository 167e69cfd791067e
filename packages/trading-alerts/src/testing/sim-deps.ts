import { BinanceAPI, CoingeckoAPI, HostBans, WeightBudget } from '@trading-alerts/tickerdata'
import type { ExchangeSimulator } from '@trading-alerts/tickerdata/testing'
import type { TradingDatabase } from '../db/database.js'
import { withTaskLogs } from '../jobs/run-bookkeeping.js'
import { fixedClock, memoryLogger } from './create-test-database.js'

/**
 * The jobs' dependencies pointed at `sim`, at a fixed `now`: real clients with fast retries, a
 * fresh ban table and weight budget, and a logger that keeps its entries. The clients log to it
 * too, and into the log of the task they work for, as the runner wires them.
 */
export function simDeps<D extends TradingDatabase>(
  sim: ExchangeSimulator,
  database: D,
  now: number,
) {
  const logger = memoryLogger()
  const http = {
    now: () => now,
    bans: new HostBans(),
    baseDelayMs: 5,
    maxDelayMs: 50,
    logger: withTaskLogs(logger),
  }
  return {
    database,
    binance: new BinanceAPI({
      apiUrl: sim.urls.binanceApiUrl,
      dataUrl: sim.urls.binanceDataUrl,
      listingUrl: sim.urls.binanceListingUrl,
      weightBudget: new WeightBudget(),
      ...http,
    }),
    coingecko: new CoingeckoAPI({
      apiUrl: sim.urls.coingeckoApiUrl,
      ...http,
      sleep: () => Promise.resolve(),
    }),
    clock: fixedClock(now),
    logger,
  }
}
