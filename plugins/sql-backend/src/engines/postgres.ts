import type { Client } from 'pg';
import { openPostgresClient } from '@opsdeck/plugin-sql-node';
import type { TableRef } from '../parsing';
import type { TableInfo } from '../review/inspector';
import { tableInfoFromCatalog } from './tableInfo';
import {
  firstRows,
  type QueryResult,
  type SqlDriver,
  type SqlSession,
  transactionStatements,
} from './types';

class PgSession implements SqlSession {
  constructor(readonly client: Client) {}
  async query(sql: string, params?: (string | null)[]): Promise<QueryResult> {
    // the extended protocol: a second statement in `sql` is an error, never run
    const res = await this.client.query({
      text: sql,
      values: params,
      rowMode: 'array',
      queryMode: 'extended',
    } as any);
    const last = Array.isArray(res) ? res[res.length - 1] : res;
    return {
      columns: (last.fields ?? []).map((f: { name: string }) => f.name),
      rows: last.rows ?? [],
      affectedRows: last.rowCount ?? 0,
    };
  }
  async close() {
    await this.client.end().catch(() => undefined);
  }
}

export const postgresDriver: SqlDriver = {
  engine: 'postgresql',
  async connect(target) {
    return new PgSession(
      await openPostgresClient(target, {
        textValues: true,
        applicationName: 'opsdeck-sql',
      }),
    );
  },
  quoteIdent: name => `"${name.replace(/"/g, '""')}"`,
  placeholder: position => `$${position}`,
  literal: value =>
    value === null ? 'NULL' : `'${value.replace(/'/g, "''")}'`,
  async version(session) {
    const res = await session.query('SHOW server_version');
    return `PostgreSQL ${res.rows[0]?.[0]}`;
  },
  async lexicalMode() {
    return undefined;
  },
  async checkSession(session) {
    const res = await session.query('SHOW standard_conforming_strings');
    if (res.rows[0]?.[0] !== 'on') {
      throw new Error(
        'standard_conforming_strings is off in this session: statements would not be read the way they were reviewed',
      );
    }
  },
  async estimateRows(session, query) {
    const res = await session.query(`EXPLAIN (FORMAT JSON) ${query}`);
    const plan = JSON.parse(String(res.rows[0]?.[0]))[0]?.Plan;
    return plan ? Number(plan['Plan Rows']) : undefined;
  },
  async tableColumns(session, table) {
    const res = await session.query(
      `SELECT a.attname FROM pg_attribute a
        WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum`,
      [table],
    );
    return res.rows.length ? res.rows.map(r => r[0]!) : undefined;
  },
  async tableInfo(session, table: TableRef): Promise<TableInfo | undefined> {
    const schema = table.schema ?? 'public';
    const rel = await session.query(
      `SELECT c.oid::text, c.reltuples::bigint::text FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`,
      [schema, table.name],
    );
    if (rel.rows.length === 0) return undefined;
    const [oid, tuples] = rel.rows[0] as string[];
    const columns = await session.query(
      `SELECT column_name, data_type,
              COALESCE(character_maximum_length, numeric_precision)::text, is_nullable
         FROM information_schema.columns
        WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
      [schema, table.name],
    );
    const indexes = await session.query(
      `SELECT a.attname, i.indisprimary::text, array_position(i.indkey::int2[], a.attnum)::text
         FROM pg_index i JOIN pg_attribute a
           ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
        WHERE i.indrelid = $1::oid`,
      [oid],
    );
    let estimatedRows = Number(tuples);
    if (estimatedRows < 0) {
      // never analyzed: count, tables that were never analyzed are small
      const count = await session.query(
        `SELECT count(*)::text FROM ${postgresDriver.quoteIdent(
          schema,
        )}.${postgresDriver.quoteIdent(table.name)}`,
      );
      estimatedRows = Number(count.rows[0][0]);
    }
    return tableInfoFromCatalog(
      columns.rows,
      indexes.rows.map(r => ({
        column: r[0]!,
        primary: r[1] === 'true',
        leading: r[2] === '0',
      })),
      estimatedRows,
    );
  },
  async readOnlyQuery(session, sql, limits) {
    await session.query('BEGIN TRANSACTION READ ONLY');
    try {
      await session.query(
        `SET LOCAL statement_timeout = ${Math.max(
          1,
          Math.floor(limits.timeoutMs),
        )}`,
      );
      // a cursor fetches only the rows shown, whatever the query returns
      await session.query(
        `DECLARE opsdeck_console NO SCROLL CURSOR FOR ${sql}`,
      );
      const res = await session.query(
        `FETCH FORWARD ${limits.maxRows + 1} FROM opsdeck_console`,
      );
      return firstRows(res, limits.maxRows);
    } finally {
      await session.query('ROLLBACK').catch(() => undefined);
    }
  },
  ...transactionStatements('BEGIN'),
  async restoreRows(session, backup, rows) {
    const q = postgresDriver.quoteIdent;
    // jsonb_populate_recordset turns each text value into the column's own
    // type with that type's input function, the inverse of how it was read
    const json = JSON.stringify(
      rows.map(row =>
        Object.fromEntries(backup.columns.map((c, i) => [c, row[i]])),
      ),
    );
    const source = `jsonb_populate_recordset(NULL::${backup.table}, $1::jsonb)`;
    const cols = backup.columns.map(q).join(', ');
    if (backup.kind === 'delete') {
      await session.query(
        `INSERT INTO ${
          backup.table
        } (${cols}) SELECT ${cols} FROM ${source} ON CONFLICT (${backup.primaryKey
          .map(q)
          .join(', ')}) DO NOTHING`,
        [json],
      );
      return;
    }
    const set = backup.columns.map(c => `${q(c)} = r.${q(c)}`).join(', ');
    const match = backup.primaryKey
      .map(k => `t.${q(k)} = r.${q(k)}`)
      .join(' AND ');
    await session.query(
      `UPDATE ${backup.table} AS t SET ${set} FROM ${source} AS r WHERE ${match}`,
      [json],
    );
  },
  async slowQueries(session, limit) {
    // read only: the extension is the DBA's to create (docs/sql.md)
    const installed = await session.query(
      "SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'",
    );
    if (installed.rows.length === 0) {
      throw new Error(
        'pg_stat_statements is not installed in this database: a DBA runs CREATE EXTENSION pg_stat_statements (opsdeck only reads)',
      );
    }
    const res = await session.query(
      `SELECT query, calls::text, total_exec_time::text, mean_exec_time::text, rows::text
         FROM pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        ORDER BY total_exec_time DESC LIMIT $1`,
      [String(limit)],
    );
    return res.rows.map(r => ({
      // pg_stat_statements already replaces constants with $n
      statement: (r[0] ?? '').replace(/\s+/g, ' ').trim(),
      calls: Number(r[1]),
      totalMs: Number(r[2]),
      meanMs: Number(r[3]),
      rows: Number(r[4]),
    }));
  },
};
