import type { JobResult, Logger, ProgressEvent } from '@trading-alerts/trading-alerts'

/** What the display knows of one symbol's task. */
export interface SymbolProgress {
  readonly symbol: string
  state: ProgressEvent['state']
  done: number
  total: number
  rows: number
  error?: string | undefined
  /** When its first running event came (ms); undefined while it waits. */
  started?: number | undefined
  /** When its final event came (ms): its rate is frozen from then on. */
  finished?: number | undefined
}

const FINAL = new Set<ProgressEvent['state']>(['succeeded', 'failed', 'interrupted', 'skipped'])

/** The progress of one job, from its events: the state the renderers draw. */
export class ProgressState {
  job: string | undefined
  readonly symbols = new Map<string, SymbolProgress>()
  readonly started: number

  constructor(started: number) {
    this.started = started
  }

  update(event: ProgressEvent, now: number): void {
    this.job = event.job
    const line = this.symbols.get(event.key) ?? {
      symbol: event.key,
      state: event.state,
      done: 0,
      total: 0,
      rows: 0,
    }
    line.state = event.state
    line.done = event.done
    line.total = event.total
    line.rows = event.rows
    line.error = event.error
    if (event.state !== 'pending') line.started ??= now
    if (FINAL.has(event.state)) line.finished ??= now
    this.symbols.set(event.key, line)
  }
}

/** A view of the terminal: its size and the time of the frame. */
export interface View {
  readonly columns: number
  readonly rows: number
  readonly now: number
}

const number = (n: number) => Math.round(n).toLocaleString('en-US')

/** 45s, 3m05s, 2h07m. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}

/** Rows per second of a symbol, frozen at its final value once it finished. */
function rate(line: SymbolProgress, now: number): number {
  if (line.started === undefined) return 0
  const seconds = Math.max(0.001, ((line.finished ?? now) - line.started) / 1000)
  return line.rows / seconds
}

/** The counts of a set of symbols by what they are doing: "40 done, 20 waiting, 3 failed". */
function tally(lines: readonly SymbolProgress[]): string {
  const count = (test: (l: SymbolProgress) => boolean) => lines.filter(test).length
  const parts: [number, string][] = [
    [count((l) => l.state === 'succeeded'), 'done'],
    [count((l) => l.state === 'running'), 'running'],
    [count((l) => l.state === 'pending'), 'waiting'],
    [count((l) => l.state === 'failed'), 'failed'],
    [count((l) => l.state === 'interrupted'), 'interrupted'],
    [count((l) => l.state === 'skipped'), 'skipped'],
  ]
  return parts
    .filter(([n]) => n > 0)
    .map(([n, what]) => `${n} ${what}`)
    .join(', ')
}

export interface Totals {
  readonly finished: number
  readonly planned: number
  readonly rows: number
  /** Rows per second since the job started. */
  readonly rate: number
  /** Milliseconds to go, when the plan is known and some of it is done. */
  readonly eta?: number
}

/**
 * The job's totals. Work done is the finished symbols plus the running ones' fraction of their
 * planned files or requests; the ETA extrapolates the time so far to the rest of the plan.
 */
export function totals(state: ProgressState, now: number): Totals {
  const lines = [...state.symbols.values()]
  const finished = lines.filter((l) => l.finished !== undefined).length
  const rows = lines.reduce((sum, l) => sum + l.rows, 0)
  const elapsed = Math.max(1, now - state.started)
  const done = lines.reduce(
    (sum, l) =>
      sum + (l.finished !== undefined ? 1 : l.total > 0 ? Math.min(1, l.done / l.total) : 0),
    0,
  )
  const fraction = lines.length === 0 ? 0 : done / lines.length
  const base = { finished, planned: lines.length, rows, rate: (rows * 1000) / elapsed }
  if (fraction <= 0) return base
  return { ...base, eta: fraction >= 1 ? 0 : (elapsed * (1 - fraction)) / fraction }
}

