// The vault router, encryption keys: rotation, a tampered row, start-up without a valid key.
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
  k2,
  password,
  password2,
  sshKey,
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
