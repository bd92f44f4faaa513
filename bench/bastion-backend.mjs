// A backend with only the bastion plugin (real Backstage 0.19 HTTP/WebSocket routers, mock
// auth and permissions, SQLite in memory) whose catalog holds the given sshd hosts.
// Used by bench/bastion.mjs and bench/bastion-sessions.mjs (load them with the node transform).
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '..',
);

const { findFreePortRange } = require(path.join(
  root,
  'plugins/remote-node/src/testUtils/sshdHosts.ts',
));
const { bastionPlugin } = require(path.join(
  root,
  'plugins/bastion-backend/src/plugin.ts',
));
const { vaultServiceRef } = require(path.join(
  root,
  'plugins/vault-backend/src/index.ts',
));
const { createSpecializedBackend } = require('@backstage/backend-app-api');
const {
  mockServices,
  mockCredentials,
} = require('@backstage/backend-test-utils');
const {
  httpRouterServiceFactory,
} = require('@backstage/backend-defaults/httpRouter');
const {
  rootHttpRouterServiceFactory,
} = require('@backstage/backend-defaults/rootHttpRouter');
const { createServiceFactory } = require('@backstage/backend-plugin-api');
const {
  catalogServiceMock,
} = require('@backstage/plugin-catalog-node/testUtils');
const WebSocket = require('ws');
const knexFactory = require('knex');

export { mockCredentials, WebSocket };

/**
 * Starts the backend; hosts are named `bench-01` … and reachable as the sshd test user.
 * Returns its base URL, a grant helper, a WebSocket opener and stop().
 */
export async function startBastionBackend(sshd, extraConfig = {}) {
  const port = await findFreePortRange(1);
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: ':memory:' },
    useNullAsDefault: true,
  });
  const entities = sshd.hosts.map((h, i) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: `bench-${String(i + 1).padStart(2, '0')}`,
      namespace: 'default',
      tags: ['bench'],
    },
    spec: {
      type: 'host',
      address: h.host,
      port: h.port,
      credential: 'bench',
      environment: 'test',
      owner: 'ops',
    },
  }));
  const recordingsDir = mkdtempSync(path.join(os.tmpdir(), 'bench-bastion-'));
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
      mockServices.auditor.factory(),
      mockServices.permissions.factory(),
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: {
          backend: {
            baseUrl: `http://127.0.0.1:${port}`,
            listen: { host: '127.0.0.1', port },
          },
          opsdeck: { bastion: { recordingsDir }, ...extraConfig },
        },
      }),
      catalogServiceMock.factory({ entities }),
      createServiceFactory({
        service: vaultServiceRef,
        deps: {},
        factory: () => ({
          getSecret: async () => ({
            type: 'ssh-key',
            username: sshd.user,
            privateKey: sshd.privateKeyText,
          }),
        }),
      }),
    ],
  });
  backend.add(bastionPlugin);
  await backend.start();
  const base = `http://127.0.0.1:${port}/api/bastion`;
  return {
    base,
    recordingsDir,
    hostNames: entities.map(e => e.metadata.name),
    async grant(subject, selector) {
      const res = await fetch(`${base}/grants`, {
        method: 'POST',
        headers: {
          Authorization: mockCredentials.user.header('user:default/alice'),
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({
          subject,
          selector,
          loginUser: sshd.user,
          expiresAt: new Date(Date.now() + 3600_000).toISOString(),
        }),
      });
      if (res.status !== 201)
        throw new Error(`grant: ${res.status} ${await res.text()}`);
    },
    terminal(host, user) {
      return new WebSocket(
        `ws://127.0.0.1:${port}/api/bastion/ws/terminal?host=${host}`,
        {
          headers: { Authorization: mockCredentials.user.header(user) },
        },
      );
    },
    async stop() {
      await backend.stop();
      await knex.destroy();
    },
  };
}
