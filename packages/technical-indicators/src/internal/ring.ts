/** Slots a ring starts with; it doubles from there as values come, up to its size. */
const FIRST_SLOTS = 16

/**
 * The last `size` values of a series, by absolute index (0 = the first value written) or counted
 * back from the newest (`push`, `at`). The buffer grows with the values, doubling up to `size`,
 * so a window of 100000 bars that has seen 10 holds 16 slots: memory follows the bars given, not
 * the period asked for. It only wraps once it holds `size` slots, so index `i` lives in slot
 * `i % values.length` at every size, the slot order TA-Lib's circular buffers sum in included.
 * Plain data (numbers and a typed array), so a stream holding it can save and restore its state.
 */
export class Ring {
  values: Float64Array
  readonly size: number
  /** Values pushed so far (`push` only; `set` leaves it to the caller). */
  count = 0

  constructor(size: number, slots = Math.min(size, FIRST_SLOTS)) {
    this.size = size
    this.values = new Float64Array(slots)
  }

  /** The value at absolute index `i`, one of the last `size` written. */
  get(i: number): number {
    return this.values[i % this.values.length] as number
  }

  /** Writes the value at absolute index `i` (the next one, or one of the last `size`). */
  set(i: number, v: number): void {
    let values = this.values
    if (i >= values.length && values.length < this.size) values = this.grow(i + 1)
    values[i % values.length] = v
  }

  /** Appends `v`. */
  push(v: number): void {
    this.set(this.count, v)
    this.count++
  }

  /** The value `back` pushes ago (0: the newest). */
  at(back: number): number {
    return this.get(this.count - 1 - back)
  }

  /** Replaces the newest value (the still-open bar). */
  setLast(v: number): void {
    this.values[(this.count - 1) % this.values.length] = v
  }

  /** Whether `size` values have been pushed. */
  get full(): boolean {
    return this.count >= this.size
  }

  private grow(needed: number): Float64Array {
    const old = this.values
    const values = new Float64Array(Math.min(this.size, Math.max(needed, 2 * old.length)))
    values.set(old)
    this.values = values
    return values
  }
}

const SOURCE: unique symbol = Symbol('source')

/**
 * A ring that reads another one: the window of a moving average that MAVP runs beside the others
 * over the same input (`sharedInput`). It counts its own pushes (its average starts later than the
 * input) and reads the values from `source`, which its owner pushes to once for all of them; the
 * source is kept under a symbol, so state walkers pass over it.
 */
class RingView extends Ring {
  readonly [SOURCE]: Ring

  constructor(source: Ring, size: number) {
    // No buffer of its own: `size` is the window of its reader.
    super(size, 0)
    this[SOURCE] = source
  }

  override get(i: number): number {
    return this[SOURCE].get(i - this.count + this[SOURCE].count)
  }

  override set(): void {}

  override setLast(): void {}
}

let shared: Ring | undefined

/**
 * Builds with every input window made inside (`inputRing`) reading `source` instead of holding
 * its own values: MAVP's averages, one per period, all read the one history of the input, so their
 * windows cost nothing beyond it.
 */
export function sharedInput<T>(source: Ring, build: () => T): T {
  shared = source
  try {
    return build()
  } finally {
    shared = undefined
  }
}

/** The window of an average's input: its own ring, or a view of the shared one (`sharedInput`). */
export function inputRing(size: number): Ring {
  return shared === undefined ? new Ring(size) : new RingView(shared, size)
}
