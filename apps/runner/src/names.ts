// Names and constants the commands' help texts need, with no runtime import (start-up: --help
// loads no library).
import type { JobName } from '@trading-alerts/trading-alerts'

export type RunnableJob = Extract<
  JobName,
  'symbols' | 'historical' | 'incremental' | 'indicators' | 'alerts'
>

export const RUNNABLE_JOBS: readonly RunnableJob[] = [
  'symbols',
  'historical',
  'incremental',
  'indicators',
  'alerts',
]

/** Where `runner demo` keeps its embedded database (wiped at each demo); `status --demo` reads it. */
export const DEMO_DATA_DIR = './.data/demo'

/** Whether `name` is a job the runner runs. */
export function isJob(name: string | undefined): name is RunnableJob {
  return (RUNNABLE_JOBS as readonly string[]).includes(name ?? '')
}
