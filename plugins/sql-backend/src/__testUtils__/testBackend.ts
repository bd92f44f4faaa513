import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  notificationService,
  type NotificationSendOptions,
} from '@backstage/plugin-notifications-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { vaultServiceRef } from '@opsdeck/plugin-vault-node';
import { sqlPlugin } from '../plugin';

// created when a test file imports this module (jest hooks must be registered then)
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

/** The demo's roles and what the opsdeck policy grants them on sql permissions. */
const GRANTS: Record<string, string[]> = {
  'opsdeck.sql.instance.read': ['ops', 'dba', 'dev', 'viewer'],
  'opsdeck.sql.change.create': ['ops', 'dba', 'dev'],
  'opsdeck.sql.change.approve': ['dba'],
  'opsdeck.sql.change.execute': ['dba'],
  'opsdeck.sql.query': ['ops', 'dba', 'dev'],
  'opsdeck.sql.querylog.read': ['dba', 'viewer'],
  'opsdeck.sql.slowquery.read': ['ops', 'dba', 'dev'],
  'opsdeck.sql.review': ['ops', 'dba', 'dev'],
  'opsdeck.sql.data.unmask': [],
  'opsdeck.sql.instance.exception': [],
};

/** Demo people: role and groups. alice is the admin (every permission). */
export const PEOPLE: Record<string, { role: string; groups: string[] }> = {
  alice: {
    role: 'admin',
    groups: ['group:default/admins', 'group:default/ops'],
  },
  bob: { role: 'ops', groups: ['group:default/ops'] },
  carol: { role: 'dba', groups: ['group:default/dba'] },
  dina: { role: 'dba', groups: ['group:default/dba'] },
  frank: { role: 'dev', groups: ['group:default/dev'] },
  erin: { role: 'viewer', groups: ['group:default/security'] },
};

/** The Authorization header of a demo person. */
export const as = (name: string) =>
  mockCredentials.user.header(`user:default/${name}`);

export interface AuditRecord {
  eventId: string;
  status: string;
  meta: Record<string, unknown>;
  error?: string;
}

/**
 * The sql backend plugin on a test backend: its tables on SQLite, the given
 * catalog entities, a vault answering with `getSecret`, permissions as the
 * opsdeck policy grants them to the demo roles, recorded audit events and
 * notifications.
 */
export async function startSqlBackend(options: {
  entities: Entity[];
  getSecret: (name: string, use?: any) => Promise<any>;
  config?: Record<string, unknown>;
}): Promise<{
  app: any;
  stop: () => Promise<void>;
  sent: NotificationSendOptions[];
  audits: AuditRecord[];
}> {
  const sent: NotificationSendOptions[] = [];
  const audits: AuditRecord[] = [];
  const auditor = mockServices.auditor.mock({
    createEvent: jest.fn(async opts => {
      const record: AuditRecord = {
        eventId: opts.eventId,
        status: 'initiated',
        meta: (opts.meta ?? {}) as Record<string, unknown>,
      };
      audits.push(record);
      return {
        success: async (o?: { meta?: Record<string, unknown> }) => {
          record.status = 'succeeded';
          record.meta = { ...record.meta, ...o?.meta };
        },
        fail: async (o: { error: Error }) => {
          record.status = 'failed';
          record.error = o.error.message;
        },
      };
    }) as any,
  });
  const backend = await startTestBackend({
    features: [
      sqlPlugin,
      mockServices.database.factory({ knex: await databases.init('SQLITE_3') }),
      mockServices.rootConfig.factory({
        data: {
          opsdeck: {
            sql: { schedule: { intervalSeconds: 3600 }, ...options.config },
          },
        },
      }),
      auditor.factory,
      catalogServiceMock.factory({ entities: options.entities }),
      createServiceFactory({
        service: vaultServiceRef,
        deps: {},
        factory: () => ({ getSecret: options.getSecret } as any),
      }),
      createServiceFactory({
        service: notificationService,
        deps: {},
        factory: () => ({
          send: async (n: NotificationSendOptions) => {
            sent.push(n);
          },
        }),
      }),
      createServiceFactory({
        service: coreServices.userInfo,
        deps: {},
        factory: () => ({
          getUserInfo: async (credentials: any) => {
            const ref = credentials.principal.userEntityRef as string;
            const person = PEOPLE[ref.replace('user:default/', '')];
            return {
              userEntityRef: ref,
              ownershipEntityRefs: [ref, ...(person?.groups ?? [])],
            };
          },
        }),
      }),
      createServiceFactory({
        service: coreServices.permissions,
        deps: {},
        factory: () => ({
          authorize: async (requests: any[], opts: any) => {
            const ref: string | undefined =
              opts?.credentials?.principal?.userEntityRef;
            const role = ref
              ? PEOPLE[ref.replace('user:default/', '')]?.role
              : 'service';
            return requests.map(r => {
              const grant = GRANTS[r.permission.name];
              const ok =
                role === 'admin' ||
                role === 'service' ||
                (grant ? grant.includes(role ?? '') : false);
              return {
                result: ok ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
              };
            });
          },
          authorizeConditional: async (requests: any[]) =>
            requests.map(() => ({ result: AuthorizeResult.ALLOW })),
        }),
      }),
    ],
  });
  return { app: backend.server, stop: () => backend.stop(), sent, audits };
}
