import type { ServerResponse } from 'node:http'
import type { SimFault, SimRoute } from '../simulator-types.js'
import { binanceError, coingeckoRateLimited, json, send } from './http.js'

interface ActiveFault {
  readonly fault: SimFault
  remaining: number
}

/** The injected faults: which request takes which one, and how a fault answers. */
export interface Faults {
  add(fault: SimFault): void
  clear(): void
  /** The next answer fault (not a content fault) for this request, consumed. */
  take(route: SimRoute, symbol: string | undefined, file: string | undefined): SimFault | undefined
  /** A content fault for this archive file, if any (counted on zip requests only). */
  content(file: string, symbol: string, consume: boolean): SimFault | undefined
  /** The /coins/markets body as JSON, with the 'coin-fields' faults applied to their coins. */
  coinBody(body: Record<string, unknown>[]): string
}

export function createFaults(): Faults {
  const faults: ActiveFault[] = []
  return {
    add(fault) {
      faults.push({ fault, remaining: fault.times ?? Number.POSITIVE_INFINITY })
    },
    clear() {
      faults.length = 0
    },
    take(route, symbol, file) {
      for (const active of faults) {
        const f = active.fault
        if (f.route !== route || active.remaining <= 0) continue
        if (f.symbol !== undefined && f.symbol !== symbol) continue
        if (f.file !== undefined && (file === undefined || !file.includes(f.file))) continue
        if (
          f.kind === 'checksum-mismatch' ||
          f.kind === 'corrupt-zip' ||
          f.kind === 'bad-csv-row' ||
          f.kind === 'coin-fields'
        ) {
          continue // content faults are applied where the file or the body is built
        }
        active.remaining -= 1
        return f
      }
      return undefined
    },
    content(file, symbol, consume) {
      for (const active of faults) {
        const f = active.fault
        if (f.route !== 'archive-zip' && f.route !== 'archive-checksum') continue
        if (
          f.kind !== 'checksum-mismatch' &&
          f.kind !== 'corrupt-zip' &&
          f.kind !== 'bad-csv-row'
        ) {
          continue
        }
        if (active.remaining <= 0) continue
        if (f.symbol !== undefined && f.symbol !== symbol) continue
        if (f.file !== undefined && !file.includes(f.file)) continue
        if (consume) active.remaining -= 1
        return f
      }
      return undefined
    },
    coinBody(body) {
      const raw: string[] = []
      for (const active of faults) {
        const f = active.fault
        if (f.kind !== 'coin-fields' || active.remaining <= 0) continue
        const coin = body.find((c) => c.id === f.coin)
        if (coin === undefined) continue
        active.remaining -= 1
        Object.assign(coin, f.fields ?? {})
        for (const [key, text] of Object.entries(f.rawFields ?? {})) {
          coin[key] = `@@raw${raw.length}@@`
          raw.push(text)
        }
      }
      return json(body).replace(/"@@raw(\d+)@@"/g, (_, i: string) => raw[Number(i)] ?? 'null')
    },
  }
}

/** Answers an injected fault; returns true when the request was consumed by it. */
export function applyFault(
  res: ServerResponse,
  fault: SimFault | undefined,
  route: SimRoute,
): boolean {
  if (fault === undefined) return false
  switch (fault.kind) {
    case '5xx':
      send(
        res,
        fault.status ?? 503,
        route === 'coins-markets'
          ? 'Service Unavailable'
          : '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>',
        { 'content-type': 'text/html' },
      )
      return true
    case 'drop':
      res.socket?.destroy()
      return true
    case '429':
      if (route === 'coins-markets') {
        coingeckoRateLimited(res)
      } else {
        binanceError(res, 429, -1003, 'Too much request weight used.', {
          'retry-after': String(fault.retryAfterSec ?? 1),
        })
      }
      return true
    case '418':
      binanceError(res, 418, -1003, 'Way too much request weight used; IP banned.', {
        'retry-after': String(fault.retryAfterSec ?? 2),
      })
      return true
    case '451':
      send(
        res,
        451,
        json({
          code: 0,
          msg: "Service unavailable from a restricted location according to 'b. Eligibility' in https://www.binance.com/en/terms. Please contact customer service if you believe you received this message in error.",
        }),
        { 'content-type': 'application/json' },
      )
      return true
    case 'invalid-symbol':
      binanceError(res, 400, -1121, 'Invalid symbol.')
      return true
    case 'slow':
    case 'coin-fields':
    case 'checksum-mismatch':
    case 'corrupt-zip':
    case 'bad-csv-row':
      return false
  }
}

export function slowDelay(fault: SimFault | undefined): number {
  return fault?.kind === 'slow' ? (fault.delayMs ?? 2_000) : 0
}
