import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Generous: the tests load candles from the simulator, and CI machines are shared (2 cores).
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
})
