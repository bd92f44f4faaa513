import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { randomBytes } from 'node:crypto';
import { ed25519KeyPair } from '../testUtils/ed25519KeyPair';
import request from 'supertest';
import { DatabaseVaultStore } from '../database/DatabaseVaultStore';
import { readKeyring } from '../lib/keyring';
import { vaultPlugin } from '../plugin';
import { CredentialService } from './CredentialService';
import { capturingRootLogger, LogLines } from '../testUtils/capture';
import {
  createVaultReader,
  VaultService,
  vaultServiceRef,
} from './vaultService';

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

describe('vaultServiceRef', () => {
  it('lets other plugins read secrets from the database the vault plugin writes', async () => {
    const logLines: LogLines = [];
    let vault: VaultService | undefined;
    const { server } = await startTestBackend({
      features: [
        vaultPlugin,
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

    await expect(vault!.getSecret('db-main')).resolves.toEqual({
      type: 'password',
      username: 'postgres',
      password,
    });
    await expect(vault!.getSecret('web')).resolves.toEqual({
      type: 'ssh-key',
      username: 'deploy',
      privateKey: `${sshKey.private.trim()}\n`,
    });
    await expect(vault!.getSecret('missing')).rejects.toThrow(
      "No credential named 'missing'",
    );

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

describe('createVaultReader', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  it('reads secrets straight from the vault database', async () => {
    const knex = await databases.init('SQLITE_3');
    const database = mockServices.database({ knex });
    const config = new ConfigReader({ opsdeck: { vault: { keys: [key] } } });
    const writer = new CredentialService(
      await DatabaseVaultStore.create({ database }),
      readKeyring(config),
    );
    await writer.create(
      { name: 'db-main', type: 'password', secret: password },
      'user:default/alice',
    );

    const reader = createVaultReader({ database, config });
    await expect(reader.getSecret('db-main')).resolves.toEqual({
      type: 'password',
      password,
    });
    await expect(reader.getSecret('nothing')).rejects.toThrow(
      "No credential named 'nothing'",
    );
    expect(() =>
      createVaultReader({ database, config: new ConfigReader({}) }),
    ).toThrow(/opsdeck\.vault\.keys is not set/);
  });
});
