/**
 * Runs: the grid of every job's recent runs (jobs down, runs across, newest right, coloured by
 * state, as Airflow's grid), a run's tasks, a task's log lines; kept live by the event stream, so
 * a run started anywhere on the database appears and moves without a reload.
 */
import { useEffect, useState } from 'preact/hooks'
import {
  api,
  ApiProblem,
  JOBS,
  type JobName,
  type LogLine,
  type Page,
  type Run,
  type RunDetail,
  type Task,
} from '../api.js'
import { useLoad, useThrottled } from '../hooks.js'
import type { ViewProps } from '../main.js'
import { Link, navigate } from '../router.js'
import { subscribe } from '../stream.js'
import { formatDuration, formatUtc, Time } from '../time.js'

/** Runs shown per job in the grid. */
const PER_JOB = 40

type Grid = Record<JobName, Run[]>

async function loadGrid(signal: AbortSignal): Promise<Grid> {
  const pages = await Promise.all(
    JOBS.map((job) => api.get<Page<Run>>('/api/v1/runs', { job, limit: PER_JOB }, signal)),
  )
  const grid = {} as Grid
  JOBS.forEach((job, i) => (grid[job] = [...(pages[i]?.data ?? [])].reverse()))
  return grid
}

/** `run` in its job's row: replaced where it is, else appended (newest right), the row bounded. */
function upsert(grid: Grid, run: Run): Grid {
  const row = grid[run.job].filter((r) => r.id !== run.id)
  const at = grid[run.job].findIndex((r) => r.id === run.id)
  if (at >= 0) row.splice(at, 0, run)
  else row.push(run)
  row.sort((a, b) => a.id - b.id)
  return { ...grid, [run.job]: row.slice(-PER_JOB) }
}

function cellTitle(run: Run): string {
  const t = run.tasks
  return `#${run.id} ${run.job} ${run.state} · ${formatUtc(run.startedAt)} UTC · ${formatDuration(run.durationS)} · ${t.succeeded}/${t.total} tasks ok${t.failed > 0 ? `, ${t.failed} failed` : ''}`
}

function RunGrid({ grid, selected }: { grid: Grid; selected: number | null }) {
  return (
    <section aria-label="Runs of every job">
      <div class="grid" data-testid="run-grid">
        {JOBS.map((job) => (
          <>
            <div key={`${job}-label`} class="job">
              {job}
            </div>
            <div key={`${job}-cells`} class="cells" data-job={job}>
              {grid[job].length === 0 && <span class="muted">no run yet</span>}
              {grid[job].map((run) => (
                <Link
                  key={run.id}
                  href={`/runs/${run.id}`}
                  class={`cell state-${run.state}`}
                  title={cellTitle(run)}
                  aria-label={cellTitle(run)}
                  aria-current={run.id === selected ? 'true' : undefined}
                  data-run={run.id}
                  data-state={run.state}
                />
              ))}
            </div>
          </>
        ))}
      </div>
      <p class="legend">
        {(['succeeded', 'failed', 'running', 'interrupted'] as const).map((s) => (
          <span key={s}>
            <span class={`cell state-${s}`} />
            {s}
          </span>
        ))}
      </p>
    </section>
  )
}

function StartJob() {
  const [job, setJob] = useState<JobName>('incremental')
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null)
  const [busy, setBusy] = useState(false)
  return (
    <form
      class="toolbar"
      onSubmit={(event) => {
        event.preventDefault()
        setBusy(true)
        setMessage(null)
        api.post<{ id: number }>('/api/v1/runs', { job }).then(
          ({ id }) => {
            setBusy(false)
            setMessage({ text: `started run #${id}`, error: false })
            navigate(`/runs/${id}`)
          },
          (e: unknown) => {
            setBusy(false)
            setMessage({ text: e instanceof ApiProblem ? e.message : String(e), error: true })
          },
        )
      }}
    >
      <label for="start-job">Start a job</label>
      <select id="start-job" value={job} onChange={(e) => setJob(e.currentTarget.value as JobName)}>
        {JOBS.map((j) => (
          <option key={j} value={j}>
            {j}
          </option>
        ))}
      </select>
      <button type="submit" class="primary" disabled={busy}>
        Start
      </button>
      {message !== null && (
        <span class={message.error ? 'error' : 'muted'} role="status">
          {message.text}
        </span>
      )}
    </form>
  )
}

function TaskLog({ runId, task }: { runId: number; task: string }) {
  const log = useLoad(
    (signal) =>
      api.get<{ data: LogLine[]; dropped: number }>(
        `/api/v1/runs/${runId}/tasks/${encodeURIComponent(task)}/log`,
        {},
        signal,
      ),
    [runId, task],
  )
  const reload = useThrottled(log.reload, 1000)
  useEffect(
    () =>
      subscribe('task', (e) => {
        if (e.runId === runId && (e.key ?? e.symbol) === task) reload()
      }),
    [runId, task, reload],
  )
  return (
    <section aria-label={`Log of ${task}`} data-testid="task-log">
      <h2>
        Log of {task} <span class="muted">in run #{runId}</span>
      </h2>
      {log.error !== undefined && <p class="error">{log.error.message}</p>}
      {log.data !== undefined && log.data.data.length === 0 && <p class="muted">No log lines.</p>}
      {log.data !== undefined && log.data.data.length > 0 && (
        <pre class="log">
          {log.data.data.map((line, i) => (
            <div key={i} class={`lvl-${line.level}`}>
              <span class="muted" title={new Date(line.time).toLocaleString()}>
                {formatUtc(line.time, true)}
              </span>{' '}
              {line.level.toUpperCase().padEnd(5)} {line.message}
              {line.fields !== null && Object.keys(line.fields).length > 0 && (
                <span class="muted"> {JSON.stringify(line.fields)}</span>
              )}
              {i === 199 && log.data !== undefined && log.data.dropped > 0 && (
                <div class="muted">… {log.data.dropped} lines dropped …</div>
              )}
            </div>
          ))}
        </pre>
      )}
    </section>
  )
}

