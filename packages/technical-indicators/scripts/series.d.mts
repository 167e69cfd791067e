export interface Series {
  open: number[]
  high: number[]
  low: number[]
  close: number[]
  volume: number[]
  /** Per-bar periods for MAVP. */
  periods: number[]
}
export function mulberry32(seed: number): () => number
export function fixtureSeries(): Record<string, Series>
