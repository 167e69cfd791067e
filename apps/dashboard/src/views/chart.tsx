/**
 * Chart: a symbol's candles and volume at a timeframe, with indicators of the rule language
 * (overlays on the price, the others each in a pane of their own), alert events and a rule's dry
 * run as markers, gaps shaded; more history as one pans left, the last bar kept live. The address
 * holds the state: `/chart/BTCUSDT?tf=1h&ind=rsi(14)&ind=sma(20)&dryRun=rsi(14) < 30`.
 */
import {
  CandlestickSeries,
  ColorType,
  HistogramSeries,
  LineSeries,
  createChart,
  createSeriesMarkers,
  type IChartApi,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type SeriesMarker,
  type SeriesType,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts'
import { useEffect, useRef, useState } from 'preact/hooks'
import {
  api,
  ApiProblem,
  type AlertEvent,
  type Candle,
  type CatalogueEntry,
  type Gap,
  type IndicatorRow,
  type Page,
  type SymbolInfo,
} from '../api.js'
import { useLoad } from '../hooks.js'
import type { ViewProps } from '../main.js'
import { Link, navigate } from '../router.js'
import { subscribe } from '../stream.js'

const TIMEFRAMES = ['1m', '5m', '15m', '1h', '4h', '1d', '1w'] as const
const TF_MS: Record<string, number> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
  '1d': 86_400_000,
  '1w': 604_800_000,
}
/** Bars asked for at first and on each step left. */
const PAGE_BARS = 300
/** Load more when fewer than this many bars are left of the visible range. */
const NEAR_LEFT = 20
const SERIES_COLOURS = ['#2962ff', '#e91e63', '#ff9800', '#9c27b0', '#009688', '#795548']

/** The chart's address with `change` applied. */
function chartHref(
  symbol: string,
  tf: string,
  ind: readonly string[],
  dryRun: string | null,
): string {
  const q = new URLSearchParams()
  q.set('tf', tf)
  for (const i of ind) q.append('ind', i)
  if (dryRun !== null && dryRun !== '') q.set('dryRun', dryRun)
  return `/chart/${encodeURIComponent(symbol)}?${q.toString()}`
}

const sec = (iso: string | number) =>
  Math.floor((typeof iso === 'number' ? iso : Date.parse(iso)) / 1000) as UTCTimestamp

interface Palette {
  bg: string
  fg: string
  grid: string
  up: string
  down: string
  volume: string
  gap: string
  alert: string
  dryRun: string
}

function palette(dark: boolean): Palette {
  return dark
    ? {
        bg: '#0d1117',
        fg: '#e6edf3',
        grid: '#21262d',
        up: '#3fb950',
        down: '#f85149',
        volume: 'rgba(139, 148, 158, 0.45)',
        gap: 'rgba(210, 153, 34, 0.22)',
        alert: '#d29922',
        dryRun: '#a371f7',
      }
    : {
        bg: '#ffffff',
        fg: '#1f2328',
        grid: '#eaeef2',
        up: '#1a7f37',
        down: '#cf222e',
        volume: 'rgba(101, 109, 118, 0.35)',
        gap: 'rgba(154, 103, 0, 0.16)',
        alert: '#9a6700',
        dryRun: '#8250df',
      }
}

function useDark(): boolean {
  const query = '(prefers-color-scheme: dark)'
  const [dark, setDark] = useState(() => matchMedia(query).matches)
  useEffect(() => {
    const mq = matchMedia(query)
    const on = () => setDark(mq.matches)
    mq.addEventListener('change', on)
    return () => mq.removeEventListener('change', on)
  }, [])
  return dark
}

/** What the page shows of the chart, for people (the legend) and tests (data-* attributes). */
interface Shown {
  count: number
  first: string | null
  last: string | null
  panes: number
  alerts: number
  dryRun: number
  series: { key: string; count: number; last: number | null; colour: string }[]
  loadingOlder: boolean
  error: string | null
}

