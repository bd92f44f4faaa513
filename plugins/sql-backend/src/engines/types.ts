import type { SqlEngine, TableRef } from '../review/ast';
import type { TableInfo } from '../review/inspector';
import type { StatementBackup } from '../database/SqlStore';

/** Where and as whom to connect; the password comes from the vault. */
export interface ConnectionTarget {
  host: string;
  port: number;
  user: string;
  password?: string;
  /** Database (PostgreSQL) or schema (MySQL) to use. */
  database?: string;
}

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

/** A row of a slow-query report. */
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
  estimateRows(session: SqlSession, sql: string): Promise<number | undefined>;
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

export function qualified(driver: SqlDriver, t: TableRef): string {
  return t.schema
    ? `${driver.quoteIdent(t.schema)}.${driver.quoteIdent(t.name)}`
    : driver.quoteIdent(t.name);
}
