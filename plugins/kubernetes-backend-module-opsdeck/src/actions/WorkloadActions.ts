import type {
  AuthService,
  BackstageCredentials,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { KUBERNETES_ANNOTATION } from '@backstage/plugin-kubernetes-common';
import { entityOwnerRef, ownsEntity } from '@opsdeck/plugin-opsdeck-node';
import type {
  AuthenticationStrategy,
  ClusterDetails,
  KubernetesClustersSupplier,
} from '@backstage/plugin-kubernetes-node';
import { withCaller } from '../clusters/caller';
import {
  kubeRequest,
  statusMessage,
  type KubeAnswer,
} from '../clusters/kubeRequest';
import { requireToken } from '../clusters/VaultTokenStrategy';
import { AUTH_META, PROD_ENVIRONMENTS } from '../model';

/** The annotation naming a component's namespace, when it has one. */
const NAMESPACE_ANNOTATION = 'backstage.io/kubernetes-namespace';

/** What an action is about: a workload of a component on a cluster. */
export interface WorkloadTarget {
  entityRef: string;
  cluster: string;
  namespace: string;
  name: string;
}

/** A target resolved and checked for the caller. */
export interface ResolvedTarget {
  entity: Entity;
  entityRef: string;
  cluster: ClusterDetails;
  environment?: string;
  prod: boolean;
}

/** The error of a cluster's refusal, by its status. */
export function failure(answer: KubeAnswer, what: string): Error {
  const message = `${what}: the cluster answered ${answer.status}${
    statusMessage(answer) ? ` (${statusMessage(answer)})` : ''
  }`;
  if (answer.status === 404) return new NotFoundError(message);
  if (answer.status === 409) return new ConflictError(message);
  if (answer.status === 400 || answer.status === 422) {
    return new InputError(message);
  }
  return new Error(message);
}

/**
 * Restart a deployment, scale it, delete a pod: each on a workload of a
 * component, checked against the catalog (the caller sees the component and
 * owns it, or may act on any owner), the cluster (the caller sees its
 * resource) and the workload itself (it carries the component's
 * `backstage.io/kubernetes-id` label, in the component's namespace), with
 * the cluster token taken out of the vault for the caller.
 */
export class WorkloadActions {
  constructor(
    private readonly options: {
      catalog: CatalogService;
      /** The plugin's own credentials: which components claim an id, seen or not. */
      auth: Pick<AuthService, 'getOwnServiceCredentials'>;
      userInfo: UserInfoService;
      clusterSupplier: KubernetesClustersSupplier;
      authStrategy: AuthenticationStrategy;
    },
  ) {}

  /**
   * The component and cluster of `target`, read with the caller's
   * credentials; NotAllowedError when the caller owns neither the component
   * nor `anyOwner`.
   */
  async resolve(
    target: WorkloadTarget,
    credentials: BackstageCredentials,
    anyOwner: boolean,
  ): Promise<ResolvedTarget> {
    const entity = await this.options.catalog.getEntityByRef(target.entityRef, {
      credentials,
    });
    if (!entity || entity.kind.toLocaleLowerCase('en-US') !== 'component') {
      throw new NotFoundError(`No component ${target.entityRef}`);
    }
    const entityRef = stringifyEntityRef(entity);
    if (
      !anyOwner &&
      !(await ownsEntity(this.options.userInfo, credentials, entity))
    ) {
      throw new NotAllowedError(
        `${entityRef} is owned by ${
          entityOwnerRef(entity) ?? 'nobody'
        }, not by one of your groups`,
      );
    }
    const clusters = await this.options.clusterSupplier.getClusters({
      credentials,
    });
    const cluster = clusters.find(c => c.name === target.cluster);
    if (!cluster) throw new NotFoundError(`No cluster ${target.cluster}`);
    const environment = cluster.authMetadata[AUTH_META.environment];
    return {
      entity,
      entityRef,
      cluster,
      environment,
      prod: Boolean(environment && PROD_ENVIRONMENTS.includes(environment)),
    };
  }

  async restartDeployment(
    resolved: ResolvedTarget,
    target: WorkloadTarget,
    credentials: BackstageCredentials,
    now: Date,
  ): Promise<{ restartedAt: string }> {
    const restartedAt = now.toISOString();
    await this.act(
      resolved,
      target,
      credentials,
      'deployments',
      async (cluster, credential, path) => {
        // What `kubectl rollout restart` does: a new template annotation.
        const answer = await kubeRequest(cluster, credential, {
          method: 'PATCH',
          path,
          contentType: 'application/strategic-merge-patch+json',
          body: {
            spec: {
              template: {
                metadata: {
                  annotations: {
                    'kubectl.kubernetes.io/restartedAt': restartedAt,
                  },
                },
              },
            },
          },
        });
        if (answer.status !== 200)
          throw failure(answer, `Restart ${target.name}`);
      },
    );
    return { restartedAt };
  }

  async scaleDeployment(
    resolved: ResolvedTarget,
    target: WorkloadTarget,
    credentials: BackstageCredentials,
    replicas: number,
  ): Promise<{ replicas: number; previous: number }> {
    let previous = 0;
    await this.act(
      resolved,
      target,
      credentials,
      'deployments',
      async (cluster, credential, path, object) => {
        previous = Number(object?.spec?.replicas ?? 0);
        const answer = await kubeRequest(cluster, credential, {
          method: 'PATCH',
          path: `${path}/scale`,
          contentType: 'application/merge-patch+json',
          body: { spec: { replicas } },
        });
        if (answer.status !== 200)
          throw failure(answer, `Scale ${target.name}`);
      },
    );
    return { replicas, previous };
  }

  async deletePod(
    resolved: ResolvedTarget,
    target: WorkloadTarget,
    credentials: BackstageCredentials,
  ): Promise<{ deleted: string }> {
    await this.act(
      resolved,
      target,
      credentials,
      'pods',
      async (cluster, credential, path) => {
        const answer = await kubeRequest(cluster, credential, {
          method: 'DELETE',
          path,
        });
        if (answer.status !== 200 && answer.status !== 202) {
          throw failure(answer, `Delete ${target.name}`);
        }
      },
    );
    return { deleted: target.name };
  }

  /**
   * Reads the workload with the vault's token for the caller, checks it is
   * the component's, then runs `change` on it (the deploy actions run
   * through it too).
   */
  async act(
    resolved: ResolvedTarget,
    target: WorkloadTarget,
    credentials: BackstageCredentials,
    plural: 'deployments' | 'pods',
    change: (
      cluster: ClusterDetails,
      credential: Awaited<ReturnType<AuthenticationStrategy['getCredential']>>,
      path: string,
      object: any,
    ) => Promise<void>,
  ): Promise<void> {
    const { entity, cluster } = resolved;
    const annotations = entity.metadata.annotations ?? {};
    const id = annotations[KUBERNETES_ANNOTATION] ?? entity.metadata.name;
    const namespace = annotations[NAMESPACE_ANNOTATION];
    if (namespace && namespace !== target.namespace) {
      throw new NotAllowedError(
        `${resolved.entityRef} runs in namespace ${namespace}, not ${target.namespace}`,
      );
    }
    // the id is whatever the component's catalog-info says: another
    // component claiming it (another team's) makes it no one's to act on
    // (every component counts, also those the caller cannot see)
    const claimers = await this.claimersOf(id);
    const others = claimers.filter(r => r !== resolved.entityRef);
    if (others.length > 0) {
      throw new NotAllowedError(
        `${KUBERNETES_ANNOTATION} ${id} of ${resolved.entityRef} is claimed by ${others.length} other component(s) too: no action on its workloads`,
      );
    }
    const path =
      plural === 'pods'
        ? `/api/v1/namespaces/${target.namespace}/pods/${target.name}`
        : `/apis/apps/v1/namespaces/${target.namespace}/deployments/${target.name}`;
    await withCaller(credentials, async () => {
      const credential = requireToken(
        cluster,
        await this.options.authStrategy.getCredential(cluster, {}),
      );
      const current = await kubeRequest(cluster, credential, { path });
      if (current.status !== 200) {
        throw failure(current, `Read ${target.namespace}/${target.name}`);
      }
      const object = JSON.parse(current.body.toString('utf8'));
      if (object?.metadata?.labels?.[KUBERNETES_ANNOTATION] !== id) {
        throw new NotAllowedError(
          `${target.namespace}/${target.name} is not a workload of ${resolved.entityRef}`,
        );
      }
      await change(cluster, credential, path, object);
    });
  }

  /** The components whose workloads carry `id` (annotation, or name without one). */
  private async claimersOf(id: string): Promise<string[]> {
    const credentials = await this.options.auth.getOwnServiceCredentials();
    const { items } = await this.options.catalog.getEntities(
      {
        filter: [
          {
            kind: 'component',
            [`metadata.annotations.${KUBERNETES_ANNOTATION}`]: id,
          },
          { kind: 'component', 'metadata.name': id },
        ],
      },
      { credentials },
    );
    return [
      ...new Set(
        items
          .filter(
            e =>
              (e.metadata.annotations?.[KUBERNETES_ANNOTATION] ??
                e.metadata.name) === id,
          )
          .map(e => stringifyEntityRef(e)),
      ),
    ];
  }
}
