import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { CalendarRangeError } from '../errors.js'
import { CRYPTO_CALENDAR, XNYS, XSHG, calendarFor } from './calendar.js'
import { addDays, weekday } from './zone.js'

const fixture = (name: string) =>
  readFileSync(new URL(`../__fixtures__/stocks/${name}`, import.meta.url), 'utf8')
const at = (iso: string) => Date.parse(iso)
const MINUTE = 60_000

/** Every date of a year whose session is null on a weekday (the listed closures). */
function weekdayClosures(cal: typeof XNYS, year: number): string[] {
  const out: string[] = []
  for (let d = `${year}-01-01`; d.startsWith(String(year)); d = addDays(d, 1)) {
    const day = weekday(d)
    if (day !== 0 && day !== 6 && cal.session(d) === null) out.push(d)
  }
  return out
}

describe('XNYS', () => {
  it('has 390 regular minutes on a normal day, 210 on an early close, 0 on a holiday', () => {
    const day = (d: string) => XNYS.expectedMinutes(at(`${d}T00:00:00Z`), at(`${d}T23:59:59Z`))
    expect(day('2024-03-05')).toBe(390)
    expect(day('2024-11-29')).toBe(210) // the day after Thanksgiving: 09:30–13:00
    expect(day('2024-07-03')).toBe(210)
    expect(day('2024-07-04')).toBe(0)
    expect(day('2025-01-09')).toBe(0) // national day of mourning
    expect(day('2024-03-09')).toBe(0) // Saturday
    const early = XNYS.session('2024-12-24')
    expect(early?.earlyClose).toBe(true)
    expect(new Date(early?.close ?? 0).toISOString()).toBe('2024-12-24T18:00:00.000Z')
  })

  it('moves the session in UTC across the March and November DST changes', () => {
    const opens = (from: string, days: number) =>
      XNYS.sessions(at(`${from}T00:00:00Z`), at(`${from}T00:00:00Z`) + days * 86_400_000).map(
        (s) =>
          `${s.date} ${new Date(s.open).toISOString().slice(11, 16)}-${new Date(s.close).toISOString().slice(11, 16)}`,
      )
    // DST starts Sunday 10 March 2024: 14:30Z (EST) becomes 13:30Z (EDT).
    expect(opens('2024-03-07', 6)).toEqual([
      '2024-03-07 14:30-21:00',
      '2024-03-08 14:30-21:00',
      '2024-03-11 13:30-20:00',
      '2024-03-12 13:30-20:00',
    ])
    // DST ends Sunday 3 November 2024.
    expect(opens('2024-10-31', 6)).toEqual([
      '2024-10-31 13:30-20:00',
      '2024-11-01 13:30-20:00',
      '2024-11-04 14:30-21:00',
      '2024-11-05 14:30-21:00',
    ])
    expect(XNYS.expectedMinutes(at('2024-03-11T00:00:00Z'), at('2024-03-16T00:00:00Z'))).toBe(1950)
    expect(XNYS.isOpen(at('2024-03-08T14:29:59Z'))).toBe(false)
    expect(XNYS.isOpen(at('2024-03-08T14:30:00Z'))).toBe(true)
    expect(XNYS.isOpen(at('2024-03-11T13:30:00Z'))).toBe(true)
    expect(XNYS.isOpen(at('2024-03-11T19:59:00Z'))).toBe(true)
    expect(XNYS.isOpen(at('2024-03-11T20:00:00Z'))).toBe(false)
  })

  it('finds the next open over weekends and holidays', () => {
    // Wednesday 3 July 2024 closes at 13:00, 4 July is a holiday: next open Friday 5 July.
    expect(new Date(XNYS.nextOpen(at('2024-07-03T17:00:00Z'))).toISOString()).toBe(
      '2024-07-05T13:30:00.000Z',
    )
    expect(new Date(XNYS.nextOpen(at('2024-03-08T21:00:00Z'))).toISOString()).toBe(
      '2024-03-11T13:30:00.000Z',
    )
    expect(XNYS.nextOpen(at('2024-03-11T13:30:00Z'))).toBe(at('2024-03-11T13:30:00Z'))
  })

  it('counts partial ranges and iterates exactly the minutes it counts', () => {
    const from = at('2024-03-05T20:30:30Z') // 15:30:30 New York
    const to = at('2024-03-06T15:00:00Z') // 10:00 the next day
    expect(XNYS.expectedMinutes(from, to)).toBe(29 + 30)
    const minutes = [...XNYS.minutes(from, to)]
    expect(minutes).toHaveLength(59)
    expect(minutes[0]).toBe(at('2024-03-05T20:31:00Z'))
    expect(minutes.at(-1)).toBe(at('2024-03-06T14:59:00Z'))
    expect(minutes.every((m) => XNYS.isOpen(m))).toBe(true)
  })

  it('has the holidays of the NYSE press release for 2024', () => {
    const text = fixture('nyse_2022-2024_holidays_press_release_excerpt.txt')
    const cells = text.split('|').map((c) => (c.trim().split('\n')[0] ?? '').replace(/\*+$/, ''))
    const months = [
      'January',
      'February',
      'March',
      'April',
      'May',
      'June',
      'July',
      'August',
    ].concat(['September', 'October', 'November', 'December'])
    const dates: string[] = []
    // The table: HOLIDAY | 2022 | 2023 | 2024, then rows of name | 2022 | 2023 | 2024, then the notes.
    const first = cells.indexOf('2024') + 1
    for (let i = first; i + 3 < cells.length; i += 4) {
      const m = /^\w+, (\w+) (\d+)$/.exec(cells[i + 3] ?? '')
      if (m === null) continue
      const month = months.indexOf(m[1] ?? '') + 1
      dates.push(`2024-${String(month).padStart(2, '0')}-${(m[2] ?? '').padStart(2, '0')}`)
    }
    expect(dates).toHaveLength(10)
    expect(weekdayClosures(XNYS, 2024)).toEqual(dates)
  })

  it('refuses dates outside 2024–2027 with a typed error', () => {
    expect(() => XNYS.sessions(at('2023-12-29T00:00:00Z'), at('2024-01-03T00:00:00Z'))).toThrow(
      CalendarRangeError,
    )
    expect(() => XNYS.isOpen(at('2028-01-03T15:00:00Z'))).toThrow(CalendarRangeError)
    expect(() => XNYS.session('2022-05-16')).toThrow(/covers 2024-2027 only/)
    expect(XNYS.sessions(at('2027-12-31T00:00:00Z'), at('2028-01-01T00:00:00Z'))).toHaveLength(1)
  })
})

