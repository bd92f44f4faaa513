import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import type {
  ClusterDetails,
  KubernetesCredential,
} from '@backstage/plugin-kubernetes-node';
import type { ResolvedImage } from '@opsdeck/plugin-registry-node';
import { kubeRequest } from '../clusters/kubeRequest';
import {
  REVISION_ANNOTATION,
  rolloutSnapshot,
  watchRollout,
  type RolloutReport,
  type RolloutSnapshot,
} from './rollout';
import {
  failure,
  type ResolvedTarget,
  type WorkloadActions,
  type WorkloadTarget,
} from './WorkloadActions';

/**
 * The official client's replica-set listing, required at first use: loading
 * `@kubernetes/client-node` took 0.4 s of every start (#15).
 */
function ownedReplicaSets(): typeof import('../clusters/officialClient').ownedReplicaSets {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (
    require('../clusters/officialClient') as typeof import('../clusters/officialClient')
  ).ownedReplicaSets;
}

/** What setting a container's image did. */
export interface ImageDeployed {
  container: string;
  /** The pinned image the container runs now, `registry/repository@sha256:…`. */
  image: string;
  /** The tag that was asked for and resolved, when one was. */
  tag?: string;
  digest: string;
  registryRef: string;
  /** The container's image before. */
  previousImage: string;
  rollout: RolloutReport;
}

/** What rolling back did. */
export interface RolledBack {
  fromRevision: string;
  toRevision: string;
  /** Container images of the template rolled back to, by container name. */
  images: Record<string, string>;
  /** Container images before, by container name. */
  previousImages: Record<string, string>;
  rollout: RolloutReport;
}

const imagesOf = (template: any): Record<string, string> =>
  Object.fromEntries(
    ((template?.spec?.containers ?? []) as any[]).map(c => [
      String(c.name),
      String(c.image),
    ]),
  );

/** The template of a ReplicaSet as the deployment's: without its pod-template-hash label. */
function templateOf(replicaSet: any): any {
  const template = JSON.parse(JSON.stringify(replicaSet?.spec?.template ?? {}));
  if (template.metadata?.labels) {
    delete template.metadata.labels['pod-template-hash'];
  }
  return template;
}

const revisionOf = (object: any): number =>
  Number(object?.metadata?.annotations?.[REVISION_ANNOTATION] ?? NaN);

/**
 * Deploy an image to a component's deployment and roll it back, through the
 * same checks as the other workload actions ({@link WorkloadActions.act}:
 * the deployment carries the component's id label in its namespace); each
 * then watches the rollout with the same token for a bounded time.
 */
export class DeployActions {
  constructor(
    private readonly options: {
      workloads: WorkloadActions;
      /** Milliseconds between reads of a rollout (default 2000). */
      pollMs?: number;
    },
  ) {}

  /**
   * Sets `container`'s image to the pinned `image` (a strategic merge patch
   * of the template's containers by name, what `kubectl set image` sends),
   * then watches the rollout.
   */
  async setImage(
    resolved: ResolvedTarget,
    target: WorkloadTarget,
    credentials: BackstageCredentials,
    container: string,
    image: ResolvedImage,
    watchSeconds: number,
  ): Promise<ImageDeployed> {
    let done: ImageDeployed | undefined;
    await this.options.workloads.act(
      resolved,
      target,
      credentials,
      'deployments',
      async (cluster, credential, path, object) => {
        const containers: any[] =
          object?.spec?.template?.spec?.containers ?? [];
        const current = containers.find(c => c?.name === container);
        if (!current) {
          throw new InputError(
            `${target.namespace}/${
              target.name
            } has no container ${container} (it has ${
              containers.map(c => c?.name).join(', ') || 'none'
            })`,
          );
        }
        const answer = await kubeRequest(cluster, credential, {
          method: 'PATCH',
          path,
          contentType: 'application/strategic-merge-patch+json',
          body: {
            spec: {
              template: {
                spec: {
                  containers: [{ name: container, image: image.pinned }],
                },
              },
            },
          },
        });
        if (answer.status !== 200) {
          throw failure(answer, `Set the image of ${target.name}`);
        }
        done = {
          container,
          image: image.pinned,
          ...(image.tag ? { tag: image.tag } : {}),
          digest: image.digest,
          registryRef: image.registryRef,
          previousImage: String(current.image ?? ''),
          rollout: await this.watch(cluster, credential, path, watchSeconds),
        };
      },
    );
    return done!;
  }

