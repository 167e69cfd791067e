import { createHash } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import { formatUnits } from '../market.js'
import type { SimRoute } from '../simulator-types.js'
import { zipSingleFile } from '../zip.js'
import { DAY, MINUTE, type SimContext } from './context.js'
import { applyFault, slowDelay, type Faults } from './faults.js'
import { delay, notFound, send } from './http.js'

export interface ArchiveFile {
  readonly zip: Buffer
  readonly sha256: string
  readonly rows: number
}

type Variant = 'ok' | 'corrupt-zip' | 'bad-csv-row'
export type ArchiveKind = 'monthly' | 'daily'

export function utcDate(t: number): { y: number; m: number; d: number } {
  const date = new Date(t)
  return { y: date.getUTCFullYear(), m: date.getUTCMonth() + 1, d: date.getUTCDate() }
}

export const pad2 = (n: number): string => String(n).padStart(2, '0')

/** Parses an archive path's period ('2024-03' or '2024-03-05') into [start, end) in ms. */
export function periodBounds(period: string): { start: number; end: number } | null {
  const monthly = /^(\d{4})-(\d{2})$/.exec(period)
  if (monthly) {
    const y = Number(monthly[1])
    const m = Number(monthly[2])
    if (m < 1 || m > 12) return null
    return { start: Date.UTC(y, m - 1, 1), end: Date.UTC(y, m, 1) }
  }
  const daily = /^(\d{4})-(\d{2})-(\d{2})$/.exec(period)
  if (daily) {
    const start = Date.UTC(Number(daily[1]), Number(daily[2]) - 1, Number(daily[3]))
    if (utcDate(start).d !== Number(daily[3])) return null
    return { start, end: start + DAY }
  }
  return null
}

const ARCHIVE_PATH =
  /^\/data\/spot\/(monthly|daily)\/klines\/([A-Z0-9]+)\/1m\/(\2)-1m-(\d{4}-\d{2}(?:-\d{2})?)\.zip(\.CHECKSUM)?$/

export interface Archive {
  /** When a file becomes public (ms), or null if it never will be. */
  readonly publishedAt: (kind: ArchiveKind, symbol: string, period: string) => number | null
  readonly isPublished: (kind: ArchiveKind, symbol: string, period: string) => boolean
  /** The built file for this name, if it is cached (its real size for the listing). */
  cached(name: string): ArchiveFile | undefined
  handleArchive(res: ServerResponse, path: string, route: SimRoute): Promise<void>
}

