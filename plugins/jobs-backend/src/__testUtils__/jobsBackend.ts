import {
  BackstageCredentials,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import {
  catalogServiceRef,
  type CatalogService,
} from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { catalogHostsServiceFactory } from '@opsdeck/plugin-cmdb-node/testUtils';
import { userPermissionsServiceRef } from '@opsdeck/plugin-opsdeck-node';
import type { SshdHosts } from '@opsdeck/plugin-remote-node/testUtils';
import { vaultServiceRef } from '@opsdeck/plugin-vault-node';
import { Knex } from 'knex';
import type { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { jobsPlugin } from '../plugin';
import { testSecrets } from './jobsTestKit';

/** A catalog host entity on a test sshd port (system lab, owner ops). */
export function hostEntity(
  sshd: SshdHosts,
  name: string,
  port: number,
  extra: object = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name, namespace: 'default', tags: ['app'] },
    spec: {
      type: 'host',
      address: '127.0.0.1',
      port,
      loginUser: sshd.user,
      credential: 'test-ssh',
      environment: 'test',
      owner: 'ops',
      system: 'lab',
      ...extra,
    },
  };
}

/** Decides one permission for a user (entity ref) on a resource. */
export type Decider = (
  user: string,
  permission: string,
  resourceRef?: string,
) => boolean;

/**
 * Default rule: `resource:default/locked` is denied to everybody, prod hosts
 * (`opsdeck.jobs.run.prod`) only to alice, anything else allowed.
 */
export const defaultDecider: Decider = (user, permission, resourceRef) => {
  if (resourceRef === 'resource:default/locked') return false;
  if (permission === 'opsdeck.jobs.run.prod') {
    return user === 'user:default/alice';
  }
  return true;
};

const userOf = (credentials?: BackstageCredentials) =>
  (credentials?.principal as { userEntityRef?: string })?.userEntityRef ??
  'service';

/**
 * The jobs plugin in a test backend: SQLite, an in-memory catalog over
 * `entities` (a test may change it while the backend runs), a fake vault
 * with the sshd key, recorded audit events and notifications, and a
 * permission policy (`decide`, also used for schedule owners at tick time)
 * that a test may replace while the backend runs.
 */
export async function startJobsBackend(options: {
  knex: Knex;
  sshd: SshdHosts;
  entities: Entity[];
  jobsConfig?: object;
}) {
  const state = { decide: defaultDecider, entities: options.entities };
  const authorize = jest.fn(
    async (
      requests: { permission: { name: string }; resourceRef?: string }[],
      opts?: { credentials?: BackstageCredentials },
    ): Promise<PolicyDecision[]> =>
      requests.map(r => ({
        result: state.decide(
          userOf(opts?.credentials),
          r.permission.name,
          r.resourceRef,
        )
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
      })),
  );
  const send = jest.fn(async (_: any) => {});
  const audits: { eventId: string; status: string; meta?: any }[] = [];
  const auditor = mockServices.auditor.mock({
    createEvent: jest.fn(async opts => {
      const record = {
        eventId: opts.eventId,
        status: 'initiated',
        meta: opts.meta,
      };
      audits.push(record);
      return {
        success: async () => {
          record.status = 'succeeded';
        },
        fail: async () => {
          record.status = 'failed';
        },
      };
    }) as any,
  });
  const backend = await startTestBackend({
    features: [
      jobsPlugin,
      mockServices.database.factory({ knex: options.knex }),
      mockServices.permissions.mock({
        authorize: authorize as any,
        // the edge's pre-check of a resource permission without a resource
        authorizeConditional: (async (
          requests: { permission: { name: string } }[],
          opts?: { credentials?: BackstageCredentials },
        ) =>
          requests.map(r => ({
            result: state.decide(userOf(opts?.credentials), r.permission.name)
              ? AuthorizeResult.ALLOW
              : AuthorizeResult.DENY,
          }))) as any,
      }).factory,
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          opsdeck: {
            jobs: {
              scheduleIntervalSeconds: 3600,
              // the tests' webhook receivers listen on loopback
              webhookAllowList: [
                { url: 'http://127.0.0.1:*/', allowPrivate: true },
              ],
              ...options.jobsConfig,
            },
          },
        },
      }),
      auditor.factory,
      // the host service over the test catalog (no CMDB in these tests)
      catalogHostsServiceFactory,
      createServiceFactory({
        service: catalogServiceRef,
        deps: {},
        // a fresh in-memory catalog over the current entities on each call
        factory: () =>
          ({
            getEntities: (...args: Parameters<CatalogService['getEntities']>) =>
              catalogServiceMock({ entities: state.entities }).getEntities(
                ...args,
              ),
          } as Partial<CatalogService> as CatalogService),
      }),
      createServiceFactory({
        service: vaultServiceRef,
        deps: {},
        factory: () => ({ getSecret: testSecrets(options.sshd) }),
      }),
      createServiceFactory({
        service: notificationService,
        deps: {},
        factory: () => ({ send }),
      }),
      createServiceFactory({
        service: userPermissionsServiceRef,
        deps: {},
        factory: () => ({
          authorizeUser: async (user: string, requests: any[]) =>
            requests.map(r => ({
              result: state.decide(user, r.permission.name, r.resourceRef)
                ? AuthorizeResult.ALLOW
                : AuthorizeResult.DENY,
            })) as PolicyDecision[],
        }),
      }),
    ],
  });
  return {
    server: backend.server as Server,
    url: `http://127.0.0.1:${(backend.server.address() as AddressInfo).port}`,
    stop: () => backend.stop(),
    send,
    audits,
    /** The catalog's entities and the permission rule, changeable at run time. */
    state,
  };
}
