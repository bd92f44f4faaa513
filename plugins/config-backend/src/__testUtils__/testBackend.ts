import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import { catalogHostsServiceFactory } from '@opsdeck/plugin-cmdb-node/testUtils';
// tests only (devDependency): the real tickets plugin decides and claims the approvals
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import ticketsPlugin from '@opsdeck/plugin-tickets-backend';
import { vaultServiceRef } from '@opsdeck/plugin-vault-node';
import { NotAllowedError } from '@backstage/errors';
import type { Knex } from 'knex';
import { configPlugin } from '../plugin';

/** A logger that keeps each line (message and meta) in `lines`. */
function captureLogger(lines: string[]): any {
  const log = (level: string) => (message: string, meta?: unknown) => {
    lines.push(`${level} ${message} ${meta ? JSON.stringify(meta) : ''}`);
  };
  const logger: any = {
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    child: () => logger,
  };
  return logger;
}

export type AuditRecord = {
  eventId: string;
  actor?: string;
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
      environment: 'staging',
      ...extra,
    },
  };
}

/**
 * A backend with the config plugin, a real database, the given catalog
 * entities, a vault that knows `sshd-test`, and per user the permissions
 * they are denied.
 */
export async function startConfigBackend(options: {
  knex: Knex;
  entities: Entity[];
  privateKey: string;
  deny?: Record<string, string[]>;
  /**
   * Also runs the real tickets plugin (change approvals) on the same
   * database, with these group memberships for the people who decide.
   */
  tickets?: { groups: Record<string, string[]> };
  /**
   * Password credentials: name → password and who may take it out for
   * config-secret (anyone else is refused, as the vault's policy would).
   */
  passwords?: Record<string, { password: string; members: string[] }>;
}) {
  const logLines: string[] = [];
  const vaultUses: Array<{ name: string; use: unknown }> = [];
  const authorize = jest.fn(
    async (
      requests: { permission: { name: string } }[],
      { credentials }: any,
    ) =>
      requests.map(
        (r): PolicyDecision => ({
          result: options.deny?.[
            credentials.principal?.userEntityRef ?? ''
          ]?.includes(r.permission.name)
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
        actor: (opts.request as any)?.headers?.authorization,
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
      configPlugin,
      mockServices.database.factory({ knex: options.knex }),
      // no Authorization header means no credentials (the default mock signs requests in)
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      mockServices.permissions.mock({ authorize: authorize as any }).factory,
      mockServices.rootConfig.factory({
        data: {
          opsdeck: {
            config: { healthAttempts: 3, healthIntervalMs: 200 },
            remoteNode: { connectTimeoutMs: 5_000 },
          },
        },
      }),
      auditor.factory,
      // every log line of the backend, to show no secret is logged
      createServiceFactory({
        service: coreServices.logger,
        deps: {},
        factory: () => captureLogger(logLines),
      }),
      catalogServiceMock.factory({ entities: options.entities }),
      ...(options.tickets
        ? [
            ticketsPlugin,
            createServiceFactory({
              service: coreServices.userInfo,
              deps: {},
              factory: () => ({
                getUserInfo: async (credentials: any) => {
                  const ref = credentials.principal.userEntityRef as string;
                  return {
                    userEntityRef: ref,
                    ownershipEntityRefs: [
                      ref,
                      ...(options.tickets!.groups[ref] ?? []),
                    ],
                  };
                },
              }),
            }),
          ]
        : []),
      // hosts resolved over the test catalog (production: the CMDB's host index)
      catalogHostsServiceFactory,
      createServiceFactory({
        service: vaultServiceRef,
        deps: {},
        factory: () => ({
          getSecret: async (name: string, use: any) => {
            const password = options.passwords?.[name];
            if (password) {
              vaultUses.push({ name, use });
              if (
                use.use !== 'config-secret' ||
                !password.members.includes(use.actor)
              ) {
                throw new NotAllowedError(
                  `Vault credential '${name}' may not be used for ${use.use} on ${use.for.ref} by ${use.actor}: ${use.actor} is not a member of its owner group`,
                );
              }
              return { type: 'password' as const, password: password.password };
            }
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
  return {
    server: backend.server as import('node:http').Server,
    stop: () => backend.stop(),
    authorize,
    audits,
    logLines,
    vaultUses,
  };
}
