// Run by limits.test.ts in a child process (node --expose-gc --import tsx), so that an indicator
// whose memory follows its parameters instead of its input cannot take the test runner down. For
// every indicator, with each period at its largest (100000) in turn and then all at once, on 10
// bars: what its stream keeps after 10 updates, and what its batch function allocates. Prints one
// JSON line per case.
import { bars, makeStream, NAMES, paramSpecs, runBatch, streamInput, type Params } from './calls.js'

const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error('run with --expose-gc')
const data = bars(10)
const kept: unknown[] = []

/** Each period at its largest in turn, then all of them at once. */
function cases(name: (typeof NAMES)[number]): Params[] {
  const largest = paramSpecs(name).flatMap(([p, spec]) =>
    spec.type === 'integer' ? [[p, spec.max] as const] : [],
  )
  return [...largest.map(([p, max]) => ({ [p]: max })), Object.fromEntries(largest)]
}

const only = process.argv[2]
for (const name of NAMES) {
  if (only !== undefined && name !== only) continue
  // Compile the code first, so that what is measured is the state, not the functions.
  runBatch(name, data)
  makeStream(name).update(streamInput(name, data, 0))
  for (const params of cases(name)) {
    if (name === 'mavp' && params.minPeriod !== undefined && params.maxPeriod === undefined) {
      continue // minPeriod above the default maxPeriod: refused, as it should be
    }
    gc()
    const before = process.memoryUsage()
    runBatch(name, data, params)
    const batch = process.memoryUsage().arrayBuffers - before.arrayBuffers
    gc()
    const start = process.memoryUsage()
    const stream = makeStream(name, params)
    for (let i = 0; i < 10; i++) stream.update(streamInput(name, data, i))
    kept.push(stream)
    gc()
    const end = process.memoryUsage()
    console.log(
      JSON.stringify({
        name,
        params,
        batchBuffers: batch,
        streamBuffers: end.arrayBuffers - start.arrayBuffers,
        streamHeap: end.heapUsed - start.heapUsed,
      }),
    )
  }
}
