// Start-up time of the runner's commands on a built tree, as ratios to `node -e 0` measured in
// the same run (so the figures travel between machines): `node scripts/measure-startup.mjs [N]`.
import { spawnSync } from 'node:child_process'

const runs = Number(process.argv[2] ?? 10)
const commands = [
  ['node -e 0', 'node', ['-e', '0']],
  [
    'node apps/runner/dist/cli.js status --help',
    'node',
    ['apps/runner/dist/cli.js', 'status', '--help'],
  ],
  ['node scripts/runner.mjs status --help', 'node', ['scripts/runner.mjs', 'status', '--help']],
  ['pnpm status --help', 'pnpm', ['status', '--help']],
  [
    'node scripts/runner.mjs status (PostgreSQL, a real query)',
    'sh',
    [
      '-c',
      `DATABASE_URL=\${MEASURE_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} node scripts/runner.mjs status`,
    ],
  ],
  [
    'before: turbo run build --filter=… && node apps/runner/dist/cli.js status --help',
    'sh',
    [
      '-c',
      'node_modules/.bin/turbo run build --filter=@trading-alerts/runner... --output-logs=errors-only >/dev/null && node apps/runner/dist/cli.js status --help',
    ],
  ],
]

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0
// Round-robin, so that every command sees the same load of the machine.
const times = commands.map(() => [])
for (let i = 0; i < runs; i++) {
  commands.forEach(([name, command, args], c) => {
    const start = process.hrtime.bigint()
    const run = spawnSync(command, args, { stdio: 'ignore' })
    if (run.status !== 0) throw new Error(`${name}: exit ${run.status}`)
    times[c]?.push(Number(process.hrtime.bigint() - start) / 1e6)
  })
}
const results = commands.map(([name], c) => ({ name, ms: median(times[c] ?? []) }))
const base = results[0]?.ms ?? 1
for (const { name, ms } of results) {
  process.stdout.write(
    `${name.padEnd(80)} ${ms.toFixed(0).padStart(6)} ms  ${(ms / base).toFixed(1)}x\n`,
  )
}
