import request from 'supertest';
import { sqlDriver } from '../engines';
import type { SqlSession } from '../engines/types';
import type { SqlEngine } from '../parsing';
import { parseMysqlScript } from '../parsing/mysqlParser';
import { reviewSql } from '../review/reviewSql';
import { executeStatements } from '../workflow/executeChange';
import { instanceEntity, testSecret } from '../__testUtils__/instanceEntity';
import { createReadLogin, type ReadLogin } from '../__testUtils__/readLogins';
import { scratchName, testServer } from '../__testUtils__/servers';
import { as, startSqlBackend } from '../__testUtils__/testBackend';

jest.setTimeout(180_000);

/**
 * Statement smuggling (issue #13): every shape goes through review, change
 * execution and the console on the real PostgreSQL and MariaDB, and the
 * victim table shows that nothing ran.
 */
const ENGINES: SqlEngine[] = ['postgresql', 'mysql'];
const NAMES = { postgresql: 'pay-db', mysql: 'shop-db' } as const;
const servers = {
  postgresql: testServer('postgresql'),
  mysql: testServer('mysql'),
};
const database = scratchName('opsdeck_smuggle');
const sessions = {} as Record<SqlEngine, SqlSession>;
const reads = {} as Record<SqlEngine, ReadLogin>;
let backend: Awaited<ReturnType<typeof startSqlBackend>>;

async function rows(engine: SqlEngine, sql: string) {
  return (await sessions[engine].query(sql)).rows;
}

/** The victim table still has its three rows and the canary is empty. */
async function intact(engine: SqlEngine) {
  expect(await rows(engine, 'SELECT id, v FROM victim ORDER BY id')).toEqual([
    ['1', 'v1'],
    ['2', 'v2'],
    ['3', 'v3'],
  ]);
  expect(await rows(engine, 'SELECT count(*) FROM canary')).toEqual([['0']]);
}

beforeAll(async () => {
  for (const engine of ENGINES) {
    const driver = sqlDriver(engine);
    const admin = await driver.connect({
      ...servers[engine],
      database: undefined,
    });
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.close();
    const s = await driver.connect({ ...servers[engine], database });
    sessions[engine] = s;
    await s.query('CREATE TABLE t (id int PRIMARY KEY, a varchar(200))');
    await s.query("INSERT INTO t (id, a) VALUES (1, 'one'), (2, 'two')");
    await s.query('CREATE TABLE victim (id int PRIMARY KEY, v varchar(20))');
    await s.query(
      "INSERT INTO victim (id, v) VALUES (1, 'v1'), (2, 'v2'), (3, 'v3')",
    );
    await s.query('CREATE TABLE canary (id int PRIMARY KEY)');
    reads[engine] = await createReadLogin(engine, servers[engine], database);
  }
  const credentials = (engine: SqlEngine) => ({
    credentials: {
      admin: `${engine}-admin`,
      change: `${engine}-admin`,
      read: `${engine}-read`,
    },
  });
  const secrets = testSecret(servers.postgresql, undefined, {
    'postgresql-admin': {
      username: servers.postgresql.user,
      password: servers.postgresql.password!,
    },
    'postgresql-read': {
      username: reads.postgresql.user,
      password: reads.postgresql.password,
    },
    'mysql-admin': {
      username: servers.mysql.user,
      password: servers.mysql.password!,
    },
    'mysql-read': {
      username: reads.mysql.user,
      password: reads.mysql.password,
    },
  });
  backend = await startSqlBackend({
    entities: ENGINES.map(e =>
      instanceEntity(NAMES[e], e, servers[e], database, {}, credentials(e)),
    ),
    getSecret: secrets,
  });
});

afterAll(async () => {
  await backend?.stop();
  for (const engine of ENGINES) {
    await sessions[engine]?.close();
    await reads[engine]?.drop().catch(() => undefined);
    const driver = sqlDriver(engine);
    const admin = await driver.connect({
      ...servers[engine],
      database: undefined,
    });
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.close();
  }
});

const ref = (engine: SqlEngine) => `resource:default/${NAMES[engine]}`;
const query = (engine: SqlEngine, sql: string, who = 'frank') =>
  request(backend.app)
    .post('/api/sql/query')
    .set('Authorization', as(who))
    .send({ instanceRef: ref(engine), sql });
const review = (engine: SqlEngine, sql: string) =>
  request(backend.app)
    .post('/api/sql/review')
    .set('Authorization', as('frank'))
    .send({ instanceRef: ref(engine), sql });
const submit = (engine: SqlEngine, sql: string) =>
  request(backend.app)
    .post('/api/sql/changes')
    .set('Authorization', as('frank'))
    .send({ instanceRef: ref(engine), sql, title: 'smuggle', reason: 'test' });

