import {
  coreServices,
  createServiceFactory,
  type BackstageCredentials,
} from '@backstage/backend-plugin-api';
import {
  AuditorEvent,
  DefaultAuditorService,
} from '@backstage/backend-defaults/auditor';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  type ServiceMock,
} from '@backstage/backend-test-utils';
import type { SchedulerService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import {
  catalogServiceRef,
  type CatalogService,
} from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import {
  createChangeApprovalsMock,
  type ChangeApprovalsMock,
} from '@opsdeck/plugin-tickets-node/testUtils';
import {
  vaultServiceRef,
  type SecretUse,
  type VaultSecret,
} from '@opsdeck/plugin-vault-node';
import {
  imageResolverServiceRef,
  parseImageRef,
  pinnedImage,
  runningDigestsServiceRef,
  type RunningImage,
} from '@opsdeck/plugin-registry-node';
import { InputError, NotFoundError } from '@backstage/errors';
import type { Server } from 'node:http';
import { kubernetesModuleOpsdeck } from '../module';
import {
  API_SERVER_ANNOTATION,
  CLUSTER_RESOURCE_TYPE,
  TOKEN_CREDENTIAL_ANNOTATION,
} from '../model';
import {
  COMPONENT_ID,
  NAMESPACE,
  OTHER_COMPONENT_ID,
} from '../testUtils/fixtureObjects';

const READ = ['kubernetes.clusters.read', 'kubernetes.resources.read'];
const PROXY = 'kubernetes.proxy';
const ACT = [
  'opsdeck.kubernetes.deployment.image',
  'opsdeck.kubernetes.deployment.restart',
  'opsdeck.kubernetes.deployment.scale',
  'opsdeck.kubernetes.pod.delete',
];
const ANY = ['opsdeck.kubernetes.owner.any', 'opsdeck.kubernetes.prod.change'];

/** Permissions of the test users (the role mapping is tested in the policy module). */
export const USERS: Record<string, string[]> = {
  alice: [...READ, PROXY, ...ACT, ...ANY],
  bob: [...READ, PROXY, ...ACT, ...ANY],
  dave: [...READ, PROXY, ...ACT],
  frank: [...READ, PROXY, ...ACT],
  erin: [...READ],
  mallory: [],
};

/** Group memberships (ownership refs) of the test users. */
export const GROUPS: Record<string, string[]> = {
  alice: ['group:default/admins', 'group:default/ops'],
  bob: ['group:default/ops'],
  dave: ['group:default/dev'],
  frank: ['group:default/dev'],
  erin: ['group:default/security'],
};

/** Users the catalog hides every entity from (the catalog policy's say). */
export const CATALOG_BLIND = new Set(['user:default/eve']);

/** Entities the catalog hides from one user. */
export const CATALOG_HIDDEN: Record<string, string[]> = {
  'user:default/dave': [`component:default/${OTHER_COMPONENT_ID}`],
};

export const as = (user: string) =>
  mockCredentials.user.header(`user:default/${user}`);

export function clusterResource(
  name: string,
  url: string,
  options: { credential?: string; owner?: string; environment?: string } = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      namespace: 'default',
      title: `Cluster ${name}`,
      annotations: {
        [API_SERVER_ANNOTATION]: url,
        ...(options.credential === ''
          ? {}
          : {
              [TOKEN_CREDENTIAL_ANNOTATION]:
                options.credential ?? `${name}-token`,
            }),
      },
    },
    spec: {
      type: CLUSTER_RESOURCE_TYPE,
      owner: options.owner ?? 'group:default/ops',
      ...(options.environment ? { environment: options.environment } : {}),
    },
  };
}

export function component(
  id: string,
  owner = 'group:default/dev',
  annotations: Record<string, string> = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: id,
      namespace: 'default',
      annotations: {
        'backstage.io/kubernetes-id': id,
        'backstage.io/kubernetes-namespace': NAMESPACE,
        ...annotations,
      },
    },
    spec: { type: 'service', lifecycle: 'production', owner },
  };
}

