/**
 * Wall-clock time in an IANA time zone with nothing but `Intl` (Node 20 has no Temporal). Exchange
 * opens and closes (09:30, 13:00, 16:00 …) never fall into a DST transition hour, so the two-step
 * offset correction below is exact for them.
 */

const MINUTE = 60_000
const DAY = 86_400_000
const formats = new Map<string, Intl.DateTimeFormat>()

function format(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone)
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    formats.set(timeZone, f)
  }
  return f
}

/** The wall-clock fields of instant `t` in `timeZone`, as if they were UTC (ms). */
function wallAsUtc(timeZone: string, t: number): number {
  const parts: Record<string, number> = {}
  for (const p of format(timeZone).formatToParts(new Date(t))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value)
  }
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts
  return Date.UTC(year, month - 1, day, hour, minute, second)
}

/** The zone's offset from UTC at instant `t`, in ms (New York in July: −4 h). */
export function zoneOffsetMs(timeZone: string, t: number): number {
  const whole = Math.floor(t / 1000) * 1000
  return wallAsUtc(timeZone, whole) - whole
}

/** The UTC instant of wall time `date` (YYYY-MM-DD) + `minuteOfDay` minutes in `timeZone`. */
export function zonedToUtc(timeZone: string, date: string, minuteOfDay: number): number {
  const wall = dateToUtcMs(date) + minuteOfDay * MINUTE
  let t = wall - zoneOffsetMs(timeZone, wall)
  t = wall - zoneOffsetMs(timeZone, t)
  return t
}

/** The local calendar date (YYYY-MM-DD) of instant `t` in `timeZone`. */
export function zonedDate(timeZone: string, t: number): string {
  return utcMsToDate(wallAsUtc(timeZone, t))
}

/** 'YYYY-MM-DD' → midnight UTC of that date, in ms. */
export function dateToUtcMs(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)))
}

/** Midnight-UTC ms → 'YYYY-MM-DD'. */
export function utcMsToDate(ms: number): string {
  return new Date(Math.floor(ms / DAY) * DAY).toISOString().slice(0, 10)
}

/** The date `days` after `date`. */
export function addDays(date: string, days: number): string {
  return utcMsToDate(dateToUtcMs(date) + days * DAY)
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: string): number {
  return new Date(dateToUtcMs(date)).getUTCDay()
}
