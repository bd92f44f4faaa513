import {
  coreServices,
  createServiceFactory,
  type SchedulerService,
} from '@backstage/backend-plugin-api';
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
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
import {
  catalogServiceRef,
  type CatalogService,
} from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  notificationService,
  type NotificationSendOptions,
} from '@backstage/plugin-notifications-node';
import {
  AuthorizeResult,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import { vaultServiceRef, type SecretUse } from '@opsdeck/plugin-vault-node';
import type { Knex } from 'knex';
import type { Server } from 'node:http';
import { monitoringPlugin } from '../plugin';

/** Static tokens of the integration tests (backend.auth.externalAccess). */
export const SD_TOKEN = 'prometheus-sd-token-for-tests-0001';
export const WEBHOOK_TOKEN = 'alertmanager-token-for-tests-0002';
/** A token of another tool, restricted to another permission. */
export const OTHER_TOKEN = 'other-tool-token-for-tests-00003';

/** Permissions each demo person has (the router tests' policy). */
export const PEOPLE: Record<string, string[]> = {
  alice: [
    'opsdeck.monitoring.alert.read',
    'opsdeck.monitoring.channel.test',
    'opsdeck.monitoring.rule.manage',
    'opsdeck.monitoring.probe.script',
    'opsdeck.monitoring.silence.manage',
    'opsdeck.monitoring.metrics.read',
    'opsdeck.monitoring.alert.acknowledge',
  ],
  dave: [
    'opsdeck.monitoring.alert.read',
    'opsdeck.monitoring.metrics.read',
    'opsdeck.monitoring.alert.acknowledge',
  ],
  // ops on call: manages silences, but the catalog may hide entities from her
  olga: [
    'opsdeck.monitoring.alert.read',
    'opsdeck.monitoring.silence.manage',
    'opsdeck.monitoring.alert.acknowledge',
  ],
  // ops lead: manages rules, but the catalog may hide entities from him too;
  // no script probes (opsdeck.monitoring.probe.script)
  otto: [
    'opsdeck.monitoring.alert.read',
    'opsdeck.monitoring.rule.manage',
    'opsdeck.monitoring.alert.acknowledge',
  ],
  // tester: sends test messages and retries deliveries (the rate limit's tests)
  tess: [
    'opsdeck.monitoring.alert.read',
    'opsdeck.monitoring.channel.test',
    'opsdeck.monitoring.rule.manage',
  ],
  erin: [],
  // viewer: reads metrics only
  vera: ['opsdeck.monitoring.metrics.read'],
};

/** The catalog groups each demo person is a member of (their ownership refs). */
export const GROUPS: Record<string, string[]> = {
  alice: ['group:default/admins', 'group:default/ops'],
  dave: ['group:default/dev'],
  olga: ['group:default/ops'],
  otto: ['group:default/ops-leads'],
  vera: ['group:default/ops'],
  erin: ['group:default/ops'],
};

/** What the vault mock was asked, and the secrets it holds (password credentials). */
export interface VaultMock {
  secrets: Record<string, { owner: string; password: string }>;
  /** SSH logins (process probes), taken out for `ssh-login` only. */
  sshKeys: Record<string, { username: string; privateKey: string }>;
  uses: Array<{ name: string; use: SecretUse }>;
}

export interface MonitoringBackend {
  server: Server;
  url: string;
  stop(): Promise<void>;
  events: AuditorEvent[];
  notifications: NotificationSendOptions[];
  vault: VaultMock;
  setEntities(next: Entity[]): void;
  /** The scheduled tasks, with `captureTasks`. */
  tasks: SchedulerServiceTaskScheduleDefinitionWithFn[];
}

type SchedulerServiceTaskScheduleDefinitionWithFn = Parameters<
  SchedulerService['scheduleTask']
>[0];

/**
 * Starts the monitoring plugin in a test backend. `realAuth` uses Backstage's
 * own auth, httpAuth and permissions services with the static external
 * tokens above (what Prometheus and Alertmanager use); otherwise mock users
 * (`mockCredentials.user('user:default/alice')` headers) with {@link PEOPLE}.
 */
export async function startMonitoringBackend(options: {
  knex: Knex;
  entities: Entity[];
  monitoring?: Record<string, unknown>;
  realAuth?: boolean;
  /** Which users the catalog shows an entity to (default everyone), as the catalog's permissions would. */
  visibleTo?: (userRef: string, entity: Entity) => boolean;
  /** Keep scheduled tasks in `tasks` (run them by hand) instead of scheduling them. */
  captureTasks?: boolean;
}): Promise<MonitoringBackend> {
  let entities = options.entities;
  const events: AuditorEvent[] = [];
  const tasks: SchedulerServiceTaskScheduleDefinitionWithFn[] = [];
  const notifications: NotificationSendOptions[] = [];
  const vault: VaultMock = { secrets: {}, sshKeys: {}, uses: [] };
  const external = [
    {
      type: 'static',
      options: { token: SD_TOKEN, subject: 'prometheus' },
      accessRestrictions: [
        { plugin: 'monitoring', permission: 'opsdeck.monitoring.sd.read' },
      ],
    },
    {
      type: 'static',
      options: { token: WEBHOOK_TOKEN, subject: 'alertmanager' },
      accessRestrictions: [
        {
          plugin: 'monitoring',
          permission: 'opsdeck.monitoring.alert.receive',
        },
      ],
    },
    {
      type: 'static',
      options: { token: OTHER_TOKEN, subject: 'other' },
      accessRestrictions: [
        { plugin: 'monitoring', permission: 'opsdeck.monitoring.alert.read' },
      ],
    },
  ];
  const authFeatures = options.realAuth
    ? [authServiceFactory, httpAuthServiceFactory, permissionsServiceFactory]
    : [
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
        mockServices.permissions.mock({
          authorize: async (requests: any[], { credentials }: any) =>
            requests.map(r => {
              const principal = credentials.principal;
              if (principal.type === 'service') {
                return { result: AuthorizeResult.ALLOW } as PolicyDecision;
              }
              const user = principal.userEntityRef?.split('/')[1];
              const ok = PEOPLE[user]?.includes(r.permission.name);
              return {
                result: ok ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
              } as PolicyDecision;
            }),
        } as any).factory,
      ];
  const backend = await startTestBackend({
    features: [
      monitoringPlugin,
      mockServices.database.factory({ knex: options.knex }),
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://portal.example' },
          backend: { auth: { externalAccess: external } },
          permission: { enabled: true },
          opsdeck: { monitoring: (options.monitoring ?? {}) as any },
        },
      }),
      ...authFeatures,
      ...(options.captureTasks
        ? [
            mockServices.scheduler.mock({
              scheduleTask: async task => {
                tasks.push(task);
              },
            }).factory,
          ]
        : []),
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
        // the current entities on each call (a test registers or removes a host)
        factory: () =>
          new Proxy({} as CatalogService, {
            get: (_t, prop) => {
              const catalog = catalogServiceMock({ entities }) as any;
              if (prop === 'getEntityByRef') {
                return async (ref: string, opts: any) => {
                  const entity = await catalog.getEntityByRef(ref, opts);
                  const user = opts?.credentials?.principal?.userEntityRef;
                  if (entity && user && options.visibleTo) {
                    return options.visibleTo(user, entity) ? entity : undefined;
                  }
                  return entity;
                };
              }
              if (prop === 'getEntities') {
                return async (req: any, opts: any) => {
                  const res = await catalog.getEntities(req, opts);
                  const user = opts?.credentials?.principal?.userEntityRef;
                  if (!user || !options.visibleTo) return res;
                  return {
                    items: res.items.filter((e: Entity) =>
                      options.visibleTo!(user, e),
                    ),
                  };
                };
              }
              if (prop === 'getEntitiesByRefs') {
                return async (req: any, opts: any) => {
                  const res = await catalog.getEntitiesByRefs(req, opts);
                  const user = opts?.credentials?.principal?.userEntityRef;
                  if (!user || !options.visibleTo) return res;
                  return {
                    items: res.items.map((e: Entity | undefined) =>
                      e && options.visibleTo!(user, e) ? e : undefined,
                    ),
                  };
                };
              }
              const value = catalog[prop];
              return typeof value === 'function' ? value.bind(catalog) : value;
            },
          }),
      }),
      mockServices.userInfo.mock({
        getUserInfo: async (credentials: any) => {
          const ref: string = credentials.principal.userEntityRef;
          return {
            userEntityRef: ref,
            ownershipEntityRefs: [ref, ...(GROUPS[ref.split('/')[1]] ?? [])],
          };
        },
      }).factory,
      createServiceFactory({
        service: vaultServiceRef,
        deps: {},
        factory: () => ({
          async getSecret(name: string, use: SecretUse) {
            vault.uses.push({ name, use });
            const key = vault.sshKeys[name];
            if (key) {
              if (use.use !== 'ssh-login') {
                throw new Error(`${name} may not be used for ${use.use}`);
              }
              return { type: 'ssh-key' as const, ...key };
            }
            const secret = vault.secrets[name];
            if (!secret) throw new Error(`no credential ${name}`);
            if (use.use !== 'alert-channel' || use.for.owner !== secret.owner) {
              const err = new Error(`${name} may not be used for this`);
              err.name = 'NotAllowedError';
              throw err;
            }
            return { type: 'password' as const, password: secret.password };
          },
        }),
      }),
      createServiceFactory({
        service: notificationService,
        deps: {},
        factory: () => ({
          async send(n: NotificationSendOptions) {
            notifications.push(n);
          },
        }),
      }),
    ],
  });
  const address = backend.server.address() as { port: number };
  return {
    server: backend.server,
    url: `http://127.0.0.1:${address.port}/api/monitoring`,
    stop: () => backend.stop(),
    events,
    notifications,
    vault,
    setEntities: next => {
      entities = next;
    },
    tasks,
  };
}

/** A catalog host entity whose node_exporter listens on `exporter` (host:port). */
export function hostEntity(
  name: string,
  exporter: string,
  extra: { owner?: string; system?: string; environment?: string } = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      namespace: 'default',
      annotations: { 'opsdeck.io/exporter': exporter },
      labels: { 'opsdeck.io/environment': extra.environment ?? 'prod' },
    },
    spec: {
      type: 'host',
      address: '127.0.0.1',
      owner: extra.owner ?? 'ops',
      system: extra.system ?? 'payments',
    },
  };
}