const EMPTY: Shown = {
  count: 0,
  first: null,
  last: null,
  panes: 0,
  alerts: 0,
  dryRun: 0,
  series: [],
  loadingOlder: false,
  error: null,
}

interface ChartProps {
  symbol: string
  info: SymbolInfo
  tf: string
  ind: readonly string[]
  catalogue: readonly CatalogueEntry[]
  dryRun: string | null
  admin: boolean
}

/** The name of an indicator text (`bbands(20,2)` → `bbands`). */
const nameOf = (text: string) => (/^[a-z_0-9]+/i.exec(text)?.[0] ?? text).toLowerCase()

function Chart({ symbol, info, tf, ind, catalogue, dryRun, admin }: ChartProps) {
  const box = useRef<HTMLDivElement>(null)
  const chartRef = useRef<IChartApi | null>(null)
  const dark = useDark()
  const [shown, setShown] = useState<Shown>(EMPTY)
  const indKey = ind.join('\n')

  useEffect(() => {
    const p = palette(dark)
    chartRef.current?.applyOptions({
      layout: { background: { type: ColorType.Solid, color: p.bg }, textColor: p.fg },
      grid: { vertLines: { color: p.grid }, horzLines: { color: p.grid } },
    })
  }, [dark])

  useEffect(() => {
    const el = box.current
    if (el === null) return
    const p = palette(matchMedia('(prefers-color-scheme: dark)').matches)
    const size = TF_MS[tf] ?? 3_600_000
    const chart = createChart(el, {
      autoSize: true,
      layout: {
        background: { type: ColorType.Solid, color: p.bg },
        textColor: p.fg,
        attributionLogo: true,
        panes: { separatorColor: p.grid },
      },
      grid: { vertLines: { color: p.grid }, horzLines: { color: p.grid } },
      timeScale: { timeVisible: size < 86_400_000, secondsVisible: false },
      localization: {
        // The axis and the crosshair in UTC, as everything in trading-alerts.
        timeFormatter: (t: Time) => {
          const d = new Date((t as number) * 1000).toISOString()
          return size >= 86_400_000 ? d.slice(0, 10) : `${d.slice(0, 10)} ${d.slice(11, 16)} UTC`
        },
      },
    })
    chartRef.current = chart
    const candles = chart.addSeries(CandlestickSeries, {
      upColor: p.up,
      downColor: p.down,
      borderUpColor: p.up,
      borderDownColor: p.down,
      wickUpColor: p.up,
      wickDownColor: p.down,
    })
    const volume = chart.addSeries(HistogramSeries, {
      priceScaleId: 'volume',
      priceFormat: { type: 'volume' },
      color: p.volume,
      lastValueVisible: false,
      priceLineVisible: false,
    })
    chart.priceScale('volume').applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } })
    const gapSeries = chart.addSeries(HistogramSeries, {
      priceScaleId: 'gaps',
      color: p.gap,
      lastValueVisible: false,
      priceLineVisible: false,
      priceFormat: { type: 'custom', formatter: () => '' },
    })
    chart.priceScale('gaps').applyOptions({ scaleMargins: { top: 0, bottom: 0 }, visible: false })
    const markers: ISeriesMarkersPluginApi<Time> = createSeriesMarkers(candles, [])

    // Indicators: each output a line series (a histogram for MACD's), overlays on the price pane.
    let nextPane = 1
    let colour = 0
    const lines: { key: string; series: ISeriesApi<SeriesType>; colour: string }[] = []
    for (const text of ind) {
      const entry = catalogue.find((c) => c.name === nameOf(text))
      const pane = entry?.overlay === true ? 0 : nextPane++
      const outputs =
        entry === undefined || entry.outputs.length === 0 || text.includes('.')
          ? ['']
          : entry.outputs
      for (const out of outputs) {
        const key = out === '' ? text : `${text}.${out}`
        const c = SERIES_COLOURS[colour++ % SERIES_COLOURS.length] ?? '#2962ff'
        const series =
          out === 'histogram'
            ? chart.addSeries(
                HistogramSeries,
                { color: c, title: key, priceLineVisible: false },
                pane,
              )
            : chart.addSeries(
                LineSeries,
                { color: c, lineWidth: 2, title: key, priceLineVisible: false },
                pane,
              )
        lines.push({ key, series, colour: c })
      }
    }

    const abort = new AbortController()
    const signal = abort.signal
    let bars: Candle[] = []
    let rows: IndicatorRow[] = []
    let gaps: Gap[] = []
    let alertEvents: AlertEvent[] = []
    let dryBars: string[] = []
    let exhausted = false
    let loadingOlder = false
    let error: string | null = null
    const firstOpen = info.firstOpenTime === null ? 0 : Date.parse(info.firstOpenTime)

    const publish = () => {
      if (signal.aborted) return
      setShown({
        count: bars.length,
        first: bars[0]?.openTime ?? null,
        last: bars.at(-1)?.openTime ?? null,
        panes: chart.panes().length,
        alerts: alertEvents.length,
        dryRun: dryBars.length,
        series: lines.map(({ key, colour: c }) => {
          const values = rows.map((r) => r.values[key]).filter((v) => typeof v === 'number')
          return { key, count: values.length, last: values.at(-1) ?? null, colour: c }
        }),
        loadingOlder,
        error,
      })
    }
    const fail = (e: unknown) => {
      if (signal.aborted) return
      error = e instanceof ApiProblem ? e.message : String(e)
      publish()
    }

    const getCandles = async (from: number, to: number | undefined) => {
      const out: Candle[] = []
      let cursor: string | null = null
      do {
        const page: Page<Candle> = await api.get<Page<Candle>>(
          `/api/v1/candles/${encodeURIComponent(symbol)}`,
          { timeframe: tf, from, to, limit: 1000, cursor },
          signal,
        )
        out.push(...page.data)
        cursor = page.next
      } while (cursor !== null)
      return out
    }
    const getIndicators = async (from: number, to: number | undefined) => {
      if (ind.length === 0) return []
      const out: IndicatorRow[] = []
      let cursor: string | null = null
      do {
        const page: Page<IndicatorRow> = await api.get<Page<IndicatorRow>>(
          `/api/v1/indicators/${encodeURIComponent(symbol)}`,
          { timeframe: tf, name: ind, from, to, limit: 1000, cursor },
          signal,
        )
        out.push(...page.data)
        cursor = page.next
      } while (cursor !== null)
      return out
    }

    /** The open time of the loaded bar holding `t`, if any. */
    const barAt = (t: number): string | undefined => {
      let lo = 0
      let hi = bars.length - 1
      let found: Candle | undefined
      while (lo <= hi) {
        const mid = (lo + hi) >> 1
        const b = bars[mid] as Candle
        if (Date.parse(b.openTime) <= t) {
          found = b
          lo = mid + 1
        } else hi = mid - 1
      }
      return found !== undefined && Date.parse(found.openTime) + size > t
        ? found.openTime
        : undefined
    }

    const draw = () => {
      candles.setData(
        bars.map((b) => ({
          time: sec(b.openTime),
          open: Number(b.open),
          high: Number(b.high),
          low: Number(b.low),
          close: Number(b.close),
        })),
      )
      volume.setData(
        bars.map((b) => ({
          time: sec(b.openTime),
          value: Number(b.volume),
          color: Number(b.close) >= Number(b.open) ? p.volume : p.volume,
        })),
      )
      for (const { key, series } of lines) {
        series.setData(
          rows.map((r) => {
            const v = r.values[key]
            return typeof v === 'number'
              ? { time: sec(r.openTime), value: v }
              : { time: sec(r.openTime) }
          }),
        )
      }
      // Gaps: a full-height bar at each period with no candle, on a hidden scale of its own.
      const first = bars[0]
      const last = bars.at(-1)
      const shade: { time: UTCTimestamp; value: number }[] = []
      if (first !== undefined && last !== undefined) {
        const lo = Date.parse(first.openTime)
        const hi = Date.parse(last.openTime) + size
        for (const g of gaps) {
          const start = Math.max(lo, Date.parse(g.startTime))
          const end = Math.min(hi, Date.parse(g.endTime))
          let n = 0
          for (let t = Math.floor(start / size) * size; t < end && n < 2000; t += size, n++) {
            if (barAt(t) === undefined) shade.push({ time: sec(t), value: 1 })
          }
        }
      }
      shade.sort((a, b) => a.time - b.time)
      gapSeries.setData(shade.filter((s, i) => i === 0 || shade[i - 1]?.time !== s.time))
      drawMarkers()
    }

    const drawMarkers = () => {
      const list: SeriesMarker<Time>[] = []
      for (const e of alertEvents) {
        const at = barAt(Date.parse(e.barTime))
        if (at === undefined) continue
        list.push({
          time: sec(at),
          position: 'aboveBar',
          shape: 'arrowDown',
          color: p.alert,
          text: e.rule.name,
        })
      }
      for (const t of dryBars) {
        const at = barAt(Date.parse(t))
        if (at === undefined) continue
        list.push({ time: sec(at), position: 'belowBar', shape: 'arrowUp', color: p.dryRun })
      }
      list.sort((a, b) => (a.time as number) - (b.time as number))
      markers.setMarkers(list)
    }

    const loadOlder = async () => {
      const oldest = bars[0]
      if (exhausted || loadingOlder || oldest === undefined) return
      loadingOlder = true
      publish()
      const to = Date.parse(oldest.openTime)
      const from = Math.max(firstOpen, to - PAGE_BARS * size)
      try {
        const [older, olderRows] = await Promise.all([
          getCandles(from, to),
          getIndicators(from, to),
        ])
        if (signal.aborted) return
        if (from <= firstOpen) exhausted = true
        bars = [...older, ...bars]
        rows = [...olderRows, ...rows]
        draw()
      } catch (e) {
        fail(e)
      } finally {
        loadingOlder = false
        publish()
      }
    }

    const end = info.lastUpdatedAt === null ? Date.now() : Date.parse(info.lastUpdatedAt)
    const start = Math.max(firstOpen, end - PAGE_BARS * size)
    void (async () => {
      try {
        const [b, r, g, ev] = await Promise.all([
          getCandles(start, undefined),
          getIndicators(start, undefined),
          api.get<{ data: Gap[] }>('/api/v1/gaps', { symbol }, signal),
          api.get<Page<AlertEvent>>('/api/v1/alerts/events', { symbol, limit: 1000 }, signal),
        ])
        if (signal.aborted) return
        bars = b
        rows = r
        gaps = g.data
        alertEvents = ev.data
        exhausted = start <= firstOpen
        draw()
        chart.timeScale().scrollToRealTime()
        publish()
        if (dryRun !== null && dryRun !== '' && admin) {
          const fired = await api.post<{ data: { barTime: string }[] }>(
            '/api/v1/alerts/rules/test',
            { rule: dryRun, symbol, timeframe: tf },
          )
          if (signal.aborted) return
          dryBars = fired.data.map((f) => f.barTime)
          drawMarkers()
          publish()
        }
      } catch (e) {
        fail(e)
      }
    })()

    const onRange = (range: { from: number; to: number } | null) => {
      if (range !== null && range.from < NEAR_LEFT) void loadOlder()
    }
    chart.timeScale().subscribeVisibleLogicalRangeChange(onRange)

    // Live: when the symbol's data moves forward, the newest bars again (the last one updated).
    const offCandles = subscribe('candles', (e) => {
      if (e.symbol !== symbol) return
      const newest = bars.at(-1)
      if (newest === undefined) return
      const from = Date.parse(newest.openTime)
      void Promise.all([getCandles(from, undefined), getIndicators(from, undefined)]).then(
        ([b, r]) => {
          if (signal.aborted) return
          for (const bar of b) {
            const t = sec(bar.openTime)
            candles.update({
              time: t,
              open: Number(bar.open),
              high: Number(bar.high),
              low: Number(bar.low),
              close: Number(bar.close),
            })
            volume.update({ time: t, value: Number(bar.volume) })
            const at = bars.findIndex((x) => x.openTime === bar.openTime)
            if (at >= 0) bars[at] = bar
            else bars.push(bar)
          }
          for (const row of r) {
            for (const { key, series } of lines) {
              const v = row.values[key]
              if (typeof v === 'number') series.update({ time: sec(row.openTime), value: v })
            }
            const at = rows.findIndex((x) => x.openTime === row.openTime)
            if (at >= 0) rows[at] = row
            else rows.push(row)
          }
          publish()
        },
        fail,
      )
    })
    const offAlerts = subscribe('alert', (e) => {
      if (e.symbol !== symbol) return
      void api
        .get<Page<AlertEvent>>('/api/v1/alerts/events', { symbol, limit: 1000 }, signal)
        .then((ev) => {
          alertEvents = ev.data
          drawMarkers()
          publish()
        }, fail)
    })

    return () => {
      abort.abort()
      offCandles()
      offAlerts()
      chart.timeScale().unsubscribeVisibleLogicalRangeChange(onRange)
      chartRef.current = null
      chart.remove()
      setShown(EMPTY)
    }
    // indKey stands for `ind`; `catalogue` only decides the panes
  }, [symbol, tf, indKey, catalogue, dryRun, admin, info.firstOpenTime])

  return (
    <>
      <div
        ref={box}
        class="chart-box"
        data-testid="chart"
        data-count={shown.count}
        data-first={shown.first ?? ''}
        data-last={shown.last ?? ''}
        data-panes={shown.panes}
        data-alerts={shown.alerts}
        data-dry-run={shown.dryRun}
        data-loading-older={shown.loadingOlder ? 'true' : 'false'}
        role="img"
        aria-label={`${symbol} ${tf} candles: ${shown.count} bars`}
      />
      <p class="legend chart-legend" data-testid="chart-legend">
        <span>
          {shown.count} bars{shown.loadingOlder && ' · loading older…'}
        </span>
        {shown.alerts > 0 && (
          <span>
            <span class="swatch swatch-alert" /> alert events
          </span>
        )}
        {dryRun !== null && dryRun !== '' && (
          <span data-testid="dry-run">
            <span class="swatch swatch-dry" /> dry run <code>{dryRun}</code>:{' '}
            {admin ? `${shown.dryRun} bars` : 'needs an admin token'}
          </span>
        )}
        {shown.series.map((s) => (
          <span key={s.key} data-series={s.key} data-count={s.count} data-last-value={s.last ?? ''}>
            <span class="swatch" ref={(e) => e?.style.setProperty('background', s.colour)} />
            {s.key} {s.last === null ? '—' : s.last.toPrecision(6)}
          </span>
        ))}
      </p>
      {shown.error !== null && (
        <p class="error" role="alert">
          {shown.error}
        </p>
      )}
    </>
  )
}

