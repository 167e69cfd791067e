import {
  IndicatorStateError,
  restoreState,
  type Bar,
  type Stream,
} from '@trading-alerts/technical-indicators'
import { TradingAlertsError } from '../errors.js'
import type { IndicatorInstance } from './registry.js'

/**
 * The stream of `instance`, continued from `saved`, a state technical-indicators' `saveState`
 * wrote (its own format: the indicator, the version of its stream's state, the parameters and
 * the state, as JSON data), so the indicators job goes on exactly where the previous run stopped.
 *
 * @throws TradingAlertsError('STATE_MISMATCH') when the state is of another state version (the
 * stream keeps another state since), of another indicator or parameters, or not a state at all.
 */
export function restoreStreamState(
  instance: IndicatorInstance,
  saved: unknown,
): Stream<number, unknown> | Stream<Bar, unknown> {
  const { definition, params } = instance
  try {
    return restoreState(saved, {
      indicator: definition.indicator,
      params: Object.fromEntries(definition.params.map((p, i) => [p.name, params[i] ?? p.default])),
    }) as Stream<number, unknown> | Stream<Bar, unknown>
  } catch (cause) {
    if (!(cause instanceof IndicatorStateError)) throw cause
    throw new TradingAlertsError(
      'STATE_MISMATCH',
      `saved state of ${instance.key} unusable (${cause.code}): ${cause.message}`,
      { cause },
    )
  }
}
