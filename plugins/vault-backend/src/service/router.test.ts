import { auditorServiceFactory } from '@backstage/backend-defaults/auditor';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  vaultCredentialManagePermission,
  vaultCredentialReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import { Knex } from 'knex';
import { createHash, randomBytes } from 'node:crypto';
import { utils } from 'ssh2';
import { ed25519KeyPair } from '../testUtils/ed25519KeyPair';
import request from 'supertest';
import { DatabaseVaultStore } from '../database/DatabaseVaultStore';
import { readKeyring } from '../lib/keyring';
import { vaultPlugin } from '../plugin';
import { capturingRootLogger, LogLines } from '../testUtils/capture';
import { CredentialService } from './CredentialService';
import { vaultServiceRef } from '@opsdeck/plugin-vault-node';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const alice = mockCredentials.user.header('user:default/alice');
const k1 = { id: 'k1', secret: randomBytes(32).toString('base64') };
const k2 = { id: 'k2', secret: randomBytes(32).toString('hex') };

// The secrets of this test; none may ever show up in a response or a log line.
const password = `Pw-${randomBytes(12).toString('hex')}`;
const password2 = `Pw2-${randomBytes(12).toString('hex')}`;
const sshKey = ed25519KeyPair({ comment: 'deploy' });
const sshKey2 = utils.generateKeyPairSync('ecdsa', { bits: 256 });

/** Distinctive pieces of secret material to look for in outputs. */
function secretPieces(): string[] {
  const keyLines = [sshKey.private, sshKey2.private].flatMap(k =>
    k.split('\n').filter(line => line.length >= 20 && !line.startsWith('---')),
  );
  return [password, password2, k1.secret, k2.secret, ...keyLines];
}

function fingerprintOf(publicLine: string) {
  const blob = Buffer.from(publicLine.split(' ')[1], 'base64');
  return `SHA256:${createHash('sha256')
    .update(blob)
    .digest('base64')
    .replace(/=+$/, '')}`;
}

type Decide = (permissionName: string) => AuthorizeResult;

const pwPolicy = { owner: 'dba', allowedUses: ['db-admin'] };
const keyPolicy = { owner: 'ops', allowedUses: ['ssh-login'] };

