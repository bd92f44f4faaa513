import { createHash } from 'node:crypto';
import type { KubeObject } from './fixtureObjects';

/**
 * How the fixture's deployment controller carries out a rollout:
 * `progress` (one step per read of the deployment: 1 of 2 replicas
 * updated, an old replica pending termination, 1 of 2 updated available,
 * complete on the fourth read), `fail` (the Progressing
 * condition turns to ProgressDeadlineExceeded on the second read), `stall`
 * (the controller never observes the new generation).
 */
export type RolloutMode = 'progress' | 'fail' | 'stall';

const REVISION = 'deployment.kubernetes.io/revision';

/** A rollout the fixture's controller has started and not finished. */
export interface PendingRollout {
  replicaSet: KubeObject;
  step: number;
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value));

/**
 * `value` as JSON with object keys sorted: templates compare by content, as
 * the controller compares them, not by the order a client wrote the keys in.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map(k => [k, v[k]]),
        )
      : v,
  );
}
const revision = (o: KubeObject) =>
  Number(o.metadata.annotations?.[REVISION] ?? 0);

/** A ReplicaSet's template as the deployment's (no pod-template-hash label). */
function bareTemplate(rs: KubeObject): unknown {
  const template = clone((rs.spec as any).template);
  if (template?.metadata?.labels) {
    delete template.metadata.labels['pod-template-hash'];
  }
  return template;
}

/** The ReplicaSets a deployment controls. */
export function ownedReplicaSets(
  objects: KubeObject[],
  deployment: KubeObject,
): KubeObject[] {
  return objects.filter(
    o =>
      o.kind === 'ReplicaSet' &&
      ((o.metadata.ownerReferences as any[]) ?? []).some(
        r => r.controller && r.uid === deployment.metadata.uid,
      ),
  );
}

/**
 * What the deployment controller does when a deployment's pod template
 * changes: the ReplicaSet with that template (the one of an earlier
 * revision, on a rollback) or a new one takes the next revision, and so does
 * the deployment's `deployment.kubernetes.io/revision` annotation.
 */
export function startRollout(
  objects: KubeObject[],
  deployment: KubeObject,
): PendingRollout {
  const owned = ownedReplicaSets(objects, deployment);
  const next = Math.max(0, ...owned.map(revision)) + 1;
  const template = (deployment.spec as any).template;
  const same = canonicalJson(template);
  let rs = owned.find(o => canonicalJson(bareTemplate(o)) === same);
  if (!rs) {
    const hash = createHash('sha256').update(same).digest('hex').slice(0, 10);
    const withHash = clone(template);
    withHash.metadata.labels = {
      ...withHash.metadata.labels,
      'pod-template-hash': hash,
    };
    rs = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${deployment.metadata.name}-${hash}`,
        namespace: deployment.metadata.namespace,
        uid: `${deployment.metadata.uid.slice(0, 24)}${hash}00`,
        resourceVersion: '1',
        generation: 1,
        creationTimestamp: '2026-12-03T09:30:00Z',
        labels: withHash.metadata.labels,
        annotations: {},
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: deployment.metadata.name,
            uid: deployment.metadata.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: {
        replicas: 0,
        selector: {
          matchLabels: {
            ...(deployment.spec as any).selector.matchLabels,
            'pod-template-hash': hash,
          },
        },
        template: withHash,
      },
      status: { replicas: 0, observedGeneration: 1 },
    };
    objects.push(rs);
  }
  rs.metadata.annotations = {
    ...rs.metadata.annotations,
    [REVISION]: String(next),
  };
  deployment.metadata.annotations = {
    ...deployment.metadata.annotations,
    [REVISION]: String(next),
  };
  return { replicaSet: rs, step: 0 };
}

/**
 * One step of the controller, taken when the deployment is read; true when
 * the rollout is over (complete or failed).
 */
export function advanceRollout(
  objects: KubeObject[],
  deployment: KubeObject,
  rollout: PendingRollout,
  mode: RolloutMode,
): boolean {
  if (mode === 'stall') return false;
  const spec = deployment.spec as any;
  const status = deployment.status as any;
  const replicas = Number(spec.replicas ?? 1);
  const rsName = rollout.replicaSet.metadata.name;
  const progressing = (reason: string, message: string, ok = true) => {
    status.conditions = [
      ...(status.conditions ?? []).filter((c: any) => c.type !== 'Progressing'),
      {
        type: 'Progressing',
        status: ok ? 'True' : 'False',
        lastUpdateTime: '2026-12-03T09:30:05Z',
        lastTransitionTime: '2026-12-03T09:30:05Z',
        reason,
        message,
      },
    ];
  };
  if (rollout.step === 0) {
    rollout.step = 1;
    status.observedGeneration = deployment.metadata.generation;
    status.updatedReplicas = Math.min(1, replicas);
    status.replicas = replicas + 1;
    status.availableReplicas = replicas;
    (rollout.replicaSet.spec as any).replicas = Math.min(1, replicas);
    progressing('ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`);
    return false;
  }
  if (mode === 'progress' && rollout.step < 3) {
    // what the controller reports between surge and completion (replicas
    // 2, maxSurge 1): every new replica made while an old one still runs,
    // then the old one gone with a new one not yet available
    const [total, available, ready] =
      rollout.step === 1
        ? [replicas + 1, replicas, replicas]
        : [replicas, Math.max(0, replicas - 1), Math.max(0, replicas - 1)];
    rollout.step += 1;
    Object.assign(status, {
      replicas: total,
      updatedReplicas: replicas,
      readyReplicas: ready,
      availableReplicas: available,
    });
    (rollout.replicaSet.spec as any).replicas = replicas;
    rollout.replicaSet.status = {
      ...(rollout.replicaSet.status as object),
      replicas,
      readyReplicas: Math.max(0, ready - (total - replicas)),
      availableReplicas: Math.max(0, available - (total - replicas)),
    };
    progressing('ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`);
    return false;
  }
  if (mode === 'fail') {
    progressing(
      'ProgressDeadlineExceeded',
      `ReplicaSet "${rsName}" has timed out progressing.`,
      false,
    );
    return true;
  }
  for (const rs of ownedReplicaSets(objects, deployment)) {
    const mine = rs === rollout.replicaSet;
    (rs.spec as any).replicas = mine ? replicas : 0;
    rs.status = {
      ...(rs.status as object),
      replicas: mine ? replicas : 0,
      readyReplicas: mine ? replicas : 0,
      availableReplicas: mine ? replicas : 0,
    };
  }
  Object.assign(status, {
    replicas,
    updatedReplicas: replicas,
    readyReplicas: replicas,
    availableReplicas: replicas,
  });
  progressing(
    'NewReplicaSetAvailable',
    `ReplicaSet "${rsName}" has successfully progressed.`,
  );
  return true;
}
