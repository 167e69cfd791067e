import { crc32, inflateRawSync } from 'node:zlib'
import { ArchiveFormatError } from '../errors.js'
import { KLINE_INTERVALS, type Kline, type KlineColumns, type KlineInterval } from './kline.js'

/**
 * Binance's public data archive (data.binance.vision): file names, periods, CHECKSUM files, zips
 * and the kline CSV inside them. Everything here is pure; the download lives in BinanceAPI.
 *
 * @see https://github.com/binance/binance-public-data
 */

export type ArchivePeriodKind = 'monthly' | 'daily'

/** An archive period: a calendar month (`2024-03`) or day (`2024-03-05`), as [start, end) in ms UTC. */
export interface ArchivePeriod {
  readonly kind: ArchivePeriodKind
  readonly period: string
  readonly start: number
  readonly end: number
}

const DAY = 86_400_000
const pad2 = (n: number): string => String(n).padStart(2, '0')

/** Parses `2024-03` (monthly) or `2024-03-05` (daily). Throws RangeError on anything else. */
export function parseArchivePeriod(period: string): ArchivePeriod {
  const monthly = /^(\d{4})-(\d{2})$/.exec(period)
  if (monthly !== null) {
    const y = Number(monthly[1])
    const m = Number(monthly[2])
    if (m >= 1 && m <= 12) {
      return { kind: 'monthly', period, start: Date.UTC(y, m - 1, 1), end: Date.UTC(y, m, 1) }
    }
  }
  const daily = /^(\d{4})-(\d{2})-(\d{2})$/.exec(period)
  if (daily !== null) {
    const start = Date.UTC(Number(daily[1]), Number(daily[2]) - 1, Number(daily[3]))
    if (new Date(start).toISOString().slice(0, 10) === period) {
      return { kind: 'daily', period, start, end: start + DAY }
    }
  }
  throw new RangeError(`"${period}" is not an archive period (YYYY-MM or YYYY-MM-DD)`)
}

/** The monthly period containing `t` (`2024-03`). */
export function monthOf(t: number): string {
  const d = new Date(t)
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}`
}

/** The daily period containing `t` (`2024-03-05`). */
export function dayOf(t: number): string {
  return new Date(t).toISOString().slice(0, 10)
}

/** `BTCUSDT-1m-2024-03.zip` */
export function archiveFileName(symbol: string, interval: KlineInterval, period: string): string {
  return `${symbol}-${interval}-${period}.zip`
}

/** `{dataUrl}/data/spot/monthly/klines/BTCUSDT/1m/BTCUSDT-1m-2024-03.zip` */
export function archiveFileUrl(
  dataUrl: string,
  symbol: string,
  interval: KlineInterval,
  period: string,
): string {
  const { kind } = parseArchivePeriod(period)
  const base = dataUrl.replace(/\/+$/, '')
  return `${base}/data/spot/${kind}/klines/${symbol}/${interval}/${archiveFileName(symbol, interval, period)}`
}

/** The S3 listing prefix of a symbol's files: `data/spot/monthly/klines/BTCUSDT/1m/`. */
export function archiveListingPrefix(
  symbol: string,
  kind: ArchivePeriodKind,
  interval: KlineInterval,
): string {
  return `data/spot/${kind}/klines/${symbol}/${interval}/`
}

/**
 * Reads a `.CHECKSUM` file: one line `<64 hex sha256><two spaces><file name>`, with or without a
 * trailing newline. Returns the lower-case hex digest.
 */
export function parseChecksumFile(text: string, expectedFileName: string): string {
  const line = text.replace(/\r?\n$/, '')
  const match = /^([0-9a-fA-F]{64}) [ *]?(\S+)$/.exec(line.trim())
  if (match === null) {
    throw new ArchiveFormatError({
      file: `${expectedFileName}.CHECKSUM`,
      line: 1,
      detail: 'expected "<64 hex sha256>  <file name>"',
    })
  }
  if (match[2] !== expectedFileName) {
    throw new ArchiveFormatError({
      file: `${expectedFileName}.CHECKSUM`,
      line: 1,
      detail: `names "${match[2]}", not "${expectedFileName}"`,
    })
  }
  return (match[1] ?? '').toLowerCase()
}

/**
 * Extracts the single file of a Binance archive zip with node:zlib (about twice as fast as
 * adm-zip, see BENCHMARKS.md). Reads the central directory, so data descriptors are handled.
 */
export function unzipSingleFile(zip: Uint8Array, fileName: string): Buffer {
  const buf = Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength)
  const fail = (detail: string, cause?: unknown): never => {
    throw new ArchiveFormatError({ file: fileName, detail }, cause === undefined ? {} : { cause })
  }
  // End of central directory: at the end, before an optional comment of up to 64 KiB.
  let eocd = -1
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65_535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i
      break
    }
  }
  if (eocd < 0) return fail('not a zip file (no end of central directory)')
  const entries = buf.readUInt16LE(eocd + 10)
  if (entries !== 1) return fail(`expected one file in the zip, found ${entries}`)
  const central = buf.readUInt32LE(eocd + 16)
  if (central + 46 > buf.length || buf.readUInt32LE(central) !== 0x02014b50) {
    return fail('corrupt central directory')
  }
  const method = buf.readUInt16LE(central + 10)
  const compressedSize = buf.readUInt32LE(central + 20)
  const size = buf.readUInt32LE(central + 24)
  const local = buf.readUInt32LE(central + 42)
  if (local + 30 > buf.length || buf.readUInt32LE(local) !== 0x04034b50) {
    return fail('corrupt local file header')
  }
  const dataStart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28)
  if (dataStart + compressedSize > buf.length) return fail('truncated zip data')
  const data = buf.subarray(dataStart, dataStart + compressedSize)
  let out: Buffer
  if (method === 0) {
    out = Buffer.from(data)
  } else if (method === 8) {
    try {
      out = inflateRawSync(data)
    } catch (cause) {
      return fail('corrupt deflate data', cause)
    }
  } else {
    return fail(`unsupported zip compression method ${method}`)
  }
  if (out.length !== size) {
    return fail(`corrupt zip: uncompressed size ${out.length} differs from the zip's ${size}`)
  }
  if (crc32(out) !== buf.readUInt32LE(central + 16)) return fail('corrupt zip: CRC-32 mismatch')
  return out
}

