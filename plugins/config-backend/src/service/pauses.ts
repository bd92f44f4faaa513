import { InputError } from '@backstage/errors';
import { MAX_RELEASE_PAUSE_SECONDS } from '@opsdeck/plugin-config-common';

/** What a push or rollback asks of the pauses between its batches. */
export type PauseAsk = {
  /** Pause after each batch, 0-3600 seconds (default none). */
  pauseSeconds?: number;
  /** Stop after the first batch until a person continues. */
  confirmFirstBatch?: boolean;
};

/** The pause settings of a release (part of its approval digest); refuses out of bounds. */
export function pauseOf(ask: PauseAsk): {
  pauseSeconds: number;
  confirmFirstBatch: boolean;
} {
  const pauseSeconds = ask.pauseSeconds ?? 0;
  if (
    !Number.isInteger(pauseSeconds) ||
    pauseSeconds < 0 ||
    pauseSeconds > MAX_RELEASE_PAUSE_SECONDS
  ) {
    throw new InputError(
      `pauseSeconds must be a whole number from 0 to ${MAX_RELEASE_PAUSE_SECONDS}`,
    );
  }
  return { pauseSeconds, confirmFirstBatch: ask.confirmFirstBatch === true };
}

/**
 * The pause settings as a change approval's digest sees them: absent when
 * none are asked for (so a ticket approved before pauses existed still
 * matches the same push), else both.
 */
export function pauseDigest(pause: ReturnType<typeof pauseOf>) {
  return pause.pauseSeconds > 0 || pause.confirmFirstBatch ? pause : {};
}
