import type { ViewProps } from '../main.js'

export default function View(_props: ViewProps) {
  return <p class="muted">The chart view is being built.</p>
}
