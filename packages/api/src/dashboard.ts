import { readFile } from 'node:fs/promises'
import { extname, resolve, sep } from 'node:path'
import type { ApiApp } from './context.js'

/** Where the dashboard's built files come from (the runner: apps/dashboard/dist on disk). */
export interface DashboardAssets {
  /** The bytes of `path` (relative, `/`-separated, e.g. `assets/index-3f2a.js`), or null when absent. */
  read(path: string): Promise<Uint8Array | null>
}

/** The files under `dir`; no path escapes it. */
export function directoryAssets(dir: string): DashboardAssets {
  const root = resolve(dir)
  return {
    async read(path) {
      const file = resolve(root, path)
      if (!file.startsWith(root + sep)) return null
      try {
        return await readFile(file)
      } catch {
        return null
      }
    },
  }
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
}

/**
 * The dashboard's policy: everything from this origin only (scripts, styles, the API, the event
 * stream); no frame may embed it. Set instead of the API's `default-src 'none'` on the pages.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // The one <style> element lightweight-charts 5 adds for its attribution logo (its licence asks
  // for the attribution); a new version with other text fails the dashboard's browser tests.
  "style-src 'self' 'sha256-3pRED1tOXas1FXFoPb9TGCjmYe9XQsmO9OV23khV2nY='",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

/** The dashboard's policy on its pages; registered before the secure headers, so it runs after them. */
export function dashboardHeaders(app: ApiApp): void {
  app.use('/*', async (c, next) => {
    await next()
    if (c.get('dashboard') === true) c.res.headers.set('content-security-policy', DASHBOARD_CSP)
  })
}

/**
 * Serves the dashboard at `/`: the files as built, `/assets/*` (content-hashed names) cached for a
 * year, every other path without an extension answered with index.html (the app routes itself),
 * which is never cached. Paths under /api and /metrics stay the API's (their 404 is problem+json).
 */
export function dashboardRoutes(app: ApiApp, assets: DashboardAssets): void {
  app.get('/*', async (c) => {
    const path = c.req.path
    if (path.startsWith('/api/') || path === '/api' || path === '/metrics') return c.notFound()
    let rel: string
    try {
      rel = decodeURIComponent(path).replace(/^\/+/, '')
    } catch {
      return c.notFound()
    }
    if (rel.split('/').some((part) => part === '..' || part.startsWith('.'))) return c.notFound()
    const ext = extname(rel)
    let file = rel === '' || ext === '' ? null : await assets.read(rel)
    let name = rel
    if (file === null) {
      if (ext !== '' && ext !== '.html') return c.notFound()
      file = await assets.read('index.html')
      name = 'index.html'
      if (file === null) return c.notFound()
    }
    c.set('dashboard', true)
    const headers: Record<string, string> = {
      'content-type': TYPES[extname(name)] ?? 'application/octet-stream',
      'cache-control': name.startsWith('assets/')
        ? 'public, max-age=31536000, immutable'
        : 'no-cache',
    }
    return c.body(file as Uint8Array<ArrayBuffer>, 200, headers)
  })
}
