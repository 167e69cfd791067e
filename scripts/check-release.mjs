// Release check (CI): the changesets are valid, every published package packs with its LICENSE,
// README and build, `pnpm publish -r --dry-run` goes through, and each package loads from CommonJS
// through Node's require(esm) (Node >= 20.19), as its README promises.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const pnpm = process.env.PNPM ? process.env.PNPM.split(' ') : ['pnpm']
const run = (args, options = {}) =>
  execFileSync(pnpm[0], [...pnpm.slice(1), ...args], { encoding: 'utf8', ...options })

const problems = []
run(['exec', 'changeset', 'status'], { stdio: ['ignore', 'ignore', 'inherit'] })

const published = readdirSync('packages')
  .map((name) => join('packages', name))
  .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
  .filter(({ pkg }) => pkg.private !== true)

const scratch = mkdtempSync(join(tmpdir(), 'release-check-'))
try {
  for (const { dir, pkg } of published) {
    const packed = JSON.parse(run(['pack', '--dry-run', '--json'], { cwd: dir }))
    const files = new Set(packed.files.map((f) => f.path))
    for (const required of [
      'LICENSE',
      'README.md',
      'package.json',
      'dist/index.js',
      'dist/index.d.ts',
    ]) {
      if (!files.has(required)) problems.push(`${pkg.name}: the tarball has no ${required}`)
    }
    if (pkg.license !== 'MIT') problems.push(`${pkg.name}: license is ${pkg.license}, not MIT`)
    const probe = join(scratch, `${pkg.name.replace('/', '__')}.cjs`)
    writeFileSync(
      probe,
      `const m = require(${JSON.stringify(resolve(dir, 'dist/index.js'))})\n` +
        `if (Object.keys(m).length === 0) throw new Error('no exports')\n`,
    )
    try {
      execFileSync(process.execPath, ['--no-warnings', probe], { stdio: 'pipe' })
    } catch (error) {
      problems.push(`${pkg.name}: require() from CommonJS fails: ${String(error.stderr ?? error)}`)
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
run(['publish', '-r', '--dry-run', '--no-git-checks'], { stdio: ['ignore', 'ignore', 'inherit'] })

if (problems.length > 0) {
  for (const p of problems) console.error(`release check: ${p}`)
  process.exit(1)
}
console.log(
  `release check: ${published.map((p) => `${p.pkg.name}@${p.pkg.version}`).join(', ')} ok`,
)
