// Deterministic input series shared by every TA-Lib fixture script and by the tests.
// Each series has open/high/low/close/volume arrays of plain JS numbers (float64).

/** mulberry32: a tiny seeded PRNG, so the series are identical on every machine. */
export function mulberry32(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function ohlcvFromCloses(closes, rand, scale) {
  const n = closes.length
  const open = new Array(n)
  const high = new Array(n)
  const low = new Array(n)
  const volume = new Array(n)
  for (let i = 0; i < n; i++) {
    const c = closes[i]
    const o = i === 0 ? c : closes[i - 1]
    const spread = Math.abs(c) * 0.01 * rand() + scale * 1e-3 * rand()
    open[i] = o
    high[i] = Math.max(o, c) + spread * rand()
    low[i] = Math.min(o, c) - spread * rand()
    volume[i] = Math.round(1000 * rand() * 1e4) / 1e4 + 1
  }
  return { open, high, low, close: closes.slice(), volume }
}

function randomWalk(n, seed, start, stepPct) {
  const rand = mulberry32(seed)
  const closes = new Array(n)
  let p = start
  for (let i = 0; i < n; i++) {
    p = p * (1 + (rand() - 0.5) * 2 * stepPct)
    closes[i] = p
  }
  return ohlcvFromCloses(closes, rand, start)
}

/** Equal prices in runs (ties for max/min, zero changes for RSI, zero ranges). */
function plateaus(n, seed) {
  const rand = mulberry32(seed)
  const closes = new Array(n)
  let p = 50
  for (let i = 0; i < n; i++) {
    if (i % 7 === 0) p = Math.round((p + (rand() - 0.5) * 4) * 100) / 100
    closes[i] = p
  }
  const s = ohlcvFromCloses(closes, rand, 50)
  // Half the bars have high == low == close (zero range).
  for (let i = 0; i < n; i += 2) {
    s.open[i] = closes[i]
    s.high[i] = closes[i]
    s.low[i] = closes[i]
  }
  return s
}

function flat(n) {
  const v = new Array(n).fill(100)
  return {
    open: v.slice(),
    high: v.slice(),
    low: v.slice(),
    close: v.slice(),
    volume: new Array(n).fill(10),
  }
}

/** A NaN here and there in each input (a missing value a caller forgot to fill). */
function withNaN(s) {
  const poke = (a, at) => at.forEach((i) => (a[i] = NaN))
  poke(s.open, [90])
  poke(s.high, [60, 150])
  poke(s.low, [100])
  poke(s.close, [120, 220])
  poke(s.volume, [180])
  return s
}

/**
 * Per-bar periods for MAVP: below, inside and above the tested ranges, some fractional (TA-Lib
 * truncates). Derived from the index only, so the price series above are unchanged.
 */
function withPeriods(s) {
  const periods = s.close.map((_, i) => ((i * 7919) % 41) + ((i * 31) % 3 === 0 ? 0.5 : 0))
  return { ...s, periods }
}

/** The fixture series: name → { open, high, low, close, volume, periods }. */
export function fixtureSeries() {
  const series = {
    'random-walk': randomWalk(400, 1, 100, 0.02),
    'random-walk-long': randomWalk(1500, 2, 30000, 0.005),
    flat: flat(120),
    plateaus: plateaus(300, 3),
    tiny: randomWalk(300, 4, 2e-7, 0.03),
    huge: randomWalk(300, 5, 4e9, 0.01),
    short: randomWalk(6, 6, 10, 0.05),
    'with-nan': withNaN(randomWalk(300, 7, 100, 0.02)),
  }
  return Object.fromEntries(Object.entries(series).map(([name, s]) => [name, withPeriods(s)]))
}
