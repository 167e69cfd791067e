import type { Logger } from '@trading-alerts/trading-alerts'

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const
export type LogLevel = keyof typeof LEVELS

/**
 * Serialises errors with name, message, code and cause (never request headers), and with their
 * stack only when `stack` (LOG_LEVEL=debug).
 */
function plain(value: unknown, stack: boolean, depth = 0): unknown {
  if (value instanceof Error) {
    const out: Record<string, unknown> = { name: value.name, message: value.message }
    const code = (value as { code?: unknown }).code
    if (code !== undefined) out.code = code
    if (stack && value.stack !== undefined) out.stack = value.stack
    if (value.cause !== undefined && depth < 3) out.cause = plain(value.cause, stack, depth + 1)
    return out
  }
  return value
}

/**
 * Logs to stderr: JSON lines when `json` (not a TTY), short readable lines otherwise. `quiet`
 * raises the floor while a progress display owns the terminal, and `around` (set by the display)
 * wraps each write, to erase the display's frame before the line and draw it again after.
 */
export function consoleLogger(options: {
  level: LogLevel
  json: boolean
}): Logger & { quiet: boolean; around: ((write: () => void) => void) | undefined } {
  const logger = {
    quiet: false,
    around: undefined as ((write: () => void) => void) | undefined,
    debug: (m: string, f?: Record<string, unknown>) => write('debug', m, f),
    info: (m: string, f?: Record<string, unknown>) => write('info', m, f),
    warn: (m: string, f?: Record<string, unknown>) => write('warn', m, f),
    error: (m: string, f?: Record<string, unknown>) => write('error', m, f),
  }
  function write(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    const floor = logger.quiet
      ? Math.max(LEVELS[options.level], LEVELS.error)
      : LEVELS[options.level]
    if (LEVELS[level] < floor) return
    const clean: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(fields ?? {}))
      clean[k] = plain(v, options.level === 'debug')
    const line = options.json
      ? `${JSON.stringify({ time: new Date().toISOString(), level, message, ...clean })}\n`
      : `${level.padEnd(5)} ${message}${Object.keys(clean).length > 0 ? ` ${JSON.stringify(clean)}` : ''}\n`
    if (logger.around === undefined) process.stderr.write(line)
    else logger.around(() => process.stderr.write(line))
  }
  return logger
}
