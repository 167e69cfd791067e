import type { Kline, KlineColumns } from '@trading-alerts/tickerdata'

/**
 * Encodes candles as PostgreSQL COPY text rows for `tickerdata_1m` (COPY_COLUMNS order), at the byte
 * level: decimals are copied digit for digit from the archive file's bytes (exact, no float), and
 * timestamps are written from integer arithmetic with the date part cached per day.
 */
export const COPY_COLUMNS =
  '(symbol, open_time, open, high, low, close, volume, close_time, quote_volume, trades, taker_buy_base_volume, taker_buy_quote_volume)'

const DAY = 86_400_000
const CHUNK = 1 << 20
const TAB = 9
const LF = 10
const ZERO = 48

class ChunkWriter {
  readonly chunks: Buffer[] = []
  private buf = Buffer.allocUnsafe(CHUNK)
  pos = 0

  ensure(bytes: number): Buffer {
    if (this.pos + bytes > this.buf.length) {
      this.chunks.push(this.buf.subarray(0, this.pos))
      this.buf = Buffer.allocUnsafe(Math.max(CHUNK, bytes))
      this.pos = 0
    }
    return this.buf
  }

  finish(): Buffer[] {
    if (this.pos > 0) this.chunks.push(this.buf.subarray(0, this.pos))
    this.pos = 0
    return this.chunks
  }
}

/** Writes `2024-01-01 00:00:00+00` or, with milliseconds, `2024-01-01 00:00:59.999+00`. */
class TimestampWriter {
  private day = Number.NaN
  private readonly date = Buffer.alloc(10)

  write(buf: Buffer, pos: number, ms: number): number {
    const day = Math.floor(ms / DAY)
    if (day !== this.day) {
      this.day = day
      this.date.write(new Date(day * DAY).toISOString().slice(0, 10), 'latin1')
    }
    this.date.copy(buf, pos)
    let p = pos + 10
    let rem = ms - day * DAY
    const h = Math.floor(rem / 3_600_000)
    rem -= h * 3_600_000
    const m = Math.floor(rem / 60_000)
    rem -= m * 60_000
    const s = Math.floor(rem / 1000)
    const milli = rem - s * 1000
    buf[p++] = 32
    buf[p++] = ZERO + Math.floor(h / 10)
    buf[p++] = ZERO + (h % 10)
    buf[p++] = 58
    buf[p++] = ZERO + Math.floor(m / 10)
    buf[p++] = ZERO + (m % 10)
    buf[p++] = 58
    buf[p++] = ZERO + Math.floor(s / 10)
    buf[p++] = ZERO + (s % 10)
    if (milli !== 0) {
      buf[p++] = 46
      buf[p++] = ZERO + Math.floor(milli / 100)
      buf[p++] = ZERO + (Math.floor(milli / 10) % 10)
      buf[p++] = ZERO + (milli % 10)
    }
    buf[p++] = 43 // +
    buf[p++] = ZERO
    buf[p++] = ZERO
    return p
  }
}

function writeInt(buf: Buffer, pos: number, value: number): number {
  if (value === 0) {
    buf[pos] = ZERO
    return pos + 1
  }
  let digits = 0
  for (let v = value; v > 0; v = Math.floor(v / 10)) digits++
  let p = pos + digits
  for (let v = value; v > 0; v = Math.floor(v / 10)) buf[--p] = ZERO + (v % 10)
  return pos + digits
}

function checkSymbol(symbol: string): Buffer {
  if (!/^[A-Z0-9_]+$/.test(symbol)) throw new RangeError(`"${symbol}" is not a Binance symbol`)
  return Buffer.from(symbol, 'latin1')
}

/** COPY text rows of parsed archive columns. Returns chunks of about 1 MiB. */
export function encodeColumns(symbol: string, columns: KlineColumns): Buffer[] {
  const sym = checkSymbol(symbol)
  const out = new ChunkWriter()
  const ts = new TimestampWriter()
  const { bytes, fields, openTime, closeTime, trades } = columns
  for (let row = 0; row < columns.length; row++) {
    const base = row * 16
    let need = sym.length + 2 * 28 + 16 + 12
    for (let k = 0; k < 8; k++)
      need += (fields[base + k * 2 + 1] ?? 0) - (fields[base + k * 2] ?? 0)
    const buf = out.ensure(need)
    let p = out.pos
    sym.copy(buf, p)
    p += sym.length
    buf[p++] = TAB
    p = ts.write(buf, p, openTime[row] ?? 0)
    for (let k = 0; k < 8; k++) {
      if (k === 5) {
        buf[p++] = TAB
        p = ts.write(buf, p, closeTime[row] ?? 0)
      }
      if (k === 6) {
        buf[p++] = TAB
        p = writeInt(buf, p, trades[row] ?? 0)
      }
      buf[p++] = TAB
      const end = fields[base + k * 2 + 1] ?? 0
      for (let i = fields[base + k * 2] ?? 0; i < end; i++) buf[p++] = bytes[i] ?? 0
    }
    buf[p++] = LF
    out.pos = p
  }
  return out.finish()
}

const DECIMAL = /^\d+(\.\d+)?$/

/** COPY text rows of REST klines (decimal strings validated: nothing else reaches COPY). */
export function encodeKlines(symbol: string, klines: readonly Kline[]): Buffer[] {
  const sym = checkSymbol(symbol)
  const out = new ChunkWriter()
  const ts = new TimestampWriter()
  for (const k of klines) {
    const decimals = [
      k.open,
      k.high,
      k.low,
      k.close,
      k.volume,
      k.quoteVolume,
      k.takerBuyBaseVolume,
      k.takerBuyQuoteVolume,
    ]
    let need = sym.length + 2 * 28 + 16 + 12
    for (const d of decimals) {
      if (!DECIMAL.test(d))
        throw new RangeError(`"${d}" is not a decimal (candle ${k.openTime} of ${symbol})`)
      need += d.length
    }
    const buf = out.ensure(need)
    let p = out.pos
    sym.copy(buf, p)
    p += sym.length
    buf[p++] = TAB
    p = ts.write(buf, p, k.openTime)
    for (let i = 0; i < 8; i++) {
      if (i === 5) {
        buf[p++] = TAB
        p = ts.write(buf, p, k.closeTime)
      }
      if (i === 6) {
        buf[p++] = TAB
        p = writeInt(buf, p, k.trades)
      }
      buf[p++] = TAB
      p += buf.write(decimals[i] ?? '', p, 'latin1')
    }
    buf[p++] = LF
    out.pos = p
  }
  return out.finish()
}
