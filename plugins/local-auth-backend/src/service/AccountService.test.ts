import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { DatabaseAccountStore } from '../database/DatabaseAccountStore';
import { verifyPassword } from '../lib/password';
import {
  AccountLockedError,
  AccountService,
  INVALID_CREDENTIALS_MESSAGE,
} from './AccountService';

jest.setTimeout(120_000);

describe('AccountService', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  async function setup(databaseId: TestDatabaseId) {
    const knex = await databases.init(databaseId);
    const store = await DatabaseAccountStore.create({
      database: mockServices.database({ knex, migrations: { skip: false } }),
    });
    let now = new Date('2025-06-01T12:00:00Z');
    const clock = {
      advance: (ms: number) => {
        now = new Date(now.getTime() + ms);
      },
    };
    const service = new AccountService(
      store,
      { maxFailedAttempts: 3, lockoutMs: 15 * 60_000, minPasswordLength: 10 },
      mockServices.logger.mock(),
      () => now,
    );
    return { store, service, clock, knex };
  }

  it.each(databases.eachSupportedId())(
    'locks after N failures, refuses the right password while locked, then recovers, %p',
    async databaseId => {
      const { service, store, clock } = await setup(databaseId);
      await service.setPassword('alice', 'right-password');

      await expect(service.authenticate('alice', 'wrong-1')).rejects.toThrow(
        INVALID_CREDENTIALS_MESSAGE,
      );
      await expect(service.authenticate('alice', 'wrong-2')).rejects.toThrow(
        INVALID_CREDENTIALS_MESSAGE,
      );
      const locking = await service
        .authenticate('alice', 'wrong-3')
        .catch(e => e);
      expect(locking).toBeInstanceOf(AccountLockedError);
      expect(locking.lockedUntil).toEqual(new Date('2025-06-01T12:15:00Z'));
      expect(locking.message).toContain('2025-06-01T12:15:00.000Z');

      // Even the right password is refused while locked.
      clock.advance(14 * 60_000);
      await expect(
        service.authenticate('alice', 'right-password'),
      ).rejects.toBeInstanceOf(AccountLockedError);
      expect((await service.listAccounts())[0]).toMatchObject({
        name: 'alice',
        locked: true,
        failedAttempts: 3,
      });

      // After the lockout the right password works and resets the counter.
      clock.advance(60_001);
      await expect(
        service.authenticate('alice', 'right-password'),
      ).resolves.toBe('alice');
      const account = await store.getAccount('alice');
      expect(account?.failedAttempts).toBe(0);
      expect(account?.lockedUntil).toBeUndefined();
      expect(account?.lastLoginAt).toEqual(
        new Date('2025-06-01T12:15:00.001Z'),
      );
    },
  );

  it.each(databases.eachSupportedId())(
    'a success resets the failure count, %p',
    async databaseId => {
      const { service, store } = await setup(databaseId);
      await service.setPassword('bob', 'bobs-password');
      await expect(service.authenticate('bob', 'nope')).rejects.toThrow();
      await expect(service.authenticate('bob', 'nope')).rejects.toThrow();
      expect((await store.getAccount('bob'))?.failedAttempts).toBe(2);
      await service.authenticate('bob', 'bobs-password');
      expect((await store.getAccount('bob'))?.failedAttempts).toBe(0);
      // Two more failures do not lock: the count started over.
      await expect(service.authenticate('bob', 'nope')).rejects.toThrow(
        INVALID_CREDENTIALS_MESSAGE,
      );
      await expect(service.authenticate('bob', 'nope')).rejects.toThrow(
        INVALID_CREDENTIALS_MESSAGE,
      );
      await expect(service.authenticate('bob', 'bobs-password')).resolves.toBe(
        'bob',
      );
    },
  );

  it.each(databases.eachSupportedId())(
    'treats unknown users like wrong passwords and spends a hash on them, %p',
    async databaseId => {
      const { service } = await setup(databaseId);
      await service.setPassword('carol', 'carols-password');
      const unknown = await service
        .authenticate('mallory', 'whatever')
        .catch(e => e);
      const wrong = await service
        .authenticate('carol', 'whatever')
        .catch(e => e);
      expect(unknown.name).toBe('AuthenticationError');
      expect(wrong.name).toBe('AuthenticationError');
      expect(unknown.message).toBe(wrong.message);

      const time = async (fn: () => Promise<unknown>) => {
        const start = process.hrtime.bigint();
        await fn().catch(() => undefined);
        return Number(process.hrtime.bigint() - start) / 1e6;
      };
      const unknownMs = await time(() => service.authenticate('mallory', 'x'));
      const wrongMs = await time(() => service.authenticate('carol', 'x'));
      // Both run a full scrypt (tens of ms); an early return would take ~0.
      expect(unknownMs).toBeGreaterThan(wrongMs / 4);
    },
  );

  it.each(databases.eachSupportedId())(
    'seeds missing accounts and never overwrites an existing password, %p',
    async databaseId => {
      const { service, store } = await setup(databaseId);
      await expect(
        service.seed([
          { name: 'alice', password: 'opsdeck-demo' },
          { name: 'bob', password: 'opsdeck-demo' },
        ]),
      ).resolves.toEqual(['alice', 'bob']);
      await service.setPassword('alice', 'alice-changed-it');

      await expect(
        service.seed([
          { name: 'alice', password: 'opsdeck-demo' },
          { name: 'bob', password: 'opsdeck-demo' },
          { name: 'carol', password: 'opsdeck-demo' },
        ]),
      ).resolves.toEqual(['carol']);
      const alice = await store.getAccount('alice');
      await expect(
        verifyPassword('alice-changed-it', alice!.passwordHash),
      ).resolves.toBe(true);
      await expect(
        verifyPassword('opsdeck-demo', alice!.passwordHash),
      ).resolves.toBe(false);
      await expect(service.authenticate('carol', 'opsdeck-demo')).resolves.toBe(
        'carol',
      );
    },
  );

  it.each(databases.eachSupportedId())(
    'enforces the password and name rules, %p',
    async databaseId => {
      const { service } = await setup(databaseId);
      await expect(service.setPassword('dave', 'short')).rejects.toThrow(
        /at least 10 characters/,
      );
      await expect(
        service.setPassword('not a name', 'long-enough-password'),
      ).rejects.toThrow(/catalog entity name/);
      await expect(
        service.seed([{ name: 'erin', password: 'short' }]),
      ).rejects.toThrow(/at least 10/);
    },
  );

  it.each(databases.eachSupportedId())(
    'changes the own password only with the current one, %p',
    async databaseId => {
      const { service } = await setup(databaseId);
      await service.setPassword('erin', 'erins-password');
      await expect(
        service.changeOwnPassword('erin', 'wrong-current', 'new-password-1'),
      ).rejects.toThrow('The current password is not correct');
      await expect(
        service.changeOwnPassword('erin', 'erins-password', 'short'),
      ).rejects.toThrow(/at least 10/);
      await service.changeOwnPassword(
        'erin',
        'erins-password',
        'new-password-1',
      );
      await expect(
        service.authenticate('erin', 'new-password-1'),
      ).resolves.toBe('erin');
      await expect(
        service.changeOwnPassword('frank', 'x', 'new-password-1'),
      ).rejects.toThrow(/no local account/);
    },
  );
});
