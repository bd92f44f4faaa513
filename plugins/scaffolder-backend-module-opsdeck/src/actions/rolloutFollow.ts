/** A deployment's rollout now, as the kubernetes module's `GET /deployments/rollout` answers it. */
export interface RolloutSnapshot {
  state: 'progressing' | 'complete' | 'failed';
  message: string;
  revision?: string;
  replicas: number;
  updated: number;
  ready: number;
  available: number;
  newReplicaSet?: string;
  conditions: {
    type: string;
    status: string;
    reason?: string;
    message?: string;
  }[];
}

/** How following a rollout ended. */
export interface FollowedRollout {
  state: 'complete' | 'failed' | 'timeout';
  message: string;
  revision?: string;
}

/**
 * Text the cluster chose (a condition's message, the revision annotation)
 * as one log line: control characters, DEL, C1 and line separators become
 * spaces (no forged lines, no terminal escapes in the task log).
 */
export function oneLine(text: string | undefined): string {
  return String(text ?? '').replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g,
    ' ',
  );
}

/**
 * The log lines of what changed from `before` to `now`: the replica counts
 * with `kubectl rollout status`'s message and the new ReplicaSet, and each
 * condition that appeared or changed status or reason.
 */
export function rolloutChanges(
  before: RolloutSnapshot | undefined,
  now: RolloutSnapshot,
): string[] {
  const lines: string[] = [];
  const counts = (s: RolloutSnapshot) =>
    `${s.updated}/${s.replicas} updated, ${s.ready}/${s.replicas} ready, ${
      s.available
    }/${s.replicas} available${
      s.newReplicaSet ? `; new ReplicaSet ${s.newReplicaSet}` : ''
    }${s.revision ? ` (revision ${s.revision})` : ''}`;
  if (
    !before ||
    before.message !== now.message ||
    counts(before) !== counts(now)
  ) {
    lines.push(oneLine(`${now.message} (${counts(now)})`));
  }
  for (const c of now.conditions) {
    const was = before?.conditions.find(b => b.type === c.type);
    if (!was || was.status !== c.status || was.reason !== c.reason) {
      lines.push(
        oneLine(
          `Condition ${c.type}=${c.status}${c.reason ? ` ${c.reason}` : ''}${
            c.message ? `: ${c.message}` : ''
          }`,
        ),
      );
    }
  }
  return lines;
}

/**
 * Reads the rollout with `read` every `pollMs` until it completes, fails or
 * `timeoutMs` passed, calling `log` with each observed change as it is seen.
 */
export async function followRollout(options: {
  read: () => Promise<RolloutSnapshot>;
  log: (line: string) => void;
  timeoutMs: number;
  pollMs: number;
  pause: (ms: number) => Promise<void>;
}): Promise<FollowedRollout> {
  const deadline = Date.now() + options.timeoutMs;
  let before: RolloutSnapshot | undefined;
  for (;;) {
    const now = await options.read();
    for (const line of rolloutChanges(before, now)) options.log(line);
    before = now;
    if (now.state !== 'progressing') {
      return {
        state: now.state,
        message: oneLine(now.message),
        ...(now.revision !== undefined
          ? { revision: oneLine(now.revision) }
          : {}),
      };
    }
    if (Date.now() >= deadline) {
      return {
        state: 'timeout',
        message: `Stopped watching after ${Math.round(
          options.timeoutMs / 1000,
        )}s: ${oneLine(now.message)}`,
        ...(now.revision !== undefined
          ? { revision: oneLine(now.revision) }
          : {}),
      };
    }
    await options.pause(options.pollMs);
  }
}
