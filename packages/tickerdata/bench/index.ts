/**
 * tickerdata benchmarks: `pnpm bench` in this package.
 *
 * Every figure is a ratio against a baseline measured in the same run, because these machines
 * are shared and noisy: archive parsing against bare decompression + line splitting of the same
 * bytes, and REST paging against fetching the same pages with plain fetch (no parsing, no budget).
 */
import AdmZip from 'adm-zip'
import { cpus } from 'node:os'
import { inflateRawSync } from 'node:zlib'
import { BinanceAPI, HostBans, WeightBudget, parseKlineCsv, unzipSingleFile } from '../src/index.js'
import { startExchangeSimulator } from '../src/testing/index.js'

const RUNS = 7

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

async function time(fn: () => unknown): Promise<number> {
  const runs: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now()
    await fn()
    runs.push(performance.now() - t)
  }
  return median(runs)
}

const now = Date.parse('2025-03-10T12:00:00Z')
const sim = await startExchangeSimulator({ now: () => now })
const zip = Buffer.from(
  await (
    await fetch(`${sim.url}/data/spot/monthly/klines/BTCUSDT/1m/BTCUSDT-1m-2025-01.zip`)
  ).arrayBuffer(),
)
const rows = 31 * 1440

/** Baseline: decompress and split into lines, nothing else. */
function bareSplit(): number {
  const b = unzipSingleFile(zip, 'x.zip')
  let lines = 0
  for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) lines++
  return lines
}

const tBare = await time(bareSplit)
const tOurs = await time(() =>
  parseKlineCsv(unzipSingleFile(zip, 'x.zip'), {
    fileName: 'x.csv',
    periodStart: Date.UTC(2025, 0, 1),
    periodEnd: Date.UTC(2025, 1, 1),
  }),
)
const tZlib = await time(() => unzipSingleFile(zip, 'x.zip'))
const tAdm = await time(() => new AdmZip(zip).getEntries()[0]?.getData())
const tInflate = await time(() =>
  inflateRawSync(zip.subarray(30 + 'BTCUSDT-1m-2025-01.csv'.length)),
)
void tInflate

// REST paging: 10 pages of 1000 candles through BinanceAPI vs plain fetch of the same URLs.
const start = Date.parse('2025-02-01T00:00:00Z')
const api = new BinanceAPI({
  apiUrl: sim.url,
  now: () => now,
  bans: new HostBans(),
  weightBudget: new WeightBudget({ limit: 1e9 }),
})
const tRest = await time(() => api.getHistorical('BTCUSDT', start, start + 9_999 * 60_000))
const tFetch = await time(async () => {
  for (let p = 0; p < 10; p++) {
    await (
      await fetch(
        `${sim.url}/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=${start + p * 60_000_000}&limit=1000`,
      )
    ).arrayBuffer()
  }
})
await sim.close()

const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
console.log(
  `machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}; median of ${RUNS} runs`,
)
console.log('')
console.log('| figure | value | ratio to baseline (same run) |')
console.log('| --- | --- | --- |')
console.log(
  `| archive month (44,640 rows): unzip + parse + validate | ${fmt(rows / (tOurs / 1000))} rows/s | ${(tBare / tOurs).toFixed(2)}× the speed of bare unzip + line split (${fmt(rows / (tBare / 1000))} rows/s) |`,
)
console.log(
  `| unzip with node:zlib vs adm-zip | ${tZlib.toFixed(1)} ms vs ${tAdm.toFixed(1)} ms | node:zlib ${(tAdm / tZlib).toFixed(2)}× faster |`,
)
console.log(
  `| REST paging, 10,000 candles (10 requests) via BinanceAPI | ${fmt(10_000 / (tRest / 1000))} candles/s | ${(tFetch / tRest).toFixed(2)}× the speed of plain fetch of the same pages (${fmt(10_000 / (tFetch / 1000))} candles/s) |`,
)