describe('XSHG', () => {
  it('has 240 regular minutes and 241 bars with the auction bar of 09:29', () => {
    const from = at('2024-03-19T16:00:00Z') // midnight Shanghai
    const to = from + 86_400_000
    expect(XSHG.expectedMinutes(from, to)).toBe(240)
    expect(XSHG.expectedMinutes(from, to, { auction: true })).toBe(241)
    const bars = [...XSHG.minutes(from, to, { auction: true })]
    expect(bars).toHaveLength(241)
    expect(new Date(bars[0] ?? 0).toISOString()).toBe('2024-03-20T01:29:00.000Z') // 09:29 local
    expect(new Date(bars[1] ?? 0).toISOString()).toBe('2024-03-20T01:30:00.000Z')
    expect(new Date(bars[120] ?? 0).toISOString()).toBe('2024-03-20T03:29:00.000Z') // 11:29
    expect(new Date(bars[121] ?? 0).toISOString()).toBe('2024-03-20T05:00:00.000Z') // 13:00
    expect(new Date(bars[240] ?? 0).toISOString()).toBe('2024-03-20T06:59:00.000Z') // 14:59
  })

  it('closes for the lunch break', () => {
    expect(XSHG.isOpen(at('2024-03-20T01:29:00Z'))).toBe(false) // the auction bar is not trading
    expect(XSHG.isOpen(at('2024-03-20T03:29:59Z'))).toBe(true)
    expect(XSHG.isOpen(at('2024-03-20T03:30:00Z'))).toBe(false)
    expect(XSHG.isOpen(at('2024-03-20T04:59:00Z'))).toBe(false)
    expect(XSHG.isOpen(at('2024-03-20T05:00:00Z'))).toBe(true)
    expect(XSHG.nextOpen(at('2024-03-20T03:45:00Z'))).toBe(at('2024-03-20T05:00:00Z'))
    expect(XSHG.expectedMinutes(at('2024-03-20T03:00:00Z'), at('2024-03-20T05:30:00Z'))).toBe(60)
  })

  it('is closed on every date of the 2026 closure list, weekend make-up days included', () => {
    const closed = JSON.parse(fixture('xshg_2026_closed_dates_issue560.json')) as string[]
    for (const d of closed) expect(XSHG.session(d), d).toBeNull()
    // the make-up workdays of 2026 are weekends, and SSE does not trade on them
    for (const d of [
      '2026-01-04',
      '2026-02-14',
      '2026-02-28',
      '2026-05-09',
      '2026-09-20',
      '2026-10-10',
    ])
      expect(closed).toContain(d)
    const weekdays = closed.filter((d) => weekday(d) !== 0 && weekday(d) !== 6)
    expect(weekdayClosures(XSHG, 2026)).toEqual(weekdays)
  })

  it('has the 2024 closures of exchange_calendars', () => {
    const listed = [
      ...fixture('xshg_2024_holidays_exchange_calendars.txt').matchAll(/\d{4}-\d{2}-\d{2}/g),
    ].map((m) => m[0])
    expect(weekdayClosures(XSHG, 2024)).toEqual(listed)
  })

  it('refuses 2027, whose closures the exchange has not published', () => {
    expect(() => XSHG.session('2027-01-04')).toThrow(CalendarRangeError)
  })
})

describe('crypto and lookup', () => {
  it('is always open', () => {
    const from = at('2024-03-10T00:00:00Z')
    expect(CRYPTO_CALENDAR.expectedMinutes(from, from + 86_400_000)).toBe(1440)
    expect(CRYPTO_CALENDAR.isOpen(from + 7 * MINUTE)).toBe(true)
    expect(CRYPTO_CALENDAR.nextOpen(from)).toBe(from)
    expect(calendarFor('XNAS')).toBe(XNYS)
    expect(calendarFor('XSHG')).toBe(XSHG)
    expect(calendarFor('BINANCE')).toBe(CRYPTO_CALENDAR)
  })
})
