/** Times are shown in UTC (as everything in trading-alerts is), with the local time on hover. */

const pad = (n: number) => String(n).padStart(2, '0')

/** `2026-03-04 10:00` (UTC), seconds with `seconds`. */
export function formatUtc(iso: string | number | Date, seconds = false): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return '—'
  const s = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`
  return seconds ? `${s}:${pad(d.getUTCSeconds())}` : s
}

/** The local time, for the hover title. */
export function formatLocal(iso: string | number | Date): string {
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? '' : `local: ${d.toLocaleString()}`
}

export function Time({
  iso,
  seconds = false,
}: {
  iso: string | null | undefined
  seconds?: boolean
}) {
  if (iso === null || iso === undefined) return <span class="muted">—</span>
  return (
    <time dateTime={iso} title={formatLocal(iso)}>
      {formatUtc(iso, seconds)}
      <span class="tz"> UTC</span>
    </time>
  )
}

/** `1 h 02 min`, `12.5 s`, `—`. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—'
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`
  const m = Math.floor(seconds / 60)
  if (m < 60) return `${m} min ${pad(Math.round(seconds % 60))} s`
  return `${Math.floor(m / 60)} h ${pad(m % 60)} min`
}

/** `5 s`, `3 min`, `2 h`, `4 d` ago-style lag. */
export function formatLag(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—'
  if (seconds < 90) return `${Math.round(seconds)} s`
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`
  if (seconds < 172800) return `${Math.round(seconds / 3600)} h`
  return `${Math.round(seconds / 86400)} d`
}
