/* The bastion plugin in a test backend with the real HTTP/WebSocket routers (shared by the router tests). */
import { httpRouterServiceFactory } from '@backstage/backend-defaults/httpRouter';
import { rootHttpRouterServiceFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { createSpecializedBackend } from '@backstage/backend-app-api';
import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { catalogHostsServiceFactory } from '@opsdeck/plugin-cmdb-node/testUtils';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
// The sshd test helpers of the SSH core (not part of its public API).
import {
  findFreePortRange,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import { localAuthServiceRef } from '@opsdeck/plugin-local-auth-node';
import { vaultServiceRef } from '@opsdeck/plugin-vault-node';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import request from 'supertest';
import WebSocket from 'ws';
import { bastionPlugin } from '../../plugin';

export type AuditRecord = { eventId: string; status: string; meta?: unknown };

/** A further catalog host: on the first test sshd unless `address`/`port` say otherwise. */
export type ExtraHost = {
  name: string;
  environment?: string;
  address?: string;
  port?: number;
  /** Its vault credential (default `test-ssh`, the test user's key). */
  credential?: string;
};

export type BackendOptions = {
  hosts?: ExtraHost[];
  /** Private keys of further vault credentials, by credential name. */
  keys?: Record<string, string>;
  /** Passwords of further vault credentials (type password), by credential name. */
  passwords?: Record<string, string>;
  /** `opsdeck.remoteNode` settings of the SSH core. */
  remoteNode?: Record<string, number>;
};

export async function startBackend(
  sshd: SshdHosts,
  databases: TestDatabases,
  decide: (permission: string, principal: string) => boolean = () => true,
  replica:
    | { knex: Knex; recordingsDir: string; instanceId: string }
    | undefined = undefined,
  options: BackendOptions = {},
) {
  const knex = replica?.knex ?? (await databases.init('SQLITE_3'));
  const audits: AuditRecord[] = [];
  const auditor = mockServices.auditor.mock({
    createEvent: jest.fn(async opts => {
      const record: AuditRecord = {
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
  const authorize = jest.fn(async (requests: any[], authorizeOptions: any) =>
    requests.map(
      (r): PolicyDecision => ({
        result: decide(
          r.permission.name,
          authorizeOptions?.credentials?.principal?.userEntityRef ?? 'service',
        )
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
      }),
    ),
  );
  const host = (
    name: string,
    environment: string,
    at: Omit<ExtraHost, 'name' | 'environment'> = {},
  ) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name, namespace: 'default', tags: ['java'] },
    spec: {
      type: 'host',
      address: at.address ?? sshd.hosts[0].host,
      port: at.port ?? sshd.hosts[0].port,
      credential: at.credential ?? 'test-ssh',
      environment,
      owner: 'ops',
      system: 'payments',
    },
  });
  const port = await findFreePortRange(1);
  // startTestBackend (backend-test-utils 1.11) bundles backend-defaults 0.18, whose routers
  // have no WebSocket routing: this backend uses the app's 0.19 routers on a real port, with
  // the mock auth services, so mock tokens work over HTTP and as WebSocket protocols.
  const backend = createSpecializedBackend({
    defaultServiceFactories: [
      rootHttpRouterServiceFactory(),
      httpRouterServiceFactory,
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
      mockServices.discovery.factory(),
      mockServices.database.factory({ knex }),
      mockServices.permissions.mock({ authorize: authorize as any }).factory,
      mockServices.rootConfig.factory({
        data: {
          backend: {
            baseUrl: `http://127.0.0.1:${port}`,
            listen: { host: '127.0.0.1', port },
          },
          opsdeck: {
            ...(options.remoteNode && { remoteNode: options.remoteNode }),
            bastion: {
              recordingsDir:
                replica?.recordingsDir ??
                mkdtempSync(join(tmpdir(), 'bastion-router-')),
              ...(replica && {
                instanceId: replica.instanceId,
                heartbeatSeconds: 1,
                staleSeconds: 3,
              }),
              mfa: { key: Buffer.alloc(32, 3).toString('base64') },
            },
          },
        },
      }),
      auditor.factory,
      catalogServiceMock.factory({
        entities: [
          host('app-01', 'staging'),
          host('pay-01', 'prod'),
          ...(options.hosts ?? []).map(h =>
            host(h.name, h.environment ?? 'staging', h),
          ),
        ],
      }),
      // the host service over the test catalog (no CMDB in these tests)
      catalogHostsServiceFactory,
      // local-auth's password re-check: each user's password is '<name>-password'
      createServiceFactory({
        service: localAuthServiceRef,
        deps: {},
        factory: () => ({
          verifyPassword: async ({ userEntityRef, password }) =>
            password === `${userEntityRef.split('/')[1]}-password`,
          lookupSession: async () => undefined,
          confirmSession: async () => false,
        }),
      }),
      createServiceFactory({
        service: vaultServiceRef,
        deps: {},
        factory: () => ({
          getSecret: async (name: string) => {
            const password = options.passwords?.[name];
            return password !== undefined
              ? { type: 'password' as const, username: sshd.user, password }
              : {
                  type: 'ssh-key' as const,
                  username: sshd.user,
                  privateKey: options.keys?.[name] ?? sshd.privateKeyText,
                };
          },
        }),
      }),
    ],
  });
  backend.add(bastionPlugin);
  await backend.start();
  return {
    server: `http://127.0.0.1:${port}`,
    stop: () => backend.stop(),
    audits,
  };
}

/** Supertest requests to the bastion API, authorized as `auth`. */
export function api(server: string, auth: string) {
  const call = (method: 'get' | 'post' | 'put' | 'delete') => (path: string) =>
    request(server)[method](`/api/bastion${path}`).set('Authorization', auth);
  return {
    get: call('get'),
    post: call('post'),
    put: call('put'),
    delete: call('delete'),
  };
}

export function grantBody(
  sshd: SshdHosts,
  overrides: Record<string, unknown> = {},
) {
  return {
    subject: 'user:default/frank',
    selector: { host: 'app-01' },
    loginUser: sshd.user,
    expiresAt: new Date(Date.now() + 3600_000).toISOString(),
    reason: 'ticket T-1',
    ...overrides,
  };
}

/** Collects a WebSocket's JSON messages. */
export function connect(server: string, path: string, user: string) {
  // path: below /api/bastion/ws
  // mock tokens are not valid WebSocket protocol names (browsers send the real token that way;
  // see e2e-tests/bastion.spec.ts): here the token goes in the Authorization header, which
  // Backstage's WebSocket authentication also accepts
  const ws = new WebSocket(
    `${server.replace(/^http/, 'ws')}/api/bastion/ws${path}`,
    {
      headers: { Authorization: mockCredentials.user.header(user) },
    },
  );
  const messages: any[] = [];
  ws.on('message', d => messages.push(JSON.parse(d.toString())));
  const output = () =>
    messages
      .filter(m => m.type === 'output')
      .map(m => m.data)
      .join('');
  const until = async (test: () => boolean, what: string) => {
    const deadline = Date.now() + 15_000;
    while (!test()) {
      if (Date.now() > deadline) {
        throw new Error(
          `Timed out waiting for ${what}: ${JSON.stringify(messages)}`,
        );
      }
      await new Promise(r => setTimeout(r, 50));
    }
  };
  const has = (type: string) => () => messages.some(m => m.type === type);
  return {
    ws,
    messages,
    output,
    until,
    input: (data: string) => ws.send(JSON.stringify({ type: 'input', data })),
    /** The first message, once there is one. */
    first: async () => {
      await until(() => messages.length > 0, 'a first message');
      return messages[0];
    },
    /** The id of the session, once the terminal is ready. */
    ready: async (what = 'ready') => {
      await until(has('ready'), what);
      return messages.find(m => m.type === 'ready').sessionId as string;
    },
    /** The last message, once the session closed. */
    closed: async (what = 'closed') => {
      await until(has('closed'), what);
      return messages.at(-1);
    },
  };
}
