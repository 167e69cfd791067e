import { CalendarRangeError } from '../errors.js'
import { XNYS_EARLY_CLOSES, XNYS_HOLIDAYS, XSHG_HOLIDAYS } from './holidays.js'
import { addDays, dateToUtcMs, utcMsToDate, weekday, zonedDate, zonedToUtc } from './zone.js'

const MINUTE = 60_000
const DAY = 86_400_000

export type CalendarId = 'XNYS' | 'XSHG' | 'CRYPTO'

/** One trading day. Times are UTC ms; the session's minutes are [open, close) minus [breakStart, breakEnd). */
export interface Session {
  /** The exchange's local date, YYYY-MM-DD. */
  readonly date: string
  readonly open: number
  readonly close: number
  /** The lunch break (SSE: 11:30–13:00), null when the session has none. */
  readonly breakStart: number | null
  readonly breakEnd: number | null
  /** Closes before the regular time (NYSE's 13:00 days). */
  readonly earlyClose: boolean
  /**
   * Start of the opening-auction bar a minute source reports before the open (SSE: Eastmoney's
   * 09:30 row is the call auction and becomes the bar of 09:29), null when there is none.
   */
  readonly auctionBar: number | null
}

export interface MinuteOptions {
  /** Count the auction bar (SSE's 09:29) as one of the session's minutes; default false. */
  readonly auction?: boolean
}

/** A trading calendar: which minutes are in session. Every range is [from, to) in UTC ms. */
export interface TradingCalendar {
  readonly id: CalendarId
  readonly timeZone: string
  /** First and last year the calendar carries (crypto: unbounded, null). */
  readonly years: readonly [number, number] | null
  /** The session of a local date, or null when the exchange is closed that day. */
  session(date: string): Session | null
  /** Sessions overlapping [from, to), oldest first. */
  sessions(from: number, to: number): Session[]
  /** Whether the minute containing `t` is a regular-session minute (the auction bar is not). */
  isOpen(t: number): boolean
  /** How many session minutes start in [from, to). */
  expectedMinutes(from: number, to: number, options?: MinuteOptions): number
  /** The session minutes (their start times) in [from, to), oldest first. */
  minutes(from: number, to: number, options?: MinuteOptions): Generator<number, void, undefined>
  /** The first instant at or after `t` when the market opens (a session's open or the end of its break). */
  nextOpen(t: number): number
}

interface ExchangeSpec {
  readonly id: 'XNYS' | 'XSHG'
  readonly timeZone: string
  readonly firstYear: number
  readonly lastYear: number
  readonly holidays: ReadonlySet<string>
  readonly earlyCloses: ReadonlySet<string>
  /** Minutes after local midnight. */
  readonly open: number
  readonly close: number
  readonly earlyClose?: number
  readonly lunch?: readonly [number, number]
  readonly auctionBar: boolean
}

/** The intervals [start, end) of a session's minutes. */
function intervals(s: Session): [number, number][] {
  if (s.breakStart === null || s.breakEnd === null) return [[s.open, s.close]]
  return [
    [s.open, s.breakStart],
    [s.breakEnd, s.close],
  ]
}

const ceilMinute = (t: number) => Math.ceil(t / MINUTE) * MINUTE

function overlapMinutes(a: number, b: number, from: number, to: number): number {
  const start = Math.max(a, ceilMinute(from))
  const end = Math.min(b, to)
  return end > start ? Math.ceil((end - start) / MINUTE) : 0
}

class ExchangeCalendar implements TradingCalendar {
  readonly id: 'XNYS' | 'XSHG'
  readonly timeZone: string
  readonly years: readonly [number, number]
  private readonly cache = new Map<string, Session | null>()
  private readonly spec: ExchangeSpec

  constructor(spec: ExchangeSpec) {
    this.spec = spec
    this.id = spec.id
    this.timeZone = spec.timeZone
    this.years = [spec.firstYear, spec.lastYear]
  }

  private check(date: string): void {
    const year = Number(date.slice(0, 4))
    if (!Number.isInteger(year) || year < this.spec.firstYear || year > this.spec.lastYear) {
      throw new CalendarRangeError({
        calendar: this.id,
        asked: date,
        firstYear: this.spec.firstYear,
        lastYear: this.spec.lastYear,
      })
    }
  }

