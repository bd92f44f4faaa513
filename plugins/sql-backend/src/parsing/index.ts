import type { StatementFacts } from './facts';
import { myFacts } from './myFacts';
import { parseMysqlScript } from './mysqlParser';
import { pgFacts } from './pgFacts';
import { parsePgScript } from './pgParser';
import {
  DEFAULT_MYSQL_MODE,
  type MysqlLexicalMode,
  type ParsedStatement,
  type SqlEngine,
} from './types';

export * from './types';
export * from './facts';
export { loadPgParser } from './pgParser';

/**
 * Splits and parses a script with the engine's own rules: PostgreSQL's
 * parser, or the MySQL/MariaDB lexer (with the server's quoting mode and
 * version) and node-sql-parser. Statements that cannot be parsed carry
 * `error`; nothing is ever guessed.
 */
export async function parseScript(
  engine: SqlEngine,
  sql: string,
  mode: MysqlLexicalMode = DEFAULT_MYSQL_MODE,
): Promise<ParsedStatement[]> {
  return engine === 'postgresql'
    ? parsePgScript(sql)
    : parseMysqlScript(sql, mode);
}

/** What the review and the console know of a statement. */
export function statementFacts(
  engine: SqlEngine,
  statement: ParsedStatement,
): StatementFacts {
  return engine === 'postgresql' ? pgFacts(statement.ast) : myFacts(statement);
}
