import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'

/** Every remote endpoint points at a closed local port: nothing may reach the outside. */
export const OFFLINE = {
  BINANCE_API_URL: 'http://127.0.0.1:9',
  BINANCE_DATA_URL: 'http://127.0.0.1:9',
  BINANCE_LISTING_URL: 'http://127.0.0.1:9',
  COINGECKO_API_URL: 'http://127.0.0.1:9',
}

/**
 * A maker of scratch directories (working directory and DATA_DIR of a run) named `prefix…`,
 * removed after the test file.
 */
export function scratchDirs(prefix: string): () => string {
  const dirs: string[] = []
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix))
    dirs.push(dir)
    return dir
  }
}
