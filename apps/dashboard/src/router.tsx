/**
 * Routing by path (the server answers index.html for every path without an extension):
 * `/runs`, `/runs/42`, `/runs/42/tasks/BTCUSDT`, `/market`, `/chart/BTCUSDT?tf=1h`, `/alerts`.
 */
import type { ComponentChildren, JSX } from 'preact'
import { useEffect, useState } from 'preact/hooks'

export interface Route {
  readonly path: string
  readonly parts: readonly string[]
  readonly query: URLSearchParams
}

const listeners = new Set<() => void>()

function current(): Route {
  const path = location.pathname
  return {
    path,
    parts: path
      .split('/')
      .filter((p) => p !== '')
      .map(decodeURIComponent),
    query: new URLSearchParams(location.search),
  }
}

/** Goes to `href` (`/runs/42`) without a reload; `replace` keeps the history entry. */
export function navigate(href: string, replace = false): void {
  if (href === location.pathname + location.search) return
  if (replace) history.replaceState(null, '', href)
  else history.pushState(null, '', href)
  for (const l of listeners) l()
}

addEventListener('popstate', () => {
  for (const l of listeners) l()
})

export function useRoute(): Route {
  const [route, setRoute] = useState(current)
  useEffect(() => {
    const l = () => setRoute(current())
    listeners.add(l)
    return () => listeners.delete(l)
  }, [])
  return route
}

/** An anchor that navigates in the page (a modified click still opens a new tab). */
export function Link(
  props: { href: string; children?: ComponentChildren } & Omit<
    JSX.HTMLAttributes<HTMLAnchorElement>,
    'href'
  >,
) {
  const { href, children, ...rest } = props
  return (
    <a
      {...rest}
      href={href}
      onClick={(event) => {
        if (
          event.defaultPrevented ||
          event.button !== 0 ||
          event.metaKey ||
          event.ctrlKey ||
          event.shiftKey ||
          event.altKey
        )
          return
        event.preventDefault()
        navigate(href)
      }}
    >
      {children}
    </a>
  )
}
