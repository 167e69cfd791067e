import pg from 'pg'
import type { Logger } from '../ports.js'

export interface ListenHandlers {
  /** The payload of each NOTIFY on the channel. */
  readonly onNotify: (payload: string) => void
  /**
   * Each time the LISTEN is in place: first, and after every reconnect (NOTIFYs sent while the
   * connection was down are lost: read what was missed then).
   */
  readonly onListening?: () => void
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/

/** Validates a channel name (an unquoted identifier): it goes into LISTEN as written. */
export function assertChannel(channel: string): void {
  if (!CHANNEL.test(channel)) throw new RangeError(`invalid channel name "${channel}"`)
}

/**
 * LISTEN on a dedicated PostgreSQL connection (a pooled one would go back to the pool), opened
 * with the first listener and reconnected with a growing delay (100 ms … 5 s) when it is lost.
 */
export class PgListener {
  readonly #channels = new Map<string, Set<ListenHandlers>>()
  #client: pg.Client | undefined
  #connecting: Promise<void> | undefined
  #retryMs = 100
  #timer: NodeJS.Timeout | undefined
  #closed = false

  readonly #url: string
  readonly #applicationName: string
  readonly #logger: Logger

  constructor(url: string, applicationName: string, logger: Logger) {
    this.#url = url
    this.#applicationName = applicationName
    this.#logger = logger
  }

  async listen(channel: string, handlers: ListenHandlers): Promise<() => Promise<void>> {
    assertChannel(channel)
    if (this.#closed) throw new Error('the database is closed')
    let set = this.#channels.get(channel)
    const first = set === undefined
    if (set === undefined) {
      set = new Set()
      this.#channels.set(channel, set)
    }
    set.add(handlers)
    await this.#connect()
    const client = this.#client
    if (first && client !== undefined) await client.query(`LISTEN ${channel}`)
    handlers.onListening?.()
    return async () => {
      const current = this.#channels.get(channel)
      if (current === undefined || !current.delete(handlers) || current.size > 0) return
      this.#channels.delete(channel)
      await this.#client?.query(`UNLISTEN ${channel}`).catch(() => {})
      if (this.#channels.size === 0) await this.close(false)
    }
  }

  #connect(): Promise<void> {
    if (this.#client !== undefined) return Promise.resolve()
    this.#connecting ??= this.#open().finally(() => {
      this.#connecting = undefined
    })
    return this.#connecting
  }

  async #open(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.#url,
      application_name: `${this.#applicationName} listen`,
    })
    const lost = (error?: Error) => {
      if (this.#client !== client) return
      this.#client = undefined
      client.removeAllListeners()
      client.on('error', () => {})
      void client.end().catch(() => {})
      if (this.#closed || this.#channels.size === 0) return
      this.#logger.debug?.('listen connection lost; reconnecting', {
        error: error?.message,
        retryMs: this.#retryMs,
      })
      this.#schedule()
    }
    client.on('error', lost)
    client.on('end', () => lost())
    client.on('notification', (message) => {
      for (const h of this.#channels.get(message.channel) ?? []) h.onNotify(message.payload ?? '')
    })
    await client.connect()
    this.#client = client
    this.#retryMs = 100
    this.#logger.debug?.('listen connection opened', {})
  }

  #schedule(): void {
    const delay = this.#retryMs
    this.#retryMs = Math.min(this.#retryMs * 2, 5000)
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#reopen().catch((error: unknown) => {
        this.#logger.debug?.('listen reconnect failed', {
          error: error instanceof Error ? error.message : String(error),
        })
        if (!this.#closed) this.#schedule()
      })
    }, delay)
    this.#timer.unref()
  }

  async #reopen(): Promise<void> {
    if (this.#closed || this.#channels.size === 0) return
    await this.#connect()
    const client = this.#client
    if (client === undefined) return
    for (const [channel, set] of this.#channels) {
      await client.query(`LISTEN ${channel}`)
      for (const h of set) h.onListening?.()
    }
  }

  /** Ends the connection; `final` (the database closes) refuses later listens. */
  async close(final = true): Promise<void> {
    if (final) this.#closed = true
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
    const client = this.#client
    this.#client = undefined
    if (client !== undefined) {
      client.removeAllListeners()
      client.on('error', () => {})
      await client.end().catch(() => {})
    }
  }
}
