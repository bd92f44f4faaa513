import type mysql from 'mysql2/promise';
import { openMysqlConnection } from '@opsdeck/plugin-sql-node';
import type { MysqlLexicalMode, TableRef } from '../parsing';
import type { TableInfo } from '../review/inspector';
import { normalizeStatement } from './normalize';
import { tableInfoFromCatalog } from './tableInfo';
import {
  firstRows,
  type QueryResult,
  type SqlDriver,
  type SqlSession,
  transactionStatements,
} from './types';

class MysqlSession implements SqlSession {
  constructor(readonly connection: mysql.Connection) {}
  async query(sql: string, params?: (string | null)[]): Promise<QueryResult> {
    const [result, fields] = await this.connection.query({
      sql,
      values: params,
      rowsAsArray: true,
    });
    if (Array.isArray(result)) {
      return {
        columns: (fields ?? []).map(f => f.name),
        rows: result as unknown as (string | null)[][],
        affectedRows: 0,
      };
    }
    return {
      columns: [],
      rows: [],
      affectedRows: (result as mysql.ResultSetHeader).affectedRows ?? 0,
    };
  }
  async close() {
    await this.connection.end().catch(() => undefined);
  }
}

/** The lexical mode of a server from its sql_mode and VERSION(). */
export function lexicalModeOf(
  sqlMode: string,
  version: string,
): MysqlLexicalMode {
  const flags = new Set(sqlMode.toUpperCase().split(','));
  const [major, minor, patch] = (/^(\d+)\.(\d+)\.(\d+)/.exec(version) ?? [])
    .slice(1)
    .map(Number);
  return {
    flavor: /mariadb/i.test(version) ? 'mariadb' : 'mysql',
    versionId: major === undefined ? 0 : major * 10000 + minor * 100 + patch,
    // ANSI implies ANSI_QUOTES
    ansiQuotes: flags.has('ANSI_QUOTES') || flags.has('ANSI'),
    noBackslashEscapes: flags.has('NO_BACKSLASH_ESCAPES'),
  };
}

const quoteIdent = (name: string) => `\`${name.replace(/`/g, '``')}\``;

