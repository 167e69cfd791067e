/**
 * The event stream (GET /api/v1/stream) shared by every view: one EventSource for the page, opened
 * on the first subscriber. EventSource reconnects by itself and sends Last-Event-ID, so events
 * that happened while the connection was down arrive after it is back.
 */

export interface StreamEvents {
  readonly run: { id: number; job: string; state: string }
  readonly task: { runId: number; symbol: string | null; key?: string; state: string; rows: number }
  readonly candles: { symbol: string; lastUpdatedAt: string }
  readonly alert: { eventId: number; rule: string; symbol: string; barTime: string; text: string }
}
export type StreamEventType = keyof StreamEvents

type Handler<K extends StreamEventType> = (data: StreamEvents[K]) => void
type Status = 'connecting' | 'open' | 'closed'

const handlers = new Map<StreamEventType, Set<Handler<StreamEventType>>>()
const statusListeners = new Set<(status: Status) => void>()
let source: EventSource | null = null
let status: Status = 'closed'

function setStatus(next: Status): void {
  status = next
  for (const l of statusListeners) l(next)
}

function open(): void {
  if (source !== null) return
  source = new EventSource('/api/v1/stream')
  setStatus('connecting')
  source.onopen = () => setStatus('open')
  source.onerror = () =>
    setStatus(source?.readyState === EventSource.CLOSED ? 'closed' : 'connecting')
  for (const type of ['run', 'task', 'candles', 'alert'] as const) {
    source.addEventListener(type, (event) => {
      let data: unknown
      try {
        data = JSON.parse((event as MessageEvent<string>).data)
      } catch {
        return
      }
      for (const h of handlers.get(type) ?? []) h(data as StreamEvents[typeof type])
    })
  }
}

/** Calls `handler` for each event of `type` until the returned function is called. */
export function subscribe<K extends StreamEventType>(type: K, handler: Handler<K>): () => void {
  open()
  let set = handlers.get(type)
  if (set === undefined) handlers.set(type, (set = new Set()))
  set.add(handler as Handler<StreamEventType>)
  return () => set.delete(handler as Handler<StreamEventType>)
}

/** The stream's connection state, now and on every change. */
export function onStreamStatus(listener: (status: Status) => void): () => void {
  statusListeners.add(listener)
  listener(status)
  return () => statusListeners.delete(listener)
}

/** Closes the stream (on sign-out); the next subscriber opens it again. */
export function closeStream(): void {
  source?.close()
  source = null
  setStatus('closed')
}
