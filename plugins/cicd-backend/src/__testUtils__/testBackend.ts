import {
  coreServices,
  createServiceFactory,
  type BackendFeature,
} from '@backstage/backend-plugin-api';
import {
  AuditorEvent,
  DefaultAuditorService,
} from '@backstage/backend-defaults/auditor';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  notificationService,
  type NotificationSendOptions,
} from '@backstage/plugin-notifications-node';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { vaultServiceRef } from '@opsdeck/plugin-vault-node';
import type { SecretUse, VaultSecret } from '@opsdeck/plugin-vault-node';
import type { Server } from 'node:http';
import type { Knex } from '../database/migrations';
import { cicdPlugin } from '../plugin';

/** Permissions of the test users (the role mapping is tested in the policy module). */
export const USERS: Record<string, string[]> = {
  alice: [
    'opsdeck.cicd.build.read',
    'opsdeck.cicd.build.rebuild',
    'opsdeck.cicd.cause.manage',
    'opsdeck.cicd.alert.manage',
  ],
  dave: [
    'opsdeck.cicd.build.read',
    'opsdeck.cicd.build.rebuild',
    'opsdeck.cicd.cause.manage',
  ],
  // a developer of another team (group:default/payments) who may rebuild
  frank: ['opsdeck.cicd.build.read', 'opsdeck.cicd.build.rebuild'],
  erin: ['opsdeck.cicd.build.read'],
  mallory: [],
};
// alice is ops: she rebuilds any team's components
USERS.alice.push('opsdeck.cicd.owner.any');

/** The groups of the test users (the components are owned by group:default/dev). */
export const GROUPS: Record<string, string[]> = {
  alice: ['group:default/ops'],
  dave: ['group:default/dev'],
  frank: ['group:default/payments'],
  erin: ['group:default/dev'],
};

export const as = (user: string) =>
  mockCredentials.user.header(`user:default/${user}`);

export function component(name: string, annotation?: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: annotation ? { 'jenkins.io/job-full-name': annotation } : {},
    },
    spec: {
      type: 'service',
      lifecycle: 'production',
      owner: 'group:default/dev',
    },
  };
}

export async function startCicdBackend(options: {
  entities: Entity[];
  instances: { name: string; baseUrl: string; credential?: string }[];
  secrets?: Record<string, VaultSecret>;
  /** More of opsdeck.cicd (alerts, intake). */
  cicd?: Record<string, unknown>;
  /** The plugin's database (a TestDatabases knex); default in-memory SQLite. */
  knex?: Knex;
  /**
   * Entities a user cannot read in the catalog (another team's, under the
   * catalog's permission rules): user name → entity refs.
   */
  hiddenFrom?: Record<string, string[]>;
  /** More features (a stand-in for another plugin cicd calls over HTTP). */
  features?: BackendFeature[];
}): Promise<{
  server: Server;
  stop: () => Promise<void>;
  events: AuditorEvent[];
  vaultUses: { name: string; use: SecretUse }[];
  /** What was sent through the notifications service. */
  notifications: NotificationSendOptions[];
  /** The next `count` sends throw (a notifications backend that is down). */
  notificationFailures: { count: number };
  /** Runs the scheduled task of this id once (the alert poller). */
  runTask: (id: string) => Promise<void>;
}> {
  const events: AuditorEvent[] = [];
  const vaultUses: { name: string; use: SecretUse }[] = [];
  const notifications: NotificationSendOptions[] = [];
  const notificationFailures = { count: 0 };
  const tasks = new Map<string, () => Promise<void> | void>();
  const backend = await startTestBackend({
    features: [
      cicdPlugin,
      ...(options.features ?? []),
      ...(options.knex
        ? [mockServices.database.factory({ knex: options.knex })]
        : []),
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://portal.example.com' },
          opsdeck: {
            cicd: { instances: options.instances, ...options.cicd },
          },
        },
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
        service: catalogServiceRef,
        deps: {},
        factory: () => {
          const catalog = catalogServiceMock({ entities: options.entities });
          const getEntityByRef = catalog.getEntityByRef.bind(catalog);
          catalog.getEntityByRef = (async (ref: any, opts: any) => {
            const user =
              opts?.credentials?.principal?.userEntityRef?.split('/')[1];
            const hidden = options.hiddenFrom?.[user] ?? [];
            if (typeof ref === 'string' && hidden.includes(ref)) {
              return undefined;
            }
            return getEntityByRef(ref, opts);
          }) as typeof catalog.getEntityByRef;
          return catalog;
        },
      }),
      createServiceFactory({
        service: coreServices.userInfo,
        deps: {},
        factory: () => ({
          async getUserInfo(credentials: any) {
            const ref = credentials.principal.userEntityRef as string;
            const user = ref.split('/')[1];
            return {
              userEntityRef: ref,
              ownershipEntityRefs: [ref, ...(GROUPS[user] ?? [])],
            };
          },
        }),
      }),
      createServiceFactory({
        service: notificationService,
        deps: {},
        factory: () => ({
          async send(o: NotificationSendOptions) {
            if (notificationFailures.count > 0) {
              notificationFailures.count--;
              throw new Error('notifications backend unavailable');
            }
            notifications.push(o);
          },
        }),
      }),
      createServiceFactory({
        service: coreServices.scheduler,
        deps: {},
        factory: () =>
          ({
            async scheduleTask(task: any) {
              tasks.set(task.id, task.fn);
            },
            async triggerTask() {},
            async getScheduledTasks() {
              return [];
            },
            createScheduledTaskRunner() {
              throw new Error('not in tests');
            },
          } as any),
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
    notifications,
    notificationFailures,
    runTask: async (id: string) => {
      const fn = tasks.get(id);
      if (!fn) throw new Error(`no scheduled task ${id}`);
      await fn();
    },
  };
}
