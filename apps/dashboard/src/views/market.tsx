/**
 * Market: the tracked symbols with rank and rank change over 1, 7 and 30 days (from the daily top
 * snapshots), last update, lag and completeness at the API's clock (GET /api/v1/market/coverage),
 * and the day's top coins with the ones that have no pair and why.
 */
import { useEffect, useState } from 'preact/hooks'
import { api, ApiProblem, type Coverage, type SymbolInfo, type TopDay } from '../api.js'
import { useLoad, useThrottled } from '../hooks.js'
import type { ViewProps } from '../main.js'
import { Link } from '../router.js'
import { subscribe } from '../stream.js'
import { formatLag, Time } from '../time.js'

interface MarketSymbol extends SymbolInfo {
  readonly name: string | null
  readonly coingeckoId: string | null
  readonly marketCapRank: number | null
}

const CHANGES = [1, 7, 30] as const

/** `day` minus `n` days, `YYYY-MM-DD`. */
function daysBefore(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10)
}

/** The snapshot of `day`, or null when none was taken that day (404). */
async function snapshot(day: string | undefined, signal: AbortSignal): Promise<TopDay | null> {
  try {
    return await api.get<TopDay>('/api/v1/market/top', { day }, signal)
  } catch (e) {
    if (e instanceof ApiProblem && e.status === 404) return null
    throw e
  }
}

interface Snapshots {
  /** The days with a snapshot, oldest first. */
  readonly days: readonly string[]
  readonly latest: TopDay | null
  /** By days back (1, 7, 30): that day's rank per CoinGecko id, or null when no snapshot. */
  readonly before: Record<number, Map<string, number | null> | null>
}

async function loadSnapshots(signal: AbortSignal): Promise<Snapshots> {
  // Only the days that have a snapshot are asked for (an absent day would be a 404).
  const list = (await api.get<{ data: string[] }>('/api/v1/market/days', {}, signal)).data
  const days = new Set(list)
  const latest = await snapshot(undefined, signal)
  const before: Record<number, Map<string, number | null> | null> = {}
  if (latest !== null) {
    const wanted = CHANGES.map((n) => daysBefore(latest.day, n))
    const got = await Promise.all(
      wanted.map((d) => (days.has(d) ? snapshot(d, signal) : Promise.resolve(null))),
    )
    CHANGES.forEach((n, i) => {
      const d = got[i]
      before[n] = d == null ? null : new Map(d.data.map((c) => [c.coingeckoId, c.rank]))
    })
  }
  return { days: list, latest, before }
}

/** Rank change: positive when the coin moved up; 'new' when it was not ranked then; null: no snapshot. */
export function rankChange(
  now: number | null,
  then: Map<string, number | null> | null | undefined,
  id: string | null,
): number | 'new' | null {
  if (then == null || now === null || id === null) return null
  const old = then.get(id)
  if (old == null) return 'new'
  return old - now
}

function Change({ value }: { value: number | 'new' | null }) {
  if (value === null) return <span class="muted">—</span>
  if (value === 'new') return <span class="badge">new</span>
  if (value === 0) return <span class="muted">0</span>
  return (
    <span
      class={value > 0 ? 'up' : 'down'}
      aria-label={value > 0 ? `up ${value}` : `down ${-value}`}
    >
      {value > 0 ? '▲' : '▼'} {Math.abs(value)}
    </span>
  )
}

interface Row {
  readonly symbol: string
  readonly name: string
  readonly rank: number | null
  readonly changes: Record<number, number | 'new' | null>
  readonly lastUpdatedAt: string | null
  readonly lagSeconds: number | null
  readonly completeness: number | null
  readonly storedMinutes: number
  readonly expectedMinutes: number
  readonly gaps: number
  readonly inTopN: boolean
}

type SortKey = 'symbol' | 'rank' | 'lagSeconds' | 'completeness' | 'gaps'
const COLUMNS: readonly { key: SortKey; label: string; num: boolean }[] = [
  { key: 'symbol', label: 'Symbol', num: false },
  { key: 'rank', label: 'Rank', num: true },
]

function compare(a: Row, b: Row, key: SortKey): number {
  const x = a[key]
  const y = b[key]
  if (x === y) return a.symbol.localeCompare(b.symbol)
  if (x === null) return 1
  if (y === null) return -1
  return typeof x === 'string' ? x.localeCompare(y as string) : x - (y as number)
}

