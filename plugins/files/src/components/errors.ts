import { ResponseError } from '@backstage/errors';

/** The server's message of a failed call, else the error's own. */
export function errorMessage(e: unknown): string {
  if (e instanceof ResponseError) {
    return e.body?.error?.message ?? e.message;
  }
  return e instanceof Error ? e.message : String(e);
}
