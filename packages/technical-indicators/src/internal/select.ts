/**
 * Branch-free choices for hot loops. Whether one price exceeds another is a coin toss on market
 * data, so an `if` mispredicts about half the time (15–20 cycles each); reading the answer from a
 * two-slot typed array indexed by the comparison costs a store and a load. Exact: each returns one
 * of its inputs, with the `if` semantics (a comparison with NaN is false). Not reentrant, and
 * nothing here awaits, so one pair of slots serves every caller.
 */
const slots = new Float64Array(2)

/** `b > a ? b : a` (TA-Lib's `if (b > a) a = b`). */
export function keepGreater(a: number, b: number): number {
  slots[0] = a
  slots[1] = b
  return slots[+(b > a)] as number
}

/** `b < a ? b : a` (TA-Lib's `if (b < a) a = b`). */
export function keepLess(a: number, b: number): number {
  slots[0] = a
  slots[1] = b
  return slots[+(b < a)] as number
}

/** `condition ? value : 0`: what a conditional `+=` adds (adding 0 leaves a sum as it was). */
export function valueIf(condition: boolean, value: number): number {
  slots[0] = 0
  slots[1] = value
  return slots[+condition] as number
}

/**
 * True range, TA-Lib's `greatest = h − l; if (|h − prevClose| > greatest) …; if (|l − prevClose| >
 * greatest) …`, branch-free (a NaN previous close is passed over, as there).
 */
export function trueRange(h: number, l: number, previousClose: number): number {
  return keepGreater(keepGreater(h - l, Math.abs(previousClose - h)), Math.abs(l - previousClose))
}
