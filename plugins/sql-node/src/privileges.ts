import type { SqlConnection } from './connect';

/** PostgreSQL roles whose members act on the server beyond reading tables. */
export const PRIVILEGED_PG_ROLES = [
  'pg_read_server_files',
  'pg_write_server_files',
  'pg_execute_server_program',
  'pg_signal_backend',
  'pg_write_all_data',
  'pg_checkpoint',
  'pg_create_subscription',
];

/** MySQL/MariaDB privileges a read-only login may hold. */
const MYSQL_READ_PRIVILEGES = new Set(['USAGE', 'SELECT', 'SHOW VIEW']);

async function postgresProblems(c: SqlConnection): Promise<string[]> {
  const problems: string[] = [];
  const [role] = await c.query<{
    who: string;
    rolsuper: boolean;
    rolcreaterole: boolean;
    rolcreatedb: boolean;
    rolreplication: boolean;
    rolbypassrls: boolean;
  }>(
    `SELECT current_user AS who, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls
       FROM pg_roles WHERE rolname = current_user`,
  );
  if (!role) return [`the role of the login cannot be read`];
  for (const [flag, what] of [
    ['rolsuper', 'is a superuser'],
    ['rolcreaterole', 'can create roles (CREATEROLE)'],
    ['rolcreatedb', 'can create databases (CREATEDB)'],
    ['rolreplication', 'can replicate (REPLICATION)'],
    ['rolbypassrls', 'bypasses row-level security (BYPASSRLS)'],
  ] as const) {
    if (role[flag]) problems.push(`${role.who} ${what}`);
  }
  const memberships = await c.query<{ rolname: string }>(
    `SELECT rolname FROM pg_roles
      WHERE rolname = ANY(?::text[]) AND pg_has_role(current_user, oid, 'MEMBER')`,
    [PRIVILEGED_PG_ROLES],
  );
  for (const m of memberships)
    problems.push(`${role.who} is a member of ${m.rolname}`);
  const writable = await c.query<{ name: string }>(
    `SELECT n.nspname || '.' || c.relname AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
        AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
        AND (has_table_privilege(c.oid, 'INSERT') OR has_table_privilege(c.oid, 'UPDATE')
          OR has_table_privilege(c.oid, 'DELETE') OR has_table_privilege(c.oid, 'TRUNCATE'))
      ORDER BY 1 LIMIT 5`,
  );
  if (writable.length > 0) {
    problems.push(
      `${role.who} can write to ${writable.map(w => w.name).join(', ')}`,
    );
  }
  const creatable = await c.query<{ nspname: string }>(
    `SELECT nspname FROM pg_namespace
      WHERE nspname NOT LIKE 'pg_temp%' AND nspname NOT LIKE 'pg_toast%'
        AND has_schema_privilege(oid, 'CREATE') ORDER BY 1 LIMIT 5`,
  );
  if (creatable.length > 0) {
    problems.push(
      `${role.who} can create objects in schema ${creatable
        .map(s => s.nspname)
        .join(', ')}`,
    );
  }
  const [db] = await c.query<{ create: boolean }>(
    `SELECT has_database_privilege(current_database(), 'CREATE') AS "create"`,
  );
  if (db?.create)
    problems.push(`${role.who} can create schemas in the database`);
  return problems;
}

/** The privileges of one `SHOW GRANTS` line (`GRANT SELECT, INSERT (a) ON ...`). */
function grantedPrivileges(line: string): string[] | undefined {
  const m = /^GRANT\s+(.*?)\s+ON\s+/i.exec(line);
  if (!m) return undefined;
  const list: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of m[1]) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      list.push(current);
      current = '';
    } else if (depth === 0 && ch !== ')') current += ch;
  }
  list.push(current);
  return list.map(p => p.trim().toUpperCase().replace(/\s+/g, ' '));
}

async function mysqlProblems(c: SqlConnection): Promise<string[]> {
  const problems: string[] = [];
  const grants = await c.query<Record<string, string>>(
    'SHOW GRANTS FOR CURRENT_USER()',
  );
  for (const row of grants) {
    const line = String(Object.values(row)[0] ?? '');
    if (/^GRANT\s+PROXY\b/i.test(line)) {
      problems.push('the login may act as other users (PROXY)');
      continue;
    }
    if (!/\s+ON\s+/i.test(line)) {
      // GRANT role TO user: a role's privileges are not checked here
      if (/^GRANT\s/i.test(line)) {
        problems.push(
          'the login has a role granted; grant it privileges directly to have them checked',
        );
      }
      continue;
    }
    const privileges = grantedPrivileges(line);
    if (!privileges) continue;
    const extra = privileges.filter(p => !MYSQL_READ_PRIVILEGES.has(p));
    if (extra.length > 0) {
      const on = /\s+ON\s+(\S+)/i.exec(line)?.[1] ?? '?';
      problems.push(`the login holds ${extra.join(', ')} on ${on}`);
    }
    if (/WITH\s+GRANT\s+OPTION/i.test(line))
      problems.push('the login may grant privileges (WITH GRANT OPTION)');
  }
  return problems;
}

/**
 * What a login can do beyond reading, as the server itself says: on
 * PostgreSQL superuser and role attributes, membership of
 * pg_read_server_files / pg_write_server_files / pg_execute_server_program /
 * pg_signal_backend / pg_write_all_data, and write or create privileges in
 * the database; on MySQL/MariaDB every grant other than USAGE, SELECT and
 * SHOW VIEW. An empty list means read-only. (Never a password: SHOW GRANTS
 * lines are read, not returned.)
 */
export async function readOnlyProblems(
  connection: SqlConnection,
): Promise<string[]> {
  return connection.engine === 'postgresql'
    ? postgresProblems(connection)
    : mysqlProblems(connection);
}