function IndicatorPicker({
  catalogue,
  onAdd,
}: {
  catalogue: readonly CatalogueEntry[]
  onAdd: (text: string) => void
}) {
  const [name, setName] = useState('rsi')
  const entry = catalogue.find((c) => c.name === name) ?? catalogue[0]
  const [params, setParams] = useState<Record<string, string>>({})
  if (entry === undefined) return null
  const values = entry.params.map((p) => params[`${entry.name}.${p.name}`] ?? String(p.default))
  return (
    <form
      class="toolbar"
      aria-label="Add an indicator"
      onSubmit={(e) => {
        e.preventDefault()
        onAdd(values.length === 0 ? entry.name : `${entry.name}(${values.join(',')})`)
      }}
    >
      <label for="chart-indicator">Indicator</label>
      <select
        id="chart-indicator"
        value={entry.name}
        onChange={(e) => setName(e.currentTarget.value)}
      >
        {catalogue.map((c) => (
          <option key={c.name} value={c.name}>
            {c.title} ({c.family}
            {c.overlay ? ', overlay' : ''})
          </option>
        ))}
      </select>
      {entry.params.map((p, i) => (
        <label key={p.name} class="param">
          {p.name}{' '}
          <input
            type="number"
            class="num-input"
            value={values[i]}
            min={p.min}
            max={p.max}
            step="any"
            required
            onInput={(e) => {
              const v = e.currentTarget.value
              setParams((old) => ({ ...old, [`${entry.name}.${p.name}`]: v }))
            }}
          />
        </label>
      ))}
      <button type="submit">Add</button>
    </form>
  )
}