function totalLine(state: ProgressState, now: number): string {
  const t = totals(state, now)
  return [
    `${state.job ?? 'job'}: ${t.finished}/${t.planned} symbols`,
    `${number(t.rows)} rows`,
    `${number(t.rate)} rows/s`,
    `ETA ${t.eta === undefined ? '?' : duration(t.eta)}`,
    `${duration(now - state.started)} elapsed`,
  ].join(', ')
}

function symbolLine(line: SymbolProgress, now: number): string {
  const units =
    line.total > 0
      ? `${String(line.done).padStart(4)}/${String(line.total).padEnd(4)}`
      : '    -    '
  const error = line.error === undefined ? '' : `  ${line.error}`
  return `${line.symbol.padEnd(12)} ${line.state.padEnd(11)} ${units} ${number(line.rows).padStart(11)} rows  ${number(rate(line, now))} rows/s${error}`
}

/** The order symbols are shown in when not all fit: running, then failed, then the latest done. */
function priority(line: SymbolProgress): number {
  if (line.state === 'running') return 0
  if (line.state === 'failed') return 1
  if (line.finished !== undefined) return 2
  return 3
}

/**
 * The frame of the display, as lines that fit a terminal of `view.columns` × `view.rows`: a total
 * line (symbols finished of planned, rows, rate, ETA), then one line per symbol when they all fit,
 * otherwise the running ones (then the failed, then the latest finished, as room allows) and a
 * summary of the others ("+63 more: 40 done, 20 waiting, 3 failed"). It leaves the terminal's last
 * row free, so that drawing it never scrolls; no line is longer than columns - 1 (none wraps).
 */
export function renderProgress(state: ProgressState, view: View): string[] {
  const height = Math.max(1, view.rows - 1)
  const width = Math.max(1, view.columns - 1)
  const all = [...state.symbols.values()]
  let shown = all
  let rest: SymbolProgress[] = []
  if (all.length + 1 > height) {
    const room = Math.max(0, height - 2)
    const chosen = new Set(
      all
        .map((line, index) => ({ line, index }))
        .sort(
          (a, b) =>
            priority(a.line) - priority(b.line) ||
            (priority(a.line) === 2 ? (b.line.finished ?? 0) - (a.line.finished ?? 0) : 0) ||
            a.index - b.index,
        )
        .slice(0, room)
        .map((e) => e.line),
    )
    shown = all.filter((l) => chosen.has(l))
    rest = all.filter((l) => !chosen.has(l))
  }
  const lines = [totalLine(state, view.now), ...shown.map((l) => symbolLine(l, view.now))]
  if (rest.length > 0) lines.push(`+${rest.length} more: ${tally(rest)}`)
  return lines.slice(0, height).map((l) => l.slice(0, width))
}

/** The parts of a TTY stream the display uses (process.stdout, or a test's stand-in). */
export interface Terminal {
  readonly columns?: number
  readonly rows?: number
  write(text: string): boolean
  on(event: 'resize', listener: () => void): unknown
  off(event: 'resize', listener: () => void): unknown
}

/** The runner's console logger: quiet while the display runs, its lines written above the frame. */
export interface DisplayLogger {
  quiet?: boolean
  around?: ((write: () => void) => void) | undefined
}

/** Live progress of a one-shot job on a TTY: redraws `renderProgress` in place. */
export class ProgressDisplay {
  private readonly state: ProgressState
  private drawn = 0
  private timer: NodeJS.Timeout | undefined
  private readonly out: Terminal
  private readonly now: () => number
  private readonly logger: DisplayLogger | undefined
  private readonly onResize = () => this.draw()

  constructor(
    options: { out?: Terminal; now?: () => number; logger?: DisplayLogger | undefined } = {},
  ) {
    this.out = options.out ?? process.stdout
    this.now = options.now ?? Date.now
    this.logger = options.logger
    this.state = new ProgressState(this.now())
  }

  start(): void {
    this.out.write('\x1b[?25l')
    this.out.on('resize', this.onResize)
    if (this.logger !== undefined) {
      this.logger.quiet = true
      this.logger.around = (write) => {
        this.clear()
        write()
        this.draw()
      }
    }
    this.timer = setInterval(() => this.draw(), 250)
  }