export const COMPONENTS = [
  component(COMPONENT_ID),
  component(OTHER_COMPONENT_ID, 'group:default/ops'),
];

/** The catalog mock, hiding everything from {@link CATALOG_BLIND}. */
function scopedCatalog(entities: Entity[]): CatalogService {
  const userOf = (options: { credentials: BackstageCredentials }) =>
    (options.credentials.principal as { userEntityRef?: string })
      .userEntityRef ?? '';
  const blind = (options: { credentials: BackstageCredentials }) =>
    CATALOG_BLIND.has(userOf(options));
  const inners = new Map<string, CatalogService>();
  const innerFor = (options?: { credentials: BackstageCredentials }) => {
    const user = options?.credentials ? userOf(options) : '';
    if (!inners.has(user)) {
      const hidden = new Set(CATALOG_HIDDEN[user] ?? []);
      inners.set(
        user,
        catalogServiceMock({
          entities: entities.filter(e => !hidden.has(stringifyEntityRef(e))),
        }),
      );
    }
    return inners.get(user)!;
  };
  const inner = innerFor();
  return new Proxy(inner, {
    get(target, prop) {
      const value = (target as any)[prop];
      if (typeof value !== 'function') return value;
      return async (request: unknown, options: any) => {
        if (options?.credentials && blind(options)) {
          if (prop === 'getEntityByRef') return undefined;
          if (prop === 'getEntities') return { items: [] };
          if (prop === 'queryEntities') {
            return { items: [], totalItems: 0, pageInfo: {} };
          }
        }
        const scoped = innerFor(options) as any;
        return scoped[prop].call(scoped, request, options);
      };
    },
  });
}

/** The registry opsdeck knows in these tests (a catalog registry resource). */
export const REGISTRY = {
  host: 'registry.example.com',
  ref: 'resource:default/shop-registry',
};
const digest = (c: string) => `sha256:${c.repeat(64)}`;
/** Tags of that registry and their manifest digests. */
export const REGISTRY_TAGS: Record<string, string> = {
  'shop/payments-api:1.9.0': digest('9'),
  'shop/payments-api:1.8.2': digest('3'),
};

