import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  createLocalAuthStores,
  MIGRATIONS_TABLE,
  migrationsDir,
} from './DatabaseAccountStore';

jest.setTimeout(60_000);

describe('local-auth stores', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  async function stores(databaseId: TestDatabaseId) {
    const knex = await databases.init(databaseId);
    const s = await createLocalAuthStores({
      database: mockServices.database({ knex, migrations: { skip: false } }),
    });
    return { knex, ...s };
  }

  it.each(databases.eachSupportedId())(
    'migrates up from the first schema (accounts kept) and back down, %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const config = { directory: migrationsDir, tableName: MIGRATIONS_TABLE };
      // the schema before sessions: an account with a lock in the old columns
      await knex.migrate.up({ ...config, name: '20250601000000_init.js' });
      await knex('local_accounts').insert({
        name: 'alice',
        password_hash: 'h1',
        failed_attempts: 3,
        created_at: new Date(),
        updated_at: new Date(),
      });
      await knex.migrate.latest(config);
      expect(await knex.schema.hasTable('local_auth_sessions')).toBe(true);
      expect(await knex.schema.hasTable('local_auth_attempts')).toBe(true);
      expect(await knex.schema.hasTable('knex_migrations')).toBe(false);
      const columns = Object.keys(await knex('local_accounts').columnInfo());
      expect(columns.sort()).toEqual(
        [
          'name',
          'password_hash',
          'last_login_at',
          'created_at',
          'updated_at',
        ].sort(),
      );
      expect((await knex('local_accounts').first()).password_hash).toBe('h1');
      await knex.migrate.down(config);
      expect(await knex.schema.hasTable('local_auth_sessions')).toBe(false);
      expect(
        await knex.schema.hasColumn('local_accounts', 'locked_until'),
      ).toBe(true);
    },
  );

  it.each(databases.eachSupportedId())(
    'creates, reads, lists and rehashes accounts, %p',
    async databaseId => {
      const { accounts } = await stores(databaseId);
      await expect(
        accounts.createAccountIfMissing({ name: 'alice', passwordHash: 'h1' }),
      ).resolves.toBe(true);
      await expect(
        accounts.createAccountIfMissing({ name: 'alice', passwordHash: 'h2' }),
      ).resolves.toBe(false);
      await expect(
        accounts.setPassword({ name: 'bob', passwordHash: 'hb' }),
      ).resolves.toBe(true);
      await expect(
        accounts.setPassword({ name: 'alice', passwordHash: 'h3' }),
      ).resolves.toBe(false);
      const list = await accounts.listAccounts();
      expect(list.map(a => a.name)).toEqual(['alice', 'bob']);
      expect(list[0]).not.toHaveProperty('passwordHash');
      await accounts.replaceHash({
        name: 'alice',
        previousHash: 'stale',
        passwordHash: 'h4',
      });
      expect((await accounts.getAccount('alice'))?.passwordHash).toBe('h3');
      await accounts.replaceHash({
        name: 'alice',
        previousHash: 'h3',
        passwordHash: 'h4',
      });
      expect((await accounts.getAccount('alice'))?.passwordHash).toBe('h4');
    },
  );

  it.each(databases.eachSupportedId())(
    'gives 50 parallel claims exactly the limit, forgets old failures, releases and resets, %p',
    async databaseId => {
      const { attempts } = await stores(databaseId);
      const key = {
        scope: 'account-address' as const,
        account: 'carol',
        address: '10.0.0.1',
      };
      const limit = { max: 5, windowMs: 60_000 };
      const now = 1_000_000;
      const results = await Promise.all(
        Array.from({ length: 50 }, () => attempts.claim(key, limit, now)),
      );
      const taken = results.filter(r => r !== undefined);
      expect(taken.sort()).toEqual([1, 2, 3, 4, 5]);
      const [counter] = await attempts.listForAccount('carol');
      expect(counter).toMatchObject({ failures: 5, address: '10.0.0.1' });

      // refused while locked, and a refusal does not extend the lock
      expect(await attempts.claim(key, limit, now + 59_999)).toBeUndefined();
      expect(await attempts.claim(key, limit, now + 60_000)).toBe(1);

      await attempts.release(key);
      expect((await attempts.listForAccount('carol'))[0].failures).toBe(0);
      await attempts.release(key);
      expect((await attempts.listForAccount('carol'))[0].failures).toBe(0);
      await attempts.reset(key);
      expect(await attempts.listForAccount('carol')).toEqual([]);

      await attempts.claim(key, limit, now);
      await attempts.claim({ scope: 'account', account: 'carol' }, limit, now);
      await attempts.claim(
        { scope: 'address', address: '10.0.0.1' },
        limit,
        now,
      );
      expect(await attempts.clearAccount('carol')).toBe(2);
      expect(await attempts.purge(now + 1)).toBe(1);
    },
  );

  it.each(databases.eachSupportedId())(
    'keeps sessions by token hash, ends them, and records ownership once, %p',
    async databaseId => {
      const { sessions } = await stores(databaseId);
      const now = 5_000_000;
      const base = { account: 'dave', now, expiresAt: now + 60_000 };
      await sessions.create({
        ...base,
        id: 's1',
        tokenHash: 'a'.repeat(64),
        address: '10.1.1.1',
        userAgent: 'UA',
      });
      await sessions.create({ ...base, id: 's2', tokenHash: 'b'.repeat(64) });
      await sessions.create({
        ...base,
        account: 'erin',
        id: 's3',
        tokenHash: 'c'.repeat(64),
      });
      expect(
        await sessions.findLiveByTokenHash('a'.repeat(64), now),
      ).toMatchObject({
        id: 's1',
        account: 'dave',
        address: '10.1.1.1',
        userAgent: 'UA',
      });
      expect(
        await sessions.findLiveByTokenHash('a'.repeat(64), now + 60_000),
      ).toBeUndefined();

      await sessions.touch('s1', now + 30_000, '10.2.2.2');
      expect((await sessions.findLive('s1', now))?.lastSeenAt).toBe(now);
      await sessions.touch('s1', now + 61_000, '10.2.2.2');
      expect(await sessions.findLive('s1', now)).toMatchObject({
        lastSeenAt: now + 61_000,
        lastAddress: '10.2.2.2',
      });

      expect(
        await sessions.recordOwnership('s1', ['group:default/dev']),
      ).toEqual(['group:default/dev']);
      expect(
        await sessions.recordOwnership('s1', ['group:default/ops']),
      ).toEqual(['group:default/dev']);

      expect(
        (await sessions.listLive(now, 'dave')).map(s => s.id).sort(),
      ).toEqual(['s1', 's2']);
      expect(
        await sessions.endAllOf(
          'dave',
          'signed-out-everywhere',
          'user:default/alice',
          now,
          's2',
        ),
      ).toEqual(['s1']);
      expect(
        await sessions.findLiveByTokenHash('a'.repeat(64), now),
      ).toBeUndefined();
      expect(await sessions.end('s1', 'logout', 'x', now)).toBe(false);
      expect(await sessions.end('s2', 'logout', 'user:default/dave', now)).toBe(
        true,
      );
      expect((await sessions.listLive(now)).map(s => s.id)).toEqual(['s3']);
      expect(await sessions.purge(now + 1)).toBe(2);
    },
  );
});
