// Whether a workspace package's dist is older than its sources, in a few milliseconds: the
// launcher (scripts/runner.mjs) builds only when this says so, instead of asking turbo each time.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

/** Files of a package whose change means a rebuild (tests, READMEs and benchmarks do not). */
const CONFIGS = ['package.json', 'tsconfig.json', 'tsup.config.ts', 'vite.config.ts', 'index.html']
const IGNORED = /\.test\.ts$|(^|\/)__fixtures__(\/|$)/

/**
 * Where the launcher stamps a package it built, with the build's start as mtime: turbo may restore a
 * cache hit without rewriting dist, leaving it older than sources that did not change in content.
 */
export function stampPath(root, dir) {
  return join(
    root,
    'node_modules',
    '.cache',
    'runner-launcher',
    `${dir.replaceAll('/', '__')}.built`,
  )
}

/** The newest mtime (ms) of the files under `dir`, or 0. */
function newest(dir) {
  let max = 0
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath, entry.name)
    if (IGNORED.test(path)) continue
    max = Math.max(max, statSync(path).mtimeMs)
  }
  return max
}

/** When `dir`'s dist was built (ms): the later of its stamp and its oldest top-level file. */
function builtAt(root, dir) {
  const dist = join(root, dir, 'dist')
  if (!existsSync(dist)) return undefined
  const stamp = stampPath(root, dir)
  let min
  for (const entry of readdirSync(dist, { withFileTypes: true })) {
    if (!entry.isFile()) continue
    const t = statSync(join(dist, entry.name)).mtimeMs
    min = min === undefined ? t : Math.min(min, t)
  }
  if (min === undefined) return undefined
  return existsSync(stamp) ? Math.max(min, statSync(stamp).mtimeMs) : min
}

/**
 * The package at `root/dir` and the workspace packages it depends on (`workspace:` versions,
 * found by name under `root/packages` and `root/apps`), as directories relative to `root`.
 */
export function workspaceClosure(root, dir) {
  const byName = new Map()
  for (const group of ['packages', 'apps']) {
    const base = join(root, group)
    if (!existsSync(base)) continue
    for (const name of readdirSync(base)) {
      const manifest = join(base, name, 'package.json')
      if (existsSync(manifest))
        byName.set(JSON.parse(readFileSync(manifest, 'utf8')).name, join(group, name))
    }
  }
  const seen = new Set()
  const visit = (d) => {
    if (seen.has(d)) return
    seen.add(d)
    const manifest = JSON.parse(readFileSync(join(root, d, 'package.json'), 'utf8'))
    for (const [name, version] of Object.entries({
      ...manifest.dependencies,
      ...manifest.devDependencies,
    })) {
      const found = byName.get(name)
      if (String(version).startsWith('workspace:') && found !== undefined) visit(found)
    }
  }
  visit(dir)
  return [...seen]
}

/**
 * The packages among `dirs` (relative to `root`) whose dist is missing or older than a source
 * file (src/**, package.json, tsconfig.json, tsup.config.ts, the root tsconfig.base.json).
 */
export function staleBuilds(root, dirs) {
  const base = join(root, 'tsconfig.base.json')
  const shared = existsSync(base) ? statSync(base).mtimeMs : 0
  return dirs.filter((dir) => {
    const built = builtAt(root, dir)
    if (built === undefined) return true
    const src = join(root, dir, 'src')
    let inputs = Math.max(shared, existsSync(src) ? newest(src) : 0)
    for (const file of CONFIGS) {
      const path = join(root, dir, file)
      if (existsSync(path)) inputs = Math.max(inputs, statSync(path).mtimeMs)
    }
    return inputs > built
  })
}
