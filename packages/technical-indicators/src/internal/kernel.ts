import { assertSameLength, output } from './validate.js'
import { type Bar, type Stream } from '../stream.js'
/** A kernel's state: numbers, copies of typed arrays, nested states (plain data, JSON-friendly). */
type Saved = { [key: string]: unknown }

function save(target: object): Saved {
  const saved: Saved = {}
  for (const [key, value] of Object.entries(target)) {
    if (key === 'snapshot') continue
    if (ArrayBuffer.isView(value)) saved[key] = (value as Float64Array).slice()
    else if (typeof value === 'object' && value !== null) saved[key] = save(value as object)
    else if (typeof value !== 'function') saved[key] = value
  }
  return saved
}

function restore(target: object, saved: Saved): void {
  const t = target as Record<string, unknown>
  for (const [key, value] of Object.entries(saved)) {
    const current = t[key]
    if (ArrayBuffer.isView(current)) {
      // A ring that grew since the save gets its smaller buffer back (see Ring).
      const values = value as Float64Array
      if (values.length === (current as Float64Array).length) (current as Float64Array).set(values)
      else t[key] = values.slice()
    } else if (typeof current === 'object' && current !== null) restore(current, value as Saved)
    else t[key] = value
  }
}

/**
 * A stream whose structure grows with its bars (MAVP's averages) has this method: `restoreState`
 * calls it with the saved state before writing the state into a fresh stream of it.
 */
export const BEFORE_RESTORE: unique symbol = Symbol('before restore')

/**
 * A stream that batch functions and composite indicators step with `next`, which keeps nothing for
 * `replace`: every `Kernel`, and the streams of the averages MA builds (SMA, EMA, WMA).
 */
export interface Step<In, Out> extends Stream<In, Out> {
  next(input: In): Out
}

/**
 * The streaming core of the indicators beyond the first fifteen: `step` consumes one input and
 * returns the value at that bar. `update` saves the state first (numbers, typed arrays, nested
 * kernels), so `replace` can restore it and step again; batch functions call `next`, which saves
 * nothing. One implementation serves both APIs, so a stream equals its batch function by
 * construction.
 */
export abstract class Kernel<In, Out> implements Step<In, Out> {
  abstract readonly lookback: number
  private snapshot: Saved | undefined = undefined

  protected abstract step(input: In): Out

  /** Consumes a bar without keeping the state for `replace` (batch use). */
  next(input: In): Out {
    return this.step(input)
  }

  update(input: In): Out {
    this.snapshot = save(this)
    return this.step(input)
  }

  replace(input: In): Out {
    if (this.snapshot === undefined) return this.update(input)
    restore(this, this.snapshot)
    return this.step(input)
  }
}

/** Runs a close-fed kernel over `close` into a Float64Array (NaN in the warm-up). */
export function runClose(
  kernel: Kernel<number, number>,
  close: ArrayLike<number>,
  out: Float64Array | undefined,
): Float64Array {
  const n = close.length
  const result = output(n, out, 0)
  for (let i = 0; i < n; i++) result[i] = kernel.next(close[i] as number)
  return result
}

/** Runs a close-fed kernel with named outputs into one Float64Array per output (`out` reused). */
export function runCloseOutputs<K extends string>(
  kernel: Kernel<number, Readonly<Record<K, number>>>,
  close: ArrayLike<number>,
  names: readonly K[],
  out: Partial<Record<K, Float64Array>>,
): Record<K, Float64Array> {
  const n = close.length
  const result = {} as Record<K, Float64Array>
  for (const name of names) result[name] = output(n, out[name], 0)
  for (let i = 0; i < n; i++) {
    const v = kernel.next(close[i] as number)
    for (const name of names) result[name][i] = v[name]
  }
  return result
}

/** The inputs a bar-fed batch function takes; missing series read as NaN. */
export interface BarSeries {
  readonly open?: ArrayLike<number>
  readonly high?: ArrayLike<number>
  readonly low?: ArrayLike<number>
  readonly close?: ArrayLike<number>
  readonly volume?: ArrayLike<number>
}

/** Runs a bar-fed kernel over the series, with one reused bar object (no allocation per bar). */
export function runBars<Out>(
  kernel: Kernel<Bar, Out>,
  n: number,
  series: BarSeries,
  each: (value: Out, i: number) => void,
): void {
  const bar = { open: NaN, high: NaN, low: NaN, close: NaN, volume: NaN }
  const { open, high, low, close, volume } = series
  for (let i = 0; i < n; i++) {
    if (open !== undefined) bar.open = open[i] as number
    if (high !== undefined) bar.high = high[i] as number
    if (low !== undefined) bar.low = low[i] as number
    if (close !== undefined) bar.close = close[i] as number
    if (volume !== undefined) bar.volume = volume[i] as number
    each(kernel.next(bar), i)
  }
}

/** The series given, which must have one length. */
function given(series: BarSeries): ArrayLike<number>[] {
  const all = [series.open, series.high, series.low, series.close, series.volume]
  return all.filter((s): s is ArrayLike<number> => s !== undefined)
}

/** Runs a bar-fed kernel of one output over the series (of one length) into a Float64Array. */
export function runBarsInto(
  kernel: Kernel<Bar, number>,
  series: BarSeries,
  out: Float64Array | undefined,
): Float64Array {
  const n = assertSameLength(...given(series))
  const result = output(n, out, 0)
  runBars(kernel, n, series, (v, i) => (result[i] = v))
  return result
}

/** Runs a bar-fed kernel of named outputs over the series into one Float64Array each. */
export function runBarsOutputs<K extends string>(
  kernel: Kernel<Bar, Readonly<Record<K, number>>>,
  series: BarSeries,
  names: readonly K[],
  out: Partial<Record<K, Float64Array>>,
): Record<K, Float64Array> {
  const n = assertSameLength(...given(series))
  const result = {} as Record<K, Float64Array>
  for (const name of names) result[name] = output(n, out[name], 0)
  runBars(kernel, n, series, (v, i) => {
    for (const name of names) result[name][i] = v[name]
  })
  return result
}