describe('the issue’s smuggling, on the real servers', () => {
  const smuggled =
    "UPDATE t SET a='x\\' WHERE id=1; DROP TABLE victim; --' WHERE id=2";

  it('PostgreSQL review shows the second statement, the change is refused and nothing runs', async () => {
    const r = await review('postgresql', smuggled);
    expect(r.status).toBe(200);
    expect(r.body.statements.map((s: any) => s.sql)).toEqual([
      "UPDATE t SET a='x\\' WHERE id=1",
      'DROP TABLE victim',
    ]);
    expect(r.body.errors).toBeGreaterThan(0);
    const s = await submit('postgresql', smuggled);
    expect(s.status).toBe(400);
    await intact('postgresql');
    expect(await rows('postgresql', 'SELECT id, a FROM t ORDER BY id')).toEqual(
      [
        ['1', 'one'],
        ['2', 'two'],
      ],
    );
    const refusals = backend.audits.filter(
      a => a.eventId === 'sql-statement-refused',
    );
    expect(refusals.at(-1)!.meta).toMatchObject({
      instanceRef: ref('postgresql'),
      userRef: 'user:default/frank',
      statement: smuggled,
    });
  });

  it('MariaDB reads it as one UPDATE of a string; executed, only that row changes', async () => {
    const r = await review('mysql', smuggled);
    expect(r.body.statements).toHaveLength(1);
    const s = await submit('mysql', smuggled);
    expect(s.status).toBe(201);
    const id = s.body.id;
    expect(
      (
        await request(backend.app)
          .post(`/api/sql/changes/${id}/decision`)
          .set('Authorization', as('carol'))
          .send({ decision: 'approved' })
      ).status,
    ).toBe(200);
    const done = await request(backend.app)
      .post(`/api/sql/changes/${id}/execute`)
      .set('Authorization', as('carol'))
      .send({});
    expect(done.body.status).toBe('finished');
    expect(await rows('mysql', 'SELECT id, a FROM t ORDER BY id')).toEqual([
      ['1', 'one'],
      ['2', "x' WHERE id=1; DROP TABLE victim; --"],
    ]);
    await intact('mysql');
  });

  it('the console’s COMMIT trick is refused on PostgreSQL and a plain string on MariaDB', async () => {
    const trick = "SELECT 'a\\'; COMMIT; DELETE FROM victim; --'";
    const pg = await query('postgresql', trick);
    expect(pg.status).toBe(400);
    expect(pg.body.error.message).toMatch(/one-statement/);
    const my = await query('mysql', trick);
    expect(my.status).toBe(200);
    expect(my.body.rows).toEqual([["a'; COMMIT; DELETE FROM victim; --"]]);
    await intact('postgresql');
    await intact('mysql');
  });
});

describe.each(ENGINES)('more smuggling shapes on %s', engine => {
  const shapes: Record<
    SqlEngine,
    { sql: string; console: 'refused' | string[][] }[]
  > = {
    postgresql: [
      { sql: 'SELECT 1; DELETE FROM victim', console: 'refused' },
      {
        sql: 'SELECT $a$ ; DELETE FROM victim; $a$',
        console: [[' ; DELETE FROM victim; ']],
      },
      {
        sql: 'SELECT $$x$$; INSERT INTO canary VALUES (1); --$$',
        console: 'refused',
      },
      {
        sql: "SELECT E'\\'; DELETE FROM victim; --'",
        console: [["'; DELETE FROM victim; --"]],
      },
      { sql: "SELECT 'x' /* /* */ ; DELETE FROM victim; */", console: [['x']] },
      { sql: 'SELECT 1 /* /* */ ; DELETE FROM victim; --', console: 'refused' },
      {
        sql: 'SELECT a$b$ FROM t; DELETE FROM victim; SELECT 1 AS x$b$',
        console: 'refused',
      },
      {
        sql: 'WITH d AS (DELETE FROM victim RETURNING id) SELECT id FROM d',
        console: 'refused',
      },
      { sql: 'SELECT 1 FROM victim FOR UPDATE', console: 'refused' },
    ],
    mysql: [
      { sql: 'SELECT 1; DELETE FROM victim', console: 'refused' },
      {
        sql: 'SELECT "a\\"; DELETE FROM victim; -- "',
        console: [['a"; DELETE FROM victim; -- ']],
      },
      {
        sql: 'SELECT `a\\` FROM t; DELETE FROM victim; -- `',
        console: 'refused',
      },
      { sql: 'SELECT 1 /*!50000 ; DELETE FROM victim */', console: 'refused' },
      { sql: 'SELECT 1 --x; DELETE FROM victim', console: 'refused' },
      { sql: 'SELECT 1 # ; DELETE FROM victim', console: [['1']] },
      {
        sql: 'SELECT 1 /*!50000 ; INSERT INTO canary VALUES (1) */',
        console: 'refused',
      },
      {
        sql: "SELECT id FROM victim INTO OUTFILE '/tmp/opsdeck-smuggle'",
        console: 'refused',
      },
      { sql: 'SELECT id FROM victim FOR UPDATE', console: 'refused' },
    ],
  };

  it.each(shapes[engine])(
    '$sql: review runs nothing, the console refuses or reads',
    async ({ sql, console: expected }) => {
      const r = await review(engine, sql);
      expect(r.status).toBe(200);
      const c = await query(engine, sql);
      const outcome =
        c.status === 400
          ? /^Refused by [a-z-]+: /.test(c.body.error.message) && 'refused'
          : c.body.rows;
      expect({ status: c.status, outcome }).toEqual({
        status: expected === 'refused' ? 400 : 200,
        outcome: expected,
      });
      await intact(engine);
    },
  );

  it('the server itself refuses a second statement in one call', async () => {
    const driver = sqlDriver(engine);
    const s = await driver.connect({ ...servers[engine], database });
    try {
      await expect(s.query('SELECT 1; DELETE FROM victim')).rejects.toThrow();
      await expect(
        s.query("SELECT 'x'; INSERT INTO canary VALUES (1)"),
      ).rejects.toThrow();
    } finally {
      await s.close();
    }
    await intact(engine);
  });

  it('execution refuses a statement that is not the one reviewed (tampered record)', async () => {
    const driver = sqlDriver(engine);
    const s = await driver.connect({ ...servers[engine], database });
    try {
      const reviewed = await reviewSql({
        engine,
        sql: "UPDATE t SET a = 'one' WHERE id = 1",
        mode: await driver.lexicalMode(s),
      });
      const tampered = [
        {
          ...reviewed.statements[0],
          sql: "UPDATE t SET a = 'one' WHERE id = 1; DELETE FROM victim",
        },
      ];
      const runs: any[] = [];
      const outcome = await executeStatements({
        driver,
        session: s,
        engine,
        statements: tampered,
        mode: reviewed.mode,
        onRun: async run => {
          runs.push(run);
        },
      });
      expect(outcome.ok).toBe(false);
      expect(runs[0].error).toMatch(
        /does not parse as the one statement that was reviewed/,
      );
    } finally {
      await s.close();
    }
    await intact(engine);
  });
});