  update(event: ProgressEvent): void {
    this.state.update(event, this.now())
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.out.off('resize', this.onResize)
    if (this.logger !== undefined) {
      this.logger.quiet = false
      this.logger.around = undefined
    }
    this.draw()
    this.drawn = 0
    this.out.write('\x1b[?25h')
  }

  /** Moves to the frame's first line and erases the frame. */
  private clear(): void {
    if (this.drawn > 0) this.out.write(`\r\x1b[${this.drawn}A\x1b[J`)
    this.drawn = 0
  }

  private draw(): void {
    const view = { columns: this.out.columns || 80, rows: this.out.rows || 24, now: this.now() }
    const lines = renderProgress(this.state, view)
    // Up to the frame's first line (never above the screen's top), erase to the end, redraw.
    const up = Math.min(this.drawn, view.rows - 1)
    const frame = `${up > 0 ? `\r\x1b[${up}A` : '\r'}\x1b[J${lines.join('\n')}\n`
    this.out.write(frame)
    this.drawn = lines.length
  }
}

/**
 * Progress off a TTY: every `everyMs`, an info log line per symbol that moved since the last one
 * (its state, units, rows, rate) and one of the job's totals with its ETA.
 */
export class ProgressLog {
  private readonly state: ProgressState
  private readonly logged = new Map<string, string>()
  private timer: NodeJS.Timeout | undefined
  private readonly now: () => number
  private readonly logger: Logger
  private readonly everyMs: number

  constructor(logger: Logger, options: { now?: () => number; everyMs?: number } = {}) {
    this.logger = logger
    this.now = options.now ?? Date.now
    this.state = new ProgressState(this.now())
    this.everyMs = options.everyMs ?? 5000
  }

  start(): void {
    this.timer = setInterval(() => this.log(), this.everyMs)
    this.timer.unref()
  }

  update(event: ProgressEvent): void {
    this.state.update(event, this.now())
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer)
  }

  /** Logs what moved since the last call. */
  log(): void {
    const now = this.now()
    let moved = false
    for (const line of this.state.symbols.values()) {
      const key = `${line.state} ${line.done} ${line.rows}`
      if (line.state === 'pending' || this.logged.get(line.symbol) === key) continue
      this.logged.set(line.symbol, key)
      moved = true
      this.logger.info('progress', {
        job: this.state.job,
        symbol: line.symbol,
        state: line.state,
        done: line.done,
        total: line.total,
        rows: line.rows,
        rowsPerSecond: Math.round(rate(line, now)),
      })
    }
    if (!moved) return
    const t = totals(this.state, now)
    this.logger.info('job progress', {
      job: this.state.job,
      symbols: t.planned,
      finished: t.finished,
      rows: t.rows,
      rowsPerSecond: Math.round(t.rate),
      ...(t.eta === undefined ? {} : { etaSeconds: Math.round(t.eta / 1000) }),
    })
  }
}

const pad = (value: string, n: number) => value.padEnd(n)

/** The summary table printed at the end of every one-shot job. */
export function summaryTable(result: JobResult): string {
  const header = `${pad('task', 12)} ${pad('state', 11)} ${'rows'.padStart(11)}  error`
  const lines = result.tasks
    .slice()
    .sort((a, b) => a.key.localeCompare(b.key))
    .map(
      (t) =>
        `${pad(t.key, 12)} ${pad(t.state, 11)} ${t.rows.toLocaleString('en-US').padStart(11)}  ${t.error ?? ''}`,
    )
  const seconds = ((result.finishedAt.getTime() - result.startedAt.getTime()) / 1000).toFixed(1)
  const failed = result.tasks.filter((t) => t.state === 'failed').length
  return [
    `${result.job} run #${result.runId}: ${result.state} in ${seconds} s, ${result.tasks.length} task(s), ${failed} failed, ${result.rowsWritten.toLocaleString('en-US')} rows written`,
    ...(result.tasks.length > 0 ? [header, ...lines] : []),
  ].join('\n')
}
