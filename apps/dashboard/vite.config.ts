import { defineConfig } from 'vite'

// The dashboard builds into static files (dist/) that the runner's server serves at `/`, on the
// API's own origin: no CORS, no proxy. Assets get content hashes, so the server caches them for a
// year and index.html not at all.
export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // lightweight-charts is most of the bundle; it gets a chunk of its own that only the chart
    // view loads.
    chunkSizeWarningLimit: 400,
  },
  server: {
    // `pnpm --filter @trading-alerts/dashboard dev` against a running `pnpm serve` on :8080.
    proxy: { '/api': 'http://127.0.0.1:8080', '/metrics': 'http://127.0.0.1:8080' },
  },
})
