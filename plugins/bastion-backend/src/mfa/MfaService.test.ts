import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { applyBastionMigrations } from '../database/migrations';
import { MfaService, TooManyAttemptsError } from './MfaService';
import { MfaStore } from './MfaStore';
import { totpCode } from './otp';

jest.setTimeout(120_000);

const user = 'user:default/frank';
const config = {
  requiredEnvironments: ['prod'],
  windowMinutes: 15,
  key: Buffer.alloc(32, 5),
  maxFailures: 5,
  lockMinutes: 15,
};
const proof = { password: 'frank-password', request: { address: '10.0.0.1' } };

describe('MfaService on SQLite and PostgreSQL', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  async function enrolled(databaseId: TestDatabaseId) {
    const knex = await databases.init(databaseId);
    await applyBastionMigrations(knex);
    let now = Date.parse('2026-12-01T12:00:10Z');
    const passwords: string[] = [];
    const mfa = new MfaService(
      new MfaStore(knex, () => now),
      config,
      async (_ref, password) => {
        passwords.push(password);
        return password === 'frank-password';
      },
      () => now,
    );
    const { secret } = await mfa.enrol(user, proof);
    await mfa.verify(user, totpCode(secret, now));
    now += 30_000; // the next step: a fresh code
    return { knex, mfa, secret, passwords, now: () => now };
  }

  const outcome = (p: Promise<unknown>) =>
    p.then(
      () => 'accepted',
      (e: Error) => (e instanceof TooManyAttemptsError ? 'limited' : 'refused'),
    );

  it.each(databases.eachSupportedId())(
    '50 parallel wrong codes: no more than the limit are checked, the rest are rate-limited, %p',
    async databaseId => {
      const { mfa, knex, secret, now } = await enrolled(databaseId);
      const right = totpCode(secret, now());
      const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
      const results = await Promise.all(
        Array.from({ length: 50 }, () => outcome(mfa.verify(user, wrong))),
      );
      expect(results.filter(r => r === 'refused')).toHaveLength(5);
      expect(results.filter(r => r === 'limited')).toHaveLength(45);
      expect((await knex('bastion_mfa').first()).failures).toBe(5);
      // locked now, even for the right code
      expect(await outcome(mfa.verify(user, right))).toBe('limited');
    },
  );

  it.each(databases.eachSupportedId())(
    '50 parallel copies of a right code: accepted once, and the user is not locked out, %p',
    async databaseId => {
      const { mfa, knex, secret, now } = await enrolled(databaseId);
      const code = totpCode(secret, now());
      const results = await Promise.all(
        Array.from({ length: 50 }, () => outcome(mfa.verify(user, code))),
      );
      expect(results.filter(r => r === 'accepted')).toHaveLength(1);
      expect(results.filter(r => r === 'limited').length).toBeGreaterThan(0);
      expect((await knex('bastion_mfa').first()).failures).toBe(0);
      // the same code again: refused as used, and still no failure counted
      expect(await outcome(mfa.verify(user, code))).toBe('refused');
      expect((await knex('bastion_mfa').first()).failures).toBe(0);
      // the next step's code works
      expect(
        await outcome(mfa.verify(user, totpCode(secret, now() + 30_000))),
      ).toBe('accepted');
    },
  );

  it.each(databases.eachSupportedId())(
    'enrolment and re-enrolment need the password, %p',
    async databaseId => {
      const { mfa, secret, now, passwords } = await enrolled(databaseId);
      await expect(
        mfa.enrol('user:default/eve', { ...proof, password: 'stolen-session' }),
      ).rejects.toThrow(/password is not correct/);
      await expect(
        mfa.reset(user, totpCode(secret, now()), {
          ...proof,
          password: 'stolen-session',
        }),
      ).rejects.toThrow(/password is not correct/);
      expect((await mfa.status(user)).enrolled).toBe(true);
      const renewed = await mfa.reset(user, totpCode(secret, now()), proof);
      expect(renewed.secret).not.toBe(secret);
      expect(await mfa.status(user)).toMatchObject({ enrolled: false });
      expect(passwords).toEqual([
        'frank-password',
        'stolen-session',
        'stolen-session',
        'frank-password',
      ]);
    },
  );
});
