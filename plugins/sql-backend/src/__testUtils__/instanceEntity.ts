import type { Entity } from '@backstage/catalog-model';
import type { ConnectionTarget } from '../engines/types';
import type { VaultSecret } from '@opsdeck/plugin-vault-node';

/** A catalog Resource for a real test server, with credential `test-db`. */
export function instanceEntity(
  name: string,
  engine: 'postgresql' | 'mysql' | 'mongodb' | 'redis',
  server: ConnectionTarget,
  database: string,
  annotations: Record<string, string> = {},
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
      database,
      owner: 'dba',
      environment: 'test',
    },
  };
}

/** The vault's answer for `test-db`: the test server's login. */
export function testSecret(server: ConnectionTarget) {
  return async (name: string): Promise<VaultSecret> => {
    if (name !== 'test-db') throw new Error(`no credential ${name}`);
    return {
      type: 'password',
      username: server.user,
      password: server.password ?? '',
    };
  };
}