describe('vault router', () => {
  let knex: Knex;
  let logLines: LogLines;
  let bodies: string[];

  beforeEach(async () => {
    knex = await databases.init('SQLITE_3');
    logLines = [];
    bodies = [];
  });

  afterEach(() => {
    // Nothing returned or logged in any test contains secret material or ciphertext.
    const outputs = [...bodies, ...logLines];
    const leaks = secretPieces().filter(piece =>
      outputs.some(output => output.includes(piece)),
    );
    const leakyBodies = bodies.filter(body =>
      /ciphertext|authTag|"iv"|privateKey|"secret"/.test(body),
    );
    if (leaks.length > 0 || leakyBodies.length > 0) {
      throw new Error(
        `Secret material leaked into ${leaks.length} output(s); ${leakyBodies.length} response(s) name secret fields`,
      );
    }
  });

  async function start(
    options: {
      decide?: Decide;
      keys?: Array<{ id: string; secret: string }>;
    } = {},
  ) {
    const decide = options.decide ?? (() => AuthorizeResult.ALLOW);
    const authorize = jest.fn(
      async (requests: Array<{ permission: { name: string } }>) =>
        requests.map(
          (r): PolicyDecision => ({ result: decide(r.permission.name) as any }),
        ),
    );
    const { server } = await startTestBackend({
      features: [
        vaultPlugin,
        mockServices.rootConfig.factory({
          data: { opsdeck: { vault: { keys: options.keys ?? [k1] } } },
        }),
        mockServices.database.factory({ knex }),
        mockServices.permissions.mock({ authorize: authorize as any }).factory,
        capturingRootLogger(logLines),
        auditorServiceFactory,
        // The HTTP API is tested on its own; vaultService.test.ts covers the shared store.
        createServiceFactory({
          service: vaultServiceRef,
          deps: {},
          factory: () => ({
            getSecret: async () => {
              throw new Error('not used');
            },
          }),
        }),
      ],
    });
    /** Sends a request and records its body for the leak check. */
    const call = async (test: request.Test) => {
      const res = await test;
      bodies.push(res.text ?? '');
      return res;
    };
    return { server, authorize, call };
  }

  const routes = (name = 'web-prod') => [
    { method: 'get', path: '/credentials', manage: false },
    { method: 'get', path: `/credentials/${name}`, manage: false },
    {
      method: 'post',
      path: '/credentials',
      manage: true,
      body: {
        name: 'new-one',
        type: 'password',
        secret: password,
        ...pwPolicy,
      },
    },
    {
      method: 'put',
      path: `/credentials/${name}/policy`,
      manage: true,
      body: keyPolicy,
    },
    {
      method: 'put',
      path: `/credentials/${name}/secret`,
      manage: true,
      body: { secret: password2 },
    },
    {
      method: 'patch',
      path: `/credentials/${name}`,
      manage: true,
      body: { description: 'x' },
    },
    { method: 'delete', path: `/credentials/${name}`, manage: true },
    { method: 'post', path: '/rotate', manage: true },
  ];

  async function seed() {
    const store = await DatabaseVaultStore.create({
      database: mockServices.database({ knex }),
    });
    const service = new CredentialService(
      store,
      readKeyring(
        mockServices.rootConfig({
          data: { opsdeck: { vault: { keys: [k1] } } },
        }),
      ),
    );
    await service.create(
      {
        name: 'web-prod',
        type: 'ssh-key',
        secret: sshKey.private,
        ...keyPolicy,
      },
      'user:default/alice',
    );
    return service;
  }

  it('rejects unauthenticated requests with 401', async () => {
    await seed();
    const { server, authorize, call } = await start();
    for (const route of routes()) {
      const res = await call(
        (request(server) as any)
          [route.method](`/api/vault${route.path}`)
          .set('Authorization', mockCredentials.none.header())
          .send(route.body),
      );
      expect({ ...route, status: res.status }).toEqual({
        ...route,
        status: 401,
      });
    }
    expect(authorize).not.toHaveBeenCalled();
    expect(await knex('vault_credentials').count({ n: '*' })).toEqual([
      { n: 1 },
    ]);
  });

  it('returns 403 without the permission, and checks the right one', async () => {
    await seed();
    const { server, authorize, call } = await start({
      decide: () => AuthorizeResult.DENY,
    });
    for (const route of routes()) {
      authorize.mockClear();
      const res = await call(
        (request(server) as any)
          [route.method](`/api/vault${route.path}`)
          .set('Authorization', alice)
          .send(route.body),
      );
      expect(res.status).toBe(403);
      expect(res.body.error.name).toBe('NotAllowedError');
      expect(res.body.error.message).toBe(
        route.manage
          ? 'Only admins can manage credentials'
          : 'You are not allowed to read the credentials vault',
      );
      expect(authorize).toHaveBeenCalledWith(
        [
          {
            permission: route.manage
              ? vaultCredentialManagePermission
              : vaultCredentialReadPermission,
          },
        ],
        expect.anything(),
      );
    }
    const rows = await knex('vault_credentials').select('name', 'description');
    expect(rows).toEqual([{ name: 'web-prod', description: '' }]);
  });

  it('lets readers list but not change', async () => {
    await seed();
    const { server, call } = await start({
      decide: name =>
        name === vaultCredentialReadPermission.name
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
    });
    const list = await call(
      request(server).get('/api/vault/credentials').set('Authorization', alice),
    );
    expect(list.status).toBe(200);
    expect(list.body.items.map((c: { name: string }) => c.name)).toEqual([
      'web-prod',
    ]);
    const del = await call(
      request(server)
        .delete('/api/vault/credentials/web-prod')
        .set('Authorization', alice),
    );
    expect(del.status).toBe(403);
  });

  it('creates, lists, updates, replaces and deletes; never returns a secret', async () => {
    const { server, call } = await start();
    const api = request(server);

    const created = await call(
      api
        .post('/api/vault/credentials')
        .set('Authorization', alice)
        .send({
          name: 'web-prod',
          type: 'ssh-key',
          username: 'deploy',
          description: 'Deploy key for web',
          owner: 'ops',
          allowedUses: ['ssh-login'],
          allowedSystems: ['shop'],
          secret: sshKey.private,
        }),
    );
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      name: 'web-prod',
      type: 'ssh-key',
      username: 'deploy',
      description: 'Deploy key for web',
      owner: 'group:default/ops',
      allowedUses: ['ssh-login'],
      allowedSystems: ['system:default/shop'],
      allowedEnvironments: [],
      fingerprint: fingerprintOf(sshKey.public),
      keyAlgorithm: 'ssh-ed25519',
      keyId: 'k1',
      createdBy: 'user:default/alice',
      createdAt: expect.any(String),
      updatedBy: 'user:default/alice',
      updatedAt: expect.any(String),
      secretUpdatedAt: expect.any(String),
    });

    const pw = await call(
      api
        .post('/api/vault/credentials')
        .set('Authorization', alice)
        .send({
          name: 'db-main',
          type: 'password',
          username: 'postgres',
          secret: password,
          ...pwPolicy,
        }),
    );
    expect(pw.status).toBe(201);
    expect(pw.body).not.toHaveProperty('fingerprint');

    const list = await call(
      api.get('/api/vault/credentials').set('Authorization', alice),
    );
    expect(list.status).toBe(200);
    expect(list.body.items.map((c: { name: string }) => c.name)).toEqual([
      'db-main',
      'web-prod',
    ]);

    const one = await call(
      api.get('/api/vault/credentials/db-main').set('Authorization', alice),
    );
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ name: 'db-main', username: 'postgres' });

    const patched = await call(
      api
        .patch('/api/vault/credentials/db-main')
        .set('Authorization', alice)
        .send({ username: null, description: 'Main DB' }),
    );
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      description: 'Main DB',
      owner: 'group:default/dba',
    });
    expect(patched.body).not.toHaveProperty('username');
    // the owner is part of the policy: not changed through PATCH
    const ownerPatch = await call(
      api
        .patch('/api/vault/credentials/db-main')
        .set('Authorization', alice)
        .send({ owner: 'group:ops' }),
    );
    expect(ownerPatch.status).toBe(400);

    const policy = await call(
      api
        .put('/api/vault/credentials/db-main/policy')
        .set('Authorization', alice)
        .send({
          owner: 'group:default/dba',
          allowedUses: ['db-read', 'db-admin'],
          allowedSystems: ['system:default/payments'],
          allowedEnvironments: ['prod'],
        }),
    );
    expect(policy.status).toBe(200);
    expect(policy.body).toMatchObject({
      name: 'db-main',
      owner: 'group:default/dba',
      allowedUses: ['db-admin', 'db-read'],
      allowedSystems: ['system:default/payments'],
      allowedEnvironments: ['prod'],
      updatedBy: 'user:default/alice',
    });
    const badPolicy = await call(
      api
        .put('/api/vault/credentials/web-prod/policy')
        .set('Authorization', alice)
        .send({ owner: 'ops', allowedUses: ['ssh-login', 'job-secret'] }),
    );
    expect(badPolicy.status).toBe(400);
    expect(badPolicy.body.error.message).toBe(
      'An SSH key can only be used for ssh-login; job-secret need a password',
    );

    const replaced = await call(
      api
        .put('/api/vault/credentials/web-prod/secret')
        .set('Authorization', alice)
        .send({ secret: sshKey2.private }),
    );
    expect(replaced.status).toBe(200);
    expect(replaced.body.fingerprint).toBe(fingerprintOf(sshKey2.public));
    expect(replaced.body.keyAlgorithm).toBe('ecdsa-sha2-nistp256');

    const wrongType = await call(
      api
        .put('/api/vault/credentials/web-prod/secret')
        .set('Authorization', alice)
        .send({ secret: password2 }),
    );
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.message).toMatch(
      /SSH private key could not be read/,
    );

    const pwReplaced = await call(
      api
        .put('/api/vault/credentials/db-main/secret')
        .set('Authorization', alice)
        .send({ secret: password2 }),
    );
    expect(pwReplaced.status).toBe(200);

    // the stored secrets are the new ones
    const service = new CredentialService(
      await DatabaseVaultStore.create({
        database: mockServices.database({ knex }),
      }),
      readKeyring(
        mockServices.rootConfig({
          data: { opsdeck: { vault: { keys: [k1] } } },
        }),
      ),
    );
    expect(await service.getSecret('db-main')).toEqual({
      type: 'password',
      password: password2,
    });
    expect(await service.getSecret('web-prod')).toEqual({
      type: 'ssh-key',
      username: 'deploy',
      privateKey: `${sshKey2.private.trim()}\n`,
    });

    const deleted = await call(
      api.delete('/api/vault/credentials/db-main').set('Authorization', alice),
    );
    expect(deleted.status).toBe(204);
    const gone = await call(
      api.get('/api/vault/credentials/db-main').set('Authorization', alice),
    );
    expect(gone.status).toBe(404);
    expect(gone.body.error.message).toBe("No credential named 'db-main'");
    const again = await call(
      api.delete('/api/vault/credentials/db-main').set('Authorization', alice),
    );
    expect(again.status).toBe(404);

    // every mutation was audited, without secret material in its meta
    const audits = logLines
      .map(line => JSON.parse(line))
      .filter(l => l.meta?.isAuditEvent || l.extra?.eventId)
      .map(l => `${l.message}:${l.extra?.status ?? l.meta?.status}`);
    expect(audits).toEqual(
      expect.arrayContaining([
        'vault.vault-credential-create:succeeded',
        'vault.vault-credential-update:succeeded',
        'vault.vault-credential-policy-update:succeeded',
        'vault.vault-credential-policy-update:failed',
        'vault.vault-credential-secret-replace:succeeded',
        'vault.vault-credential-secret-replace:failed',
        'vault.vault-credential-delete:succeeded',
        'vault.vault-credential-delete:failed',
      ]),
    );
    // a policy change names the person and the policy before and after
    const policyEvent = logLines
      .map(line => JSON.parse(line))
      .find(
        l =>
          l.message === 'vault.vault-credential-policy-update' &&
          l.extra?.status === 'succeeded',
      );
    expect(policyEvent.extra.actor.actorId).toBe('user:default/alice');
    expect(policyEvent.extra.meta).toMatchObject({
      target: 'vault:credential/db-main',
      before: {
        owner: 'group:default/dba',
        allowedUses: ['db-admin'],
        allowedSystems: [],
        allowedEnvironments: [],
      },
      after: {
        owner: 'group:default/dba',
        allowedUses: ['db-admin', 'db-read'],
        allowedSystems: ['system:default/payments'],
        allowedEnvironments: ['prod'],
      },
    });
  });

  it('answers invalid input with clear 400s that do not echo the secret', async () => {
    const { server, call } = await start();
    const post = (body: unknown) =>
      call(
        request(server)
          .post('/api/vault/credentials')
          .set('Authorization', alice)
          .send(body as object),
      );

    const cases: Array<[unknown, RegExp]> = [
      [
        { name: 'Bad Name', type: 'password', secret: password, ...pwPolicy },
        /Invalid credential name: use 1-63 lowercase letters/,
      ],
      [
        { name: '-x', type: 'password', secret: password, ...pwPolicy },
        /Invalid credential name/,
      ],
      [
        { name: 'ok', type: 'ssh-key', secret: password, ...keyPolicy },
        /SSH private key could not be read/,
      ],
      [
        {
          name: 'ok',
          type: 'ssh-key',
          secret: sshKey.private.replace(/\n[A-Za-z0-9+/]{8}/, '\n'),
          ...keyPolicy,
        },
        /SSH private key could not be read/,
      ],
      [
        { name: 'ok', type: 'ssh-key', secret: sshKey.public, ...keyPolicy },
        /SSH private key could not be read/,
      ],
      [
        { name: 'ok', type: 'password', secret: '', ...pwPolicy },
        /must not be empty/,
      ],
      [{ name: 'ok', type: 'token', secret: password, ...pwPolicy }, /type/],
      [{ name: 'ok', type: 'password', ...pwPolicy }, /secret/],
      [
        {
          name: 'ok',
          type: 'password',
          secret: password,
          ciphertext: 'x',
          ...pwPolicy,
        },
        /additional properties/i,
      ],
      [
        { name: 'ok', type: 'password', secret: 42, ...pwPolicy },
        /secret.*string/,
      ],
      [
        {
          name: 'ok',
          type: 'password',
          secret: password,
          ...pwPolicy,
          owner: 'a/b/c',
        },
        /Invalid owner/,
      ],
      // a new credential says whom and what it serves
      [{ name: 'ok', type: 'password', secret: password }, /owner/],
      [
        { name: 'ok', type: 'password', secret: password, owner: 'dba' },
        /allowedUses/,
      ],
      [
        {
          name: 'ok',
          type: 'password',
          secret: password,
          owner: 'dba',
          allowedUses: ['root'],
        },
        /allowedUses/,
      ],
      [
        {
          name: 'ok',
          type: 'ssh-key',
          secret: sshKey.private,
          owner: 'ops',
          allowedUses: ['db-admin'],
        },
        /An SSH key can only be used for ssh-login/,
      ],
    ];
    for (const [body, message] of cases) {
      const res = await post(body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body.error.message).toMatch(message);
    }

    // malformed JSON that contains a secret: the parser's message would quote it
    const malformed = await call(
      request(server)
        .post('/api/vault/credentials')
        .set('Authorization', alice)
        .set('Content-Type', 'application/json')
        .send(`{"name":"x","type":"password","secret":"${password}"`),
    );
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toBe(
      'The request body is not valid JSON',
    );
    const notJson = await call(
      request(server)
        .post('/api/vault/credentials')
        .set('Authorization', alice)
        .set('Content-Type', 'application/json')
        .send(password),
    );
    expect(notJson.status).toBe(400);

    // duplicate name
    expect(
      (
        await post({
          name: 'dup',
          type: 'password',
          secret: password,
          ...pwPolicy,
        })
      ).status,
    ).toBe(201);
    const dup = await post({
      name: 'dup',
      type: 'password',
      secret: password,
      ...pwPolicy,
    });
    expect(dup.status).toBe(409);
    expect(dup.body.error.message).toBe(
      "A credential named 'dup' already exists",
    );
    expect(await knex('vault_credentials').count({ n: '*' })).toEqual([
      { n: 1 },
    ]);
  });

  it('rotates keys through POST /rotate', async () => {
    // old key only
    let backend = await start({ keys: [k1] });
    for (const [name, secret] of [
      ['a', password],
      ['b', password2],
    ]) {
      const res = await backend.call(
        request(backend.server)
          .post('/api/vault/credentials')
          .set('Authorization', alice)
          .send({ name, type: 'password', secret, ...pwPolicy }),
      );
      expect(res.status).toBe(201);
    }
    await backend.call(
      request(backend.server)
        .post('/api/vault/credentials')
        .set('Authorization', alice)
        .send({
          name: 'c',
          type: 'ssh-key',
          secret: sshKey.private,
          ...keyPolicy,
        }),
    );

    // new key first, old key kept
    backend = await start({ keys: [k2, k1] });
    const before = await backend.call(
      request(backend.server)
        .get('/api/vault/credentials')
        .set('Authorization', alice),
    );
    expect(before.body.items.map((c: { keyId: string }) => c.keyId)).toEqual([
      'k1',
      'k1',
      'k1',
    ]);
    const rotated = await backend.call(
      request(backend.server)
        .post('/api/vault/rotate')
        .set('Authorization', alice),
    );
    expect(rotated.status).toBe(200);
    expect(rotated.body).toEqual({ keyId: 'k2', reencrypted: 3, total: 3 });

    // old key removed
    backend = await start({ keys: [k2] });
    const after = await backend.call(
      request(backend.server)
        .get('/api/vault/credentials')
        .set('Authorization', alice),
    );
    expect(after.body.items.map((c: { keyId: string }) => c.keyId)).toEqual([
      'k2',
      'k2',
      'k2',
    ]);
    const service = new CredentialService(
      await DatabaseVaultStore.create({
        database: mockServices.database({ knex }),
      }),
      readKeyring(
        mockServices.rootConfig({
          data: { opsdeck: { vault: { keys: [k2] } } },
        }),
      ),
    );
    expect(await service.getSecret('a')).toMatchObject({ password });
    expect(await service.getSecret('b')).toMatchObject({ password: password2 });
    expect(await service.getSecret('c')).toMatchObject({
      privateKey: `${sshKey.private.trim()}\n`,
    });
  });

  it('reports a broken row by name, without leaking anything into logs', async () => {
    const { server, call } = await start({ keys: [k1] });
    await call(
      request(server)
        .post('/api/vault/credentials')
        .set('Authorization', alice)
        .send({
          name: 'db-main',
          type: 'password',
          secret: password,
          ...pwPolicy,
        }),
    );
    // tamper with the stored ciphertext
    const row = await knex('vault_credentials')
      .where({ name: 'db-main' })
      .first();
    const bytes = Buffer.from(row.ciphertext, 'base64');
    bytes[0] ^= 0x01;
    await knex('vault_credentials')
      .where({ name: 'db-main' })
      .update({ ciphertext: bytes.toString('base64') });

    const backend = await start({ keys: [k2, k1] });
    const res = await backend.call(
      request(backend.server)
        .post('/api/vault/rotate')
        .set('Authorization', alice),
    );
    expect(res.status).toBe(500);
    expect(res.body.error.message).toBe(
      "Credential 'db-main' could not be decrypted with key 'k1': the stored data was changed or the key is not the one it was encrypted with",
    );
    // the failure was logged (audit event), and the logs hold no secret or ciphertext
    expect(logLines.some(line => line.includes('vault.vault-rotate'))).toBe(
      true,
    );
    for (const line of logLines) {
      expect(line).not.toContain(row.ciphertext);
    }
  });

  it('refuses to start without a valid key', async () => {
    await expect(start({ keys: [] })).rejects.toThrow(
      /The credentials vault has no encryption key: opsdeck\.vault\.keys is not set/,
    );
    await expect(
      start({ keys: [{ id: 'k1', secret: 'too-short' }] }),
    ).rejects.toThrow(
      /opsdeck\.vault\.keys\[0\]\.secret \(key 'k1'\) is not 32 bytes/,
    );
  });
});
