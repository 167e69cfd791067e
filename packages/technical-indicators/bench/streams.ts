/**
 * Streaming benchmark: updates per second of our streams and of trading-signals' streaming
 * classes, a million updates in each shape. `pnpm bench` runs it through `streamTable()`; every
 * loop runs in a Node process of its own (`tsx bench/streams.ts <row> <library>` prints its
 * list of timings), so nothing measured before it can slow it down: trading-signals' indicators share base
 * classes, and property accesses there that have seen many classes are slower.
 *
 * Shapes:
 *  - one stream: a million updates in a row. Each update waits for the one before (its value is
 *    stored and read back), so this measures the recurrence's latency. `floor` is that
 *    recurrence alone: TA-Lib's EMA step through a Float64Array slot, no class around it.
 *  - 100 streams: one bar for each of 100 symbols in turn, as the pipeline and the runner feed
 *    them (a candle per symbol). Updates of different symbols overlap, so this measures what an
 *    update costs.
 *  - live candle: 100 streams, each bar updated once and then replaced 3 times (the still-open
 *    candle ticking before it closes).
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import * as ts from 'trading-signals'
import { EmaStream, RsiStream } from '../src/index.js'
import { median, N, secondsPerBar, walk } from './common.js'

const SYMBOLS = 100
const PER_SYMBOL = N / SYMBOLS
const LIVE_BARS = N / 4 / SYMBOLS

type Loop = (close: Float64Array) => void
/**
 * Streams are kept here, as an application keeps them (in a map of symbols, say): a stream that
 * never leaves its loop can be taken apart by the compiler into local variables, which no real
 * use of a stream gets.
 */
const kept: unknown[] = []
const keep = <T>(x: T): T => {
  kept[0] = x
  return x
}
/**
 * The price of symbol `j` at its bar `i`: the walk read as 100 symbols' candles arriving bar by
 * bar (symbol j's series is every 100th value from j), as a feed delivers them.
 */
const at = (close: Float64Array, j: number, i: number) => close[i * SYMBOLS + j] as number

interface Ours {
  update(value: number): number
  replace(value: number): number
}
/** trading-signals' streams, called as its documentation does: `update(value, replace)`. */
interface Peer {
  update(value: number, replace: boolean): unknown
}

/**
 * The three shapes, once for each library's API (no adapter in between). Every process runs one
 * loop with one class, so the calls in it see a single class.
 */
const oursShapes: Record<string, (make: () => Ours) => Loop> = {
  one: (make) => (close) => {
    const x = keep(make())
    for (let i = 0; i < N; i++) x.update(close[i] as number)
  },
  many: (make) => (close) => {
    const xs = Array.from({ length: SYMBOLS }, make)
    for (let i = 0; i < PER_SYMBOL; i++)
      for (let j = 0; j < SYMBOLS; j++) (xs[j] as Ours).update(at(close, j, i))
  },
  live: (make) => (close) => {
    const xs = Array.from({ length: SYMBOLS }, make)
    for (let i = 0; i < LIVE_BARS; i++)
      for (let j = 0; j < SYMBOLS; j++) {
        const x = xs[j] as Ours
        const v = at(close, j, i)
        x.update(v * 0.999)
        x.replace(v * 1.001)
        x.replace(v * 0.9995)
        x.replace(v)
      }
  },
}
const peerShapes: Record<string, (make: () => Peer) => Loop> = {
  one: (make) => (close) => {
    const x = keep(make())
    for (let i = 0; i < N; i++) x.update(close[i] as number, false)
  },
  many: (make) => (close) => {
    const xs = Array.from({ length: SYMBOLS }, make)
    for (let i = 0; i < PER_SYMBOL; i++)
      for (let j = 0; j < SYMBOLS; j++) (xs[j] as Peer).update(at(close, j, i), false)
  },
  live: (make) => (close) => {
    const xs = Array.from({ length: SYMBOLS }, make)
    for (let i = 0; i < LIVE_BARS; i++)
      for (let j = 0; j < SYMBOLS; j++) {
        const x = xs[j] as Peer
        const v = at(close, j, i)
        x.update(v * 0.999, false)
        x.update(v * 1.001, true)
        x.update(v * 0.9995, true)
        x.update(v, true)
      }
  },
}
const shapeNames: Record<string, string> = {
  one: 'one stream',
  many: '100 streams',
  live: 'live candle, 100 streams',
}
const indicators = [
  { key: 'ema', name: 'EMA(30)', ours: () => new EmaStream(30), peer: () => new ts.EMA(30) },
  { key: 'rsi', name: 'RSI(14)', ours: () => new RsiStream(14), peer: () => new ts.RSI(14) },
]
const loops: Record<string, { name: string; shape: string; ours: Loop; peer: Loop }> = {}
for (const ind of indicators) {
  for (const [shape, label] of Object.entries(shapeNames)) {
    loops[`${ind.key}-${shape}`] = {
      name: ind.name,
      shape: label,
      ours: (oursShapes[shape] as (make: () => Ours) => Loop)(ind.ours),
      peer: (peerShapes[shape] as (make: () => Peer) => Loop)(ind.peer),
    }
  }
}

