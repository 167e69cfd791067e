import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

// A plain .mjs script (no types of its own): typed here by what the test uses.
const STALE = new URL('../../../scripts/stale.mjs', import.meta.url).href
const { stampPath, staleBuilds, workspaceClosure } = (await import(STALE)) as {
  stampPath: (root: string, dir: string) => string
  staleBuilds: (root: string, dirs: readonly string[]) => string[]
  workspaceClosure: (root: string, dir: string) => string[]
}

// The launcher's staleness check (scripts/stale.mjs), on a scratch monorepo with set mtimes.

const root = mkdtempSync(join(tmpdir(), 'runner-launcher-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const T = Date.parse('2025-03-10T12:00:00Z') / 1000
function file(path: string, seconds: number, text = ''): void {
  const full = join(root, path)
  mkdirSync(join(full, '..'), { recursive: true })
  writeFileSync(full, text)
  utimesSync(full, seconds, seconds)
}
const manifest = (name: string, deps: Record<string, string> = {}) =>
  JSON.stringify({ name, dependencies: deps })

file('tsconfig.base.json', T)
file('apps/app/package.json', T, manifest('app', { lib: 'workspace:^', axios: '^1.0.0' }))
file('apps/app/src/main.ts', T)
file('apps/app/dist/main.js', T + 10)
file('packages/lib/package.json', T, manifest('lib'))
file('packages/lib/src/deep/index.ts', T)
file('packages/lib/dist/index.js', T + 10)
file('packages/other/package.json', T, manifest('other'))

describe('the launcher knows when to build', () => {
  const dirs = workspaceClosure(root, 'apps/app')

  it('the runner and the workspace packages it depends on, not the others', () => {
    expect(dirs.sort()).toEqual(['apps/app', 'packages/lib'])
  })

  it('built after every source: nothing to build', () => {
    expect(staleBuilds(root, dirs)).toEqual([])
  })

  it('a source file touched after the build (at any depth): stale; a test file: not', () => {
    file('packages/lib/src/deep/index.test.ts', T + 20)
    expect(staleBuilds(root, dirs)).toEqual([])
    file('packages/lib/src/deep/index.ts', T + 20)
    expect(staleBuilds(root, dirs)).toEqual(['packages/lib'])
    // The launcher's stamp after a build (turbo may restore a cache hit without rewriting dist).
    file(stampPath(root, 'packages/lib').slice(root.length + 1), T + 30)
    expect(staleBuilds(root, dirs)).toEqual([])
  })

  it('a package.json or the shared tsconfig changed: stale', () => {
    file('apps/app/package.json', T + 40, manifest('app', { lib: 'workspace:^' }))
    expect(staleBuilds(root, dirs)).toEqual(['apps/app'])
    file('tsconfig.base.json', T + 50)
    expect(staleBuilds(root, dirs)).toEqual(['apps/app', 'packages/lib'])
  })

  it('no dist (a fresh clone): stale', () => {
    rmSync(join(root, 'apps/app/dist'), { recursive: true })
    file(stampPath(root, 'packages/lib').slice(root.length + 1), T + 60)
    expect(staleBuilds(root, dirs)).toEqual(['apps/app'])
  })
})
