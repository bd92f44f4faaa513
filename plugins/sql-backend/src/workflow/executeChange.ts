import { parseStatement, SqlEngine, targetTables } from '../review/ast';
import type { ReviewedStatement } from '../review/reviewSql';
import { topLevelClause } from '../review/splitStatements';
import { qualified, SqlDriver, SqlSession } from '../engines/types';
import type { StatementBackup, StatementRun } from '../database/SqlStore';

/** Most rows restored per statement (also bounded by MySQL's 65,535 placeholders). */
const RESTORE_BATCH = 500;

/** SQL that restores backed-up rows, for people to read (execution uses parameters). */
export function rollbackScript(driver: SqlDriver, b: StatementBackup): string {
  const lines = b.rows.map(row => {
    if (b.kind === 'delete') {
      return `INSERT INTO ${b.table} (${b.columns
        .map(c => driver.quoteIdent(c))
        .join(', ')}) VALUES (${row.map(v => driver.literal(v)).join(', ')});`;
    }
    const set = b.columns
      .map((c, i) => `${driver.quoteIdent(c)} = ${driver.literal(row[i])}`)
      .join(', ');
    return `UPDATE ${b.table} SET ${set} WHERE ${pkPredicate(
      driver,
      b,
      row,
      true,
    )};`;
  });
  return lines.join('\n');
}

function pkPredicate(
  driver: SqlDriver,
  b: StatementBackup,
  row: (string | null)[],
  literal: boolean,
  firstParam = 1,
): string {
  return b.primaryKey
    .map((k, i) => {
      const value = row[b.columns.indexOf(k)];
      return `${driver.quoteIdent(k)} = ${
        literal ? driver.literal(value) : driver.placeholder(firstParam + i)
      }`;
    })
    .join(' AND ');
}

/**
 * Runs an UPDATE/DELETE after copying the rows it will touch: in one
 * transaction, SELECT ... FOR UPDATE with the statement's own WHERE, then the
 * statement. The copy and the change see the same rows.
 */
async function runWithBackup(
  driver: SqlDriver,
  session: SqlSession,
  engine: SqlEngine,
  statement: ReviewedStatement,
): Promise<{ affectedRows: number; backup: StatementBackup }> {
  const ast = parseStatement(engine, statement.sql);
  const [table] = targetTables(ast);
  const info = await driver.tableInfo(session, table);
  if (!info || info.primaryKey.length === 0) {
    throw new Error(
      `Table ${statement.tables[0]} has no primary key; cannot back up rows`,
    );
  }
  const where = topLevelClause(statement.sql, 'WHERE', [
    'ORDER',
    'LIMIT',
    'RETURNING',
  ]);
  if (!where) throw new Error('UPDATE/DELETE without WHERE is not executed');
  const name = qualified(driver, table);
  await driver.begin(session);
  try {
    const copy = await session.query(
      `SELECT * FROM ${name} WHERE ${where} FOR UPDATE`,
    );
    const result = await session.query(statement.sql);
    await driver.commit(session);
    return {
      affectedRows: result.affectedRows,
      backup: {
        table: name,
        kind: statement.kind as 'update' | 'delete',
        columns: copy.columns,
        primaryKey: info.primaryKey,
        rows: copy.rows,
      },
    };
  } catch (error) {
    await driver.rollback(session).catch(() => undefined);
    throw error;
  }
}

/**
 * Executes a reviewed change statement by statement, stopping at the first
 * failure. `onRun` is called after each statement so progress is stored.
 */
export async function executeStatements(options: {
  driver: SqlDriver;
  session: SqlSession;
  engine: SqlEngine;
  statements: ReviewedStatement[];
  onRun(run: StatementRun): Promise<void>;
  now?: () => number;
}): Promise<{ ok: boolean; error?: string }> {
  const { driver, session, engine } = options;
  const now = options.now ?? Date.now;
  for (const statement of options.statements) {
    const started = now();
    try {
      if (statement.kind === 'update' || statement.kind === 'delete') {
        const { affectedRows, backup } = await runWithBackup(
          driver,
          session,
          engine,
          statement,
        );
        await options.onRun({
          index: statement.index,
          status: 'done',
          affectedRows,
          durationMs: now() - started,
          backup,
          rollbackSql: rollbackScript(driver, backup),
        });
      } else {
        const result = await session.query(statement.sql);
        await options.onRun({
          index: statement.index,
          status: 'done',
          affectedRows: result.affectedRows,
          durationMs: now() - started,
        });
      }
    } catch (error) {
      const message = (error as Error).message;
      await options.onRun({
        index: statement.index,
        status: 'failed',
        durationMs: now() - started,
        error: message,
      });
      return {
        ok: false,
        error: `Statement #${statement.index + 1} failed: ${message}`,
      };
    }
  }
  return { ok: true };
}

/**
 * Restores backed-up rows, last statement first, each in a transaction:
 * UPDATEs get every column back by primary key, DELETEd rows are inserted
 * again (rows that exist are left alone).
 */
export async function rollbackRuns(options: {
  driver: SqlDriver;
  session: SqlSession;
  runs: StatementRun[];
}): Promise<number> {
  const { driver, session } = options;
  let restored = 0;
  const runs = options.runs
    .filter(r => r.status === 'done' && r.backup)
    .reverse();
  for (const run of runs) {
    const b = run.backup!;
    await driver.begin(session);
    try {
      const size = Math.max(
        1,
        Math.min(RESTORE_BATCH, Math.floor(60_000 / b.columns.length)),
      );
      for (let i = 0; i < b.rows.length; i += size) {
        const batch = b.rows.slice(i, i + size);
        await driver.restoreRows(session, b, batch);
        restored += batch.length;
      }
      await driver.commit(session);
    } catch (error) {
      await driver.rollback(session).catch(() => undefined);
      throw error;
    }
  }
  return restored;
}