/** The public archive on data.binance.vision: monthly and daily zips with their CHECKSUM files. */
export function createArchive(ctx: SimContext, faults: Faults): Archive {
  const { market, now, options } = ctx
  const monthlyDelayMs = (options.monthlyPublishDelayDays ?? 2) * DAY
  const lateMonthly = options.lateMonthly ?? {}
  const cache = new Map<string, ArchiveFile>()

  /** When a file becomes public (ms), or null if it never will be. */
  function publishedAt(kind: ArchiveKind, symbol: string, period: string): number | null {
    const bounds = periodBounds(period)
    if (bounds === null) return null
    if (kind === 'monthly') {
      if (lateMonthly[symbol]?.includes(period) === true) return null
      return bounds.end + monthlyDelayMs
    }
    return bounds.end
  }

  function isPublished(kind: ArchiveKind, symbol: string, period: string): boolean {
    if (!market.hasSymbol(symbol)) return false
    const at = publishedAt(kind, symbol, period)
    const bounds = periodBounds(period)
    if (at === null || bounds === null || now() < at) return false
    return !market.isEmptySpan(symbol, bounds.start, bounds.end)
  }

  /** The CSV of one archive period: Binance's 12 columns, µs timestamps from 2025 on. */
  function buildCsv(
    symbol: string,
    start: number,
    end: number,
    badLine: number | undefined,
  ): { csv: Buffer; rows: number } {
    const micro = start >= Date.UTC(2025, 0, 1)
    const parts: string[] = []
    let rows = 0
    for (
      let t = market.nextCandidate(symbol, start);
      t < end;
      t = market.nextCandidate(symbol, t + MINUTE)
    ) {
      const row = market.minute(symbol, t)
      if (row === null) continue
      rows += 1
      const open = micro ? `${t}000` : String(t)
      const close = micro ? `${t + MINUTE - 1}999` : String(t + MINUTE - 1)
      if (badLine === rows) {
        parts.push(
          `${open},${formatUnits(row.open)},not-a-number,${formatUnits(row.low)},${formatUnits(row.close)},${formatUnits(row.volume)},${close}\n`,
        )
        continue
      }
      parts.push(
        `${open},${formatUnits(row.open)},${formatUnits(row.high)},${formatUnits(row.low)},${formatUnits(row.close)},${formatUnits(row.volume)},${close},${formatUnits(row.quoteVolume)},${row.trades},${formatUnits(row.takerBase)},${formatUnits(row.takerQuote)},0\n`,
      )
    }
    return { csv: Buffer.from(parts.join('')), rows }
  }

  function archiveFile(
    symbol: string,
    name: string,
    period: string,
    variant: Variant,
    line: number | undefined,
  ): ArchiveFile {
    const key = `${name}#${variant}#${line ?? ''}`
    const hit = cache.get(key)
    if (hit !== undefined) {
      cache.delete(key)
      cache.set(key, hit)
      return hit
    }
    const bounds = periodBounds(period)
    if (bounds === null) throw new Error(`bad period ${period}`)
    const { csv, rows } = buildCsv(
      symbol,
      bounds.start,
      bounds.end,
      variant === 'bad-csv-row' ? (line ?? 100) : undefined,
    )
    let zip = zipSingleFile(name.replace(/\.zip$/, '.csv'), csv, new Date(bounds.end))
    if (variant === 'corrupt-zip') {
      zip = Buffer.from(zip)
      // Garble the deflate stream in the middle of the file (the CHECKSUM still matches these bytes).
      for (
        let i = Math.floor(zip.length / 3);
        i < Math.floor(zip.length / 3) + 64 && i < zip.length;
        i++
      ) {
        zip[i] = (zip[i] ?? 0) ^ 0x5a
      }
    }
    const file: ArchiveFile = { zip, sha256: createHash('sha256').update(zip).digest('hex'), rows }
    cache.set(key, file)
    while (cache.size > (options.archiveCacheSize ?? 48)) {
      const oldest = cache.keys().next().value
      if (oldest === undefined) break
      cache.delete(oldest)
    }
    return file
  }

  async function handleArchive(res: ServerResponse, path: string, route: SimRoute): Promise<void> {
    const match = ARCHIVE_PATH.exec(path)
    const key = path.slice(1)
    if (match === null) return notFound(res, key)
    const kind = match[1] as ArchiveKind
    const symbol = match[2] ?? ''
    const period = match[4] ?? ''
    const isMonthly = kind === 'monthly'
    if (isMonthly !== /^\d{4}-\d{2}$/.test(period)) return notFound(res, key)
    const fileName = `${symbol}-1m-${period}.zip`
    const fault = faults.take(route, symbol, fileName)
    await delay(slowDelay(fault))
    if (applyFault(res, fault, route)) return
    if (!isPublished(kind, symbol, period)) return notFound(res, key)
    const content = faults.content(fileName, symbol, route === 'archive-zip')
    const variant: Variant =
      content?.kind === 'corrupt-zip'
        ? 'corrupt-zip'
        : content?.kind === 'bad-csv-row'
          ? 'bad-csv-row'
          : 'ok'
    const file = archiveFile(symbol, fileName, period, variant, content?.line)
    const lastModified = new Date(publishedAt(kind, symbol, period) ?? 0).toUTCString()
    if (route === 'archive-zip') {
      send(res, 200, file.zip, {
        'content-type': 'application/zip',
        'last-modified': lastModified,
        etag: `"${file.sha256.slice(0, 32)}"`,
      })
      return
    }
    const sha =
      content?.kind === 'checksum-mismatch'
        ? createHash('sha256').update(`${fileName}:mismatch`).digest('hex')
        : file.sha256
    // Monthly CHECKSUM files end without a newline, like the real one in shared/realdata.
    const line = `${sha}  ${fileName}${isMonthly ? '' : '\n'}`
    send(res, 200, line, { 'content-type': 'binary/octet-stream', 'last-modified': lastModified })
  }

  return {
    publishedAt,
    isPublished,
    cached: (name) => cache.get(`${name}#ok#`),
    handleArchive,
  }
}