export default function ChartView({ route, session }: ViewProps) {
  const symbols = useLoad(
    (signal) => api.get<{ data: SymbolInfo[] }>('/api/v1/symbols', {}, signal),
    [],
  )
  const catalogue = useLoad(
    (signal) => api.get<{ data: CatalogueEntry[] }>('/api/v1/indicator-catalogue', {}, signal),
    [],
  )
  const list = (symbols.data?.data ?? []).filter((s) => s.firstOpenTime !== null)
  const symbol = route.parts[1]?.toUpperCase() ?? null
  const tfParam = route.query.get('tf') ?? '1h'
  const tf = (TIMEFRAMES as readonly string[]).includes(tfParam) ? tfParam : '1h'
  const ind = route.query.getAll('ind').filter((i) => i !== '')
  const dryRun = route.query.get('dryRun')
  const info = list.find((s) => s.symbol === symbol)

  useEffect(() => {
    const first = list.find((s) => s.inTopN) ?? list[0]
    if (symbol === null && first !== undefined)
      navigate(chartHref(first.symbol, tf, ind, dryRun), true)
  }, [symbol, list.length])

  const href = (change: { symbol?: string; tf?: string; ind?: readonly string[] }) =>
    chartHref(change.symbol ?? symbol ?? '', change.tf ?? tf, change.ind ?? ind, dryRun)

  return (
    <>
      <div class="toolbar">
        <h1>Chart</h1>
        <label for="chart-symbol">Symbol</label>
        <select
          id="chart-symbol"
          value={symbol ?? ''}
          onChange={(e) => navigate(href({ symbol: e.currentTarget.value }))}
        >
          {symbol !== null && info === undefined && <option value={symbol}>{symbol}</option>}
          {list.map((s) => (
            <option key={s.symbol} value={s.symbol}>
              {s.symbol}
            </option>
          ))}
        </select>
        <nav class="timeframes" aria-label="Timeframe">
          {TIMEFRAMES.map((t) => (
            <Link
              key={t}
              href={href({ tf: t })}
              aria-current={t === tf ? 'page' : undefined}
              data-tf={t}
            >
              {t}
            </Link>
          ))}
        </nav>
      </div>
      {catalogue.data !== undefined && (
        <IndicatorPicker
          catalogue={catalogue.data.data}
          onAdd={(text) => {
            if (!ind.includes(text)) navigate(href({ ind: [...ind, text] }))
          }}
        />
      )}
      {ind.length > 0 && (
        <ul class="chips" aria-label="Indicators shown">
          {ind.map((i) => (
            <li key={i}>
              <code>{i}</code>{' '}
              <Link
                href={href({ ind: ind.filter((x) => x !== i) })}
                aria-label={`Remove ${i}`}
                title={`Remove ${i}`}
              >
                ✕
              </Link>
            </li>
          ))}
        </ul>
      )}
      {symbols.error !== undefined && <p class="error">{symbols.error.message}</p>}
      {symbols.data !== undefined && symbol !== null && info === undefined && (
        <p class="error">No data for {symbol}.</p>
      )}
      {symbols.data !== undefined && list.length === 0 && (
        <p class="muted">No symbol has candles yet.</p>
      )}
      {info !== undefined && symbol !== null && catalogue.data !== undefined && (
        <Chart
          key={symbol}
          symbol={symbol}
          info={info}
          tf={tf}
          ind={ind}
          catalogue={catalogue.data.data}
          dryRun={dryRun}
          admin={session.scope === 'admin'}
        />
      )}
    </>
  )
}
