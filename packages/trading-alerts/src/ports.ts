/** The narrow interfaces the jobs need, injected by the caller (the runner, or a test). */

export interface Clock {
  now(): Date
}

/** Structured logger. Fields never carry secrets. */
export interface Logger {
  debug?(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

export const systemClock: Clock = { now: () => new Date() }

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} }
