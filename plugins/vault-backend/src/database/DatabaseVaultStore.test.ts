import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import { DatabaseVaultStore } from './DatabaseVaultStore';
import type { Envelope, StoredCredential } from '@opsdeck/plugin-vault-node';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const t0 = new Date('2026-03-01T10:00:00.000Z');
const t1 = new Date('2026-03-02T10:00:00.000Z');

function envelope(keyId: string, marker: string): Envelope {
  return {
    keyId,
    iv: Buffer.from(`iv-${marker}`).toString('base64'),
    authTag: Buffer.from(`tag-${marker}`).toString('base64'),
    ciphertext: Buffer.from(`ct-${marker}`).toString('base64'),
  };
}

function credential(
  name: string,
  overrides: Partial<StoredCredential> = {},
): StoredCredential {
  return {
    name,
    type: 'ssh-key',
    username: 'deploy',
    description: 'Deploy key',
    owner: 'group:default/ops',
    allowedUses: ['ssh-login'],
    allowedSystems: ['system:default/shop'],
    allowedEnvironments: ['prod', 'test'],
    fingerprint: 'SHA256:abc',
    keyAlgorithm: 'ssh-ed25519',
    keyId: 'k1',
    envelope: envelope('k1', name),
    createdBy: 'user:default/alice',
    createdAt: t0,
    updatedBy: 'user:default/alice',
    updatedAt: t0,
    secretUpdatedAt: t0,
    ...overrides,
  };
}