  /**
   * Rolls the deployment back to the pod template of its previous
   * ReplicaSet (the highest `deployment.kubernetes.io/revision` below the
   * deployment's, or exactly `toRevision`), as `kubectl rollout undo` does:
   * a JSON patch replacing `spec.template`, then watches the rollout.
   */
  async rollback(
    resolved: ResolvedTarget,
    target: WorkloadTarget,
    credentials: BackstageCredentials,
    toRevision: number | undefined,
    watchSeconds: number,
  ): Promise<RolledBack> {
    let done: RolledBack | undefined;
    await this.options.workloads.act(
      resolved,
      target,
      credentials,
      'deployments',
      async (cluster, credential, path, object) => {
        const { current, previous } = await this.rollbackTarget(
          cluster,
          credential,
          target,
          object,
          toRevision,
        );
        const template = templateOf(previous);
        const answer = await kubeRequest(cluster, credential, {
          method: 'PATCH',
          path,
          contentType: 'application/json-patch+json',
          body: [{ op: 'replace', path: '/spec/template', value: template }],
        });
        if (answer.status !== 200) {
          throw failure(answer, `Roll back ${target.name}`);
        }
        done = {
          fromRevision: String(current),
          toRevision: String(revisionOf(previous)),
          images: imagesOf(template),
          previousImages: imagesOf(object?.spec?.template),
          rollout: await this.watch(cluster, credential, path, watchSeconds),
        };
      },
    );
    return done!;
  }

  /**
   * Where the deployment's rollout is now: read through the same checks as
   * the actions (the component's workload, the vault's token for the
   * caller), with the ReplicaSet of its revision (official client).
   */
  async rollout(
    resolved: ResolvedTarget,
    target: WorkloadTarget,
    credentials: BackstageCredentials,
  ): Promise<RolloutSnapshot> {
    let snapshot: RolloutSnapshot | undefined;
    await this.options.workloads.act(
      resolved,
      target,
      credentials,
      'deployments',
      async (cluster, credential, _path, object) => {
        snapshot = rolloutSnapshot(
          object,
          await ownedReplicaSets()(cluster, credential, target, object),
        );
      },
    );
    return snapshot!;
  }

  /**
   * Refuses (409, naming the revisions that exist) a rollback whose
   * revision the deployment does not have, before anything is asked of an
   * approval: run when a ticket is requested or used, so that no ticket is
   * opened or claimed for a rollback that cannot run.
   */
  async checkRollback(
    resolved: ResolvedTarget,
    target: WorkloadTarget,
    credentials: BackstageCredentials,
    toRevision: number | undefined,
  ): Promise<void> {
    await this.options.workloads.act(
      resolved,
      target,
      credentials,
      'deployments',
      async (cluster, credential, _path, object) => {
        await this.rollbackTarget(
          cluster,
          credential,
          target,
          object,
          toRevision,
        );
      },
    );
  }

  /**
   * The ReplicaSet a rollback of `object` goes to: the deployment's
   * ReplicaSets (its label selector, controlled by its uid), read with the
   * official client, by `deployment.kubernetes.io/revision`; the highest
   * below the deployment's, or exactly `toRevision`. ConflictError naming
   * the revisions there are when there is none.
   */
  private async rollbackTarget(
    cluster: ClusterDetails,
    credential: KubernetesCredential,
    target: WorkloadTarget,
    object: any,
    toRevision: number | undefined,
  ): Promise<{ current: number; previous: any }> {
    const current = revisionOf(object);
    const owned = await ownedReplicaSets()(cluster, credential, target, object);
    const revisions = owned
      .map(revisionOf)
      .filter(r => Number.isInteger(r))
      .sort((a, b) => a - b);
    const candidates = owned
      .filter(rs => Number.isInteger(revisionOf(rs)))
      .filter(rs =>
        toRevision === undefined
          ? revisionOf(rs) < current
          : revisionOf(rs) === toRevision,
      )
      .sort((a, b) => revisionOf(b) - revisionOf(a));
    const previous = candidates[0];
    if (!previous || revisionOf(previous) === current) {
      const there = `its revisions are ${
        revisions.join(', ') || 'none'
      } (${current} is the current one)`;
      throw new ConflictError(
        toRevision === undefined
          ? `${target.namespace}/${target.name} has no revision before ${current} to roll back to: ${there}`
          : `${target.namespace}/${target.name} has no revision ${toRevision} to roll back to: ${there}`,
      );
    }
    return { current, previous };
  }

  private async watch(
    cluster: ClusterDetails,
    credential: Parameters<typeof kubeRequest>[1],
    path: string,
    seconds: number,
  ): Promise<RolloutReport> {
    if (seconds <= 0) {
      return {
        state: 'unwatched',
        message: 'The rollout was not watched',
        progress: [],
      };
    }
    try {
      return await watchRollout({
        timeoutMs: seconds * 1000,
        pollMs: this.options.pollMs ?? 2000,
        read: async () => {
          const answer = await kubeRequest(cluster, credential, { path });
          if (answer.status !== 200) throw failure(answer, 'Read the rollout');
          return JSON.parse(answer.body.toString('utf8'));
        },
      });
    } catch (error) {
      // the change is made: a lost watch is reported, not a failed change
      return {
        state: 'unknown',
        message: `The rollout could not be watched: ${
          (error as Error).message
        }`,
        progress: [],
      };
    }
  }
}
