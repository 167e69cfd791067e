/** TA-Lib's epsilon: sums below it count as zero (ta_utility.h: 1e-14) (TA_IS_ZERO, TA_IS_ZERO_OR_NEG). */
export const TA_EPSILON = 0.00000000000001

/** TA-Lib's TA_IS_ZERO: within its epsilon of 0 (NaN is not zero). */
export function isZero(v: number): boolean {
  return -TA_EPSILON < v && v < TA_EPSILON
}

/**
 * An output of `length` (or the caller's buffer, checked) with NaN in the warm-up bars
 * [0, warmup). Every indicator writes every bar from `warmup` on; `warmup` defaults to all bars.
 */
export function output(
  length: number,
  out: Float64Array | undefined,
  warmup = length,
): Float64Array {
  const result = out ?? new Float64Array(length)
  if (result.length < length) {
    throw new RangeError(`output buffer holds ${result.length} values, ${length} are needed`)
  }
  return result.fill(Number.NaN, 0, Math.min(warmup, length))
}

/** Throws RangeError unless every input has the length of the first. */
export function assertSameLength(...inputs: readonly ArrayLike<number>[]): number {
  const length = inputs[0]?.length ?? 0
  for (const input of inputs) {
    if (input.length !== length) throw new RangeError('inputs must have the same length')
  }
  return length
}
