import { CATALOGUE, type IndicatorName, type ParamSpec } from '../catalogue.js'

/** A value as an error message shows it: strings quoted, numbers as JavaScript prints them. */
function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}

/** Throws RangeError, naming the parameter, its range and the value, unless `value` fits `spec`. */
export function checkParam(name: string, spec: ParamSpec, value: unknown): void {
  switch (spec.type) {
    case 'integer':
      if (
        typeof value !== 'number' ||
        !Number.isInteger(value) ||
        value < spec.min ||
        value > spec.max
      ) {
        throw new RangeError(
          `${name} must be an integer from ${spec.min} to ${spec.max}, got ${shown(value)}`,
        )
      }
      return
    case 'real':
      if (typeof value !== 'number' || !(value >= spec.min && value <= spec.max)) {
        throw new RangeError(
          `${name} must be a number from ${spec.min} to ${spec.max}, got ${shown(value)}`,
        )
      }
      return
    case 'choice':
      if (typeof value !== 'string' || !spec.values.includes(value)) {
        throw new RangeError(
          `${name} must be one of ${spec.values.join(', ')}, got ${shown(value)}`,
        )
      }
  }
}

type ParamsOf<K extends IndicatorName> = (typeof CATALOGUE)[K]['params']

/**
 * Checks `values` against `indicator`'s parameter ranges in the catalogue.
 * @throws RangeError naming the first parameter out of its range, the range and the value.
 */
export function checkParams<K extends IndicatorName>(
  indicator: K,
  values: { readonly [P in keyof ParamsOf<K>]?: unknown },
): void {
  const specs = CATALOGUE[indicator].params as Readonly<Record<string, ParamSpec>>
  for (const [name, value] of Object.entries(values)) {
    checkParam(name, specs[name] as ParamSpec, value)
  }
}

/** The parameters each stream was made with, as given (see `saveState`). */
const given = new WeakMap<object, object>()

/** Keeps the parameters `stream` was made with, for its saved state. */
export function rememberParams(stream: object, params: object): void {
  given.set(stream, params)
}

/** The parameters `stream` was made with (none for the streams that take none). */
export function paramsOf(stream: object): Readonly<Record<string, unknown>> {
  return (given.get(stream) ?? {}) as Readonly<Record<string, unknown>>
}
