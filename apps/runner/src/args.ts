import { parseArgs, type ParseArgsConfig } from 'node:util'

type Options = NonNullable<ParseArgsConfig['options']>

const HELP_OPTION: Options = { help: { type: 'boolean', short: 'h' } }

/** The options each command accepts (strict: anything else is a usage error). */
export const COMMAND_OPTIONS: Readonly<Record<string, Options>> = {
  main: { ...HELP_OPTION, version: { type: 'boolean' } },
  job: HELP_OPTION,
  start: HELP_OPTION,
  serve: { ...HELP_OPTION, demo: { type: 'boolean' } },
  tokens: {
    ...HELP_OPTION,
    scope: { type: 'string' },
    name: { type: 'string' },
    json: { type: 'boolean' },
  },
  migrate: HELP_OPTION,
  demo: HELP_OPTION,
  status: {
    ...HELP_OPTION,
    json: { type: 'boolean' },
    gaps: { type: 'boolean' },
    alerts: { type: 'boolean' },
    limit: { type: 'string' },
    demo: { type: 'boolean' },
    run: { type: 'string' },
    task: { type: 'string' },
  },
  alerts: {
    ...HELP_OPTION,
    json: { type: 'boolean' },
    limit: { type: 'string' },
    // Both spellings on every alerts command: repeatable, and comma-separated lists.
    symbols: { type: 'string', multiple: true },
    symbol: { type: 'string', multiple: true },
    timeframe: { type: 'string' },
    webhook: { type: 'string' },
    preset: { type: 'string' },
    secret: { type: 'string' },
    'telegram-chat-id': { type: 'string' },
    disabled: { type: 'boolean' },
    bars: { type: 'string' },
    from: { type: 'string' },
  },
}

/** A command line that does not fit the command's options: exit 2 with `message`. */
export class UsageError extends Error {
  override name = 'UsageError'
}

export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>

/** Levenshtein distance of two short strings. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        (prev[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      )
    }
    prev = row
  }
  return prev[b.length] ?? 0
}

/** The closest of `names` to `name`, when it is close enough to be a likely typo. */
export function suggest(name: string, names: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const n of names) {
    const d = distance(name, n)
    if (d < bestDistance) {
      best = n
      bestDistance = d
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined
}

/**
 * Parses `argv` strictly against the options of `command` (the first positional).
 *
 * @throws UsageError naming the bad option, with a "did you mean" when one is close
 */
export function parseCommandLine(argv: readonly string[]): {
  command: string | undefined
  values: Values
  positionals: string[]
} {
  const command = argv.find((a) => !a.startsWith('-'))
  const options = COMMAND_OPTIONS[command ?? 'main'] ?? COMMAND_OPTIONS.main ?? {}
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options,
    })
    return { command: positionals[0], values, positionals }
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS')) throw error
    const where = command === undefined ? 'runner' : `runner ${command}`
    const bad = /'(-[^' ]+)/.exec((error as Error).message)?.[1]
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && bad !== undefined) {
      const name = bad.replace(/^-+/, '').replace(/=.*$/, '')
      const hint = suggest(name, Object.keys(options))
      throw new UsageError(
        `${where}: unknown option ${bad}${hint === undefined ? '' : ` (did you mean --${hint}?)`}; see "${where} --help"`,
      )
    }
    throw new UsageError(`${where}: ${(error as Error).message}; see "${where} --help"`)
  }
}

/** A flag's string value (the last one when repeated). */
export function flag(values: Values, name: string): string | undefined {
  const v = values[name]
  const last = Array.isArray(v) ? v[v.length - 1] : v
  return typeof last === 'string' ? last : undefined
}

/** A whole-number flag from `min` up, or `fallback` when absent. @throws UsageError */
export function intFlag(values: Values, name: string, fallback: number, min = 1): number {
  const v = flag(values, name)
  if (v === undefined) return fallback
  const n = Number(v)
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min)
    throw new UsageError(
      `--${name}: "${v}" is not a whole number from ${min} (example: --${name} 20)`,
    )
  return n
}

/**
 * Every value of the flags `names` (repeated or comma-separated: `--symbol A --symbols B,C`),
 * trimmed, in order, without repeats.
 */
export function listFlag(values: Values, ...names: string[]): string[] {
  const out: string[] = []
  for (const name of names) {
    const v = values[name]
    for (const item of Array.isArray(v) ? v : [v]) {
      if (typeof item !== 'string') continue
      for (const part of item.split(',')) {
        const s = part.trim()
        if (s !== '' && !out.includes(s)) out.push(s)
      }
    }
  }
  return out
}
