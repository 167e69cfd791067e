import type { JobResult, ProgressEvent } from '@trading-alerts/trading-alerts'

interface Line {
  symbol: string
  state: string
  done: number
  total: number
  rows: number
  error?: string | undefined
  started: number
}

/** A live per-symbol progress display on a TTY (ANSI redraw, no dependency). */
export class ProgressDisplay {
  private readonly lines = new Map<string, Line>()
  private drawn = 0
  private timer: NodeJS.Timeout | undefined
  private readonly out: NodeJS.WriteStream

  constructor(out: NodeJS.WriteStream = process.stdout) {
    this.out = out
  }

  start(): void {
    this.timer = setInterval(() => this.draw(), 250)
  }

  update(event: ProgressEvent): void {
    const line = this.lines.get(event.key) ?? {
      symbol: event.key,
      state: event.state,
      done: 0,
      total: 0,
      rows: 0,
      started: Date.now(),
    }
    line.state = event.state
    line.done = event.done
    line.total = event.total
    line.rows = event.rows
    line.error = event.error
    this.lines.set(event.key, line)
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.draw()
  }

  private draw(): void {
    const width = this.out.columns || 100
    const rows = [...this.lines.values()].map((l) => {
      const seconds = Math.max(0.001, (Date.now() - l.started) / 1000)
      const bar =
        l.total > 0 ? `${String(l.done).padStart(4)}/${String(l.total).padEnd(4)}` : '    -    '
      const rate = `${Math.round(l.rows / seconds).toLocaleString('en-US')} rows/s`
      const text = `${l.symbol.padEnd(12)} ${l.state.padEnd(11)} ${bar} ${l.rows.toLocaleString('en-US').padStart(11)} rows  ${rate}${l.error === undefined ? '' : `  ${l.error}`}`
      return text.slice(0, width - 1)
    })
    let frame = this.drawn > 0 ? `\x1b[${this.drawn}A` : ''
    for (const r of rows) frame += `\x1b[2K${r}\n`
    this.out.write(frame)
    this.drawn = rows.length
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
