import type { ProgressEvent } from '@trading-alerts/trading-alerts'
import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import {
  duration,
  ProgressDisplay,
  ProgressLog,
  ProgressState,
  renderProgress,
  totals,
} from './display.js'

const T0 = Date.parse('2025-03-10T12:00:00Z')

const event = (
  symbol: string,
  state: ProgressEvent['state'],
  done = 0,
  total = 0,
  rows = 0,
): ProgressEvent => ({
  job: 'historical',
  runId: 7,
  kind: 'symbol',
  key: symbol,
  symbol,
  state,
  done,
  total,
  rows,
})

/** A job of `n` symbols, all announced as pending at T0. */
function job(n: number): { state: ProgressState; names: string[] } {
  const state = new ProgressState(T0)
  const names = Array.from({ length: n }, (_, i) => `SYM${String(i).padStart(3, '0')}USDT`)
  for (const s of names) state.update(event(s, 'pending'), T0)
  return { state, names }
}

describe('renderProgress', () => {
  it('everything fits: a total line and one line per symbol, none wider than columns - 1', () => {
    const { state, names } = job(3)
    state.update(event(names[0] ?? '', 'running', 1, 4, 1440), T0 + 1000)
    const lines = renderProgress(state, { columns: 80, rows: 15, now: T0 + 3000 })
    expect(lines).toHaveLength(4)
    expect(lines[0]).toBe('historical: 0/3 symbols, 1,440 rows, 480 rows/s, ETA 33s, 3s elapsed')
    expect(lines[1]).toBe('SYM000USDT   running        1/4          1,440 rows  720 rows/s')
    expect(lines[2]).toMatch(/^SYM001USDT {3}pending/)
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(79)
  })

  it('more symbols than rows: the running ones, then a summary of the others, in rows - 1 lines', () => {
    const { state, names } = job(100)
    const at = T0 + 10_000
    names.slice(0, 40).forEach((s) => {
      state.update(event(s, 'running', 0, 2), T0)
      state.update(event(s, 'succeeded', 2, 2, 2880), T0 + 5000)
    })
    names.slice(40, 43).forEach((s) => {
      state.update(event(s, 'running', 0, 2), T0)
      state.update(event(s, 'failed', 1, 2, 1440), T0 + 6000)
    })
    names.slice(43, 47).forEach((s) => state.update(event(s, 'running', 1, 2, 1440), T0 + 7000))
    const lines = renderProgress(state, { columns: 80, rows: 15, now: at })
    expect(lines).toHaveLength(14)
    expect(lines[0]).toMatch(/^historical: 43\/100 symbols, /)
    // The 4 running first, then the 3 failed, then the latest finished as room allows (6 of 40).
    const shown = lines.slice(1, -1)
    expect(shown.filter((l) => / running /.test(l))).toHaveLength(4)
    expect(shown.filter((l) => / failed /.test(l))).toHaveLength(3)
    expect(shown.filter((l) => / succeeded /.test(l))).toHaveLength(5)
    expect(lines.at(-1)).toBe('+88 more: 35 done, 53 waiting')
  })

  it('a tiny terminal still gets the total and the summary, cut to its width', () => {
    const { state } = job(10)
    const lines = renderProgress(state, { columns: 20, rows: 3, now: T0 })
    expect(lines).toEqual(['historical: 0/10 sy', '+10 more: 10 waitin'])
  })

  it("a finished symbol's rate stays at its final value", () => {
    const { state, names } = job(2)
    const s = names[0] ?? ''
    state.update(event(s, 'running', 0, 1), T0)
    state.update(event(s, 'succeeded', 1, 1, 10_000), T0 + 10_000)
    const at = (now: number) =>
      renderProgress(state, { columns: 100, rows: 10, now }).find((l) => l.startsWith(s))
    expect(at(T0 + 10_000)).toMatch(/ 1,000 rows\/s$/)
    expect(at(T0 + 600_000)).toBe(at(T0 + 10_000))
  })
})

