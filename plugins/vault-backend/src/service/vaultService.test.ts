import {
  coreServices,
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { randomBytes } from 'node:crypto';
import { ed25519KeyPair } from '../testUtils/ed25519KeyPair';
import request from 'supertest';
import {
  vaultServiceRef,
  vaultStoreServiceRef,
  type SecretUse,
  type VaultService,
} from '@opsdeck/plugin-vault-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { NotAllowedError } from '@backstage/errors';
import type { Entity } from '@backstage/catalog-model';
import { vaultPlugin } from '../plugin';
import { capturingRootLogger, LogLines } from '../testUtils/capture';
import { DatabaseVaultStore } from '../database/DatabaseVaultStore';
import { vaultStoreServiceFactory } from '../database/vaultStoreServiceFactory';
import { vaultServiceFactory } from './vaultService';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

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

/** Users of the catalog with their direct group memberships. */
const people: Entity[] = [
  ['bob', 'ops'],
  ['carol', 'dba'],
].map(([name, group]) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default' },
  spec: { memberOf: [group] },
  relations: [{ type: 'memberOf', targetRef: `group:default/${group}` }],
}));

const forWeb: SecretUse = {
  use: 'ssh-login',
  for: { ref: 'resource:default/web-01', owner: 'group:default/ops' },
  actor: 'user:default/alice',
};

