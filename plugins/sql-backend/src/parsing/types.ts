/** Engines the SQL parsers understand. */
export type SqlEngine = 'postgresql' | 'mysql';

/**
 * How a MySQL-family server reads text (its `sql_mode` quoting flags and
 * its version, which decides the executable comments `/*!NNNNN ... *\/`).
 * Read from the instance; the change records it, and execution refuses a
 * session whose mode differs from the one the change was reviewed in.
 */
export interface MysqlLexicalMode {
  flavor: 'mariadb' | 'mysql';
  /** MYSQL_VERSION_ID form: 10.11.19 -> 101119, 8.0.36 -> 80036. */
  versionId: number;
  /** sql_mode ANSI_QUOTES: "x" is an identifier, not a string. */
  ansiQuotes: boolean;
  /** sql_mode NO_BACKSLASH_ESCAPES: a backslash in a string is a plain character. */
  noBackslashEscapes: boolean;
}

/** What the review assumes of a MySQL-family server it cannot ask. */
export const DEFAULT_MYSQL_MODE: MysqlLexicalMode = {
  flavor: 'mariadb',
  versionId: 101100,
  ansiQuotes: false,
  noBackslashEscapes: false,
};

/** One statement of a script: the exact text sent, and its parse tree. */
export interface ParsedStatement {
  /** Statement text without the trailing `;` (sent as is, alone). */
  sql: string;
  /** 1-based line of its first character in the script. */
  line: number;
  /**
   * PostgreSQL: the libpg-query node (`{ UpdateStmt: {...} }`); MySQL: the
   * node-sql-parser tree of the server's view of the text.
   */
  ast?: any;
  /** Why it could not be parsed (then there is no `ast`). */
  error?: string;
  /** MySQL: the text as the server reads it (comments resolved, quoting normalised). */
  canonical?: string;
  /** MySQL: leading keywords, for naming statements the parser does not know. */
  head?: string[];
  /** MySQL: lower-cased names followed by `(` anywhere in the server's view. */
  calledNames?: string[];
}

/** A table a statement names. */
export interface TableRef {
  schema?: string;
  name: string;
  /** The name the statement gives it (`UPDATE t AS x`). */
  alias?: string;
}
