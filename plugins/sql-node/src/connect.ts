import type mysql from 'mysql2/promise';
import type { Client } from 'pg';
import type { ConnectionTarget, SqlLogin } from './instance';

// The drivers are required at first use: start-up does not pay for a driver
// nobody has used yet (#15).
let pgDriver: typeof import('pg') | undefined;
let mysqlDriver: typeof import('mysql2/promise') | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pg = () => (pgDriver ??= require('pg') as typeof import('pg'));
const mysql2 = () =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (mysqlDriver ??=
    require('mysql2/promise') as typeof import('mysql2/promise'));

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

/** Options of a driver connection beyond the login; sql-node's own defaults when left out. */
export interface DriverOptions {
  /**
   * Every value as the server's text (no conversion to JS numbers, dates,
   * …): what the sql plugin backs up, restores and shows.
   */
  textValues?: boolean;
  /** PostgreSQL `application_name`, seen in pg_stat_activity. */
  applicationName?: string;
}

/**
 * PostgreSQL settings every opsdeck session starts with (in the start-up
 * packet, before any statement): strings are read the way PostgreSQL's own
 * parser in opsdeck reads them, whatever the server's or role's default.
 */
const PG_SESSION_OPTIONS =
  '-c standard_conforming_strings=on -c backslash_quote=safe_encoding';

// pg: every type parser returns the text unchanged.
const PG_TEXT_TYPES = { getTypeParser: () => (value: string) => value };

/**
 * A connected pg `Client`: the one place opsdeck opens PostgreSQL
 * connections (sql-node's accounts and the sql plugin's sessions).
 * Without a database it connects to `postgres`.
 */
export async function openPostgresClient(
  target: ConnectionTarget,
  options: DriverOptions = {},
): Promise<Client> {
  const client = new (pg().Client)({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database || 'postgres',
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    options: PG_SESSION_OPTIONS,
    ...(options.textValues ? { types: PG_TEXT_TYPES as any } : {}),
    ...(options.applicationName
      ? { application_name: options.applicationName }
      : {}),
  });
  await client.connect();
  return client;
}

/**
 * A connected mysql2 connection (MariaDB/MySQL): the one place opsdeck opens
 * them. Without a database no default schema is selected.
 */
export async function openMysqlConnection(
  target: ConnectionTarget,
  options: DriverOptions = {},
): Promise<mysql.Connection> {
  return mysql2().createConnection({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database || undefined,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // Statements are sent one at a time; never several in one string.
    multipleStatements: false,
    ...(options.textValues ? { typeCast: (field: any) => field.string() } : {}),
  });
}

async function connectPostgres(login: SqlLogin): Promise<SqlConnection> {
  const client = await openPostgresClient(login);
  return {
    engine: 'postgresql',
    async query(sql, params) {
      // the extended protocol: one statement per call, never several
      const result = await client.query({
        text: toDollarParams(sql),
        values: params,
        queryMode: 'extended',
      } as any);
      return result.rows;
    },
    id: identifier => client.escapeIdentifier(identifier),
    literal: value => client.escapeLiteral(value),
    close: () => client.end(),
  };
}

async function connectMysql(login: SqlLogin): Promise<SqlConnection> {
  const connection = await openMysqlConnection(login);
  return {
    engine: 'mysql',
    async query(sql, params) {
      const [rows] = await connection.query(sql, params);
      return Array.isArray(rows) ? (rows as any[]) : [];
    },
    id: identifier => mysql2().escapeId(identifier, true),
    literal: value => mysql2().escape(value),
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
