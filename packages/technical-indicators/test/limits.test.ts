import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import type { ParamSpec } from '../src/catalogue.js'
import * as ti from '../src/index.js'
import { bars, makeStream, NAMES, paramSpecs, runBatch, streamInput, type Params } from './calls.js'

// Every parameter of every indicator within TA-Lib's range (or, for the indicators TA-Lib lacks,
// ours): anything outside is a RangeError that names the parameter, the range and the value, in
// the batch function and the stream alike; and no parameter in range makes memory follow it
// instead of the input.

const data = bars(10)

/** Values just outside the range, and values of no range at all. */
function outside(spec: ParamSpec): unknown[] {
  switch (spec.type) {
    case 'integer':
      return [spec.min - 1, spec.max + 1, spec.min + 0.5, Number.NaN, String(spec.min)]
    case 'real': {
      const margin = (v: number) => Math.max(Math.abs(v) / 2, 0.001)
      return [spec.min - margin(spec.min), spec.max + margin(spec.max), Number.NaN, Infinity]
    }
    case 'choice':
      return ['nope', 1]
  }
}

/** What the message must say: the parameter, its range, and the value given. */
function message(name: string, spec: ParamSpec, value: unknown): string {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value)
  switch (spec.type) {
    case 'integer':
      return `${name} must be an integer from ${spec.min} to ${spec.max}, got ${shown}`
    case 'real':
      return `${name} must be a number from ${spec.min} to ${spec.max}, got ${shown}`
    case 'choice':
      return `${name} must be one of ${spec.values.join(', ')}, got ${shown}`
  }
}

describe.each(NAMES)('%s', (name) => {
  const specs = paramSpecs(name)
  const cases = specs.flatMap(([param, spec]) =>
    outside(spec).map((value) => [param, value, spec] as const),
  )

  it.skipIf(cases.length === 0).each(cases)(
    'rejects %s = %s in the batch function and the stream',
    (param, value, spec) => {
      const error = new RangeError(message(param, spec, value))
      const params: Params = { [param]: value }
      expect(() => runBatch(name, data, params)).toThrow(RangeError)
      expect(() => runBatch(name, data, params)).toThrow(error)
      expect(() => makeStream(name, params)).toThrow(error)
    },
  )

  it('takes every parameter at each end of its range', () => {
    for (const [param, spec] of specs) {
      // Periods at their largest run in the child process below: where memory followed the
      // period (MAVP's 100000 averages), they would stall this process.
      const ends =
        spec.type === 'choice'
          ? spec.values
          : spec.type === 'integer'
            ? [spec.min]
            : [spec.min, spec.max]
      for (const value of ends) {
        // MAVP's maxPeriod cannot be below its minPeriod (2 by default).
        const params: Params =
          name === 'mavp' && param === 'minPeriod'
            ? { [param]: value, maxPeriod: value }
            : { [param]: value }
        const out = runBatch(name, data, params)
        const first = out instanceof Float64Array ? out : Object.values(out)[0]
        expect(first?.length).toBe(10)
        const stream = makeStream(name, params)
        for (let i = 0; i < 10; i++) stream.update(streamInput(name, data, i))
      }
    }
  })
})

describe('the ranges of the issue', () => {
  it('refuses a deviation beyond ±3e37, a standard deviation of one bar and a period beyond 100000', () => {
    expect(() => ti.bbands([1, 2, 3], 5, 2, 4e37)).toThrow(
      new RangeError('devDown must be a number from -3e+37 to 3e+37, got 4e+37'),
    )
    expect(() => ti.stddev([1, 2, 3], 1)).toThrow(
      new RangeError('period must be an integer from 2 to 100000, got 1'),
    )
    expect(() => ti.mavp([1], [1], 2, 100_001)).toThrow(
      new RangeError('maxPeriod must be an integer from 2 to 100000, got 100001'),
    )
    expect(() => new ti.MavpStream(10, 5)).toThrow(
      new RangeError('maxPeriod must be an integer from minPeriod (10) to 100000, got 5'),
    )
  })
})

// In a child process with a small heap: on code whose memory follows the parameters (MAVP made
// one average per period up front, 100000 of them), the child dies or is stopped, and the test
// fails, instead of the runner.
describe('memory follows the input, not the parameters', () => {
  const CHILD = fileURLToPath(new URL('./memory-child.ts', import.meta.url))
  let rows: {
    name: string
    params: Params
    batchBuffers: number
    streamBuffers: number
    streamHeap: number
  }[] = []

  beforeAll(() => {
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', '--max-old-space-size=256', '--import', 'tsx', CHILD],
      // A guard, not a measure: a correct run takes seconds.
      { encoding: 'utf8', timeout: 150_000, killSignal: 'SIGKILL' },
    )
    expect(child.signal, `child stopped: ${child.stderr.slice(-2000)}`).toBeNull()
    expect(child.status, child.stderr.slice(-2000)).toBe(0)
    rows = child.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as (typeof rows)[number])
  }, 180_000)

  it('covers every indicator', () => {
    expect(new Set(rows.map((r) => r.name))).toEqual(new Set(NAMES))
  })

  it.each(NAMES)('%s: 10 bars with periods of 100000 keep and allocate kilobytes', (name) => {
    for (const row of rows.filter((r) => r.name === name)) {
      const label = `${name} ${JSON.stringify(row.params)}`
      // A window of 100000 values is 800 KB; MAVP's 100000 averages were hundreds of MB.
      expect(row.streamBuffers, label).toBeLessThan(64 * 1024)
      expect(row.batchBuffers, label).toBeLessThan(64 * 1024)
      expect(row.streamHeap, label).toBeLessThan(2 * 1024 * 1024)
    }
  })
})
