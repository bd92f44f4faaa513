import { splitStatements, topLevelClause } from './splitStatements';

describe('splitStatements', () => {
  it('splits at top-level semicolons only', () => {
    const script = `UPDATE t SET a = 'x;y' WHERE id = 1;
-- a comment; with a semicolon
DELETE FROM t WHERE b = "q;" /* c; */ ;
CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;;
`;
    const statements = splitStatements(script);
    expect(statements.map(s => s.sql)).toEqual([
      "UPDATE t SET a = 'x;y' WHERE id = 1",
      '-- a comment; with a semicolon\nDELETE FROM t WHERE b = "q;" /* c; */',
      'CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql',
    ]);
    expect(statements.map(s => s.line)).toEqual([1, 2, 4]);
  });

  it('drops comment-only statements and handles doubled quotes', () => {
    expect(splitStatements("-- nothing\n; SELECT 'it''s;'")).toEqual([
      { sql: "SELECT 'it''s;'", line: 2 },
    ]);
  });
});

describe('topLevelClause', () => {
  it('takes the WHERE predicate up to the next top-level clause', () => {
    expect(
      topLevelClause(
        "UPDATE t SET a = (SELECT 1 WHERE true) WHERE id IN (SELECT id FROM u WHERE x = 'where') ORDER BY id LIMIT 3",
        'WHERE',
        ['ORDER', 'LIMIT', 'RETURNING'],
      ),
    ).toBe("id IN (SELECT id FROM u WHERE x = 'where')");
    expect(topLevelClause('DELETE FROM t', 'WHERE', [])).toBeUndefined();
    expect(
      topLevelClause('DELETE FROM nowhere_t', 'WHERE', []),
    ).toBeUndefined();
  });
});
