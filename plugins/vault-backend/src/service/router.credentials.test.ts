// The vault router, the credential lifecycle and input validation.
// Shared setup (secrets, test backend, leak check): ./__testUtils__/routerTestKit.ts.
import { mockServices } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { DatabaseVaultStore } from '../database/DatabaseVaultStore';
import { readKeyring } from '../lib/keyring';
import { LogLines } from '../testUtils/capture';
import { CredentialService } from './CredentialService';
import request from 'supertest';
import {
  alice,
  k1,
  password,
  password2,
  sshKey,
  sshKey2,
  fingerprintOf,
  pwPolicy,
  keyPolicy,
  vaultRouterTest,
} from './__testUtils__/routerTestKit';

jest.setTimeout(60_000);

describe('vault router', () => {
  const { ctx, start } = vaultRouterTest();
  let knex: Knex;
  let logLines: LogLines;
  beforeEach(() => {
    ({ knex, logLines } = ctx);
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
});