  session(date: string): Session | null {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || utcMsToDate(dateToUtcMs(date)) !== date) {
      throw new RangeError(`not a date (YYYY-MM-DD): ${date}`)
    }
    this.check(date)
    const cached = this.cache.get(date)
    if (cached !== undefined) return cached
    const { spec } = this
    const day = weekday(date)
    let session: Session | null = null
    if (day !== 0 && day !== 6 && !spec.holidays.has(date)) {
      const early = spec.earlyCloses.has(date)
      const at = (minute: number) => zonedToUtc(spec.timeZone, date, minute)
      const open = at(spec.open)
      session = {
        date,
        open,
        close: at(early ? (spec.earlyClose ?? spec.close) : spec.close),
        breakStart: spec.lunch === undefined ? null : at(spec.lunch[0]),
        breakEnd: spec.lunch === undefined ? null : at(spec.lunch[1]),
        earlyClose: early,
        auctionBar: spec.auctionBar ? open - MINUTE : null,
      }
    }
    this.cache.set(date, session)
    return session
  }

  sessions(from: number, to: number): Session[] {
    assertRange(from, to)
    if (to <= from) return []
    const first = zonedDate(this.timeZone, from)
    const last = zonedDate(this.timeZone, to - 1)
    this.check(first)
    this.check(last)
    const out: Session[] = []
    for (let d = first; d <= last; d = addDays(d, 1)) {
      const s = this.session(d)
      if (s === null) continue
      const start = s.auctionBar ?? s.open
      if (s.close > from && start < to) out.push(s)
    }
    return out
  }

  isOpen(t: number): boolean {
    const s = this.session(zonedDate(this.timeZone, t))
    if (s === null) return false
    const m = Math.floor(t / MINUTE) * MINUTE
    return intervals(s).some(([a, b]) => m >= a && m < b)
  }

  expectedMinutes(from: number, to: number, options: MinuteOptions = {}): number {
    let n = 0
    for (const s of this.sessions(from, to)) {
      for (const [a, b] of intervals(s)) n += overlapMinutes(a, b, from, to)
      if (options.auction === true && s.auctionBar !== null)
        n += overlapMinutes(s.auctionBar, s.open, from, to)
    }
    return n
  }

  *minutes(
    from: number,
    to: number,
    options: MinuteOptions = {},
  ): Generator<number, void, undefined> {
    for (const s of this.sessions(from, to)) {
      const spans = intervals(s)
      if (options.auction === true && s.auctionBar !== null) spans.unshift([s.auctionBar, s.open])
      for (const [a, b] of spans) {
        for (let m = Math.max(a, ceilMinute(from)); m < Math.min(b, to); m += MINUTE) yield m
      }
    }
  }

  nextOpen(t: number): number {
    let date = zonedDate(this.timeZone, t)
    for (let i = 0; i < 30; i++, date = addDays(date, 1)) {
      const s = this.session(date)
      if (s === null) continue
      for (const [a] of intervals(s)) if (a >= t) return a
    }
    throw new CalendarRangeError({
      calendar: this.id,
      asked: `the next open after ${new Date(t).toISOString()}`,
      firstYear: this.spec.firstYear,
      lastYear: this.spec.lastYear,
    })
  }
}

function assertRange(from: number, to: number): void {
  if (!Number.isFinite(from) || !Number.isFinite(to)) {
    throw new RangeError(`a range needs finite times, got [${from}, ${to})`)
  }
}

/** Crypto trades around the clock: every minute is in session; one session per UTC day. */
class CryptoCalendar implements TradingCalendar {
  readonly id = 'CRYPTO' as const
  readonly timeZone = 'UTC'
  readonly years = null

  session(date: string): Session {
    const open = dateToUtcMs(date)
    if (Number.isNaN(open)) throw new RangeError(`not a date (YYYY-MM-DD): ${date}`)
    return {
      date,
      open,
      close: open + DAY,
      breakStart: null,
      breakEnd: null,
      earlyClose: false,
      auctionBar: null,
    }
  }

  sessions(from: number, to: number): Session[] {
    assertRange(from, to)
    const out: Session[] = []
    for (let d = Math.floor(from / DAY) * DAY; d < to; d += DAY)
      out.push(this.session(utcMsToDate(d)))
    return out
  }

  isOpen(): boolean {
    return true
  }

  expectedMinutes(from: number, to: number): number {
    assertRange(from, to)
    return overlapMinutes(from, to, from, to)
  }

  *minutes(from: number, to: number): Generator<number, void, undefined> {
    assertRange(from, to)
    for (let m = ceilMinute(from); m < to; m += MINUTE) yield m
  }

  nextOpen(t: number): number {
    return t
  }
}

/** NYSE and Nasdaq: 09:30–16:00 America/New_York, 13:00 on early-close days, 2024–2027. */
export const XNYS: TradingCalendar = new ExchangeCalendar({
  id: 'XNYS',
  timeZone: 'America/New_York',
  firstYear: 2024,
  lastYear: 2027,
  holidays: new Set(XNYS_HOLIDAYS),
  earlyCloses: new Set(XNYS_EARLY_CLOSES),
  open: 9 * 60 + 30,
  close: 16 * 60,
  earlyClose: 13 * 60,
  auctionBar: false,
})

/**
 * Shanghai Stock Exchange: 09:30–11:30 and 13:00–15:00 Asia/Shanghai, 2024–2026 (the 2027
 * closures are not yet published by the exchange). The opening call auction is reported as the
 * bar of 09:29: 240 regular minutes, 241 bars with `{ auction: true }`.
 */
export const XSHG: TradingCalendar = new ExchangeCalendar({
  id: 'XSHG',
  timeZone: 'Asia/Shanghai',
  firstYear: 2024,
  lastYear: 2026,
  holidays: new Set(XSHG_HOLIDAYS),
  earlyCloses: new Set(),
  open: 9 * 60 + 30,
  close: 15 * 60,
  lunch: [11 * 60 + 30, 13 * 60],
  auctionBar: true,
})

/** Always open. */
export const CRYPTO_CALENDAR: TradingCalendar = new CryptoCalendar()

/** The calendar of an exchange MIC (`XNAS` shares NYSE's), or of crypto (`BINANCE`, `CRYPTO`). */
export function calendarFor(exchange: string): TradingCalendar {
  switch (exchange) {
    case 'XNYS':
    case 'XNAS':
    case 'ARCX':
    case 'XASE':
    case 'BATS':
      return XNYS
    case 'XSHG':
      return XSHG
    case 'CRYPTO':
    case 'BINANCE':
      return CRYPTO_CALENDAR
    default:
      throw new RangeError(`no trading calendar for exchange "${exchange}"`)
  }
}