function SortButton(props: {
  label: string
  k: SortKey
  sort: { key: SortKey; desc: boolean }
  onSort: (key: SortKey) => void
}) {
  const active = props.sort.key === props.k
  return (
    <button
      type="button"
      class="link sort"
      onClick={() => props.onSort(props.k)}
      aria-label={`Sort by ${props.label}`}
      aria-pressed={active}
    >
      {props.label}
      {active ? (props.sort.desc ? ' ↓' : ' ↑') : ''}
    </button>
  )
}

function Symbols({ snapshots }: { snapshots: Snapshots }) {
  const symbols = useLoad(
    (signal) => api.get<{ data: MarketSymbol[] }>('/api/v1/symbols', {}, signal),
    [],
  )
  const coverage = useLoad(
    (signal) => api.get<{ now: string; data: Coverage[] }>('/api/v1/market/coverage', {}, signal),
    [],
  )
  const reload = useThrottled(() => {
    coverage.reload()
    symbols.reload()
  }, 2000)
  useEffect(() => subscribe('candles', reload), [reload])
  const [filter, setFilter] = useState('')
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'rank', desc: false })
  if (symbols.error !== undefined) return <p class="error">{symbols.error.message}</p>
  if (coverage.error !== undefined) return <p class="error">{coverage.error.message}</p>
  if (symbols.data === undefined || coverage.data === undefined)
    return <p class="muted">Loading…</p>
  const byCoin = new Map((snapshots.latest?.data ?? []).map((c) => [c.coingeckoId, c.rank]))
  const cover = new Map(coverage.data.data.map((c) => [c.symbol, c]))
  const q = filter.trim().toUpperCase()
  const rows: Row[] = symbols.data.data
    .filter((s) => q === '' || s.symbol.includes(q) || (s.name ?? '').toUpperCase().includes(q))
    .map((s) => {
      const c = cover.get(s.symbol)
      const rank =
        (s.coingeckoId === null ? undefined : byCoin.get(s.coingeckoId)) ?? s.marketCapRank
      return {
        symbol: s.symbol,
        name: s.name ?? '',
        rank,
        changes: Object.fromEntries(
          CHANGES.map((n) => [n, rankChange(rank, snapshots.before[n], s.coingeckoId)]),
        ),
        lastUpdatedAt: c?.lastUpdatedAt ?? s.lastUpdatedAt,
        lagSeconds: c?.lagSeconds ?? null,
        completeness: c?.completeness ?? null,
        storedMinutes: c?.storedMinutes ?? 0,
        expectedMinutes: c?.expectedMinutes ?? 0,
        gaps: c?.gaps ?? 0,
        inTopN: s.inTopN,
      }
    })
    .sort((a, b) => (sort.desc ? -1 : 1) * compare(a, b, sort.key))
  const onSort = (key: SortKey) =>
    setSort((s) => ({
      key,
      desc: s.key === key ? !s.desc : key === 'completeness' || key === 'lagSeconds',
    }))
  return (
    <section aria-label="Tracked symbols">
      <div class="toolbar">
        <h2>Tracked symbols</h2>
        <label for="market-filter">Filter</label>
        <input
          id="market-filter"
          type="search"
          value={filter}
          placeholder="BTC"
          onInput={(e) => setFilter(e.currentTarget.value)}
        />
        <span class="muted">
          at <Time iso={coverage.data.now} seconds />
        </span>
      </div>
      <div class="scroll">
        <table data-testid="symbols">
          <thead>
            <tr>
              {COLUMNS.map((c) => (
                <th key={c.key} class={c.num ? 'num' : undefined}>
                  <SortButton label={c.label} k={c.key} sort={sort} onSort={onSort} />
                </th>
              ))}
              {CHANGES.map((n) => (
                <th key={n} class="num" title={`Rank change over ${n} day${n === 1 ? '' : 's'}`}>
                  {n}d
                </th>
              ))}
              <th>Last update</th>
              <th class="num">
                <SortButton label="Lag" k="lagSeconds" sort={sort} onSort={onSort} />
              </th>
              <th class="num">
                <SortButton label="Complete" k="completeness" sort={sort} onSort={onSort} />
              </th>
              <th class="num">
                <SortButton label="Gaps" k="gaps" sort={sort} onSort={onSort} />
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.symbol} data-symbol={r.symbol} class={r.inTopN ? undefined : 'dim'}>
                <td>
                  <Link href={`/chart/${r.symbol}`}>{r.symbol}</Link>{' '}
                  <span class="muted">{r.name}</span>
                  {!r.inTopN && <span class="badge muted"> left the top</span>}
                </td>
                <td class="num" data-col="rank">
                  {r.rank ?? '—'}
                </td>
                {CHANGES.map((n) => (
                  <td key={n} class="num" data-col={`change-${n}`}>
                    <Change value={r.changes[n] ?? null} />
                  </td>
                ))}
                <td data-col="last-update">
                  <Time iso={r.lastUpdatedAt} />
                </td>
                <td class="num" data-col="lag">
                  {formatLag(r.lagSeconds)}
                </td>
                <td
                  class="num"
                  data-col="completeness"
                  title={`${r.storedMinutes.toLocaleString('en-US')} of ${r.expectedMinutes.toLocaleString('en-US')} minutes stored`}
                >
                  {r.completeness === null ? '—' : `${(r.completeness * 100).toFixed(2)} %`}
                </td>
                <td class="num" data-col="gaps">
                  {r.gaps === 0 ? '0' : <Link href={`/chart/${r.symbol}?tf=1h`}>{r.gaps}</Link>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === 0 && (
          <p class="muted">
            No symbol{q === '' ? ' yet: run the symbols job' : ` matches “${filter}”`}.
          </p>
        )}
      </div>
    </section>
  )
}

