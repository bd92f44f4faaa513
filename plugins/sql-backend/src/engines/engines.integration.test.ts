import { scratchName, testServer } from '../__testUtils__/servers';
import type { SqlEngine } from '../parsing';
import { reviewSql } from '../review/reviewSql';
import { executeStatements, rollbackRuns } from '../workflow/executeChange';
import type { StatementRun } from '../model';
import { sqlDriver } from '.';
import type { SqlSession } from './types';

jest.setTimeout(60_000);

// Real PostgreSQL and MariaDB started by scripts/test.sh (scripts/services/*.sh).
describe.each<SqlEngine>(['postgresql', 'mysql'])(
  'on a real %s server',
  engine => {
    const driver = sqlDriver(engine);
    const server = testServer(engine);
    const database = scratchName('opsdeck_sql_it');
    let session: SqlSession;

    const snapshot = async () =>
      (await session.query('SELECT * FROM customers ORDER BY id')).rows;

    beforeAll(async () => {
      const admin = await driver.connect({ ...server, database: undefined });
      await admin.query(`CREATE DATABASE ${database}`);
      await admin.close();
      session = await driver.connect({ ...server, database });
      const money = 'numeric(12,2)';
      await session.query(
        `CREATE TABLE customers (id int PRIMARY KEY, name varchar(100), phone varchar(20), email varchar(100), balance ${money}, note text, seen timestamp NULL)`,
      );
      await session.query('CREATE TABLE nopk (a int, b int)');
      if (engine === 'postgresql') {
        await session.query('CREATE SEQUENCE opsdeck_seq');
        // the DBA's job: opsdeck only reads pg_stat_statements
        await session.query(
          'CREATE EXTENSION IF NOT EXISTS pg_stat_statements',
        );
      }
      for (let i = 1; i <= 40; i++) {
        await session.query(
          `INSERT INTO customers (id, name, phone, email, balance, note, seen) VALUES (${i}, 'name ''${i}''', '1380013${String(
            i,
          ).padStart(4, '0')}', 'user${i}@example.com', ${i}.25, ${
            i % 3 === 0 ? 'NULL' : `'it''s \\\\ note ${i}'`
          }, '2026-01-0${(i % 9) + 1} 10:11:12')`,
        );
      }
      await session.query(
        engine === 'postgresql'
          ? 'ANALYZE customers'
          : 'ANALYZE TABLE customers',
      );
    });

    afterAll(async () => {
      await session?.close();
      const admin = await driver.connect({ ...server, database: undefined });
      await admin.query(`DROP DATABASE IF EXISTS ${database}`);
      await admin.close();
    });

    it('reports its version', async () => {
      expect(await driver.version(session)).toMatch(
        engine === 'postgresql' ? /^PostgreSQL 1\d/ : /^MariaDB /,
      );
    });

    it('reviews with EXPLAIN estimates and the live table catalog', async () => {
      const inspector = {
        estimateRows: (sql: string) => driver.estimateRows(session, sql),
        tableInfo: (t: { schema?: string; name: string }) =>
          driver.tableInfo(session, t),
      };
      const narrowing =
        engine === 'postgresql'
          ? 'ALTER TABLE customers ALTER COLUMN name TYPE varchar(5)'
          : 'ALTER TABLE customers MODIFY COLUMN name varchar(5)';
      const dml = await reviewSql({
        engine,
        inspector,
        rules: { 'dml-max-rows': { options: { maxRows: 20 } } },
        sql: "UPDATE customers SET note = 'x' WHERE id > 0; DELETE FROM customers WHERE email = 'a'; DELETE FROM nopk WHERE a = 1",
      });
      const found = dml.findings.map(f => `${f.rule}:${f.statementIndex}`);
      // MySQL's EXPLAIN counts the full scan of the DELETE too; PostgreSQL uses statistics
      expect(found).toContain('dml-max-rows:0');
      expect(found.filter(f => !f.startsWith('dml-max-rows'))).toEqual([
        'dml-where-without-index:1',
        'rollback-needs-primary-key:2',
        'dml-where-without-index:2',
      ]);
      expect(dml.statements[0].estimatedRows).toBeGreaterThan(20);
      const ddl = await reviewSql({
        engine,
        inspector,
        sql: `${narrowing}; ALTER TABLE customers ADD COLUMN flag int NOT NULL`,
      });
      expect(ddl.findings.map(f => `${f.rule}:${f.statementIndex}`)).toEqual(
        engine === 'postgresql'
          ? [
              'alter-type-narrowing:0',
              'pg-column-type-change:0',
              'alter-not-null-without-default:1',
            ]
          : ['alter-type-narrowing:0', 'alter-not-null-without-default:1'],
      );
    });

    it('backs up, executes statement by statement, and rolls back to the exact previous rows', async () => {
      const before = await snapshot();
      const review = await reviewSql({
        engine,
        mode: await driver.lexicalMode(session),
        sql: "UPDATE customers SET phone = NULL, balance = 0, note = 'changed', seen = NULL WHERE id <= 5;\nDELETE FROM customers WHERE id > 30",
      });
      expect(review.errors).toBe(0);
      const runs: StatementRun[] = [];
      const outcome = await executeStatements({
        driver,
        session,
        engine,
        statements: review.statements,
        mode: review.mode,
        onRun: async run => {
          runs.push(run);
        },
      });
      expect(outcome).toEqual({ ok: true });
      expect(runs.map(r => [r.index, r.status, r.affectedRows])).toEqual([
        [0, 'done', 5],
        [1, 'done', 10],
      ]);
      expect(runs[0].backup!.rows).toHaveLength(5);
      expect(runs[1].backup!.rows).toHaveLength(10);
      expect(runs[0].rollbackSql).toContain("'name ''1'''");
      const after = await snapshot();
      expect(after).toHaveLength(30);
      expect(after[0][2]).toBeNull();
      expect(after).not.toEqual(before);

      const restored = await rollbackRuns({ driver, session, runs });
      expect(restored).toBe(15);
      expect(await snapshot()).toEqual(before);
    });

    it('stops at the first failing statement and records it', async () => {
      const review = await reviewSql({
        engine,
        mode: await driver.lexicalMode(session),
        sql: "UPDATE customers SET name = 'n' WHERE id = 1; INSERT INTO customers (id) VALUES (1); UPDATE customers SET name = 'm' WHERE id = 2",
      });
      const runs: StatementRun[] = [];
      const outcome = await executeStatements({
        driver,
        session,
        engine,
        statements: review.statements,
        mode: review.mode,
        onRun: async run => {
          runs.push(run);
        },
      });
      expect(outcome.ok).toBe(false);
      expect(outcome.error).toMatch(/^Statement #2 failed: /);
      expect(runs.map(r => r.status)).toEqual(['done', 'failed']);
      await rollbackRuns({ driver, session, runs });
      expect(
        (await session.query('SELECT name FROM customers WHERE id = 1')).rows,
      ).toEqual([["name '1'"]]);
    });

    it('console queries run read-only: a write inside them fails', async () => {
      // PostgreSQL cursors take only queries, so the write hides in a function call
      const write =
        engine === 'postgresql'
          ? "SELECT nextval('opsdeck_seq')"
          : "UPDATE customers SET name = 'hacked' WHERE id = 1";
      await expect(
        driver.readOnlyQuery(session, write, {
          maxRows: 10,
          timeoutMs: 5000,
        }),
      ).rejects.toThrow(/read.only/i);
      expect(
        (await session.query('SELECT name FROM customers WHERE id = 1')).rows,
      ).toEqual([["name '1'"]]);
    });

    it('console queries stop at the row limit', async () => {
      const result = await driver.readOnlyQuery(
        session,
        'SELECT id, email FROM customers ORDER BY id',
        {
          maxRows: 3,
          timeoutMs: 5000,
        },
      );
      expect(result.columns).toEqual(['id', 'email']);
      expect(result.rows).toEqual([
        ['1', 'user1@example.com'],
        ['2', 'user2@example.com'],
        ['3', 'user3@example.com'],
      ]);
      expect(result.truncated).toBe(true);
      // the limit does not stay on the connection
      expect(
        (await session.query('SELECT id FROM customers')).rows,
      ).toHaveLength(40);
    });

    it('console queries time out', async () => {
      const sleep =
        engine === 'postgresql' ? 'SELECT pg_sleep(3)' : 'SELECT SLEEP(3)';
      const started = Date.now();
      const outcome = await driver
        .readOnlyQuery(session, sleep, { maxRows: 1, timeoutMs: 300 })
        .then(
          r => r.rows,
          e => (e as Error).message,
        );
      expect(outcome).toMatch(
        engine === 'postgresql'
          ? /statement timeout/
          : /max_statement_time exceeded/,
      );
      expect(Date.now() - started).toBeLessThan(2900);
    });

    it('reports slow queries from pg_stat_statements / the slow log', async () => {
      for (let i = 0; i < 3; i++) {
        await session.query(
          `SELECT count(*) FROM customers WHERE balance > ${i}`,
        );
      }
      const slow = await driver.slowQueries(session, 50);
      const entry = slow.find(s =>
        /FROM customers WHERE balance > (\$1|\?)/.test(s.statement),
      );
      expect(entry).toBeDefined();
      expect(entry!.calls).toBeGreaterThanOrEqual(3);
      expect(entry!.totalMs).toBeGreaterThan(0);
    });
  },
);
