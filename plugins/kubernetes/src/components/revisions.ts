/** The fields of a Deployment or ReplicaSet the deploy and rollback read. */
export type RevisionedObject = {
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    annotations?: Record<string, string>;
    ownerReferences?: { kind?: string; uid?: string }[];
  };
  spec?: {
    template?: {
      spec?: { containers?: { name: string; image?: string }[] };
    };
  };
};

const REVISION = 'deployment.kubernetes.io/revision';

/** An object's `deployment.kubernetes.io/revision`, when it is a number. */
export function revisionOf(o: RevisionedObject): number | undefined {
  const value = o.metadata?.annotations?.[REVISION];
  if (!value || !/^[1-9][0-9]*$/.test(value)) return undefined;
  return Number(value);
}

/** `name=image` of each container of an object's pod template. */
export function imagesOf(o: RevisionedObject): string[] {
  return (o.spec?.template?.spec?.containers ?? []).map(
    c => `${c.name}=${c.image ?? ''}`,
  );
}

/**
 * The revision a rollback goes back to, as `kubectl rollout undo` picks it:
 * of the ReplicaSets the deployment controls (owner uid, same namespace),
 * the highest revision below the deployment's, with its images. Undefined
 * when there is none (or the deployment's own revision is unknown); the
 * backend checks again before it changes anything.
 */
export function previousRevision(
  deployment: RevisionedObject,
  replicaSets: RevisionedObject[],
): { revision: number; images: string[] } | undefined {
  const current = revisionOf(deployment);
  const uid = deployment.metadata?.uid;
  if (current === undefined || !uid) return undefined;
  let best: { revision: number; images: string[] } | undefined;
  for (const rs of replicaSets) {
    if (rs.metadata?.namespace !== deployment.metadata?.namespace) continue;
    const owned = (rs.metadata?.ownerReferences ?? []).some(
      r => r.kind === 'Deployment' && r.uid === uid,
    );
    const revision = revisionOf(rs);
    if (!owned || revision === undefined || revision >= current) continue;
    if (!best || revision > best.revision) {
      best = { revision, images: imagesOf(rs) };
    }
  }
  return best;
}