const usd = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  notation: 'compact',
  maximumFractionDigits: 2,
})
const price = (text: string | null) => {
  if (text === null) return '—'
  const n = Number(text)
  return n >= 1 ? n.toLocaleString('en-US', { maximumFractionDigits: 2 }) : n.toPrecision(4)
}

function Top({ latest, days }: { latest: TopDay | null; days: readonly string[] }) {
  const [day, setDay] = useState<string | null>(null)
  const shown = useLoad(
    (signal) => (day === null ? Promise.resolve(latest) : snapshot(day, signal)),
    [day, latest],
  )
  const data = shown.data
  return (
    <section aria-label="The day's top coins">
      <div class="toolbar">
        <h2>Top coins by market cap</h2>
        <label for="top-day">Day</label>
        <select
          id="top-day"
          value={day ?? latest?.day ?? ''}
          onChange={(e) =>
            setDay(e.currentTarget.value === latest?.day ? null : e.currentTarget.value)
          }
        >
          {[...days].reverse().map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>
        {data != null && (
          <span class="muted">
            {data.data.filter((c) => c.pair !== null).length} tracked,{' '}
            {data.data.filter((c) => c.pair === null).length} without a pair
          </span>
        )}
      </div>
      {shown.error !== undefined && <p class="error">{shown.error.message}</p>}
      {data === null && (
        <p class="muted">No snapshot {day === null ? 'yet: run the symbols job' : `of ${day}`}.</p>
      )}
      {data != null && (
        <div class="scroll">
          <table data-testid="top">
            <thead>
              <tr>
                <th class="num">#</th>
                <th>Coin</th>
                <th class="num">Market cap</th>
                <th class="num">Price (USD)</th>
                <th>Pair, or why none</th>
              </tr>
            </thead>
            <tbody>
              {data.data.map((c) => (
                <tr
                  key={c.coingeckoId}
                  data-coin={c.coingeckoId}
                  class={c.pair === null ? 'excluded' : undefined}
                >
                  <td class="num">{c.rank ?? '—'}</td>
                  <td>
                    <strong>{c.coinSymbol.toUpperCase()}</strong>{' '}
                    <span class="muted">{c.name}</span>
                  </td>
                  <td class="num">
                    {c.marketCapUsd === null ? '—' : usd.format(Number(c.marketCapUsd))}
                  </td>
                  <td class="num">{price(c.priceUsd)}</td>
                  <td data-col="pair">
                    {c.pair !== null ? (
                      <Link href={`/chart/${c.pair}`}>{c.pair}</Link>
                    ) : (
                      <span class="excluded-reason">no pair: {c.excludedReason ?? 'unknown'}</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

export default function Market(_props: ViewProps) {
  const snapshots = useLoad(loadSnapshots, [])
  return (
    <>
      <h1>Market</h1>
      {snapshots.error !== undefined && <p class="error">{snapshots.error.message}</p>}
      {snapshots.data !== undefined && (
        <>
          <Symbols snapshots={snapshots.data} />
          <Top latest={snapshots.data.latest} days={snapshots.data.days} />
        </>
      )}
    </>
  )
}
