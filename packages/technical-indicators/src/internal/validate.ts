/** TA-Lib's epsilon: sums below it count as zero (ta_utility.h: 1e-14) (TA_IS_ZERO, TA_IS_ZERO_OR_NEG). */
export const TA_EPSILON = 0.00000000000001

/** Throws RangeError unless `value` is an integer in [min, max] (TA-Lib's parameter ranges). */
export function assertPeriod(name: string, value: number, min = 2, max = 100_000): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`)
  }
}

/** Throws RangeError unless `value` is a finite number. */
export function assertFinite(name: string, value: number): void {
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be a finite number, got ${value}`)
}

/** A NaN-filled output of `length`, or the caller's buffer (checked and NaN-filled). */
export function output(length: number, out: Float64Array | undefined): Float64Array {
  if (out === undefined) return new Float64Array(length).fill(Number.NaN)
  if (out.length < length) {
    throw new RangeError(`output buffer holds ${out.length} values, ${length} are needed`)
  }
  return out.fill(Number.NaN, 0, length)
}

/** Throws RangeError unless every input has the length of the first. */
export function assertSameLength(...inputs: readonly ArrayLike<number>[]): number {
  const length = inputs[0]?.length ?? 0
  for (const input of inputs) {
    if (input.length !== length) throw new RangeError('inputs must have the same length')
  }
  return length
}
