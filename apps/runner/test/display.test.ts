import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  DEFAULT_COINS,
  DEFAULT_PAIRS,
  startExchangeSimulator,
  type ExchangeSimulator,
} from '@trading-alerts/tickerdata/testing'
import xterm from '@xterm/headless'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// The live display, seen the way a user sees it: the built runner in a real pseudo-terminal of
// 15 rows x 80 columns (util-linux script(1)), its output replayed through a terminal emulator.

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
const DAY = 86_400_000
const NOW = '2025-03-03T12:00:00Z'
const ROWS = 15
const COLUMNS = 80

let sim: ExchangeSimulator
let dir: string
let env: Record<string, string>

beforeAll(async () => {
  const offsetMs = Date.parse(NOW) - Date.now()
  const listedAt = Math.floor(Date.parse(NOW) / DAY) * DAY - 2 * DAY
  // The default market (~30 pairs) with two days of history each: more symbols than rows.
  sim = await startExchangeSimulator({
    pairs: DEFAULT_PAIRS.map((p) => ({ ...p, listedAt })),
    coins: DEFAULT_COINS,
    now: () => Date.now() + offsetMs,
  })
  dir = mkdtempSync(join(tmpdir(), 'runner-display-'))
  env = {
    PATH: process.env.PATH ?? '',
    DATA_DIR: join(dir, 'db'),
    BINANCE_API_URL: sim.urls.binanceApiUrl,
    BINANCE_DATA_URL: sim.urls.binanceDataUrl,
    BINANCE_LISTING_URL: sim.urls.binanceListingUrl,
    COINGECKO_API_URL: sim.urls.coingeckoApiUrl,
    TOP_N: '100',
    HISTORY_START: '2025-03',
    TRADING_ALERTS_CLOCK_OFFSET_MS: String(offsetMs),
  }
  const symbols = await output(process.execPath, [CLI, 'job', 'symbols'], { ...env, CI: '1' })
  expect(symbols.code, symbols.text).toBe(0)
})

afterAll(async () => {
  await sim?.close()
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
})

function output(
  command: string,
  args: string[],
  vars: Record<string, string>,
): Promise<{ code: number | null; text: string }> {
  const child = spawn(command, args, { cwd: dir, env: vars, stdio: ['ignore', 'pipe', 'pipe'] })
  let text = ''
  child.stdout.on('data', (d: Buffer) => (text += d.toString()))
  child.stderr.on('data', (d: Buffer) => (text += d.toString()))
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, text })))
}

/** Runs the CLI in a pseudo-terminal of ROWS x COLUMNS: what the terminal received. */
function inTerminal(args: string[]) {
  const command = `stty rows ${ROWS} cols ${COLUMNS}; exec ${[process.execPath, CLI, ...args].join(' ')}`
  return output('script', ['-qfec', command, '/dev/null'], { ...env, TERM: 'xterm-256color' })
}

/** The lines of scrollback and screen (and whether each continues a wrapped one) after replaying `text` into an 80x15 terminal. */
async function replay(text: string): Promise<{ lines: string[]; wrapped: boolean[] }> {
  const term = new xterm.Terminal({
    cols: COLUMNS,
    rows: ROWS,
    scrollback: 10_000,
    allowProposedApi: true,
  })
  await new Promise<void>((resolve) => term.write(text, resolve))
  const buffer = term.buffer.active
  const lines: string[] = []
  const wrapped: boolean[] = []
  for (let i = 0; i < buffer.length; i++) {
    const line = buffer.getLine(i)
    wrapped.push(line?.isWrapped === true)
    lines.push(line?.translateToString(true) ?? '')
  }
  term.dispose()
  return { lines, wrapped }
}

describe('the live display in a 15 x 80 terminal', () => {
  it('redraws in place: one frame in the scrollback, fitted to 14 lines of 79 columns, with its total line', async () => {
    const run = await inTerminal(['job', 'historical'])
    expect(run.code, run.text).toBe(0)
    const { lines, wrapped } = await replay(run.text)
    const summary = lines.findIndex((l) => /^historical run #\d+: succeeded/.test(l))
    expect(summary, lines.join('\n')).toBeGreaterThan(0)
    const before = lines.slice(0, summary)
    // The last frame stays above the summary table, whole: the total line, then symbols, at most
    // ROWS - 1 lines, then the "+N more" line.
    const totalsAt = before.findIndex((l) => /^historical: \d+\/\d+ symbols, /.test(l))
    expect(totalsAt, before.join('\n')).toBeGreaterThanOrEqual(0)
    const frame = before.slice(totalsAt)
    expect(frame.length).toBeLessThanOrEqual(ROWS - 1)
    expect(frame[0]).toMatch(
      /^historical: (\d+)\/\1 symbols, [\d,]+ rows, [\d,]+ rows\/s, ETA 0s, /,
    )
    expect(frame.at(-1)).toMatch(/^\+\d+ more: \d+ done$/)
    // No other copy of the display anywhere: one total line, and every symbol line in the frame.
    expect(lines.filter((l) => /^historical: \d+\/\d+ symbols/.test(l))).toHaveLength(1)
    expect(lines.filter((l) => l.includes('rows/s'))).toHaveLength(frame.length - 1)
    // Nothing of the display wrapped (the summary table below it may).
    expect(wrapped.slice(0, summary + 1).some(Boolean)).toBe(false)
  })
})
