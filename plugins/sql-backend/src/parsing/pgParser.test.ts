import { loadPgParser, parsePgScript } from './pgParser';
import { splitPg } from './pgLexer';

/** Statement texts as PostgreSQL's parser cuts the whole script (the reference). */
async function reference(script: string): Promise<string[]> {
  const pg = await loadPgParser();
  const { stmts } = pg.parseSync(script);
  const bytes = Buffer.from(script, 'utf8');
  return stmts.map((s: any) => {
    const start = s.stmt_location ?? 0;
    const end = s.stmt_len ? start + s.stmt_len : bytes.length;
    return bytes.subarray(start, end).toString('utf8').trim();
  });
}

describe('parsePgScript (PostgreSQL splitting with PostgreSQL’s parser)', () => {
  it('reads the issue’s smuggled statement as PostgreSQL does: two statements', async () => {
    const script =
      "UPDATE t SET a='x\\' WHERE id=1; DROP TABLE t; --' WHERE id=2";
    const statements = await parsePgScript(script);
    expect(statements.map(s => s.sql)).toEqual([
      "UPDATE t SET a='x\\' WHERE id=1",
      'DROP TABLE t',
    ]);
    expect(statements.map(s => Object.keys(s.ast))).toEqual([
      ['UpdateStmt'],
      ['DropStmt'],
    ]);
  });

  // Shapes where a scanner that is not PostgreSQL's goes wrong.
  const tricky = [
    "SELECT 'a\\'; COMMIT; DELETE FROM t; --'",
    "SELECT E'a\\'; DROP TABLE t; --'; SELECT 2",
    'SELECT $a$ ; $b$ ; $a$; SELECT 2',
    'SELECT $$;$$, $_$;$_$',
    'SELECT a$b$ FROM t; DROP TABLE u; SELECT 1 AS x$b$',
    'SELECT 1 /* a /* nested ; */ still comment ; */; SELECT 2',
    'SELECT "a;""b" FROM t; SELECT 2',
    'SELECT U&\'\\0041;\' ; SELECT U&"a;b" FROM t',
    "SELECT 'a' -- c;\n; SELECT 2",
    "SELECT B'01', X'1F';SELECT N'é;'",
    "SELECT 'é', 'ü'; UPDATE t SET a = 'ß' WHERE id = 1",
    'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END; SELECT 3',
    'SELECT 1;;; ; SELECT 2 -- trailing',
  ];
  it.each(tricky)('cuts %j where PostgreSQL does', async script => {
    const statements = await parsePgScript(script);
    expect(statements.every(s => s.ast && !s.error)).toBe(true);
    expect(statements.map(s => s.sql)).toEqual(await reference(script));
  });

  it('refuses what PostgreSQL cannot parse, naming the statement', async () => {
    const statements = await parsePgScript(
      'SELECT 1; UPDATE SET WHERE; SELECT 2',
    );
    expect(statements.map(s => s.error === undefined)).toEqual([
      true,
      false,
      true,
    ]);
    expect(statements[1].error).toMatch(/syntax error/);
    const unterminated = await parsePgScript("SELECT 1; SELECT 'open");
    expect(unterminated.some(s => s.error)).toBe(true);
  });

  it('keeps line numbers', async () => {
    const statements = await parsePgScript(
      '-- header\nSELECT 1;\n\n  SELECT\n2;',
    );
    expect(statements.map(s => s.line)).toEqual([1, 4]);
  });
});

describe('splitPg', () => {
  it('never cuts inside strings, identifiers, dollar quotes or comments', () => {
    expect(
      splitPg(
        'SELECT \';\'; SELECT "x;"; SELECT $q$;$q$; /* ; */ SELECT 1',
      ).map(c => c.text),
    ).toEqual([
      "SELECT ';'",
      'SELECT "x;"',
      'SELECT $q$;$q$',
      '/* ; */ SELECT 1',
    ]);
  });
});
