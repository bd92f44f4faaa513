import type { SqlEngine, SqlLogin } from '../instance';

const VARS: Record<SqlEngine, string[]> = {
  postgresql: [
    'OPSDECK_TEST_POSTGRES_URL',
    'BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING',
  ],
  mysql: ['OPSDECK_TEST_MARIADB_URL'],
};

/** The real test server's admin login; a missing variable fails the test. */
export function serverLogin(engine: SqlEngine, database: string): SqlLogin {
  const url = VARS[engine].map(v => process.env[v]).find(Boolean);
  if (!url) {
    throw new Error(
      `${VARS[engine].join(
        ' or ',
      )} is not set: start scripts/services/postgres.sh / mariadb.sh and export the URL (scripts/test.sh does)`,
    );
  }
  const u = new URL(url);
  return {
    engine,
    host: u.hostname,
    port: Number(u.port),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database,
  };
}
