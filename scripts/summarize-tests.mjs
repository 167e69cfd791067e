// Sums each workspace's .vitest-report.json (vitest's JSON reporter) and prints the plain
// `N passed, N failed, N skipped` line that CI reads. Exits 1 on any failure or when no test ran.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const workspaces = ['packages', 'apps'].flatMap((group) =>
  (existsSync(group) ? readdirSync(group) : [])
    .map((name) => join(group, name))
    .filter((dir) => existsSync(join(dir, 'package.json'))),
)
// `--clean` before a run: a report left by an earlier run must never count for this one.
if (process.argv.includes('--clean')) {
  for (const dir of workspaces) rmSync(join(dir, '.vitest-report.json'), { force: true })
  process.exit(0)
}

let passed = 0
let failed = 0
let skipped = 0
const missing = []
for (const dir of workspaces) {
  const file = join(dir, '.vitest-report.json')
  if (!existsSync(file)) {
    missing.push(dir)
    continue
  }
  const report = JSON.parse(readFileSync(file, 'utf8'))
  passed += report.numPassedTests
  failed += report.numFailedTests
  skipped += report.numPendingTests + (report.numTodoTests ?? 0)
  // A file that failed to load (syntax error, failing hook) has no tests but still failed.
  failed += (report.testResults ?? []).filter(
    (r) => r.status === 'failed' && (r.assertionResults ?? []).length === 0,
  ).length
}
if (missing.length > 0) console.log(`no test report from: ${missing.join(', ')}`)
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exitCode = failed > 0 || passed === 0 || missing.length > 0 ? 1 : 0
