import { sql, type Kysely } from 'kysely'
import type { Database, EventType } from '../db/schema.js'

/** One event of the stream: its id (commit order), type and JSON payload. */
export interface StreamEvent {
  readonly id: number
  readonly type: EventType
  readonly payload: Record<string, unknown>
}

export const EVENT_TYPES: readonly EventType[] = ['run', 'task', 'candles', 'alert']

/** The NOTIFY channel of new events; the payload is `<schema>:<id>`. */
export const EVENT_CHANNEL = 'trading_alerts_events'

/** Events with an id above `afterId`, oldest first, at most `limit`. */
export async function readEventsAfter(
  db: Kysely<Database>,
  afterId: number,
  limit = 1000,
): Promise<StreamEvent[]> {
  const rows = await db
    .selectFrom('event')
    .select(['id', 'type', 'payload'])
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute()
  return rows.map((r) => ({
    id: Number(r.id),
    type: r.type,
    payload: (r.payload ?? {}) as Record<string, unknown>,
  }))
}

/** The newest event's id, 0 when there is none. */
export async function lastEventId(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('event')
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirst()
  return row?.id === null || row?.id === undefined ? 0 : Number(row.id)
}

export interface PruneEventsOptions {
  /** Events older than this are deleted; default one day. */
  readonly maxAgeMs?: number
  /** At most this many of the newest events are kept; default 100 000. */
  readonly maxRows?: number
}

/** Deletes the events older than `maxAgeMs` before `now` or beyond the newest `maxRows`; returns how many. */
export async function pruneEvents(
  db: Kysely<Database>,
  now: Date,
  options: PruneEventsOptions = {},
): Promise<number> {
  const maxAgeMs = options.maxAgeMs ?? 24 * 60 * 60 * 1000
  const maxRows = options.maxRows ?? 100_000
  const newest = await lastEventId(db)
  const result = await db
    .deleteFrom('event')
    .where((eb) =>
      eb.or([
        eb('created_at', '<', new Date(now.getTime() - maxAgeMs)),
        eb('id', '<=', newest - maxRows),
      ]),
    )
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}

/** The schema of the session (the one `event` and its NOTIFY payloads belong to). */
export async function currentSchema(db: Kysely<Database>): Promise<string> {
  const result = await sql<{ schema: string }>`select current_schema() as schema`.execute(db)
  return result.rows[0]?.schema ?? 'public'
}
