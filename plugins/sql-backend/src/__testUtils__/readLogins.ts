import { randomBytes } from 'node:crypto';
import { sqlDriver } from '../engines';
import type { ConnectionTarget } from '../engines/types';

/** A read-only login a test created on a real server. */
export interface ReadLogin {
  user: string;
  password: string;
  drop(): Promise<void>;
}

/**
 * Creates a read-only login on the real test server, the way docs/sql.md
 * says to: PostgreSQL a role with CONNECT, USAGE and SELECT on the
 * database's public schema (also on tables created later by the admin) and
 * pg_read_all_stats; MariaDB a user with SELECT and SHOW VIEW on the schema
 * and SELECT on mysql.slow_log.
 */
export async function createReadLogin(
  engine: 'postgresql' | 'mysql',
  server: ConnectionTarget,
  database: string,
): Promise<ReadLogin> {
  const user = `opsdeck_ro_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('base64url');
  const driver = sqlDriver(engine);
  if (engine === 'postgresql') {
    const admin = await driver.connect({ ...server, database });
    try {
      await admin.query(`CREATE ROLE ${user} LOGIN PASSWORD '${password}'`);
      await admin.query(`GRANT CONNECT ON DATABASE ${database} TO ${user}`);
      await admin.query(`GRANT USAGE ON SCHEMA public TO ${user}`);
      await admin.query(
        `GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${user}`,
      );
      await admin.query(
        `ALTER DEFAULT PRIVILEGES FOR ROLE ${server.user} IN SCHEMA public GRANT SELECT ON TABLES TO ${user}`,
      );
      await admin.query(`GRANT pg_read_all_stats TO ${user}`);
    } finally {
      await admin.close();
    }
    return {
      user,
      password,
      async drop() {
        const a = await driver.connect({ ...server, database });
        try {
          await a.query(
            `ALTER DEFAULT PRIVILEGES FOR ROLE ${server.user} IN SCHEMA public REVOKE ALL ON TABLES FROM ${user}`,
          );
          await a.query(`DROP OWNED BY ${user}`);
          await a.query(`DROP ROLE IF EXISTS ${user}`);
        } finally {
          await a.close();
        }
      },
    };
  }
  const admin = await driver.connect({ ...server, database: undefined });
  try {
    await admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`);
    await admin.query(
      `GRANT SELECT, SHOW VIEW ON \`${database}\`.* TO '${user}'@'%'`,
    );
    await admin.query(`GRANT SELECT ON mysql.slow_log TO '${user}'@'%'`);
  } finally {
    await admin.close();
  }
  return {
    user,
    password,
    async drop() {
      const a = await driver.connect({ ...server, database: undefined });
      try {
        await a.query(`DROP USER IF EXISTS '${user}'@'%'`);
      } finally {
        await a.close();
      }
    },
  };
}
