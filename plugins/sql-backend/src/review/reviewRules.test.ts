import type { SqlEngine } from '../parsing';
import { reviewSql } from './reviewSql';
import type { ReviewInspector, TableInfo } from './inspector';

/**
 * Every rule added for issue #13, on both dialects where it applies: the
 * statements that must trigger it and the ones that must not.
 */
async function hits(
  engine: SqlEngine,
  sql: string,
  inspector?: ReviewInspector,
) {
  const result = await reviewSql({ engine, sql, inspector });
  return result.findings.map(f => f.rule);
}

const customers: TableInfo = {
  columns: [
    { name: 'id', dataType: 'integer', nullable: false },
    {
      name: 'name',
      dataType: 'character varying',
      length: 100,
      nullable: true,
    },
    { name: 'score', dataType: 'bigint', nullable: true },
  ],
  primaryKey: ['id'],
  indexLeadingColumns: ['id'],
  estimatedRows: 5000,
};
const inspector: ReviewInspector = {
  estimateRows: async () => 1,
  tableInfo: async t => (t.name === 'customers' ? customers : undefined),
};

type Cases = Partial<Record<SqlEngine, { must: string[]; mustNot: string[] }>>;

const RULE_CASES: Record<string, Cases> = {
  'dynamic-sql': {
    postgresql: {
      must: [
        'DO $$ BEGIN DELETE FROM t; END $$',
        'PREPARE s AS DELETE FROM t WHERE id = $1',
        'EXECUTE s(1)',
        'DEALLOCATE s',
        'CALL p()',
        "SELECT query_to_xml('DELETE FROM t', true, true, '')",
      ],
      mustNot: [
        "UPDATE t SET note = 'DO $$ x $$' WHERE id = 1",
        'SELECT id FROM t',
      ],
    },
    mysql: {
      must: [
        "PREPARE s FROM 'DELETE FROM t'",
        'EXECUTE s',
        'DEALLOCATE PREPARE s',
        'CALL p()',
        'DO 1',
        'CREATE PROCEDURE p() SELECT 1',
      ],
      mustNot: [
        "UPDATE t SET note = 'CALL me' WHERE id = 1",
        'SELECT id FROM t',
      ],
    },
  },
  'server-files-and-programs': {
    postgresql: {
      must: [
        "COPY t FROM PROGRAM 'id'",
        "COPY t TO '/tmp/x'",
        'COPY t FROM STDIN',
        "SELECT pg_read_file('/etc/passwd')",
        "SELECT lo_import('/etc/passwd')",
        "UPDATE t SET a = pg_catalog.pg_ls_dir('.')::text WHERE id = 1",
        "LOAD 'plpgsql'",
        "CREATE FUNCTION f() RETURNS int LANGUAGE c AS 'lib', 'sym'",
        "SELECT dblink('host=x', 'select 1')",
      ],
      mustNot: [
        "UPDATE files SET path = '/etc/passwd' WHERE id = 1",
        "UPDATE t SET note = 'pg_read_file(x)' WHERE id = 1",
      ],
    },
    mysql: {
      must: [
        "SELECT LOAD_FILE('/etc/passwd')",
        "SELECT a FROM t INTO OUTFILE '/tmp/x'",
        "SELECT a FROM t INTO DUMPFILE '/tmp/x'",
        "LOAD DATA INFILE '/etc/passwd' INTO TABLE t",
        "SELECT 1 /*!50000 , LOAD_FILE('/etc/passwd') */",
        "UPDATE t SET a = LOAD_FILE('/etc/passwd') WHERE id = 1",
      ],
      mustNot: [
        "UPDATE t SET note = 'LOAD_FILE(x)' WHERE id = 1",
        "SELECT 1 /*!99999 , LOAD_FILE('/x') */",
      ],
    },
  },
  'privilege-change': {
    postgresql: {
      must: [
        'GRANT SELECT ON t TO bob',
        'REVOKE ALL ON t FROM bob',
        'GRANT admin TO bob',
        'CREATE USER x',
        'ALTER ROLE x SUPERUSER',
        'DROP ROLE x',
        'ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO bob',
        'ALTER TABLE t OWNER TO bob',
        'SET ROLE bob',
        'SET SESSION AUTHORIZATION bob',
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 1'",
        'ALTER TABLE t DISABLE ROW LEVEL SECURITY',
      ],
      mustNot: [
        'CREATE TABLE grants (id int PRIMARY KEY)',
        "UPDATE users SET role = 'admin' WHERE id = 1",
      ],
    },
    mysql: {
      must: [
        'GRANT ALL ON *.* TO u',
        "CREATE USER u IDENTIFIED BY 'p'",
        'DROP USER u',
        "SET PASSWORD = 'x'",
        'RENAME USER a TO b',
        'REVOKE ALL PRIVILEGES ON *.* FROM u',
      ],
      mustNot: [
        "CREATE TABLE grants (id int PRIMARY KEY COMMENT 'x')",
        "UPDATE users SET role = 'admin' WHERE id = 1",
      ],
    },
  },
  'extension-change': {
    postgresql: {
      must: [
        'CREATE EXTENSION dblink',
        'DROP EXTENSION pg_stat_statements',
        'ALTER EXTENSION x UPDATE',
        'CREATE LANGUAGE plpython3u',
        'CREATE SERVER s FOREIGN DATA WRAPPER postgres_fdw',
      ],
      mustNot: ['CREATE TABLE extensions (id int PRIMARY KEY)'],
    },
    mysql: {
      must: [
        "INSTALL PLUGIN x SONAME 'x.so'",
        "INSTALL SONAME 'x'",
        "CREATE FUNCTION sys_exec RETURNS INT SONAME 'lib.so'",
      ],
      mustNot: ["CREATE TABLE plugins (id int PRIMARY KEY COMMENT 'x')"],
    },
  },
  'sleep-kill-or-lock': {
    postgresql: {
      must: [
        'SELECT pg_sleep(5)',
        'SELECT pg_terminate_backend(123)',
        'SELECT pg_cancel_backend(1)',
        'SELECT pg_advisory_lock(1)',
        'UPDATE t SET a = pg_sleep(1)::text WHERE id = 1',
      ],
      mustNot: ['UPDATE t SET sleep_minutes = 5 WHERE id = 1'],
    },
    mysql: {
      must: [
        'SELECT SLEEP(5)',
        "SELECT BENCHMARK(10000000, MD5('a'))",
        "SELECT GET_LOCK('x', 10)",
        'KILL 42',
        'KILL QUERY 42',
        'UPDATE t SET a = SLEEP(1) WHERE id = 1',
        'LOCK TABLES t WRITE',
      ],
      mustNot: ['UPDATE t SET sleep = 5 WHERE id = 1'],
    },
  },
  'session-settings': {
    postgresql: {
      must: [
        "SELECT set_config('standard_conforming_strings', 'off', false)",
        'ALTER SYSTEM SET work_mem = 1',
        'ALTER DATABASE d SET search_path = x',
      ],
      mustNot: ["SELECT current_setting('search_path')"],
    },
    mysql: {
      must: ['SET GLOBAL max_connections = 1', "SET sql_mode = 'ANSI_QUOTES'"],
      mustNot: ["UPDATE settings SET v = 1 WHERE k = 'sql_mode'"],
    },
  },
  'dml-without-where': {
    postgresql: {
      must: [
        'WITH d AS (DELETE FROM t RETURNING id) SELECT id FROM d',
        'UPDATE t SET a = 1 FROM u',
        'DELETE FROM t',
      ],
      mustNot: [
        'WITH d AS (DELETE FROM t WHERE id = 1 RETURNING id) SELECT id FROM d',
      ],
    },
    mysql: {
      must: ['DELETE FROM t', 'UPDATE t SET a = 1'],
      mustNot: ['DELETE FROM t WHERE id = 1'],
    },
  },
  'tautological-where': {
    postgresql: {
      must: [
        'UPDATE t SET a = 1 WHERE 1 = 1',
        'DELETE FROM t WHERE true',
        "DELETE FROM t WHERE id = 5 OR 'a' = 'a'",
        'DELETE FROM t WHERE id = id',
        "DELETE FROM t WHERE name LIKE '%'",
        'DELETE FROM t WHERE x IS NULL OR x IS NOT NULL',
        'DELETE FROM t WHERE 1 IN (1, 2)',
        'DELETE FROM t WHERE 1 <> 2',
        'WITH d AS (DELETE FROM t WHERE 2 = 2 RETURNING id) SELECT id FROM d',
        'UPDATE t SET a = 1 FROM u WHERE 1 = 1',
      ],
      mustNot: [
        'DELETE FROM t WHERE id = 1',
        'DELETE FROM t WHERE 1 = 2',
        'DELETE FROM t WHERE id = 5 AND 1 = 1',
        'DELETE FROM t WHERE a = b',
        "DELETE FROM t WHERE name LIKE 'a%'",
      ],
    },
    mysql: {
      must: [
        'UPDATE t SET a = 1 WHERE 1 = 1',
        'DELETE FROM t WHERE 1',
        "DELETE FROM t WHERE 'a' = 'a'",
        'DELETE FROM t WHERE id = 1 /*!50000 OR 1=1 */',
        'DELETE a FROM a JOIN b ON a.id = b.id WHERE 1 = 1',
      ],
      mustNot: [
        'DELETE FROM t WHERE id = 1',
        'DELETE FROM t WHERE 0',
        'DELETE FROM t WHERE id = 1 /*!99999 OR 1=1 */',
      ],
    },
  },
  'dml-multi-table': {
    postgresql: {
      must: [
        'UPDATE t SET a = u.a FROM u WHERE t.id = u.id',
        'DELETE FROM t USING u WHERE t.id = u.id',
        'MERGE INTO t USING u ON t.id = u.id WHEN MATCHED THEN DELETE',
      ],
      mustNot: ['UPDATE t SET a = 1 WHERE id IN (SELECT id FROM u)'],
    },
    mysql: {
      must: [
        'DELETE a FROM a JOIN b ON a.id = b.id WHERE b.x = 1',
        'UPDATE a JOIN b ON a.id = b.id SET a.x = 1 WHERE b.y = 2',
      ],
      mustNot: ['UPDATE t SET a = 1 WHERE id IN (SELECT id FROM u)'],
    },
  },
  'drop-or-truncate': {
    postgresql: {
      must: [
        'DROP TABLE t',
        'TRUNCATE t',
        'ALTER TABLE t DROP COLUMN c',
        'DROP SCHEMA s CASCADE',
      ],
      mustNot: [
        'DROP INDEX CONCURRENTLY i',
        'CREATE TABLE t2 (id int PRIMARY KEY)',
      ],
    },
    mysql: {
      must: ['DROP TABLE t', 'TRUNCATE TABLE t', 'ALTER TABLE t DROP COLUMN c'],
      mustNot: ["CREATE TABLE t2 (id int PRIMARY KEY COMMENT 'x')"],
    },
  },
  'pg-index-without-concurrently': {
    postgresql: {
      must: ['CREATE INDEX i ON t (a)', 'DROP INDEX i'],
      mustNot: [
        'CREATE INDEX CONCURRENTLY i ON t (a)',
        'DROP INDEX CONCURRENTLY i',
      ],
    },
    mysql: { must: [], mustNot: ['CREATE INDEX i ON t (a)'] },
  },
  'pg-volatile-default': {
    postgresql: {
      must: [
        'ALTER TABLE t ADD COLUMN c uuid DEFAULT gen_random_uuid()',
        'ALTER TABLE t ADD COLUMN n serial',
        'ALTER TABLE t ADD COLUMN ts timestamptz DEFAULT clock_timestamp()',
      ],
      mustNot: [
        'ALTER TABLE t ADD COLUMN c int DEFAULT 0',
        'ALTER TABLE t ADD COLUMN ts timestamptz DEFAULT now()',
      ],
    },
  },
  'pg-column-type-change': {
    postgresql: {
      must: [
        'ALTER TABLE customers ALTER COLUMN score TYPE int',
        'ALTER TABLE customers ALTER COLUMN id TYPE bigint',
        'ALTER TABLE unknown_t ALTER COLUMN a TYPE text',
      ],
      mustNot: [
        'ALTER TABLE customers ALTER COLUMN name TYPE varchar(200)',
        'ALTER TABLE customers ALTER COLUMN name TYPE text',
      ],
    },
    mysql: {
      must: [],
      mustNot: ['ALTER TABLE customers MODIFY COLUMN score int'],
    },
  },
  'pg-constraint-without-not-valid': {
    postgresql: {
      must: [
        'ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (id)',
        'ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0)',
      ],
      mustNot: [
        'ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (id) NOT VALID',
        'ALTER TABLE t VALIDATE CONSTRAINT fk',
      ],
    },
  },
  'unsupported-statement': {
    postgresql: {
      must: [
        'BEGIN',
        'VACUUM t',
        'EXPLAIN SELECT 1',
        'SHOW work_mem',
        'LISTEN x',
      ],
      mustNot: ['SELECT id FROM t'],
    },
    mysql: { must: ['SHOW TABLES', 'USE shop'], mustNot: ['SELECT id FROM t'] },
  },
};