describe('MariaDB sql_mode: a change reviewed in one mode does not run in another', () => {
  it('ANSI_QUOTES turns a string into an identifier: execution refuses the session', async () => {
    const driver = sqlDriver('mysql');
    const s = await driver.connect({ ...servers.mysql, database });
    try {
      const sql = 'UPDATE t SET a = "one" WHERE id = 1';
      const reviewed = await reviewSql({
        engine: 'mysql',
        sql,
        mode: await driver.lexicalMode(s),
      });
      expect(reviewed.errors).toBe(0);
      await s.query(
        "SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',ANSI_QUOTES')",
      );
      const outcome = await executeStatements({
        driver,
        session: s,
        engine: 'mysql',
        statements: reviewed.statements,
        mode: reviewed.mode,
        onRun: async () => undefined,
      });
      expect(outcome.ok).toBe(false);
      expect(outcome.error).toMatch(/reads SQL differently/);
    } finally {
      await s.close();
    }
    expect(await rows('mysql', 'SELECT a FROM t WHERE id = 1')).toEqual([
      ['one'],
    ]);
  });

  it('what the lexer reads in each mode is what the server runs (result columns)', async () => {
    const driver = sqlDriver('mysql');
    const s = await driver.connect({ ...servers.mysql, database });
    const probes = [
      'SELECT 1 /*!50000 , 2 */',
      'SELECT 1 /*!80000 , 2 */',
      'SELECT 1 /*!99999 , 2 */',
      'SELECT 1 /*!100000 , 2 */',
      'SELECT 1 /*!999999 , 2 */',
      'SELECT 1 /*M!100000 , 2 */',
      'SELECT 1 /*M!50700 , 2 */',
      'SELECT 1 /*! , 2 */',
      'SELECT 1 /*+ , 2 */',
      'SELECT 1 /*!50000 , 2 # */ , 3 \n */',
      'SELECT 1 /*!50000 , 2 -- x */ , 3 \n */',
      'SELECT 1--1',
      "SELECT \"a\", 'b\\'c' FROM (SELECT 1 AS a) x",
      'SELECT "a\\"b" , 2',
    ];
    try {
      for (const ansi of [false, true]) {
        await s.query(`SET SESSION sql_mode = '${ansi ? 'ANSI_QUOTES' : ''}'`);
        const mode = (await driver.lexicalMode(s))!;
        for (const probe of probes) {
          const server = await s.query(probe).then(
            r => r.columns.length,
            () => 'error',
          );
          const [parsed] = parseMysqlScript(probe, mode);
          const ours = parsed.ast
            ? (parsed.ast.columns as any[]).length
            : 'error';
          expect({ probe, ansi, columns: ours }).toEqual({
            probe,
            ansi,
            columns: server,
          });
        }
      }
    } finally {
      await s.close();
    }
  });
});
