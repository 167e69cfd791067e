/**
 * Alerts: the rules (with a rule editor that checks the syntax as you type, the error under the
 * character it points at), the events (live) and the webhook deliveries (dead letters retried).
 */
import { useEffect, useState } from 'preact/hooks'
import { api, ApiProblem, type Page } from '../api.js'
import { useLoad, useThrottled } from '../hooks.js'
import type { ViewProps } from '../main.js'
import { subscribe } from '../stream.js'
import { Time } from '../time.js'

interface Rule {
  readonly id: number
  readonly name: string
  readonly rule: string
  readonly symbols: string[]
  readonly timeframe: string
  readonly enabled: boolean
  readonly webhook: { url: string; preset: string } | null
}
interface AlertEvent {
  readonly id: number
  readonly rule: { id: number; name: string }
  readonly symbol: string
  readonly barTime: string
  readonly text: string
}
type Check = { ok: true } | { ok: false; error: { message: string; position: number | null } }

function originOf(url: string): string {
  try {
    return new URL(url).origin
  } catch {
    return '—'
  }
}

/** The rule text in monospace with the check's error under the character it points at. */
function RuleInput({ value, onInput }: { value: string; onInput: (v: string) => void }) {
  const [check, setCheck] = useState<Check | null>(null)
  const run = useThrottled(() => {
    if (value.trim() === '') return setCheck(null)
    api
      .get<Check>('/api/v1/alerts/rules/check', { rule: value })
      .then(setCheck, () => setCheck(null))
  }, 150)
  useEffect(run, [value, run])
  const err = check !== null && !check.ok ? check.error : null
  return (
    <div class="rule-input">
      <label for="rule-text">Rule</label>
      <input
        id="rule-text"
        class="mono"
        value={value}
        spellcheck={false}
        aria-invalid={err !== null}
        aria-describedby="rule-error"
        onInput={(e) => onInput(e.currentTarget.value)}
      />
      <pre id="rule-error" class="caret error mono" data-position={err?.position ?? ''}>
        {err === null ? '' : `${' '.repeat(err.position ?? 0)}^ ${err.message}`}
      </pre>
    </div>
  )
}

function RuleForm({ onSaved }: { onSaved: () => void }) {
  const [name, setName] = useState('')
  const [rule, setRule] = useState('')
  const [message, setMessage] = useState<string | null>(null)
  return (
    <form
      class="card"
      onSubmit={(event) => {
        event.preventDefault()
        api.post('/api/v1/alerts/rules', { name, rule }).then(
          () => {
            setMessage(`saved ${name}`)
            onSaved()
          },
          (e: unknown) => setMessage(e instanceof ApiProblem ? e.message : String(e)),
        )
      }}
    >
      <label for="rule-name">Name</label>
      <input id="rule-name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      <RuleInput value={rule} onInput={setRule} />
      <button type="submit" class="primary">
        Save
      </button>
      {message !== null && <span role="status">{message}</span>}
    </form>
  )
}

export default function Alerts({ session }: ViewProps) {
  const rules = useLoad((s) => api.get<Page<Rule>>('/api/v1/alerts/rules', {}, s), [])
  const events = useLoad((s) => api.get<Page<AlertEvent>>('/api/v1/alerts/events', {}, s), [])
  const reloadEvents = useThrottled(events.reload, 500)
  useEffect(() => subscribe('alert', () => reloadEvents()), [reloadEvents])
  return (
    <>
      <h1>Alerts</h1>
      {session.scope === 'admin' && <RuleForm onSaved={rules.reload} />}
      <h2>Rules</h2>
      <div class="scroll">
        <table data-testid="rules">
          <thead>
            <tr>
              <th>Name</th>
              <th>Rule</th>
              <th>Symbols</th>
              <th>Timeframe</th>
              <th>Enabled</th>
              <th>Webhook</th>
            </tr>
          </thead>
          <tbody>
            {(rules.data?.data ?? []).map((r) => (
              <tr key={r.id} data-rule={r.name}>
                <td>{r.name}</td>
                <td class="mono wrap">{r.rule}</td>
                <td>{r.symbols.join(', ')}</td>
                <td>{r.timeframe}</td>
                <td>{r.enabled ? 'yes' : 'no'}</td>
                <td>
                  {r.webhook === null ? '—' : `${r.webhook.preset} ${originOf(r.webhook.url)}`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>Events</h2>
      <div class="scroll">
        <table data-testid="events">
          <tbody>
            {(events.data?.data ?? []).map((e) => (
              <tr key={e.id} data-event={e.id}>
                <td>
                  <Time iso={e.barTime} />
                </td>
                <td>{e.rule.name}</td>
                <td>{e.symbol}</td>
                <td class="wrap">{e.text}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  )
}
