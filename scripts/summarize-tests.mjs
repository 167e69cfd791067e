// Sums each workspace's .vitest-report.json (vitest's JSON reporter) and prints the plain
// `N passed, N failed, N skipped` line that CI reads. Exits 1 on any failure or when no test ran.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

let passed = 0
let failed = 0
let skipped = 0
const missing = []
for (const group of ['packages', 'apps']) {
  for (const name of existsSync(group) ? readdirSync(group) : []) {
    if (!existsSync(join(group, name, 'package.json'))) continue
    const file = join(group, name, '.vitest-report.json')
    if (!existsSync(file)) {
      missing.push(`${group}/${name}`)
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
}
if (missing.length > 0) console.log(`no test report from: ${missing.join(', ')}`)
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exitCode = failed > 0 || passed === 0 || missing.length > 0 ? 1 : 0
