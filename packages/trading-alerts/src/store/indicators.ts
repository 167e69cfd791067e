/** The one writer of `indicator_value` and `indicator_state`, and their reads. */
import type { Kysely, Selectable } from 'kysely'
import type { WriteTransaction } from '../db/database.js'
import type { Database, IndicatorStateTable } from '../db/schema.js'

export type IndicatorStateRow = Selectable<IndicatorStateTable>

/** Removes the values of `names` after `after` (they are about to be recomputed). */
export async function deleteIndicatorValuesAfter(
  db: Kysely<Database>,
  symbol: string,
  timeframe: string,
  names: readonly string[],
  after: number,
): Promise<void> {
  await db
    .deleteFrom('indicator_value')
    .where('symbol', '=', symbol)
    .where('timeframe', '=', timeframe)
    .where('name', 'in', [...names])
    .where('open_time', '>', new Date(after))
    .execute()
}

/** The columns of indicator values COPYed by `copyIndicatorValues`, in their order. */
export const INDICATOR_VALUE_COLUMNS = ['symbol', 'timeframe', 'name', 'open_time', 'value']

/** COPYs indicator values in: text rows of INDICATOR_VALUE_COLUMNS, tab-separated. */
export async function copyIndicatorValues(
  tx: WriteTransaction,
  chunks: readonly Buffer[],
): Promise<void> {
  await tx.copyRows('indicator_value', INDICATOR_VALUE_COLUMNS, chunks)
}

/** Saves an indicator's streaming state after the last bar it consumed. */
export async function saveIndicatorState(
  db: Kysely<Database>,
  state: {
    readonly symbol: string
    readonly timeframe: string
    readonly indicator: string
    readonly lastOpenTime: number
    readonly bars: number
    readonly version: string
    readonly state: unknown
    readonly updatedAt: Date
  },
): Promise<void> {
  await db
    .insertInto('indicator_state')
    .values({
      symbol: state.symbol,
      timeframe: state.timeframe,
      indicator: state.indicator,
      last_open_time: new Date(state.lastOpenTime),
      bars: state.bars,
      version: state.version,
      state: JSON.stringify(state.state),
      updated_at: state.updatedAt,
    })
    .onConflict((oc) =>
      oc.columns(['symbol', 'timeframe', 'indicator']).doUpdateSet((eb) => ({
        last_open_time: eb.ref('excluded.last_open_time'),
        bars: eb.ref('excluded.bars'),
        version: eb.ref('excluded.version'),
        state: eb.ref('excluded.state'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute()
}

/** The saved states of (symbol, timeframe), of the given indicators only when listed. */
export function listIndicatorStates(
  db: Kysely<Database>,
  symbol: string,
  timeframe: string,
  indicators?: readonly string[],
): Promise<IndicatorStateRow[]> {
  let query = db
    .selectFrom('indicator_state')
    .selectAll()
    .where('symbol', '=', symbol)
    .where('timeframe', '=', timeframe)
  if (indicators !== undefined) {
    query = query.where('indicator', 'in', indicators.length > 0 ? [...indicators] : [''])
  }
  return query.execute()
}

/** One indicator series of (symbol, timeframe) with from <= open_time <= to, by open time (ms). */
export async function readIndicatorValues(
  db: Kysely<Database>,
  symbol: string,
  timeframe: string,
  name: string,
  from: number,
  to: number,
): Promise<Map<number, number>> {
  const rows = await db
    .selectFrom('indicator_value')
    .select(['open_time', 'value'])
    .where('symbol', '=', symbol)
    .where('timeframe', '=', timeframe)
    .where('name', '=', name)
    .where('open_time', '>=', new Date(from))
    .where('open_time', '<=', new Date(to))
    .orderBy('open_time')
    .execute()
  return new Map(rows.map((r) => [r.open_time.getTime(), Number(r.value)]))
}
