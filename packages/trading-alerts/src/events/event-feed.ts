import type { TradingDatabase } from '../db/database.js'
import { silentLogger, type Logger } from '../ports.js'
import {
  currentSchema,
  EVENT_CHANNEL,
  lastEventId,
  readEventsAfter,
  type StreamEvent,
} from '../store/events.js'

export interface EventFeedOptions {
  readonly database: TradingDatabase
  /** Failed reads (the feed reads again at the next NOTIFY); default silent. */
  readonly logger?: Logger
  /** Events read per query; default 500. */
  readonly pageSize?: number
}

export interface EventFeed {
  /** The id of the newest event the feed has pushed (at its start: the newest stored). */
  readonly lastId: number
  /**
   * Calls `listener` with every event after `afterId` (default: from now on), oldest first, each
   * once: the stored ones first (catch-up by id), then the new ones as their NOTIFY arrives.
   * Returns the unsubscribe function.
   */
  subscribe(listener: (event: StreamEvent) => void, afterId?: number): () => void
  /** Unlistens; subscribers get nothing more. */
  close(): Promise<void>
}

/**
 * The stream of the `event` table (migration 0007) over one LISTEN: on each NOTIFY of this
 * schema, and after each reconnect of the listener, it reads the events after the newest it
 * pushed and pushes them to every subscriber. Ids follow commit order, so reading by id loses
 * nothing; events of jobs run by other processes on the same database arrive too.
 */
export async function createEventFeed(options: EventFeedOptions): Promise<EventFeed> {
  const { db } = options.database
  const logger = options.logger ?? silentLogger
  const pageSize = options.pageSize ?? 500
  const schema = await currentSchema(db)
  let last = await lastEventId(db)
  let closed = false
  const listeners = new Set<(event: StreamEvent) => void>()

  const push = (event: StreamEvent) => {
    for (const listener of [...listeners]) listener(event)
  }

  let pulling: Promise<void> | undefined
  let again = false
  const pull = (): void => {
    if (closed) return
    if (pulling !== undefined) {
      again = true
      return
    }
    pulling = (async () => {
      do {
        again = false
        for (;;) {
          const page = await readEventsAfter(db, last, pageSize)
          for (const event of page) {
            if (closed) return
            last = event.id
            push(event)
          }
          if (page.length < pageSize) break
        }
      } while (again && !closed)
    })()
      .catch((error: unknown) =>
        logger.warn('reading stream events failed', {
          error: error instanceof Error ? error.message : String(error),
        }),
      )
      .finally(() => {
        pulling = undefined
      })
  }

  const unlisten = await options.database.listen(
    EVENT_CHANNEL,
    (payload) => {
      if (payload.slice(0, payload.lastIndexOf(':')) === schema) pull()
    },
    pull,
  )

  return {
    get lastId() {
      return last
    },
    subscribe(listener, afterId) {
      if (afterId === undefined || afterId >= last) {
        // Live only: everything the feed pushes from now on is after `last`, and after `afterId`.
        const from = afterId ?? last
        const live = (event: StreamEvent) => {
          if (event.id > from) listener(event)
        }
        listeners.add(live)
        return () => listeners.delete(live)
      }
      // Catch-up: buffer the live events while reading the stored ones, then hand over by id.
      let sent = afterId
      let buffered: StreamEvent[] | undefined = []
      let active = true
      const deliver = (event: StreamEvent) => {
        if (!active || event.id <= sent) return
        sent = event.id
        listener(event)
      }
      const live = (event: StreamEvent) => {
        if (buffered === undefined) deliver(event)
        else buffered.push(event)
      }
      listeners.add(live)
      void (async () => {
        for (;;) {
          const page = await readEventsAfter(db, sent, pageSize)
          for (const event of page) deliver(event)
          if (page.length < pageSize || !active) break
        }
      })()
        .catch((error: unknown) =>
          logger.warn('reading stored stream events failed', {
            error: error instanceof Error ? error.message : String(error),
          }),
        )
        .finally(() => {
          const waiting = buffered ?? []
          buffered = undefined
          for (const event of waiting) deliver(event)
        })
      return () => {
        active = false
        listeners.delete(live)
      }
    },
    async close() {
      if (closed) return
      closed = true
      listeners.clear()
      await unlisten()
      await pulling
    },
  }
}