describe('totals', () => {
  it('the ETA extrapolates the time so far over the planned work; unknown before any is done', () => {
    const { state, names } = job(4)
    expect(totals(state, T0 + 1000).eta).toBeUndefined()
    state.update(event(names[0] ?? '', 'running', 0, 4), T0)
    state.update(event(names[0] ?? '', 'succeeded', 4, 4, 100), T0 + 10_000)
    state.update(event(names[1] ?? '', 'running', 2, 4, 50), T0 + 10_000)
    // 1.5 of 4 symbols in 20 s: 2.5 more take 33.3 s.
    const t = totals(state, T0 + 20_000)
    expect(t).toMatchObject({ finished: 1, planned: 4, rows: 150, rate: 7.5 })
    expect(t.eta).toBeCloseTo(33_333, 0)
    expect(duration(t.eta ?? 0)).toBe('33s')
    expect(duration(3_725_000)).toBe('1h02m')
    expect(duration(185_000)).toBe('3m05s')
  })
})

describe('ProgressLog (off a TTY)', () => {
  it('logs each symbol that moved, once, and the totals, at info', () => {
    const logs: { message: string; fields?: Record<string, unknown> }[] = []
    const logger = {
      debug: () => {},
      info: (message: string, fields?: Record<string, unknown>) => logs.push({ message, fields }),
      warn: () => {},
      error: () => {},
    }
    let now = T0
    const log = new ProgressLog(logger, { now: () => now })
    log.update(event('BTCUSDT', 'pending'))
    log.update(event('ETHUSDT', 'pending'))
    log.log()
    expect(logs).toEqual([]) // nothing moved yet
    log.update(event('BTCUSDT', 'running', 1, 2, 1440))
    now += 2000
    log.log()
    log.log()
    expect(logs.map((l) => l.message)).toEqual(['progress', 'job progress'])
    expect(logs[0]?.fields).toMatchObject({ symbol: 'BTCUSDT', done: 1, total: 2, rows: 1440 })
    expect(logs[0]?.fields?.rowsPerSecond).toBe(720)
    expect(logs[1]?.fields).toMatchObject({ symbols: 2, finished: 0, etaSeconds: 6 })
  })
})

describe('ProgressDisplay (the TTY writer)', () => {
  it('redraws at the new size when the terminal is resized, and its lines go above the frame', () => {
    const out = Object.assign(new EventEmitter(), {
      columns: 80,
      rows: 15,
      written: [] as string[],
      write(text: string) {
        this.written.push(text)
        return true
      },
    })
    const logger: { quiet?: boolean; around?: ((write: () => void) => void) | undefined } = {}
    const display = new ProgressDisplay({ out, now: () => T0, logger })
    display.start()
    try {
      for (let i = 0; i < 30; i++) display.update(event(`S${i}USDT`, 'pending'))
      out.emit('resize')
      const frame = (text: string) =>
        text
          .replace(new RegExp(String.raw`^\r(\u001b\[\d+A)?\u001b\[J`), '')
          .split('\n')
          .slice(0, -1)
      expect(frame(out.written.at(-1) ?? '')).toHaveLength(14)
      out.rows = 6
      out.columns = 30
      out.emit('resize')
      const small = out.written.at(-1) ?? ''
      // Up to the top of the old frame (at most the new screen's height - 1), erase, 5 lines.
      expect(small.startsWith('\r\x1b[5A\x1b[J')).toBe(true)
      const lines = frame(small)
      expect(lines).toHaveLength(5)
      expect(lines[0]).toBe('historical: 0/30 symbols, 0 r')
      expect(lines.at(-1)).toBe('+27 more: 27 waiting')
      expect(logger.quiet).toBe(true)
      const before = out.written.length
      logger.around?.(() => out.write('error line\n'))
      expect(out.written.slice(before, before + 2)).toEqual(['\r\x1b[5A\x1b[J', 'error line\n'])
    } finally {
      display.stop()
    }
    expect(logger).toEqual({ quiet: false, around: undefined })
    expect(out.listenerCount('resize')).toBe(0)
  })
})
