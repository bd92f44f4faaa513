import { createServiceFactory } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { catalogHostsServiceFactory } from '@opsdeck/plugin-cmdb-node/testUtils';
import {
  AuthorizeResult,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import { vaultServiceRef } from '@opsdeck/plugin-vault-node';
import { Knex } from 'knex';
import { filesPlugin } from '../plugin';

export type AuditRecord = {
  eventId: string;
  meta?: Record<string, unknown>;
  status: string;
  error?: string;
};

/** A catalog host entity pointing at a test sshd. */
export function hostEntity(
  name: string,
  port: number,
  extra: object = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name, namespace: 'default', tags: ['lab'] },
    spec: {
      type: 'host',
      address: '127.0.0.1',
      port,
      loginUser: 'opsdeck',
      credential: 'sshd-test',
      owner: 'ops',
      system: 'lab',
      ...extra,
    },
  };
}

/**
 * Starts a backend with the files plugin, a real database, the given catalog
 * entities, a vault that knows `sshd-test`, and a permission decision per
 * permission name (default ALLOW).
 */
export async function startFilesBackend(options: {
  knex: Knex;
  storageDirectory: string;
  entities: Entity[];
  privateKey: string;
  deny?: string[];
  config?: Record<string, unknown>;
}) {
  const authorize = jest.fn(
    async (requests: { permission: { name: string } }[]) =>
      requests.map(
        (r): PolicyDecision => ({
          result: options.deny?.includes(r.permission.name)
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
        }),
      ),
  );
  const audits: AuditRecord[] = [];
  const auditor = mockServices.auditor.mock({
    createEvent: jest.fn(async opts => {
      const record: AuditRecord = {
        eventId: opts.eventId,
        meta: opts.meta,
        status: 'initiated',
      };
      audits.push(record);
      return {
        success: async (o?: { meta?: Record<string, unknown> }) => {
          record.status = 'succeeded';
          record.meta = { ...record.meta, ...o?.meta };
        },
        fail: async ({ error }: { error: Error }) => {
          record.status = 'failed';
          record.error = error.message;
        },
      };
    }) as any,
  });
  const backend = await startTestBackend({
    features: [
      filesPlugin,
      mockServices.database.factory({ knex: options.knex }),
      mockServices.permissions.mock({ authorize: authorize as any }).factory,
      mockServices.rootConfig.factory({
        data: {
          opsdeck: {
            files: {
              storage: { directory: options.storageDirectory },
              distribution: { attempts: 2, commandTimeoutMs: 30_000 },
              ...options.config,
            },
            remoteNode: { connectTimeoutMs: 5_000 },
          },
        },
      }),
      auditor.factory,
      catalogServiceMock.factory({ entities: options.entities }),
      // the host service over the test catalog (no CMDB in these tests)
      catalogHostsServiceFactory,
      createServiceFactory({
        service: vaultServiceRef,
        deps: {},
        factory: () => ({
          getSecret: async (name: string) => {
            if (name !== 'sshd-test') throw new Error(`No credential ${name}`);
            return {
              type: 'ssh-key' as const,
              username: 'opsdeck',
              privateKey: options.privateKey,
            };
          },
        }),
      }),
    ],
  });
  return { backend, server: backend.server as TestServer, authorize, audits };
}

/** What the tests use of the test backend's HTTP server. */
export type TestServer = import('node:http').Server & { port(): number };
