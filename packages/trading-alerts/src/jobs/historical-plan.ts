import { monthOf, parseArchivePeriod, type ArchivePeriod } from '@trading-alerts/tickerdata'

const DAY = 86_400_000
const MINUTE = 60_000

/**
 * The default `HISTORY_START`: twelve months before the start of the current month (UTC).
 */
export function defaultHistoryStart(now: number): string {
  const d = new Date(now)
  return monthOf(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 12, 1))
}

/** Validates a history start: `YYYY-MM` or `listing`. */
export function parseHistoryStart(value: string): string {
  if (value === 'listing') return value
  const p = parseArchivePeriod(value)
  if (p.kind !== 'monthly')
    throw new RangeError(`history start "${value}" must be YYYY-MM or "listing"`)
  return value
}

export interface PlanArchiveOptions {
  /** First month to load (`YYYY-MM`): the later of HISTORY_START and the pair's first month. */
  readonly firstMonth: string
  /** First day the pair has data (ms); daily files before it are not planned. */
  readonly listedAt?: number
  readonly now: number
  /** Months whose monthly file is published (from the listing). */
  readonly publishedMonths: ReadonlySet<string>
}

/**
 * Which archive files to load, oldest first: monthly files from `firstMonth` to the last
 * published month; a past month whose monthly file is not out (late) from its daily files; then
 * the daily files of the current month up to yesterday. What the archive does not have yet is
 * left to the incremental job.
 */
export function planArchivePeriods(options: PlanArchiveOptions): ArchivePeriod[] {
  const { now, publishedMonths } = options
  const today = Math.floor(now / DAY) * DAY
  const listedDay = options.listedAt === undefined ? 0 : Math.floor(options.listedAt / DAY) * DAY
  const currentMonth = parseArchivePeriod(monthOf(now))
  const out: ArchivePeriod[] = []
  const days = (from: number, to: number) => {
    for (let d = Math.max(from, listedDay); d < to; d += DAY) {
      out.push(parseArchivePeriod(new Date(d).toISOString().slice(0, 10)))
    }
  }
  for (let month = parseArchivePeriod(options.firstMonth); month.start < currentMonth.start;) {
    if (publishedMonths.has(month.period)) out.push(month)
    else days(month.start, Math.min(month.end, today))
    month = parseArchivePeriod(monthOf(month.end))
  }
  days(Math.max(currentMonth.start, parseArchivePeriod(options.firstMonth).start), today)
  return out
}

/** Missing minutes between consecutive open times: [start, end) ranges in ms. */
export function findMissingMinutes(
  openTimes: ArrayLike<number>,
  previousOpen: number | undefined,
): { start: number; end: number }[] {
  const gaps: { start: number; end: number }[] = []
  let prev = previousOpen
  for (let i = 0; i < openTimes.length; i++) {
    const t = openTimes[i] ?? 0
    if (prev !== undefined && t - prev > MINUTE) gaps.push({ start: prev + MINUTE, end: t })
    prev = t
  }
  return gaps
}

/** The open time one month before `now` (calendar month, UTC), for the historical selection. */
export function oneMonthBefore(now: number): number {
  const d = new Date(now)
  return Date.UTC(
    d.getUTCFullYear(),
    d.getUTCMonth() - 1,
    d.getUTCDate(),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    d.getUTCMilliseconds(),
  )
}
