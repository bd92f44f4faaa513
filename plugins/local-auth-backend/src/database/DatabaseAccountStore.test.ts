import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { DatabaseAccountStore, MIGRATIONS_TABLE } from './DatabaseAccountStore';

jest.setTimeout(60_000);

describe('DatabaseAccountStore', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  async function createStore(databaseId: TestDatabaseId) {
    const knex = await databases.init(databaseId);
    const store = await DatabaseAccountStore.create({
      database: mockServices.database({ knex, migrations: { skip: false } }),
    });
    return { knex, store };
  }

  it.each(databases.eachSupportedId())(
    'migrates into its own migrations table, %p',
    async databaseId => {
      const { knex } = await createStore(databaseId);
      expect(await knex.schema.hasTable('local_accounts')).toBe(true);
      expect(await knex.schema.hasTable(MIGRATIONS_TABLE)).toBe(true);
      expect(await knex.schema.hasTable('knex_migrations')).toBe(false);
      const columns = Object.keys(await knex('local_accounts').columnInfo());
      expect(columns.sort()).toEqual(
        [
          'name',
          'password_hash',
          'failed_attempts',
          'locked_until',
          'last_login_at',
          'created_at',
          'updated_at',
        ].sort(),
      );
    },
  );

  it.each(databases.eachSupportedId())(
    'creates, reads, lists and resets accounts, %p',
    async databaseId => {
      const { store } = await createStore(databaseId);
      await expect(
        store.createAccountIfMissing({ name: 'alice', passwordHash: 'h1' }),
      ).resolves.toBe(true);
      await expect(
        store.createAccountIfMissing({ name: 'alice', passwordHash: 'h2' }),
      ).resolves.toBe(false);
      expect((await store.getAccount('alice'))?.passwordHash).toBe('h1');
      expect(await store.getAccount('nobody')).toBeUndefined();

      await expect(
        store.setPassword({ name: 'bob', passwordHash: 'hb' }),
      ).resolves.toBe(true);
      await expect(
        store.setPassword({ name: 'alice', passwordHash: 'h3' }),
      ).resolves.toBe(false);
      expect((await store.getAccount('alice'))?.passwordHash).toBe('h3');

      const list = await store.listAccounts();
      expect(list.map(a => a.name)).toEqual(['alice', 'bob']);
      expect(list[0]).not.toHaveProperty('passwordHash');
      expect(list[0].createdAt).toBeInstanceOf(Date);
      expect(Number.isNaN(list[0].createdAt.getTime())).toBe(false);
      expect(list[0].failedAttempts).toBe(0);

      await store.replaceHash({
        name: 'alice',
        previousHash: 'stale',
        passwordHash: 'h4',
      });
      expect((await store.getAccount('alice'))?.passwordHash).toBe('h3');
      await store.replaceHash({
        name: 'alice',
        previousHash: 'h3',
        passwordHash: 'h4',
      });
      expect((await store.getAccount('alice'))?.passwordHash).toBe('h4');
    },
  );

  it.each(databases.eachSupportedId())(
    'counts failures, locks, and resets on success, unlock and password set, %p',
    async databaseId => {
      const { store } = await createStore(databaseId);
      await store.createAccountIfMissing({ name: 'carol', passwordHash: 'h' });
      const now = new Date('2025-06-01T12:00:00Z');
      const opts = { name: 'carol', maxFailedAttempts: 3, lockoutMs: 60_000 };

      expect(await store.recordFailure({ ...opts, now })).toEqual({
        failedAttempts: 1,
        lockedUntil: undefined,
      });
      expect((await store.recordFailure({ ...opts, now })).failedAttempts).toBe(
        2,
      );
      const third = await store.recordFailure({ ...opts, now });
      expect(third.failedAttempts).toBe(3);
      expect(third.lockedUntil).toEqual(new Date('2025-06-01T12:01:00Z'));
      let account = await store.getAccount('carol');
      expect(account?.failedAttempts).toBe(3);
      expect(account?.lockedUntil?.toISOString()).toBe(
        '2025-06-01T12:01:00.000Z',
      );

      // A failure after the lock ran out starts a new count.
      const later = new Date('2025-06-01T12:05:00Z');
      expect(await store.recordFailure({ ...opts, now: later })).toEqual({
        failedAttempts: 1,
        lockedUntil: undefined,
      });
      expect((await store.getAccount('carol'))?.lockedUntil).toBeUndefined();

      await store.recordSuccess({ name: 'carol', now: later });
      account = await store.getAccount('carol');
      expect(account?.failedAttempts).toBe(0);
      expect(account?.lastLoginAt?.toISOString()).toBe(
        '2025-06-01T12:05:00.000Z',
      );

      for (let i = 0; i < 3; i++) {
        await store.recordFailure({ ...opts, now: later });
      }
      expect((await store.getAccount('carol'))?.lockedUntil).toBeDefined();
      await expect(store.unlock('carol')).resolves.toBe(true);
      account = await store.getAccount('carol');
      expect(account?.failedAttempts).toBe(0);
      expect(account?.lockedUntil).toBeUndefined();
      await expect(store.unlock('nobody')).resolves.toBe(false);

      for (let i = 0; i < 3; i++) {
        await store.recordFailure({ ...opts, now: later });
      }
      await store.setPassword({ name: 'carol', passwordHash: 'new' });
      account = await store.getAccount('carol');
      expect(account?.failedAttempts).toBe(0);
      expect(account?.lockedUntil).toBeUndefined();

      expect(
        await store.recordFailure({ ...opts, name: 'nobody', now: later }),
      ).toEqual({ failedAttempts: 0 });
    },
  );
});
