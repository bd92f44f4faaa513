/*
 * The default host-key store of the shared pool, through a real backend and a real sshd:
 * a pin outlives a backend restart, so a changed key is refused after it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import knexFactory from 'knex';
import { HostKeyMismatchError } from './errors';
import { hostKeyId } from './hostKeys';
import { remoteNodeServiceRef } from './service';
import type { SshConnectionPool } from './SshConnectionPool';
import { startSshdHosts, type SshdHosts } from './testUtils/sshdHosts';

jest.setTimeout(120_000);

let sshd: SshdHosts;
/** The host key sshd presents now (each case rekeys it). */
let currentKey: string;
beforeAll(async () => {
  sshd = await startSshdHosts(1);
  currentKey = sshd.hosts[0].hostKeyFingerprint;
});
afterAll(async () => {
  await sshd?.stop();
});

const pgUrl = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;

/** A `backend.database` config. */
type DatabaseConfig = { [key: string]: string | { [key: string]: string } };

type DatabaseCase = {
  name: string;
  config(): DatabaseConfig;
  cleanup(): Promise<void>;
};

function sqliteCase(): DatabaseCase {
  const dir = mkdtempSync(join(tmpdir(), 'remote-node-keys-'));
  return {
    name: 'SQLite directory',
    config: () => ({
      client: 'better-sqlite3',
      connection: { directory: dir },
    }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function postgresCase(url: string): DatabaseCase {
  const prefix = `rn_${randomBytes(4).toString('hex')}_`;
  return {
    name: 'PostgreSQL',
    config: () => ({ client: 'pg', connection: url, prefix }),
    cleanup: async () => {
      const adminUrl = new URL(url);
      adminUrl.pathname = '/postgres';
      const admin = knexFactory({ client: 'pg', connection: adminUrl.href });
      try {
        await admin.raw('drop database if exists ?? with (force)', [
          `${prefix}remote-node`,
        ]);
      } finally {
        await admin.destroy();
      }
    },
  };
}

const cases: (() => DatabaseCase)[] = [sqliteCase];
if (pgUrl) cases.push(() => postgresCase(pgUrl));
else if (process.env.OPSDECK_REQUIRE_POSTGRES_TESTS === '1') {
  throw new Error(
    'OPSDECK_REQUIRE_POSTGRES_TESTS=1 but BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING is not set',
  );
}

/** A backend whose only plugin hands out the shared pool. */
async function startBackend(database: DatabaseConfig) {
  let pool: SshConnectionPool | undefined;
  const probe = createBackendPlugin({
    pluginId: 'probe',
    register(env) {
      env.registerInit({
        deps: { ssh: remoteNodeServiceRef },
        async init({ ssh }) {
          pool = ssh;
        },
      });
    },
  });
  const backend = await startTestBackend({
    features: [
      probe,
      mockServices.rootConfig.factory({
        data: {
          backend: { database },
          opsdeck: { remoteNode: { connectTimeoutMs: 5_000 } },
        },
      }),
    ],
  });
  return { backend, pool: pool! };
}

describe.each(cases.map(c => [c().name, c] as const))(
  'default host-key store (%s)',
  (_name, makeCase) => {
    it('keeps the pin across a backend restart and refuses a changed key', async () => {
      const db = makeCase();
      const host = sshd.hosts[0];
      const target = {
        host: host.host,
        port: host.port,
        credentials: { username: sshd.user, privateKey: sshd.privateKeyText },
      };
      const id = hostKeyId(host.host, host.port);
      try {
        const first = await startBackend(db.config());
        await first.pool.execChecked(target, 'true');
        const pinned = await first.pool.hostKeyStore.get(id);
        expect(pinned).toBe(currentKey);
        await first.backend.stop();

        const changed = await sshd.rekey(host.port);
        currentKey = changed;
        const second = await startBackend(db.config());
        try {
          expect(await second.pool.hostKeyStore.get(id)).toBe(pinned);
          const err = await second.pool.exec(target, 'true').catch(e => e);
          expect(err).toBeInstanceOf(HostKeyMismatchError);
          expect(err.message).toContain(id);

          // an admin clears the pin: the new key is accepted and pinned
          await second.pool.hostKeyStore.remove(id);
          await second.pool.execChecked(target, 'true');
          expect(await second.pool.hostKeyStore.get(id)).toBe(changed);
        } finally {
          await second.backend.stop();
        }
      } finally {
        await db.cleanup();
      }
    });
  },
);

it('keeps pins in memory when backend.database is not configured', async () => {
  async function start() {
    let p: SshConnectionPool | undefined;
    const b = await startTestBackend({
      features: [
        createBackendPlugin({
          pluginId: 'probe',
          register(env) {
            env.registerInit({
              deps: { ssh: remoteNodeServiceRef },
              async init({ ssh }) {
                p = ssh;
              },
            });
          },
        }),
      ],
    });
    return { backend: b, pool: p! };
  }
  const first = await start();
  await first.pool.hostKeyStore.pin('mem.example.com', 'SHA256:a');
  expect(await first.pool.hostKeyStore.get('mem.example.com')).toBe('SHA256:a');
  await first.backend.stop();
  // a restart forgets it
  const second = await start();
  try {
    expect(
      await second.pool.hostKeyStore.get('mem.example.com'),
    ).toBeUndefined();
  } finally {
    await second.backend.stop();
  }
});