/** MySQL and MariaDB. */
export const mysqlDriver: SqlDriver = {
  engine: 'mysql',
  async connect(target) {
    // the server's text for every value, as for PostgreSQL: backups restore
    // the exact value, and the console shows what the server has
    return new MysqlSession(
      await openMysqlConnection(target, { textValues: true }),
    );
  },
  quoteIdent,
  placeholder: () => '?',
  literal: value =>
    value === null
      ? 'NULL'
      : `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`,
  async version(session) {
    const res = await session.query('SELECT VERSION()');
    const v = String(res.rows[0]?.[0]);
    return /mariadb/i.test(v) ? `MariaDB ${v}` : `MySQL ${v}`;
  },
  async lexicalMode(session) {
    const res = await session.query('SELECT @@SESSION.sql_mode, VERSION()');
    return lexicalModeOf(
      String(res.rows[0]?.[0] ?? ''),
      String(res.rows[0]?.[1] ?? ''),
    );
  },
  async checkSession() {
    // sql_mode only changes with SET, which changes refuse; the mode is
    // compared with the review's when a session opens (lexicalMode)
  },
  async tableColumns(session, table) {
    const res = await session.query(
      `SELECT COLUMN_NAME FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
      [table],
    );
    return res.rows.length ? res.rows.map(r => String(r[0])) : undefined;
  },
  async estimateRows(session, sql) {
    const res = await session.query(`EXPLAIN ${sql}`);
    const rowsAt = res.columns.indexOf('rows');
    if (rowsAt < 0 || res.rows.length === 0) return undefined;
    return Math.max(...res.rows.map(r => Number(r[rowsAt] ?? 0)));
  },
  async tableInfo(session, table: TableRef): Promise<TableInfo | undefined> {
    const schemaSql = table.schema ? '?' : 'DATABASE()';
    const params = (extra: string[] = []) =>
      table.schema
        ? [table.schema, table.name, ...extra]
        : [table.name, ...extra];
    const rel = await session.query(
      `SELECT TABLE_ROWS FROM information_schema.TABLES
        WHERE TABLE_SCHEMA = ${schemaSql} AND TABLE_NAME = ?`,
      params(),
    );
    if (rel.rows.length === 0) return undefined;
    const columns = await session.query(
      `SELECT COLUMN_NAME, DATA_TYPE,
              COALESCE(CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION), IS_NULLABLE
         FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = ${schemaSql} AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
      params(),
    );
    const indexes = await session.query(
      `SELECT COLUMN_NAME, INDEX_NAME, SEQ_IN_INDEX FROM information_schema.STATISTICS
        WHERE TABLE_SCHEMA = ${schemaSql} AND TABLE_NAME = ? ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
      params(),
    );
    return tableInfoFromCatalog(
      columns.rows,
      indexes.rows.map(r => ({
        column: r[0]!,
        primary: r[1] === 'PRIMARY',
        leading: r[2] === '1',
      })),
      Number(rel.rows[0][0] ?? 0),
    );
  },
  async readOnlyQuery(session, sql, limits) {
    // MariaDB: max_statement_time (seconds); MySQL: max_execution_time (ms)
    await session
      .query(
        `SET SESSION max_statement_time = ${Math.max(
          0.001,
          limits.timeoutMs / 1000,
        )}`,
      )
      .catch(() =>
        session.query(
          `SET SESSION max_execution_time = ${Math.max(
            1,
            Math.floor(limits.timeoutMs),
          )}`,
        ),
      );
    // the server stops after this many rows, whatever LIMIT the query has
    await session.query(`SET SESSION sql_select_limit = ${limits.maxRows + 1}`);
    await session.query('START TRANSACTION READ ONLY');
    try {
      const res = await session.query(sql);
      return firstRows(res, limits.maxRows);
    } finally {
      await session.query('ROLLBACK').catch(() => undefined);
      // the limits are session settings: a reused connection must not keep them
      await session
        .query('SET SESSION sql_select_limit = DEFAULT')
        .catch(() => undefined);
      await session
        .query('SET SESSION max_statement_time = DEFAULT')
        .catch(() => session.query('SET SESSION max_execution_time = DEFAULT'))
        .catch(() => undefined);
    }
  },
  ...transactionStatements('START TRANSACTION'),
  async restoreRows(session, backup, rows) {
    const cols = backup.columns.map(quoteIdent);
    const params = rows.flat();
    if (backup.kind === 'delete') {
      const tuple = `(${cols.map(() => '?').join(', ')})`;
      await session.query(
        `INSERT IGNORE INTO ${backup.table} (${cols.join(', ')}) VALUES ${rows
          .map(() => tuple)
          .join(', ')}`,
        params,
      );
      return;
    }
    // the old rows as a derived table, joined to the table by primary key
    const first = `SELECT ${cols.map(c => `? AS ${c}`).join(', ')}`;
    const more = `SELECT ${cols.map(() => '?').join(', ')}`;
    const derived = [first, ...rows.slice(1).map(() => more)].join(
      ' UNION ALL ',
    );
    const set = cols.map(c => `t.${c} = v.${c}`).join(', ');
    const match = backup.primaryKey
      .map(k => `t.${quoteIdent(k)} = v.${quoteIdent(k)}`)
      .join(' AND ');
    await session.query(
      `UPDATE ${backup.table} AS t JOIN (${derived}) AS v ON ${match} SET ${set}`,
      params,
    );
  },
  async slowQueries(session, limit) {
    // the slow log table (log_output=TABLE); grouped by normalised statement
    const res = await session.query(
      `SELECT sql_text, TIME_TO_SEC(query_time) * 1000, rows_sent + rows_affected
         FROM mysql.slow_log WHERE db = DATABASE() ORDER BY start_time DESC LIMIT 20000`,
    );
    const groups = new Map<
      string,
      { calls: number; totalMs: number; rows: number }
    >();
    for (const [text, ms, rows] of res.rows) {
      const key = normalizeStatement(String(text ?? ''));
      if (
        !key ||
        /^(SET|SHOW|SELECT @@|START TRANSACTION|ROLLBACK|COMMIT)\b/i.test(key)
      )
        continue;
      const g = groups.get(key) ?? { calls: 0, totalMs: 0, rows: 0 };
      g.calls++;
      g.totalMs += Number(ms ?? 0);
      g.rows += Number(rows ?? 0);
      groups.set(key, g);
    }
    return [...groups.entries()]
      .map(([statement, g]) => ({
        statement,
        calls: g.calls,
        totalMs: g.totalMs,
        meanMs: g.totalMs / g.calls,
        rows: g.rows,
      }))
      .sort((a, b) => b.totalMs - a.totalMs)
      .slice(0, limit);
  },
};