function RunTasks({ id, task }: { id: number; task: string | null }) {
  const run = useLoad((signal) => api.get<RunDetail>(`/api/v1/runs/${id}`, {}, signal), [id])
  const tasks = useLoad(
    (signal) => api.get<{ data: Task[] }>(`/api/v1/runs/${id}/tasks`, {}, signal),
    [id],
  )
  const reloadTasks = useThrottled(tasks.reload, 500)
  const reloadRun = useThrottled(run.reload, 500)
  useEffect(() => {
    const offTask = subscribe('task', (e) => {
      if (e.runId === id) reloadTasks()
    })
    const offRun = subscribe('run', (e) => {
      if (e.id === id) {
        reloadRun()
        reloadTasks()
      }
    })
    return () => {
      offTask()
      offRun()
    }
  }, [id, reloadTasks, reloadRun])
  if (run.error !== undefined)
    return <p class="error">{run.error.status === 404 ? `No run #${id}.` : run.error.message}</p>
  const r = run.data
  return (
    <div class="split">
      <section aria-label={`Run ${id}`} data-testid="run-detail">
        <h2>
          Run #{id} {r !== undefined && <span class={`badge state-${r.state}`}>{r.state}</span>}
        </h2>
        {r !== undefined && (
          <dl class="facts">
            <dt>Job</dt>
            <dd>{r.job}</dd>
            <dt>Started</dt>
            <dd>
              <Time iso={r.startedAt} seconds />
            </dd>
            <dt>Finished</dt>
            <dd>
              <Time iso={r.finishedAt} seconds />
            </dd>
            <dt>Duration</dt>
            <dd>{formatDuration(r.durationS)}</dd>
            <dt>Rows</dt>
            <dd>{r.rows.toLocaleString('en-US')}</dd>
            {r.error !== null && (
              <>
                <dt>Error</dt>
                <dd class="error">{r.error}</dd>
              </>
            )}
          </dl>
        )}
        <div class="scroll">
          <table data-testid="tasks">
            <thead>
              <tr>
                <th>Task</th>
                <th>State</th>
                <th class="num">Attempts</th>
                <th class="num">Rows</th>
                <th class="num">Duration</th>
                <th>Error</th>
              </tr>
            </thead>
            <tbody>
              {(tasks.data?.data ?? []).map((t) => (
                <tr
                  key={t.key}
                  class={t.key === task ? 'selected' : undefined}
                  data-task={t.key}
                  data-state={t.state}
                >
                  <td>
                    <Link href={`/runs/${id}/tasks/${encodeURIComponent(t.key)}`}>{t.key}</Link>
                  </td>
                  <td>
                    <span class={`badge state-${t.state}`}>{t.state}</span>
                  </td>
                  <td class="num">{t.attempts}</td>
                  <td class="num">{t.rows.toLocaleString('en-US')}</td>
                  <td class="num">{formatDuration(t.durationS)}</td>
                  <td class="wrap error">
                    {t.errorCode !== null && <code>{t.errorCode}</code>} {t.error}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {tasks.data !== undefined && tasks.data.data.length === 0 && (
            <p class="muted">No tasks yet.</p>
          )}
        </div>
      </section>
      {task !== null ? (
        <TaskLog runId={id} task={task} />
      ) : (
        <p class="muted">Choose a task to see its log.</p>
      )}
    </div>
  )
}

export default function Runs({ route, session }: ViewProps) {
  const id = route.parts[1] === undefined ? null : Number(route.parts[1])
  const task = route.parts[2] === 'tasks' ? (route.parts[3] ?? null) : null
  const grid = useLoad(loadGrid, [])
  useEffect(
    () =>
      subscribe('run', (e) => {
        api.get<Run>(`/api/v1/runs/${e.id}`).then(
          (run) => grid.update((g) => upsert(g, run)),
          () => grid.reload(),
        )
      }),
    [grid.update, grid.reload],
  )
  const newest =
    grid.data === undefined
      ? null
      : Math.max(0, ...JOBS.flatMap((j) => grid.data?.[j].map((r) => r.id) ?? []))
  const shown = id !== null && Number.isInteger(id) ? id : newest === 0 ? null : newest
  return (
    <>
      <div class="toolbar">
        <h1>Runs</h1>
        <span class="spacer" />
        {session.scope === 'admin' && <StartJob />}
      </div>
      {grid.error !== undefined && <p class="error">{grid.error.message}</p>}
      {grid.data !== undefined && <RunGrid grid={grid.data} selected={shown} />}
      {shown !== null && <RunTasks id={shown} task={task} />}
    </>
  )
}