describe.each(Object.entries(RULE_CASES))('rule %s', (rule, cases) => {
  for (const [engine, c] of Object.entries(cases) as [
    SqlEngine,
    { must: string[]; mustNot: string[] },
  ][]) {
    if (c.must.length) {
      it.each(c.must)(`${engine}: triggers on %s`, async sql => {
        expect(await hits(engine, sql, inspector)).toContain(rule);
      });
    }
    it.each(c.mustNot)(`${engine}: does not trigger on %s`, async sql => {
      expect(await hits(engine, sql, inspector)).not.toContain(rule);
    });
  }
});

describe('what the review no longer misses (issue #13)', () => {
  it('a data-changing CTE is DML: WHERE rule, and a single-table one is backed up', async () => {
    const result = await reviewSql({
      engine: 'postgresql',
      sql: 'WITH d AS (DELETE FROM t WHERE id = 1 RETURNING id) SELECT id FROM d',
    });
    expect(result.statements[0].kind).toBe('delete');
  });

  it('a multi-table UPDATE/DELETE with a WHERE is parsed and judged, not refused wholesale', async () => {
    for (const [engine, sql] of [
      ['postgresql', 'DELETE FROM t USING u WHERE t.id = u.id AND u.gone'],
      ['mysql', 'DELETE a FROM a JOIN b ON a.id = b.id WHERE b.gone = 1'],
    ] as const) {
      const result = await reviewSql({ engine, sql });
      expect(result.errors).toBe(0);
      expect(result.findings.map(f => `${f.level}:${f.rule}`)).toEqual([
        'warning:dml-multi-table',
      ]);
    }
  });

  it('destructive DDL marks the change for the destructive approvers; ordinary DDL does not', async () => {
    expect(
      (await reviewSql({ engine: 'postgresql', sql: 'DROP TABLE t' }))
        .destructive,
    ).toBe(true);
    expect(
      (await reviewSql({ engine: 'mysql', sql: 'TRUNCATE TABLE t' }))
        .destructive,
    ).toBe(true);
    expect(
      (
        await reviewSql({
          engine: 'postgresql',
          sql: 'ALTER TABLE t ADD COLUMN c int',
        })
      ).destructive,
    ).toBe(false);
    expect(
      (
        await reviewSql({
          engine: 'postgresql',
          sql: 'DROP TABLE t',
          rules: { 'drop-or-truncate': { level: 'off' } },
        })
      ).destructive,
    ).toBe(false);
  });

  it('a statement opsdeck cannot parse is an error, never a pass', async () => {
    for (const engine of ['postgresql', 'mysql'] as const) {
      const result = await reviewSql({ engine, sql: 'SELEC id FROM t' });
      expect(result.findings.map(f => `${f.level}:${f.rule}`)).toEqual([
        'error:parse-error',
      ]);
    }
  });
});
