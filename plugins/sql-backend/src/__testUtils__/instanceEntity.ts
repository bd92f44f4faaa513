import type { Entity } from '@backstage/catalog-model';
import type { ConnectionTarget } from '../engines/types';
import type { SecretUse, VaultSecret } from '@opsdeck/plugin-vault-node';
import type { ReadLogin } from './readLogins';

/**
 * A catalog Resource for a real test server: credential `test-db` (the
 * server's admin, for changes) and `test-read` (a read-only login) when the
 * test made one.
 */
export function instanceEntity(
  name: string,
  engine: 'postgresql' | 'mysql' | 'mongodb' | 'redis',
  server: ConnectionTarget,
  database: string,
  annotations: Record<string, string> = {},
  extra: Record<string, unknown> = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name, namespace: 'default', annotations },
    spec: {
      type: engine === 'redis' ? 'cache' : 'database',
      engine,
      address: server.host,
      port: server.port,
      credential: 'test-db',
      credentials: { admin: 'test-db', change: 'test-db', read: 'test-read' },
      database,
      owner: 'dba',
      environment: 'test',
      ...extra,
    },
  };
}

/**
 * The vault's answer: `test-db` is the test server's login, `test-read` the
 * read-only login (or, without one, `test-db` too: a credential the console
 * must refuse), and any other name in `more`. Every request is recorded.
 */
export function testSecret(
  server: ConnectionTarget,
  read?: ReadLogin,
  more: Record<string, { username: string; password: string }> = {},
) {
  const requests: { name: string; use: string; for: string }[] = [];
  const getSecret = async (
    name: string,
    use: SecretUse,
  ): Promise<VaultSecret> => {
    requests.push({ name, use: use?.use ?? '', for: use?.for.ref ?? '' });
    if (more[name]) return { type: 'password', ...more[name] };
    if (name === 'test-read' && read) {
      return { type: 'password', username: read.user, password: read.password };
    }
    if (name !== 'test-db' && name !== 'test-read')
      throw new Error(`no credential ${name}`);
    return {
      type: 'password',
      username: server.user,
      password: server.password ?? '',
    };
  };
  return Object.assign(getSecret, { requests });
}
