/** The outcome for one target of {@link fanOut}, in the order of the input. */
export type FanOutResult<T, R> =
  | { target: T; ok: true; value: R; durationMs: number }
  | { target: T; ok: false; error: Error; durationMs: number };

export interface FanOutOptions {
  /** Most calls of `fn` running at once (default 10). */
  concurrency?: number;
  /** Once aborted, targets not yet started are not started; they fail with an OperationCancelledError-like error. */
  signal?: AbortSignal;
}

export interface FanOutContext {
  /** Position of the target in the input. */
  index: number;
  /** The fan-out's signal, to pass on (for example to `exec`). */
  signal?: AbortSignal;
}

function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/**
 * Runs `fn` for every target with at most `concurrency` calls in flight.
 * Never rejects: each target gets its own result, failures included.
 */
export async function fanOut<T, R>(
  targets: readonly T[],
  fn: (target: T, context: FanOutContext) => Promise<R>,
  options: FanOutOptions = {},
): Promise<FanOutResult<T, R>[]> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 10));
  const { signal } = options;
  const results = new Array<FanOutResult<T, R>>(targets.length);
  let next = 0;

  const runOne = async (index: number) => {
    const target = targets[index];
    const started = Date.now();
    if (signal?.aborted) {
      const error = new Error('Cancelled before it started');
      error.name = 'OperationCancelledError';
      results[index] = { target, ok: false, error, durationMs: 0 };
      return;
    }
    try {
      const value = await fn(target, { index, signal });
      results[index] = {
        target,
        ok: true,
        value,
        durationMs: Date.now() - started,
      };
    } catch (e) {
      results[index] = {
        target,
        ok: false,
        error: toError(e),
        durationMs: Date.now() - started,
      };
    }
  };

  const worker = async () => {
    while (next < targets.length) {
      const index = next++;
      await runOne(index);
    }
  };

  const workers: Promise<void>[] = [];
  for (let i = 0; i < Math.min(concurrency, targets.length); i++) {
    workers.push(worker());
  }
  await Promise.all(workers);
  return results;
}
