import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { ApiProblem } from './api.js'

export interface Loaded<T> {
  readonly data: T | undefined
  readonly error: ApiProblem | undefined
  readonly loading: boolean
  /** Loads again (the data shown stays until the new one arrives). */
  readonly reload: () => void
  /** Replaces the data in place (an event stream's update). */
  readonly update: (fn: (data: T) => T) => void
}

/** The result of `load`, loaded again whenever `deps` change; an older answer never wins. */
export function useLoad<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: readonly unknown[],
): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined)
  const [error, setError] = useState<ApiProblem | undefined>(undefined)
  const [loading, setLoading] = useState(true)
  const [tick, setTick] = useState(0)
  const loadRef = useRef(load)
  loadRef.current = load
  useEffect(() => {
    const abort = new AbortController()
    setLoading(true)
    loadRef.current(abort.signal).then(
      (value) => {
        if (abort.signal.aborted) return
        setData(value)
        setError(undefined)
        setLoading(false)
      },
      (e: unknown) => {
        if (abort.signal.aborted) return
        setError(
          e instanceof ApiProblem
            ? e
            : new ApiProblem(0, 'Error', e instanceof Error ? e.message : String(e)),
        )
        setLoading(false)
      },
    )
    return () => abort.abort()
    // the caller's deps are the dependencies, and `tick` a reload
  }, [...deps, tick])
  const reload = useCallback(() => setTick((t) => t + 1), [])
  const update = useCallback((fn: (d: T) => T) => setData((d) => (d === undefined ? d : fn(d))), [])
  return { data, error, loading, reload, update }
}

/** `fn` at most once per `ms`, the last call always run (a burst of stream events → one reload). */
export function useThrottled(fn: () => void, ms: number): () => void {
  const fnRef = useRef(fn)
  fnRef.current = fn
  const timer = useRef<number | null>(null)
  const last = useRef(0)
  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current)
    },
    [],
  )
  return useCallback(() => {
    if (timer.current !== null) return
    const wait = Math.max(0, last.current + ms - Date.now())
    timer.current = window.setTimeout(() => {
      timer.current = null
      last.current = Date.now()
      fnRef.current()
    }, wait)
  }, [ms])
}
