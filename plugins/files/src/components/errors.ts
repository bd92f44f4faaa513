import { serverErrorMessage } from '@opsdeck/plugin-opsdeck-common';

/**
 * A failed call in the reader's language (the response's error code), else
 * the server's message, else the error's own.
 */
export function errorMessage(e: unknown): string {
  return serverErrorMessage(e);
}

/**
 * Refusals of a distribution target that the UI names in the reader's
 * language (the server's message, in English, follows with the details).
 */
export type TargetRefusal = 'outsideRoots' | 'symlink';

export function targetRefusal(
  message: string | undefined,
): TargetRefusal | undefined {
  if (!message) return undefined;
  if (/is a symbolic link on the host/.test(message)) return 'symlink';
  if (
    /outside the directories allowed|outside the allowed target directories/.test(
      message,
    )
  ) {
    return 'outsideRoots';
  }
  return undefined;
}
