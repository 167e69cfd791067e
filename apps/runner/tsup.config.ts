import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/main.ts', 'src/cli.ts'],
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  dts: false,
  sourcemap: true,
  clean: true,
  splitting: true,
  // The workspace libraries and kysely are bundled into the command chunks: loading one file
  // instead of several hundred ESM modules takes a command's start-up from ~0.6 s to ~0.2 s on
  // this machine (apps/runner/README.md, "Start-up"). Their own dependencies stay external and
  // are this package's dependencies too, so they resolve from here.
  noExternal: [/^@trading-alerts\//, 'kysely'],
})
