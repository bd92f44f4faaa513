import type { TableRef } from '../parsing';

/** A column as the instance's catalog describes it. */
export interface ColumnInfo {
  name: string;
  /** Lowercase type name (varchar, character varying, int, bigint ...). */
  dataType: string;
  /** Character length or numeric precision when the type has one. */
  length?: number;
  nullable: boolean;
}

/** What the review needs to know about an existing table. */
export interface TableInfo {
  columns: ColumnInfo[];
  primaryKey: string[];
  /** Columns that are the first column of some index. */
  indexLeadingColumns: string[];
  /** Estimated row count (statistics, not COUNT(*)). */
  estimatedRows: number;
}

/**
 * Read-only questions the review asks the live instance. Rules that need it
 * are skipped (and say so) when the review runs without an instance.
 */
export interface ReviewInspector {
  /**
   * Rows a single-table UPDATE/DELETE would touch: EXPLAIN of `query`, a
   * `SELECT 1 FROM <table> WHERE <its predicate>` (checked to be exactly the
   * statement's predicate), so the read-only login can run it.
   */
  estimateRows(query: string): Promise<number | undefined>;
  /** Table metadata, or undefined when the table does not exist. */
  tableInfo(table: TableRef): Promise<TableInfo | undefined>;
}
