/** Why a saved state cannot be restored (`restoreState`). */
export type IndicatorStateErrorCode =
  /** Not a state `saveState` writes, or not the shape of its indicator's stream. */
  | 'STATE_INVALID'
  /** An indicator this version does not have, or not the one expected. */
  | 'STATE_INDICATOR'
  /** The indicator's stream keeps another state since it was saved (its `stateVersion`). */
  | 'STATE_VERSION'
  /** Saved with other parameters than expected. */
  | 'STATE_PARAMS'

/** A saved indicator state that cannot be restored: recompute the stream from its first bar. */
export class IndicatorStateError extends Error {
  override readonly name = 'IndicatorStateError'
  readonly code: IndicatorStateErrorCode

  constructor(code: IndicatorStateErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.code = code
  }
}