export async function startKubernetesBackend(options: {
  entities: Entity[];
  secrets?: Record<string, VaultSecret>;
  /** Seconds between the running-images task's runs (default: its 300). */
  pollSeconds?: number;
  /** A scheduler the test triggers tasks of. */
  scheduler?: ServiceMock<SchedulerService>;
  /** Change approvals (default: tickets-node's test kit, in memory). */
  approvals?: ChangeApprovalsMock;
  /** Rollout reads one person may make per minute (default: the module's 120). */
  rolloutReadsPerMinute?: number;
}): Promise<{
  server: Server;
  stop: () => Promise<void>;
  events: AuditorEvent[];
  vaultUses: { name: string; use: SecretUse }[];
  /** What the running-images task reported, in order. */
  reports: { source: string; images: RunningImage[] }[];
  /** Images resolved through the registry, with the person asking. */
  resolutions: { image: string; actor?: string }[];
  /** The change approvals: decide tickets with `approvals.decide`. */
  approvals: ChangeApprovalsMock;
}> {
  const approvals = options.approvals ?? createChangeApprovalsMock();
  const reports: { source: string; images: RunningImage[] }[] = [];
  const resolutions: { image: string; actor?: string }[] = [];
  const events: AuditorEvent[] = [];
  const vaultUses: { name: string; use: SecretUse }[] = [];
  const backend = await startTestBackend({
    features: [
      kubernetesPlugin,
      kubernetesModuleOpsdeck,
      ...(options.scheduler ? [options.scheduler.factory] : []),
      // change approvals of prod actions, decided by the real claim rules
      approvals.factory,
      mockServices.rootConfig.factory({
        data: {
          kubernetes: {
            serviceLocatorMethod: { type: 'multiTenant' },
            clusterLocatorMethods: [],
          },
          opsdeck: {
            kubernetes: {
              // rollouts are read back to back: the fixture's controller
              // moves one step per read, not per second
              rollout: {
                pollMillis: 1,
                ...(options.rolloutReadsPerMinute
                  ? { readsPerMinute: options.rolloutReadsPerMinute }
                  : {}),
              },
              ...(options.pollSeconds
                ? { runningImages: { pollSeconds: options.pollSeconds } }
                : {}),
            },
          },
        },
      }),
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      mockServices.permissions.mock({
        authorize: async (requests: any[], { credentials }: any) =>
          requests.map(r => {
            const user = credentials.principal?.userEntityRef?.split('/')[1];
            const ok = USERS[user]?.includes(r.permission.name);
            return {
              result: ok ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
            } as PolicyDecision;
          }),
      } as any).factory,
      createServiceFactory({
        service: coreServices.auditor,
        deps: {
          auth: coreServices.auth,
          httpAuth: coreServices.httpAuth,
          plugin: coreServices.pluginMetadata,
        },
        factory: deps =>
          DefaultAuditorService.create(async event => {
            if (event.status !== 'initiated') events.push(event);
          }, deps),
      }),
      createServiceFactory({
        service: coreServices.userInfo,
        deps: {},
        factory: () => ({
          async getUserInfo(credentials: BackstageCredentials) {
            const userEntityRef = (
              credentials.principal as { userEntityRef: string }
            ).userEntityRef;
            const user = userEntityRef.split('/')[1];
            return {
              userEntityRef,
              ownershipEntityRefs: [userEntityRef, ...(GROUPS[user] ?? [])],
            };
          },
        }),
      }),
      createServiceFactory({
        service: catalogServiceRef,
        deps: {},
        factory: () => scopedCatalog(options.entities),
      }),
      createServiceFactory({
        service: runningDigestsServiceRef,
        deps: {},
        factory: () => ({
          async report(source: string, images: RunningImage[]) {
            reports.push({ source, images });
          },
        }),
      }),
      // The registry plugin's side of image resolution (its HTTP client is
      // tested against Debian's docker-registry in registry-backend): the
      // real grammar, one known registry host, its tags.
      createServiceFactory({
        service: imageResolverServiceRef,
        deps: {},
        factory: () => ({
          async resolve(image: string, { credentials }: any) {
            resolutions.push({
              image,
              actor: credentials.principal?.userEntityRef,
            });
            const ref = parseImageRef(image);
            if (!ref) throw new InputError(`${image} does not parse`);
            if (ref.registry !== REGISTRY.host) {
              throw new InputError(
                `${ref.registry} is not a registry opsdeck knows`,
              );
            }
            const found = ref.digest
              ? Object.values(REGISTRY_TAGS).find(d => d === ref.digest)
              : REGISTRY_TAGS[`${ref.repository}:${ref.tag}`];
            if (!found) throw new NotFoundError(`No manifest ${image}`);
            return {
              registryRef: REGISTRY.ref,
              registry: ref.registry,
              repository: ref.repository,
              ...(ref.tag ? { tag: ref.tag } : {}),
              digest: found,
              pinned: pinnedImage({ ...ref, digest: found }),
            };
          },
        }),
      }),
      createServiceFactory({
        service: vaultServiceRef,
        deps: {},
        factory: () => ({
          async getSecret(name: string, use: SecretUse) {
            vaultUses.push({ name, use });
            const secret = options.secrets?.[name];
            if (!secret) throw new Error(`no secret ${name}`);
            return secret;
          },
        }),
      }),
    ],
  });
  return {
    server: backend.server,
    stop: () => backend.stop(),
    events,
    vaultUses,
    reports,
    resolutions,
    approvals,
  };
}
