#!/usr/bin/env node
// The root scripts' way into the runner (`pnpm status`, `pnpm run job:historical`, …): builds the
// runner and the packages it uses only when their dist is missing or older than their sources
// (a fresh clone builds on the first run), then runs apps/runner/dist/cli.js in this process.
import { spawnSync } from 'node:child_process'
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { stampPath, staleBuilds, workspaceClosure } from './stale.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const packages = workspaceClosure(root, 'apps/runner')
if (staleBuilds(root, packages).length > 0) {
  const started = new Date()
  const turbo = join(root, 'node_modules', '.bin', 'turbo')
  const build = spawnSync(
    turbo,
    ['run', 'build', '--filter=@trading-alerts/runner...', '--output-logs=errors-only'],
    // The command's stdout stays its own: the build's output goes to stderr.
    { cwd: root, stdio: ['ignore', 2, 2] },
  )
  if (build.status !== 0) {
    process.stderr.write(
      `runner: the build failed (${build.error?.message ?? `exit ${build.status}`})\n`,
    )
    process.exit(1)
  }
  for (const dir of packages) {
    const stamp = stampPath(root, dir)
    mkdirSync(dirname(stamp), { recursive: true })
    writeFileSync(stamp, '')
    utimesSync(stamp, started, started)
  }
}
await import(pathToFileURL(join(root, 'apps', 'runner', 'dist', 'cli.js')).href)
