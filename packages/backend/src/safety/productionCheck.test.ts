import { ConfigReader } from '@backstage/config';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { assertSafeForProduction, productionProblems } from './productionCheck';
import { readShippedConfig } from './shippedConfig';

const rootDir = path.resolve(__dirname, '../../../..');
const backendDir = path.join(rootDir, 'packages/backend');
const shipped = readShippedConfig(rootDir);

function load(name: string) {
  return yaml.load(fs.readFileSync(path.join(rootDir, name), 'utf8')) as Record<
    string,
    unknown
  >;
}

/**
 * The config Backstage makes of app-config.yaml + app-config.production.yaml when the secret
 * variables are unset: keys whose ${VAR} is unset are dropped, so app-config.yaml's values show
 * through (lists are replaced, not merged).
 */
function productionWithoutVariables(extra: Record<string, unknown> = {}) {
  const drop = (value: unknown): unknown => {
    if (typeof value === 'string') {
      return /^\$\{[A-Z0-9_]+\}$/.test(value) ? undefined : value;
    }
    if (Array.isArray(value)) return value.map(drop);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value)
          .map(([k, v]) => [k, drop(v)])
          .filter(([, v]) => v !== undefined),
      );
    }
    return value;
  };
  return ConfigReader.fromConfigs([
    { context: 'app-config.yaml', data: load('app-config.yaml') },
    {
      context: 'app-config.production.yaml',
      data: drop(load('app-config.production.yaml')) as any,
    },
    { context: 'test', data: extra as any },
  ]);
}

const key = (fill: number) => Buffer.alloc(32, fill).toString('base64');
const goodSecrets = {
  opsdeck: {
    localAuth: { sessionSecret: 'x'.repeat(20) + 'y'.repeat(24) },
    bastion: { mfa: { key: key(7) } },
    vault: { keys: [{ id: 'key-1', secret: key(9) }] },
  },
};

describe('production start-up check', () => {
  it('reads the shipped secrets and variables from the repository config files', () => {
    const demo = load('app-config.yaml') as any;
    expect(shipped.values.get(demo.opsdeck.localAuth.sessionSecret)).toEqual([
      'app-config.yaml',
    ]);
    expect(shipped.values.has(demo.opsdeck.bastion.mfa.key)).toBe(true);
    expect(shipped.values.has(demo.opsdeck.vault.keys[0].secret)).toBe(true);
    expect(shipped.values.has('opsdeck-demo')).toBe(true);
    expect(shipped.variables.get('opsdeck.localAuth.sessionSecret')).toBe(
      'OPSDECK_SESSION_SECRET',
    );
    expect(shipped.variables.get('opsdeck.bastion.mfa.key')).toBe(
      'OPSDECK_BASTION_MFA_KEY',
    );
  });

  it('refuses the production config without its variables, naming each setting', () => {
    const problems = productionProblems(productionWithoutVariables(), shipped, {
      rootDir,
      cwd: backendDir,
    });
    expect(problems).toEqual([
      expect.stringMatching(
        /^opsdeck\.localAuth\.sessionSecret is a value shipped in the repository \(app-config\.yaml\).*set OPSDECK_SESSION_SECRET/,
      ),
      expect.stringMatching(
        /^opsdeck\.bastion\.mfa\.key is a value shipped.*set OPSDECK_BASTION_MFA_KEY/,
      ),
      expect.stringMatching(
        /^opsdeck\.vault\.keys\[0\]\.secret is missing \(set OPSDECK_VAULT_KEY\)/,
      ),
    ]);
  });

  it('accepts the production config with proper values: no demo accounts, no demo catalog', () => {
    expect(
      productionProblems(productionWithoutVariables(goodSecrets), shipped, {
        rootDir,
        cwd: backendDir,
      }),
    ).toEqual([]);
  });

  it('refuses missing, short and swapped secrets', () => {
    const config = new ConfigReader({
      auth: { environment: 'production' },
      opsdeck: {
        localAuth: { sessionSecret: 'only-31-bytes-long-secret-value' },
        // the demo vault key used as the MFA key is still a shipped value
        bastion: {
          mfa: {
            key: (load('app-config.yaml') as any).opsdeck.vault.keys[0].secret,
          },
        },
        vault: {
          keys: [{ id: 'a', secret: Buffer.alloc(16).toString('base64') }],
        },
      },
    });
    expect(productionProblems(config, shipped, { rootDir })).toEqual([
      'opsdeck.localAuth.sessionSecret is 31 bytes; production needs at least 32 random bytes (set OPSDECK_SESSION_SECRET)',
      expect.stringMatching(/^opsdeck\.bastion\.mfa\.key is a value shipped/),
      'opsdeck.vault.keys[0].secret is 16 bytes (base64-decoded); production needs at least 32 random bytes (set OPSDECK_VAULT_KEY)',
    ]);
    expect(
      productionProblems(new ConfigReader({}), shipped, { rootDir }),
    ).toEqual([
      'opsdeck.localAuth.sessionSecret is missing (set OPSDECK_SESSION_SECRET)',
      'opsdeck.bastion.mfa.key is missing (set OPSDECK_BASTION_MFA_KEY)',
      'opsdeck.vault.keys is missing',
    ]);
  });

  it('refuses demo accounts, the demo catalog and shipped service tokens', () => {
    const config = new ConfigReader({
      ...goodSecrets,
      opsdeck: {
        ...goodSecrets.opsdeck,
        localAuth: {
          ...goodSecrets.opsdeck.localAuth,
          scryptCost: 12,
          seedUsers: [
            { name: 'root', password: 'a-real-password-from-the-env' },
            { name: 'alice', password: 'opsdeck-demo' },
          ],
        },
      },
      backend: {
        auth: {
          externalAccess: [
            {
              type: 'static',
              options: {
                token: (load('e2e-tests/app-config.e2e.yaml') as any).backend
                  .auth.externalAccess[0].options.token,
              },
            },
          ],
        },
      },
      catalog: {
        locations: [
          { type: 'file', target: '../../templates/all.yaml' },
          { type: 'file', target: '../../examples/org.yaml' },
        ],
      },
    });
    expect(
      productionProblems(config, shipped, { rootDir, cwd: backendDir }),
    ).toEqual([
      'backend.auth.externalAccess[0].options.token is a value shipped in the repository',
      "opsdeck.localAuth.scryptCost is 12; production hashes passwords at 17 (N=2^17, OWASP's minimum) or more",
      'opsdeck.localAuth.seedUsers[1] (alice) is a demo account: its password is shipped in the repository',
      'catalog.locations[1].target loads the demo catalog (../../examples/org.yaml)',
    ]);
  });

  it('applies in production only: auth.environment or NODE_ENV', () => {
    const demo = new ConfigReader(load('app-config.yaml') as any);
    expect(() =>
      assertSafeForProduction(demo, shipped, {
        rootDir,
        env: { NODE_ENV: 'development' },
      }),
    ).not.toThrow();
    expect(() =>
      assertSafeForProduction(demo, shipped, {
        rootDir,
        env: { NODE_ENV: 'production' },
      }),
    ).toThrow(
      /refuses to start in production[\s\S]*opsdeck\.localAuth\.sessionSecret/,
    );
  });
});
