import type { SqlEngine } from '../parsing';
import { reviewSql } from './reviewSql';
import type { ReviewInspector, TableInfo } from './inspector';

const ENGINES: SqlEngine[] = ['postgresql', 'mysql'];

async function rules(
  engine: SqlEngine,
  sql: string,
  extra: Parameters<typeof reviewSql>[0]['rules'] = {},
) {
  const result = await reviewSql({ engine, sql, rules: extra });
  return result.findings.map(f => `${f.level}:${f.rule}:${f.statementIndex}`);
}

/** A fixed table description, standing in for the instance catalog in unit tests. */
function inspectorFor(
  tables: Record<string, TableInfo>,
  rows = 10,
): ReviewInspector {
  return {
    estimateRows: async () => rows,
    tableInfo: async t => tables[t.name],
  };
}

const customers: TableInfo = {
  columns: [
    { name: 'id', dataType: 'integer', nullable: false },
    { name: 'name', dataType: 'varchar', length: 100, nullable: true },
    { name: 'region', dataType: 'varchar', length: 10, nullable: true },
    { name: 'score', dataType: 'bigint', nullable: true },
  ],
  primaryKey: ['id'],
  indexLeadingColumns: ['id'],
  estimatedRows: 5000,
};

describe.each(ENGINES)('reviewSql (%s)', engine => {
  it('accepts a clean change', async () => {
    expect(
      await rules(engine, "UPDATE customers SET name = 'x' WHERE id = 7"),
    ).toEqual([]);
  });

  it('parse-error names the statement', async () => {
    const result = await reviewSql({
      engine,
      sql: 'UPDATE SET WHERE;\nSELECT 1',
    });
    expect(result.findings).toEqual([
      expect.objectContaining({
        rule: 'parse-error',
        level: 'error',
        statementIndex: 0,
      }),
    ]);
    expect(result.findings[0].message).toContain(engine);
  });

  it('unsupported-statement: transaction control is refused', async () => {
    expect(await rules(engine, 'BEGIN')).toEqual([
      'error:unsupported-statement:0',
    ]);
  });

  it('dml-without-where for UPDATE and DELETE', async () => {
    expect(
      await rules(
        engine,
        "UPDATE customers SET name = 'x'; DELETE FROM customers",
      ),
    ).toEqual(['error:dml-without-where:0', 'error:dml-without-where:1']);
  });

  it('dml-multi-table for joined updates: judged, and a warning (no backup)', async () => {
    const sql =
      engine === 'mysql'
        ? 'UPDATE customers c JOIN orders o ON o.customer_id = c.id SET c.name = o.name WHERE o.id = 1'
        : 'UPDATE customers SET name = o.name FROM orders o WHERE o.customer_id = customers.id';
    expect(await rules(engine, sql)).toEqual(['warning:dml-multi-table:0']);
  });

  it('create-table-without-primary-key, with column or table constraint accepted', async () => {
    expect(
      await rules(engine, 'CREATE TABLE a (id int, name varchar(10))'),
    ).toEqual(['error:create-table-without-primary-key:0']);
    expect(await rules(engine, 'CREATE TABLE a (id int PRIMARY KEY)')).toEqual(
      [],
    );
    expect(
      await rules(
        engine,
        'CREATE TABLE a (id int, b int, PRIMARY KEY (id, b))',
      ),
    ).toEqual([]);
  });

  it('column-without-comment when the instance requires it', async () => {
    const on = { 'column-without-comment': { level: 'warning' as const } };
    const script =
      engine === 'mysql'
        ? "CREATE TABLE a (id int PRIMARY KEY COMMENT 'key', b int)"
        : "CREATE TABLE a (id int PRIMARY KEY, b int); COMMENT ON COLUMN a.id IS 'key'";
    expect(await rules(engine, script, on)).toEqual([
      'warning:column-without-comment:0',
    ]);
    // off by default
    expect(
      await rules(engine, 'CREATE TABLE a (id int PRIMARY KEY, b int)'),
    ).toEqual([]);
  });

  it('select-star in changes, also inside INSERT ... SELECT', async () => {
    expect(await rules(engine, 'SELECT * FROM customers')).toEqual([
      'warning:select-star:0',
    ]);
    expect(
      await rules(
        engine,
        'INSERT INTO archive (id, name) SELECT * FROM customers WHERE id = 1',
      ),
    ).toEqual(['warning:select-star:0']);
  });

  it('insert-without-columns', async () => {
    expect(
      await rules(engine, "INSERT INTO customers VALUES (1, 'x')"),
    ).toEqual(['warning:insert-without-columns:0']);
  });

  it('drop-or-truncate', async () => {
    expect(
      await rules(engine, 'DROP TABLE customers; TRUNCATE TABLE orders'),
    ).toEqual(['warning:drop-or-truncate:0', 'warning:drop-or-truncate:1']);
  });

  it('reserved-word-name for tables and columns', async () => {
    const q = engine === 'mysql' ? '`' : '"';
    expect(
      await rules(
        engine,
        `CREATE TABLE ${q}order${q} (id int PRIMARY KEY, ${q}desc${q} varchar(10))`,
      ),
    ).toEqual(['warning:reserved-word-name:0', 'warning:reserved-word-name:0']);
  });

  it('mixed-ddl-dml is reported for the script', async () => {
    expect(
      await rules(
        engine,
        "CREATE TABLE a (id int PRIMARY KEY); UPDATE customers SET name = 'x' WHERE id = 1",
      ),
    ).toEqual(['error:mixed-ddl-dml:null']);
  });

  it('levels can be changed or turned off per instance', async () => {
    expect(
      await rules(engine, 'DROP TABLE customers', {
        'drop-or-truncate': { level: 'error' },
      }),
    ).toEqual(['error:drop-or-truncate:0']);
    expect(
      await rules(engine, 'DROP TABLE customers', {
        'drop-or-truncate': { level: 'off' },
      }),
    ).toEqual([]);
  });

  describe('rules that ask the instance', () => {
    async function withInstance(sql: string, rows = 10, extra = {}) {
      const result = await reviewSql({
        engine,
        sql,
        rules: extra,
        inspector: inspectorFor(
          { customers, logs: { ...customers, primaryKey: [] } },
          rows,
        ),
      });
      return result.findings.map(
        f => `${f.level}:${f.rule}:${f.statementIndex}`,
      );
    }

    it('dml-max-rows uses the estimate and the per-instance limit', async () => {
      expect(
        await withInstance(
          "UPDATE customers SET name = 'x' WHERE id > 3",
          5000,
        ),
      ).toEqual(['warning:dml-max-rows:0']);
      expect(
        await withInstance("UPDATE customers SET name = 'x' WHERE id > 3", 50, {
          'dml-max-rows': { options: { maxRows: 10 } },
        }),
      ).toEqual(['warning:dml-max-rows:0']);
    });

    it('dml-where-without-index when no WHERE column leads an index', async () => {
      expect(
        await withInstance("DELETE FROM customers WHERE region = 'eu'"),
      ).toEqual(['warning:dml-where-without-index:0']);
    });

    it('rollback-needs-primary-key', async () => {
      expect(await withInstance('DELETE FROM logs WHERE id = 1')).toEqual([
        'error:rollback-needs-primary-key:0',
      ]);
    });

    it('alter-type-narrowing for shorter strings and smaller integers', async () => {
      const sql =
        engine === 'mysql'
          ? 'ALTER TABLE customers MODIFY COLUMN name varchar(20); ALTER TABLE customers MODIFY COLUMN score int; ALTER TABLE customers MODIFY COLUMN region varchar(50)'
          : 'ALTER TABLE customers ALTER COLUMN name TYPE varchar(20); ALTER TABLE customers ALTER COLUMN score TYPE int; ALTER TABLE customers ALTER COLUMN region TYPE varchar(50)';
      expect(await withInstance(sql)).toEqual(
        engine === 'mysql'
          ? ['error:alter-type-narrowing:0', 'error:alter-type-narrowing:1']
          : [
              'error:alter-type-narrowing:0',
              'warning:pg-column-type-change:0',
              'error:alter-type-narrowing:1',
              'warning:pg-column-type-change:1',
            ],
      );
    });

    it('alter-not-null-without-default on a table with rows', async () => {
      expect(
        await withInstance(
          'ALTER TABLE customers ADD COLUMN flag int NOT NULL; ALTER TABLE customers ADD COLUMN flag2 int NOT NULL DEFAULT 0',
        ),
      ).toEqual(['error:alter-not-null-without-default:0']);
    });
  });
});
