import { createHash, randomBytes } from 'node:crypto';
import { InputError } from '@backstage/errors';
import { connectSql, type SqlConnection, withSqlConnection } from './connect';
import type { SqlLogin } from './instance';

/** What an account may do on the tables of its schema. */
export type TablePrivilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

/** The two levels a request form offers. */
export type Privilege = 'read-only' | 'read-write';

/** The table privileges of a form's level. */
export function tablePrivileges(privilege: Privilege): TablePrivilege[] {
  return privilege === 'read-write'
    ? ['SELECT', 'INSERT', 'UPDATE', 'DELETE']
    : ['SELECT'];
}

/** What to create. */
export interface AccountRequest {
  name: string;
  password: string;
  privileges: TablePrivilege[];
  /**
   * PostgreSQL: schema of the login's database (default `public`).
   * MariaDB: the database (= schema) (default: the login's database).
   */
  schema?: string;
  /** MariaDB only: host part of the account (default `%`). */
  accountHost?: string;
}

const ALL_PRIVILEGES: TablePrivilege[] = [
  'SELECT',
  'INSERT',
  'UPDATE',
  'DELETE',
];
const IDENTIFIER = /^[a-zA-Z_][a-zA-Z0-9_]{0,62}$/;

/** A strong random password (never logged, never returned by an API). */
export function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * `frank`, ticket 12, task abc → `frank_t12_` + 6 hex digits of the task id
 * (lower case, safe as an identifier on both engines, at most 32 characters
 * for MySQL). The same task always gets the same name, so a re-run after a
 * restart finds its account.
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
    .slice(0, 14);
  return `${/^[a-z_]/.test(name) ? name : `u_${name}`}_t${ticketId}_${suffix}`;
}

function checkRequest(request: AccountRequest): TablePrivilege[] {
  if (!IDENTIFIER.test(request.name)) {
    throw new InputError(`"${request.name}" is not a valid account name`);
  }
  if (request.schema !== undefined && !IDENTIFIER.test(request.schema)) {
    throw new InputError(`"${request.schema}" is not a valid schema name`);
  }
  const privileges = [...new Set(request.privileges)];
  if (
    privileges.length === 0 ||
    privileges.some(p => !ALL_PRIVILEGES.includes(p))
  ) {
    throw new InputError(
      `Privileges must be some of ${ALL_PRIVILEGES.join(', ')}`,
    );
  }
  if (!privileges.includes('SELECT')) privileges.unshift('SELECT');
  return privileges;
}