describe.each(databases.eachSupportedId())('DatabaseVaultStore (%s)', id => {
  async function createStore() {
    const knex = await databases.init(id);
    const store = await DatabaseVaultStore.create({
      database: mockServices.database({ knex }),
    });
    return { knex, store };
  }

  it('creates, reads and lists credentials; list has no secret columns', async () => {
    const { store } = await createStore();
    await store.create(credential('web-prod'));
    await store.create(
      credential('db-admin', {
        type: 'password',
        username: undefined,
        owner: undefined,
        allowedUses: [],
        allowedSystems: [],
        allowedEnvironments: [],
        fingerprint: undefined,
        keyAlgorithm: undefined,
        description: '',
        envelope: envelope('k1', 'db'),
      }),
    );

    expect(await store.get('web-prod')).toEqual(credential('web-prod'));
    expect(await store.get('missing')).toBeUndefined();

    const list = await store.list();
    expect(list.map(c => c.name)).toEqual(['db-admin', 'web-prod']);
    expect(list[0]).toEqual({
      name: 'db-admin',
      type: 'password',
      description: '',
      allowedUses: [],
      allowedSystems: [],
      allowedEnvironments: [],
      keyId: 'k1',
      createdBy: 'user:default/alice',
      createdAt: t0,
      updatedBy: 'user:default/alice',
      updatedAt: t0,
      secretUpdatedAt: t0,
    });
    for (const item of list) {
      expect(item).not.toHaveProperty('envelope');
      expect(JSON.stringify(item)).not.toContain('Y3Qt'); // base64 of "ct-"
    }
  });

  it('refuses a duplicate name with ConflictError', async () => {
    const { store } = await createStore();
    await store.create(credential('web-prod'));
    await expect(store.create(credential('web-prod'))).rejects.toThrow(
      new ConflictError("A credential named 'web-prod' already exists"),
    );
  });

  it('replaces the secret and updates metadata', async () => {
    const { store } = await createStore();
    await store.create(credential('web-prod'));

    const updated = await store.updateSecret('web-prod', {
      envelope: envelope('k2', 'new'),
      fingerprint: 'SHA256:new',
      keyAlgorithm: 'ssh-rsa',
      updatedBy: 'user:default/bob',
      updatedAt: t1,
    });
    expect(updated).toMatchObject({
      keyId: 'k2',
      fingerprint: 'SHA256:new',
      keyAlgorithm: 'ssh-rsa',
      updatedBy: 'user:default/bob',
      updatedAt: t1,
      secretUpdatedAt: t1,
      createdAt: t0,
    });
    expect((await store.get('web-prod'))?.envelope).toEqual(
      envelope('k2', 'new'),
    );

    const patched = await store.updateMetadata('web-prod', {
      username: null,
      description: 'changed',
      updatedBy: 'user:default/carol',
      updatedAt: t1,
    });
    expect(patched).toMatchObject({
      description: 'changed',
      owner: 'group:default/ops',
      updatedBy: 'user:default/carol',
      secretUpdatedAt: t1,
    });
    expect(patched).not.toHaveProperty('username');
    // untouched fields stay
    const onlyDescription = await store.updateMetadata('web-prod', {
      description: 'again',
      updatedBy: 'user:default/carol',
      updatedAt: t1,
    });
    expect(onlyDescription?.owner).toBe('group:default/ops');

    // the policy is replaced as a whole
    const policy = await store.updatePolicy('web-prod', {
      owner: 'group:default/dba',
      allowedUses: ['ssh-login'],
      allowedSystems: [],
      allowedEnvironments: ['prod'],
      updatedBy: 'user:default/alice',
      updatedAt: t1,
    });
    expect(policy).toMatchObject({
      owner: 'group:default/dba',
      allowedUses: ['ssh-login'],
      allowedSystems: [],
      allowedEnvironments: ['prod'],
      description: 'again',
      updatedBy: 'user:default/alice',
    });
    expect(
      await store.updatePolicy('missing', {
        allowedUses: [],
        allowedSystems: [],
        allowedEnvironments: [],
        updatedBy: 'x',
        updatedAt: t1,
      }),
    ).toBeUndefined();

    expect(
      await store.updateSecret('missing', {
        envelope: envelope('k2', 'x'),
        updatedBy: 'x',
        updatedAt: t1,
      }),
    ).toBeUndefined();
    expect(
      await store.updateMetadata('missing', { updatedBy: 'x', updatedAt: t1 }),
    ).toBeUndefined();
  });

  it('deletes', async () => {
    const { store } = await createStore();
    await store.create(credential('web-prod'));
    expect(await store.delete('web-prod')).toBe(true);
    expect(await store.delete('web-prod')).toBe(false);
    expect(await store.list()).toEqual([]);
  });

  it('re-encrypts only rows under other keys, in batches', async () => {
    const { store } = await createStore();
    const names = ['a', 'b', 'c', 'd', 'e'];
    for (const name of names) {
      await store.create(
        credential(name, {
          envelope: envelope(name === 'c' ? 'k2' : 'k1', name),
        }),
      );
    }
    const seen: string[] = [];
    const result = await store.reencryptAll(
      'k2',
      row => {
        seen.push(`${row.name}:${row.envelope.keyId}`);
        return envelope('k2', `${row.name}-rotated`);
      },
      2,
    );
    expect(result).toEqual({ reencrypted: 4, total: 5 });
    expect(seen).toEqual(['a:k1', 'b:k1', 'd:k1', 'e:k1']);
    for (const name of names) {
      const row = await store.get(name);
      expect(row?.keyId).toBe('k2');
      expect(row?.envelope).toEqual(
        envelope('k2', name === 'c' ? 'c' : `${name}-rotated`),
      );
    }
    // nothing left to do
    expect(
      await store.reencryptAll('k2', () => {
        throw new Error('nothing should be re-encrypted');
      }),
    ).toEqual({
      reencrypted: 0,
      total: 5,
    });
  });

  it('keeps finished batches and rolls back the failing one', async () => {
    const { store } = await createStore();
    for (const name of ['a', 'b', 'c', 'd']) {
      await store.create(credential(name));
    }
    await expect(
      store.reencryptAll(
        'k2',
        row => {
          if (row.name === 'd') throw new Error("Credential 'd' is broken");
          return envelope('k2', row.name);
        },
        2,
      ),
    ).rejects.toThrow("Credential 'd' is broken");
    const keyIds = (await store.list()).map(c => `${c.name}:${c.keyId}`);
    // batch [a, b] committed; batch [c, d] rolled back
    expect(keyIds).toEqual(['a:k2', 'b:k2', 'c:k1', 'd:k1']);
  });
});
