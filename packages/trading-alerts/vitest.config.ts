import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Generous: the pipeline tests load months of candles, and CI machines are shared (2 cores).
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
})
