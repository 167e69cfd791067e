import type { ViewProps } from '../main.js'

export default function View(_props: ViewProps) {
  return <p class="muted">The alerts view is being built.</p>
}
