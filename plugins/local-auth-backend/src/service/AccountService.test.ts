import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { createLocalAuthStores } from '../database/DatabaseAccountStore';
import { hashPassword, verifyPassword } from '../lib/password';
import { AccountService } from './AccountService';
import { SessionService } from './SessionService';

jest.setTimeout(120_000);

/** Cheap scrypt for the tests that hash often; the cost itself is tested in password.test.ts. */
const cheap = { N: 2 ** 10, r: 8, p: 1 };
const config = {
  maxFailedAttempts: 5,
  lockoutMs: 15 * 60_000,
  accountMaxFailures: 12,
  addressMaxFailures: 20,
  addressWindowMs: 15 * 60_000,
  minPasswordLength: 10,
  sessionSecret: 'account-service-test-secret-0123456789',
  sessionDurationMs: 3_600_000,
};

describe('AccountService', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  async function setup(
    databaseId: TestDatabaseId,
    options: { hashParams?: typeof cheap } = { hashParams: cheap },
  ) {
    const knex = await databases.init(databaseId);
    const stores = await createLocalAuthStores({
      database: mockServices.database({ knex, migrations: { skip: false } }),
    });
    let now = Date.parse('2026-12-01T12:00:00Z');
    const clock = () => now;
    const sessions = new SessionService(stores.sessions, config, clock);
    /** Checks against a real account hash (not the dummy one). */
    const realChecks: string[] = [];
    const verify = jest.fn(async (password: string, stored: string) => {
      const account = (await stores.accounts.listAccounts()).length
        ? await knex('local_accounts').where({ password_hash: stored }).first()
        : undefined;
      if (account) realChecks.push(account.name);
      return verifyPassword(password, stored);
    });
    const accounts = new AccountService(
      stores.accounts,
      stores.attempts,
      sessions,
      config,
      mockServices.logger.mock(),
      { clock, verify, hashParams: options.hashParams },
    );
    await accounts.seed([
      { name: 'alice', password: 'alice-password' },
      { name: 'bob', password: 'bob-password' },
    ]);
    return {
      knex,
      stores,
      accounts,
      sessions,
      verify,
      realChecks,
      advance: (ms: number) => (now += ms),
    };
  }

  const here = { address: '10.0.0.1', userAgent: 'jest' };

  it.each(databases.eachSupportedId())(
    'gives one answer for an unknown user, a wrong password and a locked account, each after one scrypt, %p',
    async databaseId => {
      const { accounts, verify } = await setup(databaseId);
      const unknown = await accounts.checkPassword(
        'nobody',
        'x'.repeat(12),
        here,
      );
      const wrong = await accounts.checkPassword('alice', 'x'.repeat(12), here);
      for (let i = 0; i < 4; i++) {
        await accounts.checkPassword('alice', `wrong-${i}-password`, here);
      }
      verify.mockClear();
      const locked = await accounts.checkPassword(
        'alice',
        'alice-password',
        here,
      );
      expect(unknown).toEqual({ ok: false, reason: 'invalid' });
      expect(wrong).toEqual({ ok: false, reason: 'invalid' });
      expect(locked).toEqual({ ok: false, reason: 'invalid' });
      // the locked account still cost one scrypt (against the dummy hash)
      expect(verify).toHaveBeenCalledTimes(1);
    },
  );

  it.each(databases.eachSupportedId())(
    '50 parallel wrong guesses check the password only 5 times, %p',
    async databaseId => {
      const { accounts, realChecks } = await setup(databaseId);
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          accounts.checkPassword('alice', `guess-number-${i}`, here),
        ),
      );
      expect(results.every(r => !r.ok)).toBe(true);
      expect(realChecks).toEqual(Array(5).fill('alice'));
      // ... and the right password is refused from this address now
      const right = await accounts.checkPassword(
        'alice',
        'alice-password',
        here,
      );
      expect(right.ok).toBe(false);
    },
  );

  it.each(databases.eachSupportedId())(
    '50 parallel right passwords do not lock the account, %p',
    async databaseId => {
      const { accounts } = await setup(databaseId);
      const results = await Promise.all(
        Array.from({ length: 50 }, () =>
          accounts.checkPassword('bob', 'bob-password', here),
        ),
      );
      expect(results.filter(r => r.ok).length).toBeGreaterThanOrEqual(5);
      expect(await accounts.checkPassword('bob', 'bob-password', here)).toEqual(
        {
          ok: true,
          account: 'bob',
        },
      );
      const [bob] = (await accounts.listAccounts()).filter(
        a => a.name === 'bob',
      );
      expect(bob).toMatchObject({ locked: false, lockedAddresses: [] });
    },
  );

  it.each(databases.eachSupportedId())(
    'one address cannot lock an account for others; it is throttled itself, %p',
    async databaseId => {
      const { accounts, advance } = await setup(databaseId);
      const attacker = { address: '203.0.113.9' };
      for (let i = 0; i < 5; i++) {
        await accounts.checkPassword('alice', `guess-${i}-wrong`, attacker);
      }
      // more names from the same address: the address throttle stops it at 20 failures
      const more = [];
      for (let i = 0; i < 30; i++) {
        more.push(
          await accounts.checkPassword(
            `user${i % 3}`,
            'x'.repeat(12),
            attacker,
          ),
        );
      }
      expect(more.filter(r => !r.ok && r.reason === 'throttled')).toHaveLength(
        15,
      );
      // alice signs in from her own address
      expect(
        await accounts.checkPassword('alice', 'alice-password', here),
      ).toEqual({
        ok: true,
        account: 'alice',
      });
      const [alice] = await accounts.listAccounts();
      expect(alice.lockedAddresses.map(l => l.address)).toEqual([
        '203.0.113.9',
      ]);
      expect(alice.locked).toBe(false);
      advance(15 * 60_000 + 1);
      expect(
        (await accounts.checkPassword('nobody', 'x'.repeat(12), attacker)).ok,
      ).toBe(false);
      expect(
        (await accounts.checkPassword(
          'nobody',
          'x'.repeat(12),
          attacker,
        )) as unknown,
      ).toEqual({ ok: false, reason: 'invalid' });
    },
  );

  it.each(databases.eachSupportedId())(
    'locks an account for everyone after failures from many addresses and ends its sessions, %p',
    async databaseId => {
      const { accounts, sessions } = await setup(databaseId);
      const session = await sessions.create('bob', here);
      let last;
      for (let i = 0; i < 12; i++) {
        last = await accounts.checkPassword('bob', `guess-${i}-wrong`, {
          address: `198.51.100.${i % 3}`,
        });
      }
      expect(last).toEqual({ ok: false, reason: 'invalid', sessionsEnded: 1 });
      expect(await sessions.live(session.id, 'bob')).toBeUndefined();
      const [, bob] = await accounts.listAccounts();
      expect(bob.locked).toBe(true);
      expect(
        (await accounts.checkPassword('bob', 'bob-password', here)).ok,
      ).toBe(false);
      await accounts.unlock('bob');
      expect(
        (await accounts.checkPassword('bob', 'bob-password', here)).ok,
      ).toBe(true);
    },
  );

  it.each(databases.eachSupportedId())(
    'rehashes an older scrypt hash at sign-in to OWASP cost, %p',
    async databaseId => {
      const { accounts, stores } = await setup(databaseId, {});
      const old = await hashPassword('carol-password', {
        N: 2 ** 15,
        r: 8,
        p: 1,
      });
      await stores.accounts.setPassword({ name: 'carol', passwordHash: old });
      expect(await accounts.signIn('carol', 'carol-password', here)).toEqual({
        ok: true,
        account: 'carol',
      });
      const stored = (await stores.accounts.getAccount('carol'))!.passwordHash;
      expect(stored).toMatch(/^scrypt\$N=131072,r=8,p=1\$/);
      expect(await verifyPassword('carol-password', stored)).toBe(true);
    },
  );

  it.each(databases.eachSupportedId())(
    "ends sessions on a password reset and on a change of one's own (but the current one), %p",
    async databaseId => {
      const { accounts, sessions } = await setup(databaseId);
      const a = await sessions.create('alice', here);
      const b = await sessions.create('alice', here);
      const c = await sessions.create('alice', here);
      expect(
        await accounts.changeOwnPassword(
          'alice',
          'alice-password',
          'new-alice-password',
          {
            ...here,
            sessionId: a.id,
          },
        ),
      ).toEqual({ sessionsEnded: 2 });
      expect(await sessions.live(a.id, 'alice')).toBeDefined();
      expect(await sessions.live(b.id, 'alice')).toBeUndefined();
      await expect(
        accounts.changeOwnPassword(
          'alice',
          'wrong-password!',
          'another-password',
          here,
        ),
      ).rejects.toThrow(/current password is not correct/);
      expect(
        await accounts.setPassword(
          'alice',
          'reset-by-admin',
          'user:default/root',
        ),
      ).toEqual({ created: false, sessionsEnded: 1 });
      expect(await sessions.live(a.id, 'alice')).toBeUndefined();
      expect(await sessions.live(c.id, 'alice')).toBeUndefined();
      expect(
        (await accounts.checkPassword('alice', 'reset-by-admin', here)).ok,
      ).toBe(true);
    },
  );

  it.each(databases.eachSupportedId())(
    'seeds beside start-up: a bad seed list fails at once, and seeded() waits until the accounts exist, %p',
    async databaseId => {
      const { accounts, stores } = await setup(databaseId);
      expect(() =>
        accounts.startSeeding([
          { name: 'Not A Name!', password: 'long-enough-pw' },
        ]),
      ).toThrow();
      const run = accounts.startSeeding([
        { name: 'carol', password: 'carol-password' },
        { name: 'dave', password: 'dave-password' },
      ]);
      // startSeeding returns before the hashing is done
      expect(await stores.accounts.getAccount('carol')).toBeUndefined();
      await accounts.seeded();
      expect(await stores.accounts.getAccount('carol')).toBeDefined();
      expect(await stores.accounts.getAccount('dave')).toBeDefined();
      expect(await run).toEqual(['carol', 'dave']);
    },
  );
});
