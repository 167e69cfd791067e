import './style.css'
import { render, type ComponentType } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { api, ApiProblem, onUnauthorized, type Session } from './api.js'
import { Link, navigate, useRoute, type Route } from './router.js'
import { closeStream, onStreamStatus } from './stream.js'

/** What each view gets: the route it is on and who is signed in. */
export interface ViewProps {
  readonly route: Route
  readonly session: Session
}

type ViewModule = { default: ComponentType<ViewProps> }
const VIEWS: Record<string, { title: string; load: () => Promise<ViewModule> }> = {
  runs: { title: 'Runs', load: () => import('./views/runs.js') },
  market: { title: 'Market', load: () => import('./views/market.js') },
  chart: { title: 'Chart', load: () => import('./views/chart.js') },
  alerts: { title: 'Alerts', load: () => import('./views/alerts.js') },
}

/** The view module of `name`, loaded on first use (the chart library only with the chart). */
function useView(name: string): ComponentType<ViewProps> | null {
  const [loaded, setLoaded] = useState<{ name: string; view: ComponentType<ViewProps> } | null>(
    null,
  )
  useEffect(() => {
    let live = true
    void VIEWS[name]?.load().then((m) => {
      if (live) setLoaded({ name, view: m.default })
    })
    return () => {
      live = false
    }
  }, [name])
  return loaded?.name === name ? loaded.view : null
}

/** Trades a `#token=…` in the address for the session cookie, then drops it from the address. */
async function loginFromFragment(): Promise<void> {
  const m = /^#token=([^&]+)/.exec(location.hash)
  if (m === null) return
  history.replaceState(null, '', location.pathname + location.search)
  try {
    await api.post('/api/v1/session', { token: decodeURIComponent(m[1] ?? '') })
  } catch {
    // a bad token: the sign-in form below says so
  }
}

function Login({ onSession }: { onSession: (s: Session) => void }) {
  const [token, setToken] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  return (
    <main class="login">
      <form
        class="card"
        onSubmit={(event) => {
          event.preventDefault()
          setBusy(true)
          api.post<Session>('/api/v1/session', { token: token.trim() }).then(
            (s) => onSession(s),
            (e: unknown) => {
              setBusy(false)
              setError(e instanceof ApiProblem ? e.message : String(e))
            },
          )
        }}
      >
        <h1>trading-alerts</h1>
        <p>
          Sign in with an API token: the one <code>pnpm serve</code> printed at its first start, or
          one from <code>pnpm run tokens create</code>.
        </p>
        <label for="token">Token</label>
        <input
          id="token"
          type="password"
          autoComplete="current-password"
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          required
        />
        {error !== null && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || token.trim() === ''}>
          Sign in
        </button>
      </form>
    </main>
  )
}

function StreamDot() {
  const [status, setStatus] = useState('closed')
  useEffect(() => onStreamStatus(setStatus), [])
  const label = status === 'open' ? 'live' : status === 'connecting' ? 'reconnecting' : 'offline'
  return (
    <span class={`stream stream-${status}`} title={`event stream: ${label}`} data-stream={status}>
      ● {label}
    </span>
  )
}

function Shell({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const route = useRoute()
  const name = route.parts[0] ?? 'runs'
  useEffect(() => {
    if (route.parts.length === 0 || VIEWS[name] === undefined) navigate('/runs', true)
  }, [route.path, name, route.parts.length])
  const View = useView(name)
  useEffect(() => {
    document.title = `${VIEWS[name]?.title ?? 'trading-alerts'} · trading-alerts`
  }, [name])
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link href="/runs" class="brand">
          trading-alerts
        </Link>
        <nav aria-label="Views">
          {Object.entries(VIEWS).map(([key, v]) => (
            <Link key={key} href={`/${key}`} aria-current={key === name ? 'page' : undefined}>
              {v.title}
            </Link>
          ))}
        </nav>
        <span class="spacer" />
        <StreamDot />
        <span class="who" title={`token "${session.name}"`}>
          {session.scope}
        </span>
        <button type="button" class="link" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {View === null ? <p class="muted">Loading…</p> : <View route={route} session={session} />}
      </main>
      <footer>
        Times in UTC (hover for local time) · Charts by{' '}
        <a href="https://www.tradingview.com/" rel="noopener noreferrer" target="_blank">
          TradingView Lightweight Charts™
        </a>{' '}
        (Apache-2.0) · <a href="/api/docs">API docs</a>
      </footer>
    </>
  )
}

function App() {
  const [session, setSession] = useState<Session | null | 'loading'>('loading')
  useEffect(() => {
    void loginFromFragment()
      .then(() => api.get<Session>('/api/v1/session'))
      .then(setSession, () => setSession(null))
    return onUnauthorized(() => {
      closeStream()
      setSession(null)
    })
  }, [])
  if (session === 'loading') return <p class="muted center">Loading…</p>
  if (session === null) return <Login onSession={setSession} />
  return (
    <Shell
      session={session}
      onSignOut={() => {
        closeStream()
        void api.delete('/api/v1/session').finally(() => setSession(null))
      }}
    />
  )
}

const root = document.getElementById('app')
if (root !== null) render(<App />, root)
