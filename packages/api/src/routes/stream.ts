import { z } from '@hono/zod-openapi'
import {
  createEventFeed,
  EVENT_TYPES,
  type EventFeed,
  type EventType,
  type Logger,
  type StreamEvent,
  type TradingDatabase,
} from '@trading-alerts/trading-alerts'
import { streamSSE } from 'hono/streaming'
import type { ApiApp } from '../context.js'
import { ApiError, badParameter } from '../errors.js'
import { authProblems } from '../schemas.js'

/**
 * The clients of GET /api/v1/stream share ONE event feed (one LISTEN, one read per NOTIFY),
 * opened with the first client. `close()` ends every stream and the feed.
 */
export class StreamHub {
  readonly #database: TradingDatabase
  readonly #logger: Logger
  #feed: Promise<EventFeed> | undefined
  readonly #streams = new Set<() => void>()
  #closed = false

  constructor(database: TradingDatabase, logger: Logger) {
    this.#database = database
    this.#logger = logger
  }

  get closed(): boolean {
    return this.#closed
  }

  /** The shared feed, opened on first use (a failed open is tried again by the next client). */
  feed(): Promise<EventFeed> {
    this.#feed ??= createEventFeed({ database: this.#database, logger: this.#logger }).catch(
      (error: unknown) => {
        this.#feed = undefined
        throw error
      },
    )
    return this.#feed
  }

  /** Registers a stream's end; returns its removal. */
  add(end: () => void): () => void {
    this.#streams.add(end)
    return () => this.#streams.delete(end)
  }

  async close(): Promise<void> {
    this.#closed = true
    for (const end of [...this.#streams]) end()
    this.#streams.clear()
    const feed = this.#feed
    this.#feed = undefined
    if (feed !== undefined) await (await feed.catch(() => undefined))?.close()
  }
}

const TYPES_TEXT = EVENT_TYPES.join(', ')

function parseTypes(value: string | undefined): ReadonlySet<EventType> {
  if (value === undefined || value === '') return new Set(EVENT_TYPES)
  const names = value.split(',').map((t) => t.trim())
  const bad = names.filter((t) => !(EVENT_TYPES as readonly string[]).includes(t))
  if (bad.length > 0 || names.length === 0) {
    throw badParameter('types', `unknown event type ${bad.join(', ')}: the types are ${TYPES_TEXT}`)
  }
  return new Set(names as EventType[])
}

function parseLastEventId(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined
  if (!/^\d{1,15}$/.test(value)) throw badParameter(name, 'must be an event id (a whole number)')
  return Number(value)
}

export interface StreamRouteOptions {
  readonly hub: StreamHub
  /** A comment line every this many ms keeps proxies from closing an idle stream; default 15 000. */
  readonly heartbeatMs?: number
}

export function streamRoutes(app: ApiApp, options: StreamRouteOptions): void {
  const { hub } = options
  const heartbeatMs = options.heartbeatMs ?? 15_000

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/api/v1/stream',
    tags: ['runs'],
    summary: 'Server-Sent Events: runs, tasks, candles and alerts as they change',
    description: [
      'Events: `run` `{ id, job, state }` on every state change of a run; `task` `{ runId, id, kind, key, symbol, state, rows }` on every state change of a task (`symbol` null for a job or rule task); `candles` `{ symbol, lastUpdatedAt }` when a symbol’s data moves forward; `alert` `{ eventId, rule, symbol, timeframe, barTime, text }`.',
      'Every event has an `id` (commit order). Reconnect with `Last-Event-ID` (EventSource does) or `?lastEventId=` to get exactly the events after it that are still kept (a day, at most 100 000); without either, the stream starts now.',
      'Events of runs by other processes on the same database arrive too. A comment line comes every 15 s when nothing happens. The session cookie works as the token (for EventSource).',
    ].join('\n\n'),
    request: {
      query: z.object({
        types: z
          .string()
          .optional()
          .openapi({ description: `Comma-separated event types (${TYPES_TEXT}); default all` }),
        lastEventId: z
          .string()
          .optional()
          .openapi({ description: 'Resume after this event id (as the Last-Event-ID header)' }),
      }),
      headers: z.object({
        'last-event-id': z.string().optional().openapi({ description: 'Resume after this id' }),
      }),
    },
    responses: {
      200: {
        description: 'The event stream (`event:`, `id:`, `data:` JSON per event)',
        content: { 'text/event-stream': { schema: z.string() } },
      },
      ...authProblems(400, 503),
    },
  })

  app.get('/api/v1/stream', async (c) => {
    const types = parseTypes(c.req.query('types'))
    const header = c.req.header('last-event-id')
    const afterId =
      header !== undefined && header !== ''
        ? parseLastEventId('Last-Event-ID', header)
        : parseLastEventId('lastEventId', c.req.query('lastEventId'))
    if (hub.closed) throw new ApiError('unavailable', 'the API is shutting down')
    const feed = await hub.feed()

    return streamSSE(c, async (stream) => {
      const queue: StreamEvent[] = []
      let wake: (() => void) | undefined
      let done = false
      const end = () => {
        done = true
        wake?.()
      }
      // Subscribed before the first byte: a client that saw the stream open misses nothing.
      const unsubscribe = feed.subscribe((event) => {
        if (!types.has(event.type)) return
        queue.push(event)
        wake?.()
      }, afterId)
      const removal = hub.add(end)
      stream.onAbort(end)
      const heartbeat = setInterval(() => {
        void stream.write(': heartbeat\n\n')
      }, heartbeatMs)
      try {
        await stream.write('retry: 3000\n\n')
        while (!done) {
          const event = queue.shift()
          if (event !== undefined) {
            await stream.writeSSE({
              id: String(event.id),
              event: event.type,
              data: JSON.stringify(event.payload),
            })
            continue
          }
          await new Promise<void>((resolve) => (wake = resolve))
          wake = undefined
        }
      } finally {
        clearInterval(heartbeat)
        unsubscribe()
        removal()
      }
    })
  })
}
