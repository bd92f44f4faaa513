import { InputError } from '@backstage/errors';

/** Quotes a string for a POSIX shell: single quotes, with `'` written as `'\''`. */
export function shellQuote(value: string): string {
  if (value.includes('\0')) {
    throw new InputError('Shell arguments cannot contain NUL bytes');
  }
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Prefixes `command` with `export NAME='value';` for each variable, so that values reach the
 * command verbatim whatever the server's AcceptEnv allows (needs a POSIX login shell).
 */
export function withEnvPrefix(
  command: string,
  env: Record<string, string> | undefined,
): string {
  if (!env || Object.keys(env).length === 0) {
    return command;
  }
  const exports = Object.entries(env).map(([name, value]) => {
    if (!ENV_NAME.test(name)) {
      throw new InputError(`Invalid environment variable name '${name}'`);
    }
    return `${name}=${shellQuote(String(value))}`;
  });
  return `export ${exports.join(' ')}; ${command}`;
}