/** A backend with the vault plugin, its service and a plugin that uses it. */
async function startVault() {
  const logLines: LogLines = [];
  let vault: VaultService | undefined;
  const { server } = await startTestBackend({
    features: [
      vaultPlugin,
      vaultStoreServiceFactory,
      vaultServiceFactory,
      catalogServiceMock.factory({ entities: people }),
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
  return { server, vault: vault!, logLines };
}

describe('vaultServiceFactory', () => {
  it('lets other plugins read secrets from the database the vault plugin writes', async () => {
    const { server, vault, logLines } = await startVault();
    for (const body of [
      {
        name: 'db-main',
        type: 'password',
        username: 'postgres',
        secret: password,
        owner: 'ops',
        allowedUses: ['ssh-login'],
      },
      {
        name: 'web',
        type: 'ssh-key',
        username: 'deploy',
        secret: sshKey.private,
        owner: 'ops',
        allowedUses: ['ssh-login'],
      },
    ]) {
      const res = await request(server)
        .post('/api/vault/credentials')
        .send(body);
      expect(res.status).toBe(201);
    }

    await expect(vault.getSecret('db-main', forWeb)).resolves.toEqual({
      type: 'password',
      username: 'postgres',
      password,
    });
    await expect(vault.getSecret('web', forWeb)).resolves.toEqual({
      type: 'ssh-key',
      username: 'deploy',
      privateKey: `${sshKey.private.trim()}\n`,
    });
    await expect(vault.getSecret('missing', forWeb)).rejects.toThrow(
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
        vault.getSecret('db-main', use as unknown as SecretUse),
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

  it('checks every use against the credential policy where the secret is taken out', async () => {
    const { server, vault, logLines } = await startVault();
    const dbPassword = `Db-${randomBytes(12).toString('hex')}`;
    const hostPassword = `Host-${randomBytes(12).toString('hex')}`;
    const token = `Tok-${randomBytes(12).toString('hex')}`;
    for (const body of [
      {
        name: 'db-prod-admin',
        type: 'password',
        username: 'postgres',
        secret: dbPassword,
        owner: 'dba',
        allowedUses: ['db-admin'],
      },
      {
        name: 'dba-host-root',
        type: 'password',
        username: 'root',
        secret: hostPassword,
        owner: 'dba',
        allowedUses: ['ssh-login'],
        allowedEnvironments: ['prod'],
      },
      {
        name: 'ops-api-token',
        type: 'password',
        secret: token,
        owner: 'ops',
        allowedUses: ['job-secret'],
      },
    ]) {
      const res = await request(server)
        .post('/api/vault/credentials')
        .send(body);
      expect(res.status).toBe(201);
    }
    const refusal = async (name: string, use: SecretUse) => {
      const error = await vault.getSecret(name, use).then(
        () => undefined,
        e => e as Error,
      );
      expect(error).toBeInstanceOf(NotAllowedError);
      return error!.message;
    };

    // an ops user's job naming the production database admin as a secret parameter
    expect(
      await refusal('db-prod-admin', {
        use: 'job-secret',
        for: { ref: 'job:42', owner: 'group:default/ops', environment: 'prod' },
        actor: 'user:default/bob',
      }),
    ).toBe(
      "Vault credential 'db-prod-admin' may not be used for job-secret on job:42 by user:default/bob: it may be used for db-admin only",
    );
    // a host registered at an attacker's address, owned by ops, naming dba's root password
    expect(
      await refusal('dba-host-root', {
        use: 'ssh-login',
        for: {
          ref: 'resource:default/innocent-01',
          owner: 'group:default/ops',
          environment: 'prod',
        },
        actor: 'user:default/bob',
      }),
    ).toMatch(
      /belongs to group:default\/dba, and resource:default\/innocent-01 is owned by group:default\/ops/,
    );
    // outside its environments
    expect(
      await refusal('dba-host-root', {
        use: 'ssh-login',
        for: {
          ref: 'resource:default/db-test-01',
          owner: 'group:default/dba',
          environment: 'test',
        },
      }),
    ).toMatch(/serves environments prod only/);
    // a job secret for someone outside the owner group
    expect(
      await refusal('ops-api-token', {
        use: 'job-secret',
        for: { ref: 'job:7' },
        actor: 'user:default/carol',
      }),
    ).toMatch(/user:default\/carol is not a member of group:default\/ops/);

    // allowed uses still work
    await expect(
      vault.getSecret('db-prod-admin', {
        use: 'db-admin',
        for: {
          ref: 'resource:default/pay-db-main',
          owner: 'group:default/dba',
          system: 'system:default/payments',
          environment: 'prod',
        },
        actor: 'user:default/carol',
      }),
    ).resolves.toMatchObject({ type: 'password', password: dbPassword });
    await expect(
      vault.getSecret('ops-api-token', {
        use: 'job-secret',
        for: { ref: 'job:7' },
        actor: 'user:default/bob',
      }),
    ).resolves.toMatchObject({ password: token });

    // each refusal is an audit event naming credential, use, target and actor; no secret anywhere
    const events = logLines
      .map(line => JSON.parse(line))
      .map(l => (l.extra?.eventId ? l.extra : l.meta))
      .filter(e => e?.eventId?.startsWith('vault-secret'));
    const denied = events.filter(
      e => e.eventId === 'vault-secret-use-denied' && e.status === 'failed',
    );
    expect(
      denied.map(e => [
        e.meta.credential,
        e.meta.use,
        e.meta.for.ref,
        e.meta.actor ?? null,
        e.status,
        e.severityLevel,
      ]),
    ).toEqual([
      [
        'db-prod-admin',
        'job-secret',
        'job:42',
        'user:default/bob',
        'failed',
        'high',
      ],
      [
        'dba-host-root',
        'ssh-login',
        'resource:default/innocent-01',
        'user:default/bob',
        'failed',
        'high',
      ],
      [
        'dba-host-root',
        'ssh-login',
        'resource:default/db-test-01',
        null,
        'failed',
        'high',
      ],
      [
        'ops-api-token',
        'job-secret',
        'job:7',
        'user:default/carol',
        'failed',
        'high',
      ],
    ]);
    expect(denied[0].meta.reason).toBe('it may be used for db-admin only');
    // nothing was decrypted for a refused use: reads only for the granted ones
    expect(
      events
        .filter(e => e.eventId === 'vault-secret-read')
        .map(e => [e.meta.credential, e.status]),
    ).toEqual([
      ['db-prod-admin', 'initiated'],
      ['db-prod-admin', 'succeeded'],
      ['ops-api-token', 'initiated'],
      ['ops-api-token', 'succeeded'],
    ]);
    for (const line of logLines) {
      for (const secret of [dbPassword, hostPassword, token]) {
        expect(line).not.toContain(secret);
      }
    }
  });

  it('hands the vault service and the vault plugin one store, opened once', async () => {
    const knex = await databases.init('SQLITE_3');
    const opened = jest.fn();
    const stores = jest.fn();
    let vault: VaultService | undefined;
    const { server } = await startTestBackend({
      features: [
        vaultPlugin,
        vaultServiceFactory,
        createServiceFactory({
          service: vaultStoreServiceRef,
          deps: {},
          factory: () => {
            opened();
            const store = DatabaseVaultStore.create({
              database: mockServices.database({ knex }),
            });
            return {
              store: () => {
                stores();
                return store;
              },
            };
          },
        }),
        catalogServiceMock.factory({ entities: people }),
        consumerPlugin(v => {
          vault = v;
        }),
        mockServices.rootConfig.factory({
          data: { opsdeck: { vault: { keys: [key] } } },
        }),
      ],
    });
    const res = await request(server)
      .post('/api/vault/credentials')
      .send({
        name: 'shared',
        type: 'password',
        secret: password,
        owner: 'ops',
        allowedUses: ['ssh-login'],
      });
    expect(res.status).toBe(201);
    await expect(vault!.getSecret('shared', forWeb)).resolves.toEqual({
      type: 'password',
      password,
    });
    expect(opened).toHaveBeenCalledTimes(1);
    // the vault service's root context and the vault plugin
    expect(stores).toHaveBeenCalledTimes(2);
  });

  it('refuses to start a backend that uses it without a key', async () => {
    await expect(
      startTestBackend({
        features: [
          vaultStoreServiceFactory,
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
