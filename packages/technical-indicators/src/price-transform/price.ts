import { Kernel, runBarsInto } from '../internal/kernel.js'
import { type Bar } from '../stream.js'
type Price = 'avg' | 'med' | 'typ' | 'wcl'

class PriceKernel extends Kernel<Bar, number> {
  readonly lookback = 0
  private readonly kind: Price

  constructor(kind: Price) {
    super()
    this.kind = kind
  }

  protected step(b: Bar): number {
    switch (this.kind) {
      case 'avg':
        return (b.high + b.low + b.close + b.open) / 4
      case 'med':
        return (b.high + b.low) / 2.0
      case 'typ':
        return (b.high + b.low + b.close) / 3.0
      case 'wcl':
        return (b.high + b.low + b.close * 2.0) / 4.0
    }
  }
}

/** Streaming AVGPRICE. @see TA-Lib ta_AVGPRICE.c */
export class AvgpriceStream extends PriceKernel {
  constructor() {
    super('avg')
  }
}

/** Streaming MEDPRICE. @see TA-Lib ta_MEDPRICE.c */
export class MedpriceStream extends PriceKernel {
  constructor() {
    super('med')
  }
}

/** Streaming TYPPRICE. @see TA-Lib ta_TYPPRICE.c */
export class TyppriceStream extends PriceKernel {
  constructor() {
    super('typ')
  }
}

/** Streaming WCLPRICE. @see TA-Lib ta_WCLPRICE.c */
export class WclpriceStream extends PriceKernel {
  constructor() {
    super('wcl')
  }
}

/** `(open + high + low + close) / 4`. @see TA-Lib ta_AVGPRICE.c */
export function avgprice(
  open: ArrayLike<number>,
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  out?: Float64Array,
): Float64Array {
  return runBarsInto(new AvgpriceStream(), { open, high, low, close }, out)
}

/** `(high + low) / 2`. @see TA-Lib ta_MEDPRICE.c */
export function medprice(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  out?: Float64Array,
): Float64Array {
  return runBarsInto(new MedpriceStream(), { high, low }, out)
}

/** `(high + low + close) / 3`. @see TA-Lib ta_TYPPRICE.c */
export function typprice(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  out?: Float64Array,
): Float64Array {
  return runBarsInto(new TyppriceStream(), { high, low, close }, out)
}

/** `(high + low + 2·close) / 4`. @see TA-Lib ta_WCLPRICE.c */
export function wclprice(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  out?: Float64Array,
): Float64Array {
  return runBarsInto(new WclpriceStream(), { high, low, close }, out)
}
