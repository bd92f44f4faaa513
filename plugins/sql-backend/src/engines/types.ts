import type { ConnectionTarget } from '@opsdeck/plugin-sql-node';
import type { MysqlLexicalMode, SqlEngine, TableRef } from '../parsing';
import type { TableInfo } from '../review/inspector';
import type { StatementBackup } from '../model';

/** Where and as whom to connect (sql-node's type); the password comes from the vault. */
export type { ConnectionTarget };

/** Result of one statement. Values are the server's text representation. */
export interface QueryResult {
  columns: string[];
  rows: (string | null)[][];
  affectedRows: number;
}

/** One connection to a SQL instance. */
export interface SqlSession {
  query(sql: string, params?: (string | null)[]): Promise<QueryResult>;
  close(): Promise<void>;
}

/**
 * A row of a slow-query report. Differs from the wire SlowQuery: that adds
 * `basis` when figures are the change between two snapshots.
 */
export interface SlowQuery {
  statement: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  rows?: number;
}

/** What opsdeck needs from each SQL engine. */
export interface SqlDriver {
  engine: SqlEngine;
  connect(target: ConnectionTarget): Promise<SqlSession>;
  quoteIdent(name: string): string;
  placeholder(position: number): string;
  /** SQL literal, for the rollback script shown to people (execution uses parameters). */
  literal(value: string | null): string;
  version(session: SqlSession): Promise<string>;
  /**
   * How the session reads text: MySQL's sql_mode quoting flags and version
   * (undefined for PostgreSQL, whose sessions always start with
   * standard_conforming_strings on; `checkSession` verifies it).
   */
  lexicalMode(session: SqlSession): Promise<MysqlLexicalMode | undefined>;
  /** Throws unless the session still reads text the way the review did. */
  checkSession(session: SqlSession): Promise<void>;
  /** EXPLAIN of a read-only `SELECT 1 FROM ... WHERE ...` (the row predicate of a DML statement). */
  estimateRows(session: SqlSession, query: string): Promise<number | undefined>;
  /** Column names of a table, in order (for data lineage of whole rows and `*`). */
  tableColumns(
    session: SqlSession,
    table: string,
  ): Promise<string[] | undefined>;
  tableInfo(
    session: SqlSession,
    table: TableRef,
  ): Promise<TableInfo | undefined>;
  /** Runs a SELECT in a read-only transaction with a timeout and a row cap. */
  readOnlyQuery(
    session: SqlSession,
    sql: string,
    limits: { maxRows: number; timeoutMs: number },
  ): Promise<{
    columns: string[];
    rows: (string | null)[][];
    truncated: boolean;
  }>;
  begin(session: SqlSession): Promise<void>;
  commit(session: SqlSession): Promise<void>;
  rollback(session: SqlSession): Promise<void>;
  /** `INSERT` that skips rows whose key already exists (rollback of DELETE). */
  /**
   * Puts a batch of backed-up rows back in one statement: UPDATEd rows get
   * every column back by primary key, DELETEd rows are inserted again
   * (keys that exist are left alone).
   */
  restoreRows(
    session: SqlSession,
    backup: StatementBackup,
    rows: (string | null)[][],
  ): Promise<void>;
  slowQueries(session: SqlSession, limit: number): Promise<SlowQuery[]>;
}

/**
 * The first `maxRows` rows of a result read with one row more than shown,
 * and whether there were more.
 */
export function firstRows(res: QueryResult, maxRows: number) {
  return {
    columns: res.columns,
    rows: res.rows.slice(0, maxRows),
    truncated: res.rows.length > maxRows,
  };
}

/** begin, commit and rollback of an engine whose transactions start with `beginSql`. */
export function transactionStatements(
  beginSql: string,
): Pick<SqlDriver, 'begin' | 'commit' | 'rollback'> {
  const run = (sql: string) => async (session: SqlSession) => {
    await session.query(sql);
  };
  return {
    begin: run(beginSql),
    commit: run('COMMIT'),
    rollback: run('ROLLBACK'),
  };
}

export function qualified(driver: SqlDriver, t: TableRef): string {
  return t.schema
    ? `${driver.quoteIdent(t.schema)}.${driver.quoteIdent(t.name)}`
    : driver.quoteIdent(t.name);
}
