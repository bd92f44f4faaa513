import { parseScript, type SqlEngine } from '../parsing';
import { derivedMasks, maskedFilterColumns, queryModel } from './lineage';
import { DEFAULT_MASKING_RULES, Masker } from './masking';

const masker = new Masker(DEFAULT_MASKING_RULES);
/** The columns of the test tables, as the instance's catalog would say. */
const TABLES: Record<string, string[]> = {
  customers: ['id', 'name', 'phone', 'email'],
  orders: ['id', 'customer_id', 'total'],
};
const tableColumns = async (t: string) => TABLES[t];

async function model(engine: SqlEngine, sql: string) {
  const [statement] = await parseScript(engine, sql);
  expect(statement.error).toBeUndefined();
  return queryModel(engine, statement);
}

/** For each result column: the masking rule lineage applies, or '-'. */
async function masks(engine: SqlEngine, sql: string, fields: string[]) {
  const rules = await derivedMasks(
    await model(engine, sql),
    fields,
    masker,
    tableColumns,
  );
  return rules.map(r => r?.name ?? '-');
}

async function filters(engine: SqlEngine, sql: string) {
  return maskedFilterColumns(await model(engine, sql), masker, tableColumns);
}

describe.each<SqlEngine>(['postgresql', 'mysql'])(
  'data lineage (%s)',
  engine => {
    it('masks columns computed from masked columns, whatever their name', async () => {
      expect(
        await masks(
          engine,
          "SELECT id, concat(substr(phone, 1, 3), '****') AS p, replace(email, '@', ' at ') AS e, upper(name) AS n FROM customers",
          ['id', 'p', 'e', 'n'],
        ),
      ).toEqual(['-', 'phone', 'email', '-']);
    });

    it('follows aliases through sub-queries, CTEs and set operations', async () => {
      expect(
        await masks(
          engine,
          'SELECT x FROM (SELECT phone AS x FROM customers) s',
          ['x'],
        ),
      ).toEqual(['phone']);
      expect(
        await masks(
          engine,
          'WITH c AS (SELECT email AS m, id FROM customers) SELECT id, m FROM c',
          ['id', 'm'],
        ),
      ).toEqual(['-', 'email']);
      expect(
        await masks(
          engine,
          'SELECT name AS v FROM customers UNION SELECT phone FROM customers',
          ['v'],
        ),
      ).toEqual(['phone']);
      expect(
        await masks(
          engine,
          'SELECT (SELECT max(phone) FROM customers) AS top',
          ['top'],
        ),
      ).toEqual(['phone']);
    });

    it('lines up * with the table’s own columns', async () => {
      expect(
        await masks(engine, 'SELECT *, length(phone) AS l FROM customers', [
          'id',
          'name',
          'phone',
          'email',
          'l',
        ]),
      ).toEqual(['-', '-', 'phone', 'email', 'phone']);
      expect(
        await masks(
          engine,
          'SELECT c.*, o.* , email AS m FROM customers c JOIN orders o ON o.customer_id = c.id',
          ['id', 'name', 'phone', 'email', 'id', 'customer_id', 'total', 'm'],
        ),
      ).toEqual(['-', '-', 'phone', 'email', '-', '-', '-', 'email']);
    });

    it('finds filtering, joining, grouping and sorting on masked columns', async () => {
      expect(
        await filters(
          engine,
          "SELECT id FROM customers WHERE phone LIKE '138%'",
        ),
      ).toEqual(['phone']);
      expect(
        await filters(engine, 'SELECT id FROM customers ORDER BY email'),
      ).toEqual(['email']);
      expect(
        await filters(engine, 'SELECT count(*) FROM customers GROUP BY phone'),
      ).toEqual(['phone']);
      expect(
        await filters(
          engine,
          'SELECT o.id FROM orders o JOIN customers c ON c.phone = o.total',
        ),
      ).toEqual(['phone']);
      expect(
        await filters(
          engine,
          "SELECT id FROM orders WHERE customer_id IN (SELECT id FROM customers WHERE email = 'a@b.cn')",
        ),
      ).toEqual(['email']);
      expect(
        await filters(
          engine,
          "SELECT p FROM (SELECT phone AS p FROM customers) s WHERE p = '1'",
        ),
      ).toEqual(['phone']);
      expect(
        await filters(
          engine,
          'SELECT row_number() OVER (ORDER BY phone) AS r FROM customers',
        ),
      ).toEqual(['phone']);
      // reading masked columns (masked) is not filtering on them
      expect(
        await filters(
          engine,
          'SELECT phone, email FROM customers WHERE id = 1 ORDER BY name',
        ),
      ).toEqual([]);
    });
  },
);

describe('data lineage (PostgreSQL whole rows)', () => {
  it('masks a whole row of a table with masked columns, and looks the columns up', async () => {
    expect(
      await masks('postgresql', 'SELECT row_to_json(c) AS j FROM customers c', [
        'j',
      ]),
    ).toEqual(['phone']);
    expect(
      await masks('postgresql', 'SELECT to_jsonb(o.*) AS j FROM orders o', [
        'j',
      ]),
    ).toEqual(['-']);
    // a table whose columns cannot be read: masked, to be safe
    expect(
      await masks(
        'postgresql',
        'SELECT row_to_json(x) AS j FROM unknown_table x',
        ['j'],
      ),
    ).toEqual(['derived']);
    expect(
      await filters(
        'postgresql',
        "SELECT id FROM customers c WHERE c::text LIKE '%138%'",
      ),
    ).toEqual(['customers.phone', 'customers.email']);
  });
});