export interface ParseKlineCsvOptions {
  /** Named in errors. */
  readonly fileName: string
  readonly interval?: KlineInterval
  /** Every open time must be in [periodStart, periodEnd). */
  readonly periodStart?: number
  readonly periodEnd?: number
}

const COMMA = 44
const LF = 10
const CR = 13
const DOT = 46
const ZERO = 48
const NINE = 57

/**
 * Parses and validates a Binance kline CSV (12 columns) at the byte level into columns.
 *
 * - A header line (futures files have one) is detected by its first byte and skipped.
 * - Timestamps of 16 digits are microseconds (spot files from 2025-01-01) and become milliseconds.
 * - Every row is checked: 12 columns, numeric fields, open times strictly increasing on the
 *   interval grid (exchange gaps may skip steps), close = open + interval − 1 ms, and open times
 *   inside [periodStart, periodEnd). CRLF line endings and a missing final newline are accepted.
 *
 * @throws ArchiveFormatError naming the file and the 1-based line; never returns a partial result.
 */
export function parseKlineCsv(data: Uint8Array, options: ParseKlineCsvOptions): KlineColumns {
  const { fileName } = options
  const interval = options.interval ?? '1m'
  const step = interval === '1M' ? 0 : KLINE_INTERVALS[interval]
  const periodStart = options.periodStart ?? Number.NEGATIVE_INFINITY
  const periodEnd = options.periodEnd ?? Number.POSITIVE_INFINITY
  const n = data.length

  let lines = 0
  for (let i = 0; i < n; i++) if (data[i] === LF) lines++
  const capacity = lines + 1
  const openTime = new Float64Array(capacity)
  const closeTime = new Float64Array(capacity)
  const trades = new Float64Array(capacity)
  const fields = new Uint32Array(capacity * 16)

  let row = 0
  let line = 0
  let pos = 0
  let previousOpen = Number.NEGATIVE_INFINITY

  const fail = (detail: string): never => {
    throw new ArchiveFormatError({ file: fileName, line, detail })
  }

  while (pos < n) {
    line++
    let end = pos
    while (end < n && data[end] !== LF) end++
    let lineEnd = end
    if (lineEnd > pos && data[lineEnd - 1] === CR) lineEnd--
    const first = data[pos] ?? 0
    if (lineEnd === pos) {
      // An empty line is only allowed as the very end of the file.
      if (end + 1 < n) fail('empty line')
      pos = end + 1
      continue
    }
    if (row === 0 && line === 1 && (first < ZERO || first > NINE)) {
      pos = end + 1 // header line
      continue
    }

    let p = pos
    let column = 0
    let open = 0
    let close = 0
    let openDigits = 0
    let closeDigits = 0
    const fieldBase = row * 16
    while (column < 12) {
      const start = p
      let dots = 0
      let value = 0
      while (p < lineEnd && data[p] !== COMMA) {
        const c = data[p] ?? 0
        if (c === DOT) dots++
        else if (c < ZERO || c > NINE) fail(`column ${column + 1} is not a number`)
        else if (dots === 0) value = value * 10 + (c - ZERO)
        p++
      }
      const length = p - start
      if (length === 0 || dots > 1 || data[start] === DOT || data[p - 1] === DOT) {
        fail(`column ${column + 1} is not a number`)
      }
      switch (column) {
        case 0:
          if (dots !== 0) fail('open time is not an integer')
          open = value
          openDigits = length
          break
        case 6:
          if (dots !== 0) fail('close time is not an integer')
          close = value
          closeDigits = length
          break
        case 8:
          if (dots !== 0) fail('trade count is not an integer')
          trades[row] = value
          break
        case 11:
          break
        default: {
          // Decimal columns 1–5 (open…volume), 7 (quote volume), 9 and 10 (taker buy volumes).
          const k = column <= 5 ? column - 1 : column === 7 ? 5 : column - 3
          fields[fieldBase + k * 2] = start
          fields[fieldBase + k * 2 + 1] = p
        }
      }
      column++
      if (column < 12) {
        if (p >= lineEnd) fail(`expected 12 columns, found ${column}`)
        p++ // the comma
      }
    }
    if (p !== lineEnd) fail('expected 12 columns, found more')

    // Timestamps: 13 digits are milliseconds, 16 digits microseconds (spot files from 2025).
    if (openDigits >= 16) open = Math.floor(open / 1000)
    if (closeDigits >= 16) close = Math.floor(close / 1000)
    if (open <= previousOpen) fail('open times are not strictly increasing')
    if (step > 0 && open % step !== 0) fail(`open time ${open} is not on the ${interval} grid`)
    if (step > 0 && close !== open + step - 1) {
      fail(`close time ${close} is not open time + ${interval} − 1 ms`)
    }
    if (open < periodStart || open >= periodEnd) {
      fail(`open time ${new Date(open).toISOString()} is outside the file's period`)
    }
    openTime[row] = open
    closeTime[row] = close
    previousOpen = open
    row++
    pos = end + 1
  }

  return {
    length: row,
    bytes: data,
    openTime: openTime.subarray(0, row),
    closeTime: closeTime.subarray(0, row),
    trades: trades.subarray(0, row),
    fields: fields.subarray(0, row * 16),
  }
}

