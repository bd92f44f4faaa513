import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { randomBytes } from 'node:crypto';
import { ed25519KeyPair } from '../testUtils/ed25519KeyPair';
import request from 'supertest';
import {
  vaultServiceRef,
  type SecretUse,
  type VaultService,
} from '@opsdeck/plugin-vault-node';
import { vaultPlugin } from '../plugin';
import { capturingRootLogger, LogLines } from '../testUtils/capture';
import { vaultServiceFactory } from './vaultService';

jest.setTimeout(60_000);

const key = { id: 'main', secret: randomBytes(32).toString('base64') };
const password = `Pw-${randomBytes(12).toString('hex')}`;
const sshKey = ed25519KeyPair();

/** A plugin of the same backend that reads secrets through the service. */
function consumerPlugin(onVault: (vault: VaultService) => void) {
  return createBackendPlugin({
    pluginId: 'remote-node-test',
    register(env) {
      env.registerInit({
        deps: { vault: vaultServiceRef, logger: coreServices.logger },
        async init({ vault }) {
          onVault(vault);
        },
      });
    },
  });
}

const forWeb: SecretUse = {
  use: 'ssh-login',
  for: { ref: 'resource:default/web-01', owner: 'group:default/ops' },
  actor: 'user:default/alice',
};

describe('vaultServiceFactory', () => {
  it('lets other plugins read secrets from the database the vault plugin writes', async () => {
    const logLines: LogLines = [];
    let vault: VaultService | undefined;
    const { server } = await startTestBackend({
      features: [
        vaultPlugin,
        vaultServiceFactory,
        consumerPlugin(v => {
          vault = v;
        }),
        mockServices.rootConfig.factory({
          data: {
            backend: {
              database: { client: 'better-sqlite3', connection: ':memory:' },
            },
            opsdeck: { vault: { keys: [key] } },
          },
        }),
        capturingRootLogger(logLines),
      ],
    });
    for (const body of [
      {
        name: 'db-main',
        type: 'password',
        username: 'postgres',
        secret: password,
      },
      {
        name: 'web',
        type: 'ssh-key',
        username: 'deploy',
        secret: sshKey.private,
      },
    ]) {
      const res = await request(server)
        .post('/api/vault/credentials')
        .send(body);
      expect(res.status).toBe(201);
    }

    await expect(vault!.getSecret('db-main', forWeb)).resolves.toEqual({
      type: 'password',
      username: 'postgres',
      password,
    });
    await expect(vault!.getSecret('web', forWeb)).resolves.toEqual({
      type: 'ssh-key',
      username: 'deploy',
      privateKey: `${sshKey.private.trim()}\n`,
    });
    await expect(vault!.getSecret('missing', forWeb)).rejects.toThrow(
      "No credential named 'missing'",
    );
    // every read names its use, target and actor in the audit log
    // (a failed event is logged with the event as the child logger's meta)
    const reads = logLines
      .map(line => JSON.parse(line))
      .map(l => (l.extra?.eventId ? l.extra : l.meta))
      .filter(e => e?.eventId === 'vault-secret-read');
    expect(reads.map(e => [e.meta.target, e.status])).toEqual([
      ['vault:credential/db-main', 'initiated'],
      ['vault:credential/db-main', 'succeeded'],
      ['vault:credential/web', 'initiated'],
      ['vault:credential/web', 'succeeded'],
      ['vault:credential/missing', 'initiated'],
      ['vault:credential/missing', 'failed'],
    ]);
    expect(reads[0].meta).toMatchObject({
      reader: 'remote-node-test',
      use: 'ssh-login',
      for: { ref: 'resource:default/web-01', owner: 'group:default/ops' },
      actor: 'user:default/alice',
    });
    // a secret is never taken out without saying what for
    for (const use of [
      undefined,
      { use: 'anything', for: { ref: 'resource:default/web-01' } },
      { use: 'ssh-login', for: { ref: '' } },
    ]) {
      await expect(
        vault!.getSecret('db-main', use as unknown as SecretUse),
      ).rejects.toThrow(/taken out for a known use and target/);
    }

    // there is no HTTP route that returns a secret
    for (const path of [
      '/api/vault/credentials/db-main/secret',
      '/api/vault/secrets/db-main',
    ]) {
      const res = await request(server).get(path);
      expect(res.status).toBe(404);
      expect(res.text).not.toContain(password);
    }
    for (const line of logLines) {
      expect(line).not.toContain(password);
      expect(line).not.toContain(sshKey.private.split('\n')[1]);
    }
  });

  it('refuses to start a backend that uses it without a key', async () => {
    await expect(
      startTestBackend({
        features: [
          vaultServiceFactory,
          consumerPlugin(() => {}),
          mockServices.rootConfig.factory({
            data: {
              backend: {
                database: { client: 'better-sqlite3', connection: ':memory:' },
              },
            },
          }),
        ],
      }),
    ).rejects.toThrow(/opsdeck\.vault\.keys is not set/);
  });
});
