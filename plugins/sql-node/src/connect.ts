import mysql from 'mysql2/promise';
import { Client } from 'pg';
import type { SqlLogin } from './instance';

/**
 * One connection to an instance, the same for both engines: `query` takes
 * `?` placeholders (rewritten to `$n` for PostgreSQL) and returns the rows;
 * `id` quotes an identifier the engine's way.
 */
export interface SqlConnection {
  readonly engine: SqlLogin['engine'];
  query<T = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
  ): Promise<T[]>;
  id(identifier: string): string;
  /** Quotes a string literal (for DDL, which takes no bind parameters). */
  literal(value: string): string;
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 10_000;

function toDollarParams(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

async function connectPostgres(login: SqlLogin): Promise<SqlConnection> {
  const client = new Client({
    host: login.host,
    port: login.port,
    user: login.user,
    password: login.password,
    database: login.database,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  await client.connect();
  return {
    engine: 'postgresql',
    async query(sql, params) {
      const result = await client.query(toDollarParams(sql), params);
      return result.rows;
    },
    id: identifier => client.escapeIdentifier(identifier),
    literal: value => client.escapeLiteral(value),
    close: () => client.end(),
  };
}

async function connectMysql(login: SqlLogin): Promise<SqlConnection> {
  const connection = await mysql.createConnection({
    host: login.host,
    port: login.port,
    user: login.user,
    password: login.password,
    database: login.database,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // Statements are sent one at a time; never several in one string.
    multipleStatements: false,
  });
  return {
    engine: 'mysql',
    async query(sql, params) {
      const [rows] = await connection.query(sql, params);
      return Array.isArray(rows) ? (rows as any[]) : [];
    },
    id: identifier => mysql.escapeId(identifier, true),
    literal: value => mysql.escape(value),
    close: () => connection.end(),
  };
}

/** Opens a connection with a login (admin or account) to an instance. */
export async function connectSql(login: SqlLogin): Promise<SqlConnection> {
  return login.engine === 'postgresql'
    ? connectPostgres(login)
    : connectMysql(login);
}

/** Runs `fn` on a fresh connection and always closes it. */
export async function withSqlConnection<T>(
  login: SqlLogin,
  fn: (connection: SqlConnection) => Promise<T>,
): Promise<T> {
  const connection = await connectSql(login);
  try {
    return await fn(connection);
  } finally {
    await connection.close().catch(() => undefined);
  }
}