const floor: Loop = (close) => {
  const slot = keep(new Float64Array(1))
  const k = 2 / 31
  for (let i = 0; i < N; i++) {
    const prev = slot[0] as number
    slot[0] = ((close[i] as number) - prev) * k + prev
  }
}

/** Seconds per update of each run of one loop, measured in this process. */
function measure(key: string, library: string): number[] {
  const close = walk(N).close
  const row = loops[key]
  const loop = library === 'floor' ? floor : library === 'ours' ? row?.ours : row?.peer
  if (loop === undefined) throw new Error(`unknown stream loop ${key} ${library}`)
  return secondsPerBar(N, () => loop(close))
}

const PROCESSES = 5

/**
 * Updates per second of one loop, run in `PROCESSES` fresh Node processes (this file, with the
 * loader tsx gave this process): the median of all their runs. Where the objects land in memory
 * changes from run to run and moves a figure by up to 2×, so one process is not enough.
 */
function measureApart(key: string, library: string): number {
  const times = Array.from({ length: PROCESSES }, () =>
    execFileSync(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), key, library],
      { encoding: 'utf8' },
    )
      .trim()
      .split(' ')
      .map(Number),
  )
    .flat()
    .sort((a, b) => a - b)
  return 1 / median(times)
}

export interface StreamRow {
  name: string
  shape: string
  ours: number
  peer: number
}

export function streamTable(): { rows: StreamRow[]; floor: number } {
  const rows = Object.entries(loops).map(([key, l]) => ({
    name: l.name,
    shape: l.shape,
    ours: measureApart(key, 'ours'),
    peer: measureApart(key, 'peer'),
  }))
  return { rows, floor: measureApart('ema-one', 'floor') }
}

const count = (x: number) => Math.round(x).toLocaleString('en-US')

export function printStreamTable({ rows, floor }: { rows: StreamRow[]; floor: number }): void {
  console.log('| stream | shape | ours (updates/s) | trading-signals (updates/s) | ratio |')
  console.log('| --- | --- | --- | --- | --- |')
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${r.shape} | ${count(r.ours)} | ${count(r.peer)} | **${(r.ours / r.peer).toFixed(1)}×** |`,
    )
  }
  const one = rows[0]
  if (one !== undefined) {
    console.log('')
    console.log(
      `Floor of one stream (TA-Lib's EMA step through a Float64Array slot, no class): ${count(floor)} updates/s. Our EMA stream runs at ${(one.ours / floor).toFixed(2)}× the floor, trading-signals' at ${(one.peer / floor).toFixed(2)}×.`,
    )
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [key, library] = process.argv.slice(2)
  if (key === undefined) {
    printStreamTable(streamTable())
  } else {
    console.log(measure(key, library ?? 'ours').join(' '))
  }
}
