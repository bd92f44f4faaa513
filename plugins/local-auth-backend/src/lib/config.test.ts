import { ConfigReader } from '@backstage/config';
import { readLocalAuthConfig } from './config';

describe('readLocalAuthConfig', () => {
  it('refuses to run without a session secret', () => {
    expect(() => readLocalAuthConfig(new ConfigReader({}))).toThrow(
      /opsdeck\.localAuth\.sessionSecret is not set/,
    );
    expect(() =>
      readLocalAuthConfig(
        new ConfigReader({ opsdeck: { localAuth: { maxFailedAttempts: 3 } } }),
      ),
    ).toThrow(/sessionSecret is not set/);
  });

  it('applies defaults and detects https', () => {
    const config = readLocalAuthConfig(
      new ConfigReader({
        backend: { baseUrl: 'https://opsdeck.example.com' },
        opsdeck: { localAuth: { sessionSecret: 'a'.repeat(32) } },
      }),
    );
    expect(config).toEqual({
      sessionSecret: 'a'.repeat(32),
      sessionDurationMs: 720 * 60_000,
      maxFailedAttempts: 5,
      lockoutMs: 15 * 60_000,
      accountMaxFailures: 50,
      addressMaxFailures: 20,
      addressWindowMs: 15 * 60_000,
      minPasswordLength: 10,
      seedUsers: [],
      hashParams: { N: 2 ** 17, r: 8, p: 1 },
      secureCookie: true,
    });
  });

  it('reads explicit values', () => {
    const config = readLocalAuthConfig(
      new ConfigReader({
        backend: { baseUrl: 'http://localhost:7007' },
        opsdeck: {
          localAuth: {
            sessionSecret: 'b'.repeat(32),
            sessionDuration: 60,
            maxFailedAttempts: 3,
            lockoutMinutes: 2,
            minPasswordLength: 12,
            seedUsers: [{ name: 'alice', password: 'opsdeck-demo' }],
          },
        },
      }),
    );
    expect(config.sessionDurationMs).toBe(3_600_000);
    expect(config.maxFailedAttempts).toBe(3);
    expect(config.lockoutMs).toBe(120_000);
    expect(config.minPasswordLength).toBe(12);
    expect(config.seedUsers).toEqual([
      { name: 'alice', password: 'opsdeck-demo' },
    ]);
    expect(config.secureCookie).toBe(false);
  });
});
