import { Parser } from 'node-sql-parser';
import { lexMysql, renderTokens } from './mysqlLexer';
import { parseMysqlScript } from './mysqlParser';
import type { MysqlLexicalMode } from './types';

const MARIADB: MysqlLexicalMode = {
  flavor: 'mariadb',
  versionId: 101119,
  ansiQuotes: false,
  noBackslashEscapes: false,
};
const NBE = { ...MARIADB, noBackslashEscapes: true };
const ANSI = { ...MARIADB, ansiQuotes: true };
const MYSQL8: MysqlLexicalMode = {
  ...MARIADB,
  flavor: 'mysql',
  versionId: 80036,
};

const texts = (script: string, mode: MysqlLexicalMode) =>
  parseMysqlScript(script, mode).map(s => s.sql);

describe('MySQL/MariaDB lexing with the server’s quoting rules', () => {
  const smuggled =
    "UPDATE t SET a='x\\' WHERE id=1; DROP TABLE t; --' WHERE id=2";

  it('default sql_mode: the backslash escapes the quote, one UPDATE', () => {
    expect(texts(smuggled, MARIADB)).toEqual([smuggled]);
  });

  it('NO_BACKSLASH_ESCAPES: the same text is three statements', () => {
    const statements = parseMysqlScript(smuggled, NBE);
    expect(statements.map(s => s.sql)).toEqual([
      "UPDATE t SET a='x\\' WHERE id=1",
      'DROP TABLE t',
      "--' WHERE id=2",
    ]);
    expect(statements[2].error).toMatch(/unterminated/);
  });

  it('ANSI_QUOTES: "..." is an identifier, with no backslash escapes', () => {
    const s = 'SELECT "a\\" FROM t; DROP TABLE t; -- "';
    expect(texts(s, ANSI)).toEqual(['SELECT "a\\" FROM t', 'DROP TABLE t']);
    // without ANSI_QUOTES it is one string that hides the ;
    expect(texts(s, MARIADB)).toEqual([s]);
  });

  it('a backslash inside `identifiers` is a plain character', () => {
    expect(texts('SELECT `a\\` FROM t; DROP TABLE t', MARIADB)).toEqual([
      'SELECT `a\\` FROM t',
      'DROP TABLE t',
    ]);
  });

  it('-- needs a space: --x is two minus signs, # is a comment', () => {
    expect(texts('SELECT 1--1; SELECT 2', MARIADB)).toEqual([
      'SELECT 1--1',
      'SELECT 2',
    ]);
    expect(texts('SELECT 1 -- ; DROP TABLE t\n; SELECT 2', MARIADB)).toEqual([
      'SELECT 1 -- ; DROP TABLE t',
      'SELECT 2',
    ]);
    expect(texts('SELECT 1 # ; DROP TABLE t\n; SELECT 2', MARIADB)).toEqual([
      'SELECT 1 # ; DROP TABLE t',
      'SELECT 2',
    ]);
  });

  it('executable comments are code when the server version runs them', () => {
    const [run] = parseMysqlScript('SELECT 1 /*!50000 , SLEEP(1) */', MARIADB);
    expect(run.calledNames).toContain('sleep');
    expect(run.canonical).toBe('SELECT 1 , SLEEP(1)');
    // MariaDB skips MySQL-only versions 50700..99999; MySQL 8 runs 80000 but not 99999
    expect(
      parseMysqlScript('SELECT 1 /*!80000 , SLEEP(1) */', MARIADB)[0]
        .calledNames,
    ).toEqual([]);
    expect(
      parseMysqlScript('SELECT 1 /*!80000 , SLEEP(1) */', MYSQL8)[0]
        .calledNames,
    ).toEqual(['sleep']);
    expect(
      parseMysqlScript('SELECT 1 /*!99999 , SLEEP(1) */', MYSQL8)[0]
        .calledNames,
    ).toEqual([]);
    // MariaDB's own marker: run by MariaDB, a comment for MySQL
    expect(
      parseMysqlScript("SELECT 1 /*M!100000 , LOAD_FILE('/x') */", MARIADB)[0]
        .calledNames,
    ).toEqual(['load_file']);
    expect(
      parseMysqlScript("SELECT 1 /*M!100000 , LOAD_FILE('/x') */", MYSQL8)[0]
        .calledNames,
    ).toEqual([]);
    // no version: always run
    expect(
      parseMysqlScript('SELECT 1 /*! , BENCHMARK(1, 1) */', MYSQL8)[0]
        .calledNames,
    ).toEqual(['benchmark']);
  });

  it('refuses what it cannot read unambiguously', () => {
    for (const [script, why] of [
      ['SELECT 1 /* a /* b */ c */', /comment inside a comment/],
      ['SELECT 1 /*! /* x */ 1 */', /comment inside an executable comment/],
      ['SELECT 1 /*! ; DROP TABLE t */', /; inside an executable comment/],
      ['SELECT 1 /*!800001 , SLEEP(1) */', /6-digit version/],
      ["SELECT 'open", /unterminated string/],
      ['SELECT 1 /*! , 2', /unterminated executable comment/],
    ] as const) {
      const mode = String(script).includes('800001') ? MYSQL8 : MARIADB;
      const statements = parseMysqlScript(script, mode);
      expect(statements.some(s => s.error && why.test(s.error))).toBe(true);
    }
  });

  it('renders the server’s view for the server (raw) and for the parser (canon)', () => {
    const [s] = lexMysql(
      "SELECT \"it's\" AS x, 'a' 'b', _utf8mb4'c' /* note */ FROM `t``q`",
      MARIADB,
    );
    expect(renderTokens(s.tokens, 'raw')).toBe(
      "SELECT \"it's\" AS x, 'a' 'b', _utf8mb4'c' FROM `t``q`",
    );
    expect(renderTokens(s.tokens, 'canon')).toBe(
      "SELECT 'it\\'s' AS x, 'ab', 'c' FROM `t``q`",
    );
  });
});

describe('node-sql-parser shape cache', () => {
  const direct = new Parser();
  const statements = [
    'UPDATE accounts SET balance = balance + 7 WHERE id = 7',
    'UPDATE accounts SET balance = balance + 8 WHERE id = 9',
    "INSERT INTO audit_trail (account_id, note) VALUES (3, 'note 3')",
    "INSERT INTO audit_trail (account_id, note) VALUES (4, 'other')",
    "DELETE FROM sessions WHERE account_id = -5 AND created_at < '2026-01-01'",
    "SELECT a FROM t WHERE b = 'x' LIMIT 10, 20",
    "SELECT a FROM t WHERE b = 'y' LIMIT 1, 2",
    "SELECT 'it''s', \"q\", 12.5, 0x1F FROM t WHERE c IN (1, 2, 3)",
    "CREATE TABLE z (id int PRIMARY KEY, v varchar(20) COMMENT 'c')",
  ];
  it.each(statements)('gives the tree node-sql-parser gives for %j', sql => {
    const [parsed] = parseMysqlScript(sql, MARIADB);
    const expected = direct.astify(parsed.canonical!, { database: 'MariaDB' });
    expect(parsed.ast).toEqual(
      Array.isArray(expected) ? expected[0] : expected,
    );
  });
});
