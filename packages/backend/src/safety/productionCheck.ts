import { Config } from '@backstage/config';
import path from 'node:path';
import { ShippedConfig } from './shippedConfig';

/** Shortest secret production accepts, in bytes (decoded bytes for base64 keys). */
export const MIN_SECRET_BYTES = 32;

/** True when this backend runs as production: `auth.environment: production` or NODE_ENV. */
export function isProduction(
  config: Config,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  return (
    config.getOptionalString('auth.environment') === 'production' ||
    env.NODE_ENV === 'production'
  );
}

type SecretKind = 'text' | 'base64-key';

function byteLength(value: string, kind: SecretKind): number {
  return kind === 'text'
    ? Buffer.byteLength(value, 'utf8')
    : Buffer.from(value, 'base64').length;
}

/**
 * What makes this configuration unsafe for production, one line per setting (empty when it is
 * safe): a missing secret, one shorter than 32 bytes, one equal to a value shipped in the
 * repository (Backstage drops a key whose `${VAR}` is unset and falls back to app-config.yaml's
 * demo value: that is caught here), demo accounts, or the demo catalog from examples/.
 */
export function productionProblems(
  config: Config,
  shipped: ShippedConfig,
  options: { rootDir: string; cwd?: string },
): string[] {
  const problems: string[] = [];

  const hint = (setting: string) => {
    const variable = shipped.variables.get(setting);
    return variable ? ` (set ${variable})` : '';
  };
  const shippedIn = (value: string) => shipped.values.get(value);

  const checkSecret = (
    setting: string,
    value: string | undefined,
    kind: SecretKind,
  ) => {
    if (value === undefined || value === '') {
      problems.push(`${setting} is missing${hint(setting)}`);
      return;
    }
    const files = shippedIn(value);
    if (files) {
      problems.push(
        `${setting} is a value shipped in the repository (${files.join(
          ', ',
        )}); an unset \${VAR} falls back to it${hint(setting)}`,
      );
      return;
    }
    const bytes = byteLength(value, kind);
    if (bytes < MIN_SECRET_BYTES) {
      problems.push(
        `${setting} is ${bytes} bytes${
          kind === 'base64-key' ? ' (base64-decoded)' : ''
        }; production needs at least ${MIN_SECRET_BYTES} random bytes${hint(
          setting,
        )}`,
      );
    }
  };

  checkSecret(
    'opsdeck.localAuth.sessionSecret',
    config.getOptionalString('opsdeck.localAuth.sessionSecret'),
    'text',
  );
  checkSecret(
    'opsdeck.bastion.mfa.key',
    config.getOptionalString('opsdeck.bastion.mfa.key'),
    'base64-key',
  );

  // The vault's keys (owned by vault-backend) are only read here, not restructured.
  const vaultKeys = config.getOptionalConfigArray('opsdeck.vault.keys') ?? [];
  if (vaultKeys.length === 0) {
    problems.push(`opsdeck.vault.keys is missing${hint('opsdeck.vault.keys')}`);
  }
  vaultKeys.forEach((key, i) =>
    checkSecret(
      `opsdeck.vault.keys[${i}].secret`,
      key.getOptionalString('secret'),
      'base64-key',
    ),
  );

  // Backstage's own service-to-service secrets, when configured: never a shipped value.
  const backendKeys = config.getOptionalConfigArray('backend.auth.keys') ?? [];
  backendKeys.forEach((key, i) => {
    const setting = `backend.auth.keys[${i}].secret`;
    const value = key.getOptionalString('secret');
    if (value && shippedIn(value)) {
      problems.push(`${setting} is a value shipped in the repository`);
    }
  });
  const external =
    config.getOptionalConfigArray('backend.auth.externalAccess') ?? [];
  external.forEach((entry, i) => {
    const setting = `backend.auth.externalAccess[${i}].options.token`;
    const value = entry.getOptionalString('options.token');
    if (value && shippedIn(value)) {
      problems.push(`${setting} is a value shipped in the repository`);
    }
  });

  // Password hashes at OWASP's scrypt cost (tests may lower it, production may not).
  const scryptCost = config.getOptionalNumber('opsdeck.localAuth.scryptCost');
  if (scryptCost !== undefined && scryptCost < 17) {
    problems.push(
      `opsdeck.localAuth.scryptCost is ${scryptCost}; production hashes passwords at 17 (N=2^17, OWASP's minimum) or more`,
    );
  }

  // No demo accounts: a seed user whose password ships in the repository is one.
  const seeds =
    config.getOptionalConfigArray('opsdeck.localAuth.seedUsers') ?? [];
  seeds.forEach((seed, i) => {
    const password = seed.getOptionalString('password');
    if (password && shippedIn(password)) {
      problems.push(
        `opsdeck.localAuth.seedUsers[${i}] (${
          seed.getOptionalString('name') ?? '?'
        }) is a demo account: its password is shipped in the repository`,
      );
    }
  });

  // No demo catalog: nothing from examples/.
  const examples = path.join(options.rootDir, 'examples') + path.sep;
  const cwd = options.cwd ?? process.cwd();
  const locations = config.getOptionalConfigArray('catalog.locations') ?? [];
  locations.forEach((location, i) => {
    const target = location.getOptionalString('target');
    if (!target || location.getOptionalString('type') !== 'file') return;
    const resolved = path.resolve(cwd, target);
    if (
      resolved.startsWith(examples) ||
      /(^|[/\\])examples[/\\]/.test(target)
    ) {
      problems.push(
        `catalog.locations[${i}].target loads the demo catalog (${target})`,
      );
    }
  });

  return problems;
}

/** Throws, naming every unsafe setting, when this is production and not safe. */
export function assertSafeForProduction(
  config: Config,
  shipped: ShippedConfig,
  options: { rootDir: string; cwd?: string; env?: NodeJS.ProcessEnv },
): void {
  if (!isProduction(config, options.env)) return;
  const problems = productionProblems(config, shipped, options);
  if (problems.length === 0) return;
  throw new Error(
    `opsdeck refuses to start in production (auth.environment: production or NODE_ENV=production):\n${problems
      .map(p => `  - ${p}`)
      .join(
        '\n',
      )}\nGenerate secrets with \`openssl rand -base64 32\`; see README "Deploying safely".`,
  );
}
