import { createHash } from 'node:crypto';
import { Client } from 'pg';

export type Privilege = 'read-only' | 'read-write';

/** Where and as whom to connect to create accounts. */
export interface PostgresAdmin {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/**
 * `frank`, ticket 12, task abc → `frank_t12_` + 6 hex digits of the task id
 * (lower case, safe as an identifier). The same task always gets the same
 * name, so a re-run after a restart finds its account; ticket numbers of
 * different opsdeck installations sharing one server do not collide.
 */
export function accountName(
  requester: string,
  ticketId: number,
  taskId: string,
): string {
  const suffix = createHash('sha256').update(taskId).digest('hex').slice(0, 6);
  const name = requester
    .replace(/^user:(?:[^/]+\/)?/, '')
    .toLocaleLowerCase('en-US')
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 40);
  return `${/^[a-z_]/.test(name) ? name : `u_${name}`}_t${ticketId}_${suffix}`;
}

/**
 * Creates (or, when a former attempt left it behind, resets) a login role
 * that can connect to one database and read (read-only) or also write
 * (read-write) the tables of its `public` schema. Nothing else: no
 * superuser, no CREATE anywhere, no role management.
 */
export async function ensurePostgresAccount(
  admin: PostgresAdmin,
  account: { name: string; password: string; privilege: Privilege },
): Promise<{ created: boolean }> {
  const client = new Client({
    host: admin.host,
    port: admin.port,
    user: admin.user,
    password: admin.password,
    database: admin.database,
    connectionTimeoutMillis: 10_000,
  });
  await client.connect();
  try {
    const role = client.escapeIdentifier(account.name);
    const db = client.escapeIdentifier(admin.database);
    const password = client.escapeLiteral(account.password);
    await client.query('BEGIN');
    const existing = await client.query(
      'SELECT 1 FROM pg_roles WHERE rolname = $1',
      [account.name],
    );
    const created = existing.rowCount === 0;
    // DDL takes no bind parameters; the literal is escaped by the driver.
    await client.query(
      `${
        created ? 'CREATE' : 'ALTER'
      } ROLE ${role} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT CONNECTION LIMIT 10 PASSWORD ${password}`,
    );
    await client.query(`GRANT CONNECT ON DATABASE ${db} TO ${role}`);
    await client.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
    const tablePrivileges =
      account.privilege === 'read-write'
        ? 'SELECT, INSERT, UPDATE, DELETE'
        : 'SELECT';
    await client.query(
      `GRANT ${tablePrivileges} ON ALL TABLES IN SCHEMA public TO ${role}`,
    );
    await client.query(
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ${tablePrivileges} ON TABLES TO ${role}`,
    );
    if (account.privilege === 'read-write') {
      await client.query(
        `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}`,
      );
    }
    await client.query('COMMIT');
    return { created };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

/**
 * Logs in with an account and says what it can do on the `public` tables:
 * the requester's "does my account work" check (no data is returned).
 */
export async function checkPostgresAccount(login: {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}): Promise<{
  connected: boolean;
  canRead: boolean;
  canWrite: boolean;
  error?: string;
}> {
  const client = new Client({ ...login, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    return {
      connected: false,
      canRead: false,
      canWrite: false,
      error: (error as Error).message,
    };
  }
  try {
    const { rows } = await client.query(
      `SELECT
         coalesce(bool_and(has_table_privilege(c.oid, 'SELECT')), false) AS can_read,
         coalesce(bool_or(has_table_privilege(c.oid, 'INSERT')), false) AS can_write,
         current_user AS who
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'r'`,
    );
    return {
      connected: rows[0].who === login.user,
      canRead: rows[0].can_read,
      canWrite: rows[0].can_write,
    };
  } finally {
    await client.end();
  }
}
