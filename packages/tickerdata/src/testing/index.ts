export { startExchangeSimulator } from './simulator.js'
export { DEFAULT_COINS, DEFAULT_PAIRS } from './default-market.js'
export { DEFAULT_STOCKS } from './simulator/default-stocks.js'
export type {
  ExchangeSimulator,
  SimCoin,
  SimFault,
  SimFaultKind,
  SimGap,
  SimHalt,
  SimStockSpec,
  SimPairSpec,
  SimRequestLogEntry,
  SimRoute,
  SimulatorOptions,
  SimulatorStats,
} from './simulator-types.js'