async function ensurePostgres(
  c: SqlConnection,
  database: string,
  request: AccountRequest,
  privileges: TablePrivilege[],
): Promise<boolean> {
  const role = c.id(request.name);
  const schema = c.id(request.schema ?? 'public');
  await c.query('BEGIN');
  try {
    const existing = await c.query('SELECT 1 FROM pg_roles WHERE rolname = ?', [
      request.name,
    ]);
    const created = existing.length === 0;
    await c.query(
      `${
        created ? 'CREATE' : 'ALTER'
      } ROLE ${role} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT CONNECTION LIMIT 10 PASSWORD ${c.literal(
        request.password,
      )}`,
    );
    if (!created) {
      // A former attempt may have granted more: start from nothing.
      await c.query(
        `REVOKE ALL ON ALL TABLES IN SCHEMA ${schema} FROM ${role}`,
      );
      await c.query(
        `ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} REVOKE ALL ON TABLES FROM ${role}`,
      );
    }
    const list = privileges.join(', ');
    await c.query(`GRANT CONNECT ON DATABASE ${c.id(database)} TO ${role}`);
    await c.query(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
    await c.query(`GRANT ${list} ON ALL TABLES IN SCHEMA ${schema} TO ${role}`);
    await c.query(
      `ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT ${list} ON TABLES TO ${role}`,
    );
    if (privileges.includes('INSERT')) {
      await c.query(
        `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${schema} TO ${role}`,
      );
    }
    await c.query('COMMIT');
    return created;
  } catch (error) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function ensureMysql(
  c: SqlConnection,
  database: string,
  request: AccountRequest,
  privileges: TablePrivilege[],
): Promise<boolean> {
  const host = request.accountHost ?? '%';
  const user = `${c.literal(request.name)}@${c.literal(host)}`;
  const existing = await c.query(
    'SELECT 1 FROM mysql.user WHERE User = ? AND Host = ?',
    [request.name, host],
  );
  const created = existing.length === 0;
  // DDL: the password is quoted by the driver, never interpolated raw.
  await c.query(
    `${created ? 'CREATE' : 'ALTER'} USER ${user} IDENTIFIED BY ${c.literal(
      request.password,
    )} WITH MAX_USER_CONNECTIONS 10`,
  );
  if (!created) {
    await c.query(`REVOKE ALL PRIVILEGES, GRANT OPTION FROM ${user}`);
  }
  await c.query(
    `GRANT ${privileges.join(', ')} ON ${c.id(
      request.schema ?? database,
    )}.* TO ${user}`,
  );
  return created;
}

/**
 * Creates (or, when a former attempt left it behind, resets) a login that can
 * use only the given table privileges on one schema: a PostgreSQL role
 * (no superuser, no CREATE, no role management) or a MariaDB/MySQL user
 * (grants on `schema.*` only). Returns whether it was new; the password is
 * the caller's to store in the vault.
 */
export async function ensureAccount(
  admin: SqlLogin,
  request: AccountRequest,
): Promise<{ created: boolean }> {
  const privileges = checkRequest(request);
  const created = await withSqlConnection(admin, c =>
    admin.engine === 'postgresql'
      ? ensurePostgres(c, admin.database, request, privileges)
      : ensureMysql(c, admin.database, request, privileges),
  );
  return { created };
}

/** Removes an account (tests, and a later "revoke" fulfilment). */
export async function dropAccount(
  admin: SqlLogin,
  name: string,
  options: { schema?: string; accountHost?: string } = {},
): Promise<void> {
  if (!IDENTIFIER.test(name)) throw new InputError(`Bad account name ${name}`);
  await withSqlConnection(admin, async c => {
    if (admin.engine === 'postgresql') {
      const role = c.id(name);
      const exists = await c.query('SELECT 1 FROM pg_roles WHERE rolname = ?', [
        name,
      ]);
      if (exists.length === 0) return;
      const schema = c.id(options.schema ?? 'public');
      await c.query(
        `ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} REVOKE ALL ON TABLES FROM ${role}`,
      );
      await c.query(`DROP OWNED BY ${role}`);
      await c.query(`DROP ROLE ${role}`);
    } else {
      await c.query(
        `DROP USER IF EXISTS ${c.literal(name)}@${c.literal(
          options.accountHost ?? '%',
        )}`,
      );
    }
  });
}

/**
 * Logs in with an account and says what it can do on its schema's tables:
 * the requester's "does my account work" check (no data is read).
 */
export async function checkAccount(
  login: SqlLogin,
  schema?: string,
): Promise<{
  connected: boolean;
  canRead: boolean;
  canWrite: boolean;
  error?: string;
}> {
  let c: SqlConnection;
  try {
    c = await connectSql(login);
  } catch (error) {
    return {
      connected: false,
      canRead: false,
      canWrite: false,
      error: (error as Error).message,
    };
  }
  try {
    if (login.engine === 'postgresql') {
      const rows = await c.query<{
        can_read: boolean;
        can_write: boolean;
        who: string;
      }>(
        `SELECT
           coalesce(bool_and(has_table_privilege(c.oid, 'SELECT')), false) AS can_read,
           coalesce(bool_or(has_table_privilege(c.oid, 'INSERT')), false) AS can_write,
           current_user AS who
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = ? AND c.relkind = 'r'`,
        [schema ?? 'public'],
      );
      return {
        connected: rows[0].who === login.user,
        canRead: rows[0].can_read,
        canWrite: rows[0].can_write,
      };
    }
    // A non-admin account sees only its own rows here.
    const rows = await c.query<{ p: string }>(
      'SELECT PRIVILEGE_TYPE AS p FROM information_schema.SCHEMA_PRIVILEGES WHERE TABLE_SCHEMA = ?',
      [schema ?? login.database],
    );
    const privileges = rows.map(r => r.p);
    return {
      connected: true,
      canRead: privileges.includes('SELECT'),
      canWrite: privileges.includes('INSERT'),
    };
  } finally {
    await c.close().catch(() => undefined);
  }
}
