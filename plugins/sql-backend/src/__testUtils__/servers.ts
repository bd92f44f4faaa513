import { randomBytes } from 'node:crypto';
import type { ConnectionTarget } from '../engines/types';

const SCRIPTS = { postgresql: 'postgres', mysql: 'mariadb', redis: 'redis' };

const VARS = {
  postgresql: 'OPSDECK_TEST_POSTGRES_URL',
  mysql: 'OPSDECK_TEST_MARIADB_URL',
  redis: 'OPSDECK_TEST_REDIS_URL',
} as const;

/**
 * Connection of a real test server started by scripts/test.sh
 * (scripts/services/postgres.sh, mariadb.sh, redis.sh). A missing variable
 * fails the test: these tests exist to run against real servers.
 */
export function testServer(engine: keyof typeof VARS): ConnectionTarget {
  let url = process.env[VARS[engine]];
  if (!url && engine === 'postgresql') {
    url = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;
  }
  if (!url) {
    throw new Error(
      `${VARS[engine]} is not set: start the server with scripts/services/${SCRIPTS[engine]}.sh start and export its URL (scripts/test.sh does)`,
    );
  }
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port),
    user:
      decodeURIComponent(u.username) ||
      (engine === 'redis' ? 'default' : 'root'),
    password: decodeURIComponent(u.password) || undefined,
  };
}

/** A fresh database name for one test file. */
export function scratchName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}
