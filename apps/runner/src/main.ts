import { readFileSync } from 'node:fs'
import { parseCommandLine, UsageError } from './args.js'
import type { Command, CommandLine } from './cli/common.js'

const HELP = `runner: keeps a PostgreSQL database of crypto market data complete and current

Usage: runner <command> [options]

Commands:
  job <name>                             run one job once, then exit (0 all ok, 1 a task failed, 2 bad configuration)
                                         names: symbols, historical, incremental, indicators, alerts
  start                                  the daemon: cron schedules of every job until SIGINT/SIGTERM
  serve                                  the HTTP API alone (API_HOST, API_PORT; the daemon serves it too)
  tokens <create|list|revoke>            tokens of the HTTP API (see "runner tokens --help")
  status [runId] [--gaps|--alerts] [--json] [--demo]
                                         recent runs; one run's tasks; gaps and holes; alerts and dead letters
  alerts <add|list|remove|test|send-test|load|events>
                                         manage alert rules (see "runner alerts --help")
  migrate                                apply the database migrations
  demo                                   offline end to end against the bundled exchange simulator

Options: --help (also after a command), --version

Configuration comes from the environment and a .env file: "runner job <name> --help" and
"runner start --help" list the variables with their defaults (apps/runner/README.md too).
`

/**
 * Each command's module, loaded only when it runs: `runner status` never loads the daemon, the
 * demo's simulator or the alerts code.
 */
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  job: () => import('./cli/job.js'),
  start: () => import('./cli/start.js'),
  serve: () => import('./cli/serve.js'),
  tokens: () => import('./cli/tokens.js'),
  status: () => import('./cli/status.js'),
  alerts: () => import('./cli/alerts.js'),
  migrate: () => import('./cli/migrate.js'),
  demo: () => import('./cli/demo.js'),
}

/** The runner's package version (package.json next to dist/). */
function runnerVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
  return pkg.version
}

function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
}

/** The CLI. Returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let line: CommandLine
  try {
    line = parseCommandLine(argv)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    process.stderr.write(`${error.message}\n`)
    return 2
  }
  const { values, positionals } = line
  const command = positionals[0]
  if (command === undefined && values.version === true) {
    print(runnerVersion())
    return 0
  }
  if (command === undefined || command === 'help') {
    print(HELP)
    return command === undefined && values.help !== true ? 2 : 0
  }
  const load = COMMANDS[command]
  if (load === undefined) {
    if (values.help === true) {
      print(HELP)
      return 0
    }
    process.stderr.write(`unknown command "${command}"\n\n${HELP}`)
    return 2
  }
  if (values.help === true) {
    const { HELP: helps } = await import('./cli/help.js')
    const help = helps[command]
    if (help !== undefined) {
      print(help(line))
      return 0
    }
  }
  const module = await load()
  if (values.help === true) {
    print(module.help(line))
    return 0
  }
  return module.run(line)
}