/** The decimal field `k` (index into KLINE_DECIMAL_FIELDS) of `row`, as the exact string. */
export function columnDecimal(columns: KlineColumns, row: number, k: number): string {
  const start = columns.fields[row * 16 + k * 2] ?? 0
  const end = columns.fields[row * 16 + k * 2 + 1] ?? 0
  const b = columns.bytes
  return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('latin1')
}

/** Row `row` of parsed columns as a Kline. */
export function klineAt(columns: KlineColumns, row: number): Kline {
  const d = (k: number) => columnDecimal(columns, row, k)
  return {
    openTime: columns.openTime[row] ?? 0,
    open: d(0),
    high: d(1),
    low: d(2),
    close: d(3),
    volume: d(4),
    closeTime: columns.closeTime[row] ?? 0,
    quoteVolume: d(5),
    trades: columns.trades[row] ?? 0,
    takerBuyBaseVolume: d(6),
    takerBuyQuoteVolume: d(7),
  }
}

/** All rows of parsed columns as Klines (convenient, slower than working on the columns). */
export function columnsToKlines(columns: KlineColumns): Kline[] {
  const out: Kline[] = new Array<Kline>(columns.length)
  for (let i = 0; i < columns.length; i++) out[i] = klineAt(columns, i)
  return out
}

/** An S3 ListObjects (v1) page: keys, sub-prefixes and the marker of the next page. */
export interface ListingPage {
  readonly keys: readonly { key: string; size: number; lastModified: string }[]
  readonly prefixes: readonly string[]
  readonly isTruncated: boolean
  readonly nextMarker: string | undefined
}

function unescapeXml(value: string): string {
  return value
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')
}

/** Parses one page of S3 ListObjects XML (the archive's listing). */
export function parseS3Listing(xml: string): ListingPage {
  if (!xml.includes('<ListBucketResult')) {
    throw new ArchiveFormatError({ file: 'S3 listing', detail: 'not a ListBucketResult document' })
  }
  const keys: { key: string; size: number; lastModified: string }[] = []
  for (const m of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
    const body = m[1] ?? ''
    const key = /<Key>([\s\S]*?)<\/Key>/.exec(body)?.[1]
    if (key === undefined) continue
    keys.push({
      key: unescapeXml(key),
      size: Number(/<Size>(\d+)<\/Size>/.exec(body)?.[1] ?? 0),
      lastModified: /<LastModified>([^<]*)<\/LastModified>/.exec(body)?.[1] ?? '',
    })
  }
  const prefixes = [...xml.matchAll(/<CommonPrefixes>\s*<Prefix>([\s\S]*?)<\/Prefix>/g)].map((m) =>
    unescapeXml(m[1] ?? ''),
  )
  const isTruncated = /<IsTruncated>true<\/IsTruncated>/.test(xml)
  const next = /<NextMarker>([\s\S]*?)<\/NextMarker>/.exec(xml)?.[1]
  const last = keys.length > 0 ? keys[keys.length - 1]?.key : prefixes[prefixes.length - 1]
  return {
    keys,
    prefixes,
    isTruncated,
    nextMarker: isTruncated ? (next !== undefined ? unescapeXml(next) : last) : undefined,
  }
}
