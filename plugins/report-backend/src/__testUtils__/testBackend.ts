import {
  coreServices,
  createServiceFactory,
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
import {
  catalogServiceRef,
  CatalogService,
} from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  auditLogServiceRef,
  DatabaseAuditLog,
} from '@opsdeck/plugin-audit-node';
import { Knex } from 'knex';
import type { Server } from 'node:http';
import { reportPlugin } from '../plugin';
import { DEMO_USERS, demoOrgEntities } from '../testUtils/demoOrg';

export { DEMO_USERS, demoOrgEntities };

/** Audit events the report plugin reported, as the default auditor resolves them. */
export type RecordedEvent = AuditorEvent;

export async function startReportBackend(options: {
  knex: Knex;
  /** Database holding audit_events (the audit log the report reads). */
  auditKnex: Knex;
  entities: Entity[];
  config?: Record<string, unknown>;
  extraFeatures?: Parameters<typeof startTestBackend>[0]['features'];
}): Promise<{
  server: Server;
  stop: () => Promise<void>;
  events: RecordedEvent[];
  setEntities: (next: Entity[]) => void;
}> {
  const events: RecordedEvent[] = [];
  let entities = options.entities;
  const backend = await startTestBackend({
    features: [
      reportPlugin,
      mockServices.database.factory({ knex: options.knex }),
      // no Authorization header means no credentials (the default mock signs requests in)
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://portal.example' },
          organization: { name: 'opsdeck demo org' },
          opsdeck: {
            report: {
              enabled: false,
              sources: { jobs: false },
              ...options.config,
            },
          },
        },
      }),
      mockServices.permissions.mock({
        authorize: async (requests: any[], { credentials }: any) =>
          requests.map(r => {
            const user = credentials.principal?.userEntityRef?.split('/')[1];
            const ok = DEMO_USERS[user]?.permissions.includes(
              r.permission.name,
            );
            return {
              result: ok ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
            } as PolicyDecision;
          }),
      } as any).factory,
      createServiceFactory({
        service: coreServices.userInfo,
        deps: {},
        factory: () => ({
          async getUserInfo(credentials: any) {
            const ref: string = credentials.principal.userEntityRef;
            const user = DEMO_USERS[ref.split('/')[1]];
            return {
              userEntityRef: ref,
              ownershipEntityRefs: [
                ref,
                ...(user?.groups ?? []).map(g => `group:default/${g}`),
              ],
            };
          },
        }),
      }),
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
        // the current entities on each call (a test removes a user)
        factory: () =>
          new Proxy({} as CatalogService, {
            get: (_t, prop) => {
              const catalog = catalogServiceMock({ entities }) as any;
              const value = catalog[prop];
              return typeof value === 'function' ? value.bind(catalog) : value;
            },
          }),
      }),
      createServiceFactory({
        service: auditLogServiceRef,
        deps: {},
        factory: () => new DatabaseAuditLog(options.auditKnex),
      }),
      ...(options.extraFeatures ?? []),
    ],
  });
  return {
    server: backend.server,
    stop: () => backend.stop(),
    events,
    setEntities: (next: Entity[]) => {
      entities = next;
    },
  };
}
