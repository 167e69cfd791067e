export { startExchangeSimulator } from './simulator.js'
export { DEFAULT_COINS, DEFAULT_PAIRS } from './default-market.js'
export type {
  ExchangeSimulator,
  SimCoin,
  SimFault,
  SimFaultKind,
  SimGap,
  SimPairSpec,
  SimRequestLogEntry,
  SimRoute,
  SimulatorOptions,
  SimulatorStats,
} from './simulator-types.js'
