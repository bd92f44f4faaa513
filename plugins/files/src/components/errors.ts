import { ResponseError } from '@backstage/errors';

/** The server's message of a failed call, else the error's own. */
export function errorMessage(e: unknown): string {
  if (e instanceof ResponseError) {
    return e.body?.error?.message ?? e.message;
  }
  return e instanceof Error ? e.message : String(e);
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
