/** The annotation of a deployment and its ReplicaSets that numbers rollouts. */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

/** Most seconds one request watches a rollout (an HTTP request stays shorter than the server's timeout). */
export const MAX_WATCH_SECONDS = 240;
/** Seconds a rollout is watched when the request does not say. */
export const DEFAULT_WATCH_SECONDS = 120;

/** Where a rollout is, as `kubectl rollout status` tells it. */
export type RolloutState =
  | 'progressing'
  | 'complete'
  | 'failed'
  | 'timeout'
  | 'unwatched'
  | 'unknown';

/** One observation of a rollout (kept when its message changes). */
export interface RolloutObservation {
  at: string;
  message: string;
  replicas: number;
  updated: number;
  available: number;
}

/** What watching a rollout found. */
export interface RolloutReport {
  state: RolloutState;
  message: string;
  revision?: string;
  progress: RolloutObservation[];
}

/**
 * The rollout state of a Deployment object, with the rules and messages of
 * `kubectl rollout status` (k8s.io/kubectl `DeploymentStatusViewer`): the
 * controller must have observed the generation; the Progressing condition
 * with reason `ProgressDeadlineExceeded` is a failure; otherwise it waits
 * for every replica to be updated, old ones to be gone and the updated ones
 * to be available.
 */
export function rolloutStatus(deployment: any): {
  state: 'progressing' | 'complete' | 'failed';
  observation: Omit<RolloutObservation, 'at'>;
} {
  const name = String(deployment?.metadata?.name ?? '');
  const spec = deployment?.spec ?? {};
  const status = deployment?.status ?? {};
  const replicas = Number(spec.replicas ?? 1);
  const updated = Number(status.updatedReplicas ?? 0);
  const total = Number(status.replicas ?? 0);
  const available = Number(status.availableReplicas ?? 0);
  const counts = { replicas, updated, available };
  const at = (
    state: 'progressing' | 'complete' | 'failed',
    message: string,
  ) => ({ state, observation: { message, ...counts } });
  if (
    Number(deployment?.metadata?.generation ?? 0) >
    Number(status.observedGeneration ?? 0)
  ) {
    return at(
      'progressing',
      'Waiting for deployment spec update to be observed...',
    );
  }
  const progressing = (status.conditions ?? []).find(
    (c: any) => c?.type === 'Progressing',
  );
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return at('failed', `deployment "${name}" exceeded its progress deadline`);
  }
  if (updated < replicas) {
    return at(
      'progressing',
      `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${replicas} new replicas have been updated...`,
    );
  }
  if (total > updated) {
    return at(
      'progressing',
      `Waiting for deployment "${name}" rollout to finish: ${
        total - updated
      } old replicas are pending termination...`,
    );
  }
  if (available < updated) {
    return at(
      'progressing',
      `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available...`,
    );
  }
  return at('complete', `deployment "${name}" successfully rolled out`);
}

/**
 * Reads the deployment with `read` until its rollout completes, fails or
 * `timeoutMs` passes (then `timeout`), `pollMs` apart; every change of the
 * message is kept as progress and passed to `onProgress`.
 */
export async function watchRollout(options: {
  read: () => Promise<any>;
  timeoutMs: number;
  pollMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  onProgress?: (observation: RolloutObservation) => void;
}): Promise<RolloutReport> {
  const now = options.now ?? Date.now;
  const sleep =
    options.sleep ?? ((ms: number) => new Promise(r => setTimeout(r, ms)));
  const deadline = now() + options.timeoutMs;
  const progress: RolloutObservation[] = [];
  for (;;) {
    const deployment = await options.read();
    const { state, observation } = rolloutStatus(deployment);
    if (progress[progress.length - 1]?.message !== observation.message) {
      const seen = { at: new Date(now()).toISOString(), ...observation };
      progress.push(seen);
      options.onProgress?.(seen);
    }
    const revision = deployment?.metadata?.annotations?.[REVISION_ANNOTATION];
    if (state !== 'progressing') {
      return { state, message: observation.message, revision, progress };
    }
    if (now() >= deadline) {
      return {
        state: 'timeout',
        message: `Stopped watching after ${Math.round(
          options.timeoutMs / 1000,
        )}s: ${observation.message}`,
        revision,
        progress,
      };
    }
    await sleep(options.pollMs);
  }
}

/** One condition of a Deployment's status (`Progressing`, `Available`, `ReplicaFailure`). */
export interface RolloutCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** Where a deployment's rollout is now: what `GET /deployments/rollout` answers. */
export interface RolloutSnapshot {
  state: 'progressing' | 'complete' | 'failed';
  /** `kubectl rollout status`'s message. */
  message: string;
  /** The deployment's `deployment.kubernetes.io/revision`. */
  revision?: string;
  /** Desired replicas (`spec.replicas`). */
  replicas: number;
  updated: number;
  ready: number;
  available: number;
  /** The ReplicaSet of the deployment's revision, once the controller made it. */
  newReplicaSet?: string;
  conditions: RolloutCondition[];
}

/**
 * The rollout of `deployment` now ({@link rolloutStatus}'s rules), with the
 * ReplicaSet of its revision among `replicaSets` and its conditions.
 */
export function rolloutSnapshot(
  deployment: any,
  replicaSets: { metadata?: { name?: string; annotations?: any } }[],
): RolloutSnapshot {
  const { state, observation } = rolloutStatus(deployment);
  const revision = deployment?.metadata?.annotations?.[REVISION_ANNOTATION];
  const status = deployment?.status ?? {};
  const newReplicaSet =
    revision === undefined
      ? undefined
      : replicaSets.find(
          rs => rs.metadata?.annotations?.[REVISION_ANNOTATION] === revision,
        )?.metadata?.name;
  return {
    state,
    message: observation.message,
    ...(revision !== undefined ? { revision: String(revision) } : {}),
    replicas: observation.replicas,
    updated: observation.updated,
    ready: Number(status.readyReplicas ?? 0),
    available: observation.available,
    ...(newReplicaSet ? { newReplicaSet } : {}),
    conditions: ((status.conditions ?? []) as any[])
      .filter(c => typeof c?.type === 'string')
      .map(c => ({
        type: String(c.type),
        status: String(c.status ?? ''),
        ...(typeof c.reason === 'string' ? { reason: c.reason } : {}),
        ...(typeof c.message === 'string'
          ? { message: c.message.slice(0, 500) }
          : {}),
      })),
  };
}
