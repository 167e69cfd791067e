import { TradingAlertsError } from '../errors.js'

/**
 * Saves and restores the state of a streaming indicator, so the indicators job continues a run
 * exactly where the previous one stopped. The state is the object graph of the stream (numbers,
 * typed arrays, arrays and nested objects); restoring writes it back into a freshly constructed
 * stream of the same indicator and parameters, so no class needs to be named in the data. Numbers
 * that JSON cannot hold (NaN, ±Infinity) are kept as `{ "$n": "NaN" }`.
 */
export type StateJson = null | boolean | number | string | StateJson[] | { [k: string]: StateJson }

type TypedArray =
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array

function isTypedArray(v: unknown): v is TypedArray {
  return ArrayBuffer.isView(v) && !(v instanceof DataView)
}

function num(v: number): StateJson {
  return Number.isFinite(v) ? v : { $n: String(v) }
}

function unnum(v: StateJson, path: string): number {
  if (typeof v === 'number') return v
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && typeof v.$n === 'string') {
    return Number(v.$n)
  }
  throw mismatch(path)
}

function mismatch(path: string): TradingAlertsError {
  return new TradingAlertsError(
    'STATE_MISMATCH',
    `saved indicator state does not fit the stream at ${path}`,
  )
}

/** Plain data from its JSON form: `$u` undefined, `$n` non-finite numbers, `$ta` typed arrays. */
function materialize(d: StateJson, path: string): unknown {
  if (d === null || typeof d !== 'object') return d
  if (Array.isArray(d)) return d.map((x, i) => materialize(x, `${path}[${i}]`))
  if (d.$u === true) return undefined
  if (typeof d.$n === 'string') return unnum(d, path)
  if (Array.isArray(d.$ta)) return Float64Array.from(d.$ta, (x) => unnum(x, path))
  const out: Record<string, unknown> = {}
  for (const [k, x] of Object.entries(d)) out[k] = materialize(x, `${path}.${k}`)
  return out
}

/** The state of `stream` as JSON-safe data. */
export function snapshotState(stream: object): StateJson {
  const walk = (v: unknown, depth: number): StateJson => {
    if (depth > 16) throw new TradingAlertsError('STATE_MISMATCH', 'indicator state is too deep')
    if (typeof v === 'number') return num(v)
    if (typeof v === 'boolean' || typeof v === 'string' || v === null) return v
    if (v === undefined) return { $u: true }
    if (isTypedArray(v)) return { $ta: Array.from(v, (x) => num(x)) }
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1))
    if (typeof v === 'object') {
      const out: Record<string, StateJson> = {}
      for (const [k, x] of Object.entries(v)) {
        if (typeof x !== 'function') out[k] = walk(x, depth + 1)
      }
      return out
    }
    throw new TradingAlertsError('STATE_MISMATCH', `cannot save a ${typeof v} in indicator state`)
  }
  return walk(stream, 0)
}

/**
 * Writes `state` (from `snapshotState`) into `stream`, a fresh stream built with the same
 * indicator and parameters. @throws TradingAlertsError('STATE_MISMATCH') when the shapes differ.
 */
export function restoreState<T extends object>(stream: T, state: StateJson): T {
  const into = (target: Record<string, unknown>, data: StateJson, path: string) => {
    if (data === null || typeof data !== 'object' || Array.isArray(data)) throw mismatch(path)
    const keys = Object.keys(target).filter((k) => typeof target[k] !== 'function')
    if (keys.length !== Object.keys(data).length) throw mismatch(path)
    for (const k of keys) {
      const d = data[k]
      if (d === undefined) throw mismatch(`${path}.${k}`)
      target[k] = value(target[k], d, `${path}.${k}`)
    }
  }
  const value = (current: unknown, d: StateJson, path: string): unknown => {
    if (typeof current === 'number') return unnum(d, path)
    if (typeof current === 'boolean' || typeof current === 'string' || current === null) {
      if (d !== null && typeof d === 'object') throw mismatch(path)
      return d
    }
    if (current === undefined) {
      if (d !== null && typeof d === 'object' && !Array.isArray(d) && d.$u === true)
        return undefined
      // A field that starts undefined may hold a value later: a number, or plain data such as the
      // last bar's saved state, rebuilt as it was (typed arrays as Float64Array).
      return materialize(d, path)
    }
    if (isTypedArray(current)) {
      if (d === null || typeof d !== 'object' || Array.isArray(d) || !Array.isArray(d.$ta)) {
        throw mismatch(path)
      }
      const values = d.$ta
      // A window grows with the bars it has seen (technical-indicators' Ring): a fresh stream's
      // buffer may be smaller than the saved one, so it takes the saved length.
      const into =
        values.length === current.length
          ? current
          : new (current.constructor as Float64ArrayConstructor)(values.length)
      for (let i = 0; i < values.length; i++) into[i] = unnum(values[i] ?? null, path)
      return into
    }
    if (Array.isArray(current)) {
      if (!Array.isArray(d)) throw mismatch(path)
      // Arrays of numbers may change length (e.g. deques); arrays of objects keep their shape.
      if (current.length > 0 && typeof current[0] === 'object') {
        if (d.length !== current.length) throw mismatch(path)
        d.forEach((x, i) => {
          current[i] = value(current[i], x, `${path}[${i}]`)
        })
        return current
      }
      return d.map((x, i) => unnum(x, `${path}[${i}]`))
    }
    if (typeof current === 'object') {
      into(current as Record<string, unknown>, d, path)
      return current
    }
    throw mismatch(path)
  }
  into(stream as unknown as Record<string, unknown>, state, 'stream')
  return stream
}
