import { Kernel, runClose } from '../internal/kernel.js'
import { checkParams, rememberParams } from '../internal/params.js'
import { Ring } from '../internal/ring.js'
type Change = 'mom' | 'rocp' | 'rocr' | 'rocr100'

/** Bars before the first value of mom, rocp, rocr and rocr100: `period`. */
export function changeLookback(period = 10): number {
  checkParams('mom', { period })
  return period
}

class ChangeKernel extends Kernel<number, number> {
  readonly lookback: number
  private readonly w: Ring
  private readonly kind: Change

  constructor(period: number, kind: Change) {
    super()
    this.lookback = changeLookback(period)
    this.w = new Ring(period + 1)
    this.kind = kind
  }

  protected step(x: number): number {
    this.w.push(x)
    if (!this.w.full) return NaN
    const old = this.w.at(this.lookback)
    switch (this.kind) {
      case 'mom':
        return x - old
      case 'rocp':
        return old !== 0 ? (x - old) / old : 0
      case 'rocr':
        return old !== 0 ? x / old : 0
      case 'rocr100':
        return old !== 0 ? (x / old) * 100.0 : 0
    }
  }
}

/** Streaming momentum. @see TA-Lib ta_MOM.c */
export class MomStream extends ChangeKernel {
  constructor(period = 10) {
    super(period, 'mom')
    rememberParams(this, { period })
  }
}

/** Streaming ROCP. @see TA-Lib ta_ROCP.c */
export class RocpStream extends ChangeKernel {
  constructor(period = 10) {
    super(period, 'rocp')
    rememberParams(this, { period })
  }
}

/** Streaming ROCR. @see TA-Lib ta_ROCR.c */
export class RocrStream extends ChangeKernel {
  constructor(period = 10) {
    super(period, 'rocr')
    rememberParams(this, { period })
  }
}

/** Streaming ROCR100. @see TA-Lib ta_ROCR100.c */
export class Rocr100Stream extends ChangeKernel {
  constructor(period = 10) {
    super(period, 'rocr100')
    rememberParams(this, { period })
  }
}

/** Momentum: `close − close[period]`. Warm-up `period`. @see TA-Lib ta_MOM.c */
export function mom(close: ArrayLike<number>, period = 10, out?: Float64Array): Float64Array {
  return runClose(new MomStream(period), close, out)
}

/** Rate of change as a fraction: `(close − prev) / prev` (0 when prev is 0). @see TA-Lib ta_ROCP.c */
export function rocp(close: ArrayLike<number>, period = 10, out?: Float64Array): Float64Array {
  return runClose(new RocpStream(period), close, out)
}

/** Rate of change ratio: `close / prev` (0 when prev is 0). @see TA-Lib ta_ROCR.c */
export function rocr(close: ArrayLike<number>, period = 10, out?: Float64Array): Float64Array {
  return runClose(new RocrStream(period), close, out)
}

/** Rate of change ratio × 100: `close / prev · 100`. @see TA-Lib ta_ROCR100.c */
export function rocr100(close: ArrayLike<number>, period = 10, out?: Float64Array): Float64Array {
  return runClose(new Rocr100Stream(period), close, out)
}
