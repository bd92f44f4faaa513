import { crashPoint } from '@opsdeck/plugin-opsdeck-node';
import {
  DEFAULT_MYSQL_MODE,
  type MysqlLexicalMode,
  type ParsedStatement,
  parseScript,
  type SqlEngine,
  statementFacts,
} from '../parsing';
import { rowPredicate } from '../parsing/predicate';
import type { ReviewedStatement } from '../review/reviewSql';
import { qualified, SqlDriver, SqlSession } from '../engines/types';
import type { StatementBackup, StatementRun } from '../model';

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
    return `UPDATE ${b.table} SET ${set} WHERE ${b.primaryKey
      .map(
        k =>
          `${driver.quoteIdent(k)} = ${driver.literal(
            row[b.columns.indexOf(k)],
          )}`,
      )
      .join(' AND ')};`;
  });
  return lines.join('\n');
}

/** Two lexical modes read text alike. */
export function sameMode(
  a: MysqlLexicalMode | undefined,
  b: MysqlLexicalMode | undefined,
) {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * The statement parsed again from the exact text that is about to be sent:
 * what runs is what was reviewed, and backups are built from this tree.
 */
async function reparse(
  engine: SqlEngine,
  statement: ReviewedStatement,
  mode: MysqlLexicalMode,
): Promise<ParsedStatement> {
  const parsed = await parseScript(engine, statement.sql, mode);
  if (
    parsed.length !== 1 ||
    !parsed[0].ast ||
    parsed[0].sql !== statement.sql
  ) {
    throw new Error(
      `Statement #${
        statement.index + 1
      } does not parse as the one statement that was reviewed`,
    );
  }
  return parsed[0];
}

/**
 * Runs an UPDATE/DELETE after copying the rows it will touch: in one
 * transaction, SELECT * ... FOR UPDATE with the statement's own predicate
 * (checked by parsing it again), then the statement. The copy and the
 * change see the same rows.
 */
async function runWithBackup(
  driver: SqlDriver,
  session: SqlSession,
  engine: SqlEngine,
  statement: ReviewedStatement,
  parsed: ParsedStatement,
  mode: MysqlLexicalMode,
  kind: 'update' | 'delete',
): Promise<{ affectedRows: number; backup: StatementBackup }> {
  const predicate = rowPredicate(engine, parsed, mode);
  if (!predicate)
    throw new Error('UPDATE/DELETE without a usable WHERE is not executed');
  const info = await driver.tableInfo(session, predicate.table);
  if (!info || info.primaryKey.length === 0) {
    throw new Error(
      `Table ${predicate.table.name} has no primary key; cannot back up rows`,
    );
  }
  const copyQuery = await predicate.query('*', 'FOR UPDATE');
  await driver.begin(session);
  try {
    const copy = await session.query(copyQuery);
    crashPoint('sql.change.after-backup');
    const result = await session.query(statement.sql);
    await driver.commit(session);
    return {
      affectedRows: result.affectedRows,
      backup: {
        table: qualified(driver, {
          schema: predicate.table.schema,
          name: predicate.table.name,
        }),
        kind,
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
 * Executes a reviewed change statement by statement, each alone in its own
 * round trip, stopping at the first failure. `onRun` is called after each
 * statement so progress is stored. The session must read text the way the
 * review did (MySQL: the same sql_mode quoting and version; PostgreSQL:
 * standard_conforming_strings on, checked after every statement).
 */
export async function executeStatements(options: {
  driver: SqlDriver;
  session: SqlSession;
  engine: SqlEngine;
  statements: ReviewedStatement[];
  /** The mode the change was reviewed in (MySQL). */
  mode?: MysqlLexicalMode;
  onRun(run: StatementRun): Promise<void>;
  now?: () => number;
}): Promise<{ ok: boolean; error?: string }> {
  const { driver, session, engine } = options;
  const now = options.now ?? Date.now;
  const mode = options.mode ?? DEFAULT_MYSQL_MODE;
  if (engine === 'mysql') {
    const live = await driver.lexicalMode(session);
    if (!sameMode(live, mode)) {
      return {
        ok: false,
        error: `The server reads SQL differently from when the change was reviewed (${JSON.stringify(
          live,
        )} now, ${JSON.stringify(mode)} then): review and submit it again`,
      };
    }
  }
  await driver.checkSession(session);
  for (const statement of options.statements) {
    const started = now();
    try {
      const parsed = await reparse(engine, statement, mode);
      const facts = statementFacts(engine, parsed);
      const writes = facts.dml.filter(
        p => p.verb === 'update' || p.verb === 'delete',
      );
      const backedUp =
        writes.length === 1 && !writes[0].multiTable && writes[0].hasWhere
          ? writes[0].verb
          : undefined;
      if (backedUp === 'update' || backedUp === 'delete') {
        const { affectedRows, backup } = await runWithBackup(
          driver,
          session,
          engine,
          statement,
          parsed,
          mode,
          backedUp,
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
      crashPoint('sql.change.after-statement');
      // a function the statement called must not have changed how text is read
      await driver.checkSession(session);
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
  crashPoint('sql.change.before-done');
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
  await driver.checkSession(session);
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
      crashPoint('sql.change.rollback-after-statement');
    } catch (error) {
      await driver.rollback(session).catch(() => undefined);
      throw error;
    }
  }
  crashPoint('sql.change.rollback-before-done');
  return restored;
}
