import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
  treeshake: true,
  // Keep `node:crypto`: Deno and Bun resolve built-ins by that name.
  removeNodeProtocol: false,
})
