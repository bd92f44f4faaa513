/**
 * Every opsdeck backend plugin in one test backend, wired as in production:
 * the generated routers with their access rules, the opsdeck permission
 * policy's roles, the opsdeck auditor writing the audit log, the app's
 * routers (WebSocket routing for the bastion) on a real port. Auth is
 * Backstage's mock auth, so mock tokens (mockCredentials) sign requests in.
 */
import { userPermissionsServiceFactory } from '@opsdeck/plugin-permission-backend-module-opsdeck-policy';
import { createSpecializedBackend } from '@backstage/backend-app-api';
import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import { discoveryServiceFactory } from '@backstage/backend-defaults/discovery';
import { httpRouterServiceFactory } from '@backstage/backend-defaults/httpRouter';
import { rootHttpRouterServiceFactory } from '@backstage/backend-defaults/rootHttpRouter';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import {
  AuthorizeResult,
  Permission,
} from '@backstage/plugin-permission-common';
import auditPlugin, {
  opsdeckAuditorServiceFactory,
} from '@opsdeck/plugin-audit-backend';
import bastionPlugin from '@opsdeck/plugin-bastion-backend';
import cmdbPlugin, {
  cmdbHubServiceFactory,
} from '@opsdeck/plugin-cmdb-backend';
import filesPlugin from '@opsdeck/plugin-files-backend';
import jobsPlugin from '@opsdeck/plugin-jobs-backend';
import localAuthPlugin from '@opsdeck/plugin-local-auth-backend';
import {
  OpsdeckPermissionPolicy,
  readOpsdeckPolicyConfig,
} from '@opsdeck/plugin-permission-backend-module-opsdeck-policy';
import sqlPlugin from '@opsdeck/plugin-sql-backend';
import ticketsPlugin from '@opsdeck/plugin-tickets-backend';
import vaultPlugin, {
  vaultServiceFactory,
  vaultStoreServiceFactory,
} from '@opsdeck/plugin-vault-backend';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './freePort';

/** The plugin ids of every opsdeck backend plugin with an HTTP API. */
export const OPSDECK_PLUGINS = [
  'audit',
  'local-auth',
  'vault',
  'cmdb',
  'files',
  'bastion',
  'tickets',
  'sql',
  'jobs',
];

/** The opsdeck policy's decisions (services are trusted, as in Backstage). */
function opsdeckPermissions(roles: Record<string, string[]>) {
  const policy = new OpsdeckPermissionPolicy({
    ...readOpsdeckPolicyConfig(new ConfigReader({ opsdeck: { roles } })),
    userInfo: mockServices.userInfo(),
  });
  const decide = (permission: Permission, credentials: any) => {
    if (credentials.principal.type === 'service') {
      return { result: AuthorizeResult.ALLOW };
    }
    return policy.decide(
      permission,
      policy.rolesOf([credentials.principal.userEntityRef]),
    );
  };
  return createServiceFactory({
    service: coreServices.permissions,
    deps: {},
    factory: () =>
      ({
        authorize: async (requests: any[], { credentials }: any) =>
          requests.map(r => decide(r.permission, credentials)),
        authorizeConditional: async (requests: any[], { credentials }: any) =>
          requests.map(r => decide(r.permission, credentials)),
      } as any),
  });
}

export interface OpsdeckTestBackend {
  /** http://127.0.0.1:<port> */
  url: string;
  stop(): Promise<void>;
}

/** Starts every opsdeck plugin; `opsdeck` config is merged over the defaults. */
export async function startOpsdeckBackend(options: {
  roles: Record<string, string[]>;
  entities?: Entity[];
  opsdeck?: Record<string, unknown>;
}): Promise<OpsdeckTestBackend> {
  const dir = mkdtempSync(join(tmpdir(), 'opsdeck-backend-'));
  mkdirSync(join(dir, 'files'));
  mkdirSync(join(dir, 'recordings'));
  const port = await freePort();
  const backend = createSpecializedBackend({
    defaultServiceFactories: [
      rootHttpRouterServiceFactory(),
      httpRouterServiceFactory,
      databaseServiceFactory,
      mockServices.auth.factory(),
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      mockServices.userInfo.factory(),
      mockServices.cache.factory(),
      mockServices.lifecycle.factory(),
      mockServices.logger.factory(),
      mockServices.permissionsRegistry.factory(),
      mockServices.rootHealth.factory(),
      mockServices.rootLifecycle.factory(),
      mockServices.rootLogger.factory(),
      mockServices.scheduler.factory(),
      // the real one over backend.baseUrl: plugins call each other (jobs → cmdb)
      discoveryServiceFactory,
      // vault announces saved credentials; cmdb collects facts on them
      mockServices.events.factory(),
      opsdeckAuditorServiceFactory,
      vaultStoreServiceFactory,
      cmdbHubServiceFactory,
      vaultServiceFactory,
      // other users' rights (jobs: a schedule's owner at each tick)
      userPermissionsServiceFactory,
      opsdeckPermissions(options.roles),
      catalogServiceMock.factory({ entities: options.entities ?? [] }),
      createServiceFactory({
        service: notificationService,
        deps: {},
        factory: () => ({ send: async () => {} }),
      }),
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: `http://127.0.0.1:${port}` },
          backend: {
            baseUrl: `http://127.0.0.1:${port}`,
            listen: { host: '127.0.0.1', port },
            database: { client: 'better-sqlite3', connection: ':memory:' },
          },
          opsdeck: {
            roles: options.roles,
            audit: { minSeverity: 'medium' },
            localAuth: {
              sessionSecret: 'edge-test-session-secret-0123456789abcdef',
              seedUsers: [],
            },
            vault: {
              keys: [
                {
                  id: 'edge-test',
                  secret: Buffer.alloc(32, 7).toString('base64'),
                },
              ],
            },
            bastion: {
              recordingsDir: join(dir, 'recordings'),
              mfa: { key: Buffer.alloc(32, 9).toString('base64') },
            },
            files: { storage: { directory: join(dir, 'files') } },
            jobs: { scheduleIntervalSeconds: 3600 },
            cmdb: {
              facts: { frequencyMinutes: 600, initialDelaySeconds: 3600 },
            },
            ...options.opsdeck,
          },
        },
      }),
    ],
  });
  for (const plugin of [
    auditPlugin,
    localAuthPlugin,
    vaultPlugin,
    cmdbPlugin,
    filesPlugin,
    bastionPlugin,
    ticketsPlugin,
    sqlPlugin,
    jobsPlugin,
  ]) {
    backend.add(plugin);
  }
  await backend.start();
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      await backend.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
