import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { randomBytes } from 'node:crypto';
import { ed25519KeyPair } from '../testUtils/ed25519KeyPair';
import { DatabaseVaultStore } from '../database/DatabaseVaultStore';
import { readKeyring } from '../lib/keyring';
import { CredentialService, normalizeOwner } from './CredentialService';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const oldKey = { id: 'k2025', secret: randomBytes(32).toString('base64') };
const newKey = { id: 'k2026', secret: randomBytes(32).toString('hex') };
const keyring = (...keys: Array<{ id: string; secret: string }>) =>
  readKeyring(new ConfigReader({ opsdeck: { vault: { keys } } }));

const sshKey = ed25519KeyPair();
const alice = 'user:default/alice';

const keyPolicy = { owner: 'ops', allowedUses: ['ssh-login'] };
const pwPolicy = { owner: 'dba', allowedUses: ['db-admin'] };

describe.each(databases.eachSupportedId())('CredentialService (%s)', id => {
  async function setup() {
    const knex = await databases.init(id);
    const store = await DatabaseVaultStore.create({
      database: mockServices.database({ knex }),
    });
    return { knex, store };
  }

  it('stores secrets encrypted and reads them back', async () => {
    const { knex, store } = await setup();
    const service = new CredentialService(store, keyring(newKey));
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const created = await service.create(
      {
        name: 'db-main',
        type: 'password',
        username: ' postgres ',
        owner: 'dba',
        allowedUses: ['db-admin', 'db-read'],
        allowedSystems: ['payments', 'system:default/payments'],
        allowedEnvironments: ['prod'],
        secret: password,
      },
      alice,
    );
    expect(created).toMatchObject({
      name: 'db-main',
      type: 'password',
      username: 'postgres',
      owner: 'group:default/dba',
      allowedUses: ['db-admin', 'db-read'],
      allowedSystems: ['system:default/payments'],
      allowedEnvironments: ['prod'],
      description: '',
      keyId: 'k2026',
      createdBy: alice,
    });
    await service.create(
      { name: 'web', type: 'ssh-key', secret: sshKey.private, ...keyPolicy },
      alice,
    );

    // nothing in the table is the plaintext
    const rows = await knex('vault_credentials').select();
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(password);
    expect(dump).not.toContain(sshKey.private.split('\n')[1]);

    await expect(service.getSecret('db-main')).resolves.toEqual({
      type: 'password',
      username: 'postgres',
      password,
    });
    await expect(service.getSecret('web')).resolves.toEqual({
      type: 'ssh-key',
      privateKey: `${sshKey.private.trim()}\n`,
    });
    await expect(service.getSecret('nope')).rejects.toThrow(
      "No credential named 'nope'",
    );
  });

  it('detects a tampered row', async () => {
    const { knex, store } = await setup();
    const service = new CredentialService(store, keyring(newKey));
    await service.create(
      {
        name: 'db-main',
        type: 'password',
        secret: 'secret-value-1',
        ...pwPolicy,
      },
      alice,
    );
    const row = await knex('vault_credentials')
      .where({ name: 'db-main' })
      .first();
    const bytes = Buffer.from(row.ciphertext, 'base64');
    bytes[0] ^= 0xff;
    await knex('vault_credentials')
      .where({ name: 'db-main' })
      .update({ ciphertext: bytes.toString('base64') });
    await expect(service.getSecret('db-main')).rejects.toThrow(
      "Credential 'db-main' could not be decrypted with key 'k2026'",
    );
  });

  it('rotates: old rows stay readable, /rotate moves them all to the new key, then the old key can go', async () => {
    const { knex, store } = await setup();
    const before = new CredentialService(store, keyring(oldKey));
    const secrets: Record<string, string> = {};
    for (let i = 0; i < 5; i++) {
      secrets[`cred-${i}`] = `secret-${i}-${randomBytes(6).toString('hex')}`;
      await before.create(
        {
          name: `cred-${i}`,
          type: 'password',
          secret: secrets[`cred-${i}`],
          ...pwPolicy,
        },
        alice,
      );
    }

    // new key first, old key still listed
    const during = new CredentialService(store, keyring(newKey, oldKey));
    await expect(during.getSecret('cred-0')).resolves.toMatchObject({
      password: secrets['cred-0'],
    });
    await during.create(
      {
        name: 'cred-new',
        type: 'password',
        secret: 'brand-new-secret',
        ...pwPolicy,
      },
      alice,
    );
    secrets['cred-new'] = 'brand-new-secret';
    expect((await during.get('cred-new')).keyId).toBe('k2026');

    // only the old key: the new row can't be read, and says so
    const wrong = new CredentialService(store, keyring(oldKey));
    await expect(wrong.getSecret('cred-new')).rejects.toThrow(
      "Credential 'cred-new' is encrypted with key 'k2026', which is not in opsdeck.vault.keys",
    );

    const ivsBefore = await knex('vault_credentials').select('name', 'iv');
    expect(await during.rotate(2)).toEqual({ reencrypted: 5, total: 6 });
    const keyIds = await knex('vault_credentials').distinct('key_id');
    expect(keyIds).toEqual([{ key_id: 'k2026' }]);
    const ivsAfter = await knex('vault_credentials').select('name', 'iv');
    expect(ivsAfter.find(r => r.name === 'cred-0').iv).not.toBe(
      ivsBefore.find(r => r.name === 'cred-0').iv,
    );

    // old key removed from config: everything still decrypts
    const after = new CredentialService(store, keyring(newKey));
    for (const [name, secret] of Object.entries(secrets)) {
      await expect(after.getSecret(name)).resolves.toMatchObject({
        password: secret,
      });
    }
  });

  it('rotation names a credential whose key is unknown', async () => {
    const { store } = await setup();
    const lost = { id: 'lost', secret: randomBytes(32).toString('base64') };
    await new CredentialService(store, keyring(lost)).create(
      {
        name: 'orphan',
        type: 'password',
        secret: 'orphan-secret',
        ...pwPolicy,
      },
      alice,
    );
    const service = new CredentialService(store, keyring(newKey));
    await expect(service.rotate()).rejects.toThrow(
      "Credential 'orphan' is encrypted with key 'lost', which is not in opsdeck.vault.keys",
    );
  });

  it('validates names, types, owners and secrets', async () => {
    const { store } = await setup();
    const service = new CredentialService(store, keyring(newKey));
    const create = (input: Record<string, unknown>) =>
      service.create(
        {
          name: 'ok',
          type: 'password',
          secret: 'pw-123456',
          ...pwPolicy,
          ...input,
        } as any,
        alice,
      );
    for (const name of ['', 'Upper', '-lead', 'a b', 'x'.repeat(64), 'é']) {
      await expect(create({ name })).rejects.toThrow(/Invalid credential name/);
    }
    await expect(create({ name: 'a'.repeat(63) })).resolves.toBeDefined();
    await expect(create({ name: '0.a-b_c' })).resolves.toBeDefined();
    await expect(create({ name: 'x1', secret: '' })).rejects.toThrow(
      'The password must not be empty',
    );
    await expect(
      create({
        name: 'x2',
        type: 'ssh-key',
        secret: 'not-a-key',
        allowedUses: ['ssh-login'],
      }),
    ).rejects.toThrow(/SSH private key could not be read/);
    await expect(create({ name: 'x3', owner: 'group:a/b/c' })).rejects.toThrow(
      /Invalid owner/,
    );
    await expect(create({ name: 'x4', owner: 'user:alice' })).rejects.toThrow(
      /Invalid owner/,
    );
    // the policy: an owner, known uses, what the type can serve, refs
    await expect(create({ name: 'x5', owner: undefined })).rejects.toThrow(
      'A credential needs an owner group',
    );
    await expect(
      create({ name: 'x6', allowedUses: ['db-admin', 'root'] }),
    ).rejects.toThrow(/Unknown use root/);
    await expect(
      create({
        name: 'x7',
        type: 'ssh-key',
        secret: sshKey.private,
        allowedUses: ['ssh-login', 'job-secret'],
      }),
    ).rejects.toThrow(
      'An SSH key can only be used for ssh-login; job-secret need a password',
    );
    await expect(
      create({ name: 'x8', allowedSystems: ['group:default/ops'] }),
    ).rejects.toThrow(/Invalid system 'group:default\/ops'/);
    await expect(
      create({ name: 'x9', allowedEnvironments: ['Prod env'] }),
    ).rejects.toThrow(/Invalid environment/);
    expect(await service.list()).toHaveLength(2);
  });

  it('replaces a policy and reports it before and after', async () => {
    const { store } = await setup();
    const service = new CredentialService(store, keyring(newKey));
    await service.create(
      { name: 'db', type: 'password', secret: 'pw-123456', ...pwPolicy },
      alice,
    );
    const { before, after } = await service.setPolicy(
      'db',
      {
        owner: 'group:default/ops',
        allowedUses: ['job-secret', 'db-read', 'db-read'],
        allowedSystems: ['shop'],
        allowedEnvironments: ['test', 'test'],
      },
      'user:default/bob',
    );
    expect(before).toEqual({
      owner: 'group:default/dba',
      allowedUses: ['db-admin'],
      allowedSystems: [],
      allowedEnvironments: [],
    });
    expect(after).toMatchObject({
      owner: 'group:default/ops',
      allowedUses: ['db-read', 'job-secret'],
      allowedSystems: ['system:default/shop'],
      allowedEnvironments: ['test'],
      updatedBy: 'user:default/bob',
    });
    await expect(service.setPolicy('nope', pwPolicy, alice)).rejects.toThrow(
      "No credential named 'nope'",
    );
  });

  it('decrypts nothing when the check refuses', async () => {
    const { store } = await setup();
    const service = new CredentialService(store, keyring(newKey));
    await service.create(
      { name: 'db', type: 'password', secret: 'pw-123456', ...pwPolicy },
      alice,
    );
    const seen: unknown[] = [];
    await expect(
      service.getSecret('db', async credential => {
        seen.push(credential);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(seen).toEqual([
      expect.objectContaining({ name: 'db', owner: 'group:default/dba' }),
    ]);
    expect(JSON.stringify(seen)).not.toContain('pw-123456');
    expect(JSON.stringify(seen)).not.toMatch(/ciphertext|envelope/);
  });
});

describe('normalizeOwner', () => {
  it('turns group names and refs into full group refs', () => {
    expect(normalizeOwner('ops')).toBe('group:default/ops');
    expect(normalizeOwner('group:Ops')).toBe('group:default/ops');
    expect(normalizeOwner('group:infra/dba')).toBe('group:infra/dba');
  });
});
