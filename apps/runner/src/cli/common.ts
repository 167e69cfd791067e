import type { App } from '../app.js'
import type { Values } from '../args.js'
import { ConfigError, environment, isInteractive, loadConfig, type Config } from '../config.js'
import { consoleLogger } from '../logger.js'

/** What a command module gets: the parsed command line. */
export interface CommandLine {
  readonly values: Values
  /** positionals[0] is the command itself. */
  readonly positionals: readonly string[]
}

/** A command of the CLI: its help text and what it does (returns the exit code). */
export interface Command {
  help(line: CommandLine): string
  run(line: CommandLine): Promise<number>
}

export function write(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
}

/** A usage or input problem: the message on stderr, exit 2. */
export function fail(message: string): number {
  process.stderr.write(`${message}\n`)
  return 2
}

export function table(rows: readonly object[], columns: readonly string[]): string {
  const cells = rows.map((row) => {
    const r = row as Record<string, string | number | boolean | null | undefined>
    return columns.map((c) => {
      const v = r[c]
      return v === null || v === undefined ? '' : String(v)
    })
  })
  const widths = columns.map((c, i) =>
    Math.max(c.length, ...cells.map((row) => (row[i] ?? '').length)),
  )
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()
  return [line(columns), ...cells.map(line)].join('\n')
}

/** The configuration of the environment, or the exit code 2 with the problems on stderr. */
export function configOrExit(env: Record<string, string | undefined> = environment()): Config | 2 {
  try {
    return loadConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) return fail(error.message) as 2
    throw error
  }
}

/**
 * Loads the configuration, opens (and migrates) the database, runs `body` and closes: exit 2 on a
 * configuration error or a database that cannot be opened, 1 when `body` throws (one line naming
 * the error and its code; the stack with LOG_LEVEL=debug).
 */
export async function withApp(
  command: string,
  body: (app: App, interactive: boolean) => Promise<number>,
  env?: Record<string, string | undefined>,
): Promise<number> {
  const config = configOrExit(env)
  if (config === 2) return 2
  const interactive = isInteractive()
  const logger = consoleLogger({ level: config.logLevel, json: !interactive })
  const { createApp } = await import('../app.js')
  let app: App
  try {
    app = await createApp(config, logger)
  } catch (error) {
    logger.error('cannot open the database', { error })
    return 2
  }
  try {
    return await body(app, interactive)
  } catch (error) {
    logger.error(`${command} failed`, { error })
    return 1
  } finally {
    await app.close()
  }
}
