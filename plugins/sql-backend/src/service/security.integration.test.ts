import request from 'supertest';
import { sqlDriver } from '../engines';
import type { SqlSession } from '../engines/types';
import { instanceEntity, testSecret } from '../__testUtils__/instanceEntity';
import { createReadLogin, type ReadLogin } from '../__testUtils__/readLogins';
import { scratchName, testServer } from '../__testUtils__/servers';
import { as, startSqlBackend } from '../__testUtils__/testBackend';

jest.setTimeout(180_000);

/**
 * Issue #13 through the HTTP API on the real PostgreSQL, as the demo roles:
 * masking wherever row data leaves the database, the review permission,
 * production confirmations, the read credential's privileges and the
 * admin's exception, audit events, and a slow-query refresh that only reads.
 */
const server = testServer('postgresql');
const driver = sqlDriver('postgresql');
const database = scratchName('opsdeck_sec');
const bare = scratchName('opsdeck_sec_bare');
let session: SqlSession;
let read: ReadLogin;
let backend: Awaited<ReturnType<typeof startSqlBackend>>;
let secrets: ReturnType<typeof testSecret>;

const CUSTOMERS = [
  ['1', 'Ann', '13800138001', 'ann@example.com'],
  ['2', 'Bo', '13800138002', 'bo@example.com'],
];
const customers = async () =>
  (
    await session.query(
      'SELECT id, name, phone, email FROM customers ORDER BY id',
    )
  ).rows;

beforeAll(async () => {
  const admin = await driver.connect({ ...server, database: undefined });
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.query(`CREATE DATABASE ${bare}`);
  await admin.close();
  session = await driver.connect({ ...server, database });
  await session.query(
    'CREATE TABLE customers (id int PRIMARY KEY, name text, phone text, email text)',
  );
  for (const row of CUSTOMERS) {
    await session.query('INSERT INTO customers VALUES ($1, $2, $3, $4)', row);
  }
  read = await createReadLogin('postgresql', server, database);
  secrets = testSecret(server, read);
  const pg = (name: string, extra: Record<string, unknown> = {}) =>
    instanceEntity(name, 'postgresql', server, database, {}, extra);
  backend = await startSqlBackend({
    entities: [
      pg('pay-db'),
      pg('prod-db', { environment: 'prod' }),
      // its "read" credential is the superuser: the console and review refuse it
      pg('admin-read-db', {
        credentials: { admin: 'test-db', change: 'test-db', read: 'test-db' },
      }),
      instanceEntity('bare-db', 'postgresql', server, bare, {}, {}),
    ],
    getSecret: secrets,
  });
});

afterAll(async () => {
  await backend?.stop();
  await session?.close();
  await read?.drop().catch(() => undefined);
  const admin = await driver.connect({ ...server, database: undefined });
  await admin.query(`DROP DATABASE IF EXISTS ${database}`);
  await admin.query(`DROP DATABASE IF EXISTS ${bare}`);
  await admin.close();
});

const api = (
  method: 'get' | 'post' | 'put' | 'delete',
  path: string,
  who: string,
  body?: object,
) => {
  const r = request(backend.app)
    [method](`/api/sql${path}`)
    .set('Authorization', as(who));
  return body ? r.send(body) : r;
};
const query = (sql: string, who = 'frank', instance = 'pay-db') =>
  api('post', '/query', who, {
    instanceRef: `resource:default/${instance}`,
    sql,
  });

async function approvedChange(sql: string, instance = 'pay-db') {
  const s = await api('post', '/changes', 'frank', {
    instanceRef: `resource:default/${instance}`,
    title: sql.slice(0, 40),
    sql,
    reason: 'test',
  });
  expect(s.status).toBe(201);
  for (const who of ['carol', 'alice'].slice(0, s.body.approverGroups.length)) {
    const d = await api('post', `/changes/${s.body.id}/decision`, who, {
      decision: 'approved',
    });
    expect(d.status).toBe(200);
  }
  return s.body.id as string;
}

describe('masking holds wherever row data leaves the database', () => {
  it('console: expressions over masked columns are masked (lineage), for a dev', async () => {
    const r = await query(
      "SELECT id, concat(substr(phone, 1, 3), '-', right(phone, 4)) AS p, replace(email, '@', ' at ') AS e FROM customers ORDER BY id",
    );
    expect(r.status).toBe(200);
    expect(r.body.maskedColumns.sort()).toEqual(['e', 'p']);
    const text = JSON.stringify(r.body.rows);
    expect(text).not.toMatch(/138-8001|ann at example/);
    expect(r.body.rows[0][0]).toBe('1');
    const csv = await api('post', '/query/export', 'frank', {
      instanceRef: 'resource:default/pay-db',
      sql: 'SELECT x.p FROM (SELECT phone AS p FROM customers) x',
    });
    expect(csv.status).toBe(200);
    expect(csv.text).not.toContain('13800138001');
  });

  it('console: filtering on a masked column is refused (the oracle) and audited', async () => {
    const r = await query("SELECT id FROM customers WHERE phone LIKE '138%'");
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/^Refused by masked-filter: .*phone/);
    expect(
      backend.audits.filter(a => a.eventId === 'sql-statement-refused').at(-1),
    ).toMatchObject({
      meta: {
        instanceRef: 'resource:default/pay-db',
        userRef: 'user:default/frank',
        statement: "SELECT id FROM customers WHERE phone LIKE '138%'",
        rules: ['masked-filter'],
      },
    });
    const viewer = await query('SELECT id FROM customers', 'erin');
    expect(viewer.status).toBe(403);
  });

  it('a change’s backed-up rows and rollback SQL are masked for dev and viewer, not for an admin', async () => {
    const id = await approvedChange(
      "UPDATE customers SET phone = '0', email = 'x@y.z' WHERE id = 1",
    );
    const run = await api('post', `/changes/${id}/execute`, 'carol', {});
    expect(run.body.status).toBe('finished');
    expect(JSON.stringify(run.body)).not.toContain('13800138001');
    for (const who of ['frank', 'erin', 'carol']) {
      const r = await api('get', `/changes/${id}`, who);
      expect(r.status).toBe(200);
      const text = JSON.stringify(r.body.runs);
      expect(text).not.toContain('13800138001');
      expect(text).not.toContain('ann@example.com');
      expect(r.body.runs[0].rollbackSql).toMatch(/"phone" = '138\*+8001'/);
    }
    const admin = await api('get', `/changes/${id}`, 'alice');
    expect(admin.body.runs[0].backup.rows[0]).toContain('13800138001');
    // the rollback itself restores the real values
    const back = await api('post', `/changes/${id}/rollback`, 'carol', {});
    expect(back.status).toBe(200);
    expect(await customers()).toEqual(CUSTOMERS);
  });
});

describe('who may review, and what the vault is asked for', () => {
  it('review needs opsdeck.sql.review: dev yes, viewer no; the viewer still reads changes and findings', async () => {
    const sql = "UPDATE customers SET name = 'n' WHERE id = 2";
    expect(
      (
        await api('post', '/review', 'frank', {
          instanceRef: 'resource:default/pay-db',
          sql,
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await api('post', '/review', 'erin', {
          instanceRef: 'resource:default/pay-db',
          sql,
        })
      ).status,
    ).toBe(403);
    const list = await api('get', '/changes', 'erin');
    expect(list.status).toBe(200);
    const one = await api('get', `/changes/${list.body.changes[0].id}`, 'erin');
    expect(one.status).toBe(200);
    expect(one.body.review.findings).toBeDefined();
  });

  it('a 403 says what was refused, as the UI shows it: a dev may not approve, a viewer may not review or query', async () => {
    const id = (
      await api('post', '/changes', 'frank', {
        instanceRef: 'resource:default/pay-db',
        title: 'self-approval',
        sql: "UPDATE customers SET name = 'n' WHERE id = 3",
      })
    ).body.id;
    const approve = await api('post', `/changes/${id}/decision`, 'frank', {
      decision: 'approved',
    });
    expect(approve.status).toBe(403);
    expect(approve.body.error.message).toBe(
      'You are not allowed to approve SQL changes',
    );
    const review = await api('post', '/review', 'erin', {
      instanceRef: 'resource:default/pay-db',
      sql: 'SELECT 1',
    });
    expect(review.body.error.message).toBe('You are not allowed to review SQL');
    const queried = await query('SELECT id FROM customers', 'erin');
    expect(queried.body.error.message).toBe(
      'You are not allowed to query databases',
    );
  });

  it('the console and review take the read credential, execution the change credential', async () => {
    secrets.requests.length = 0;
    await query('SELECT id FROM customers');
    await api('post', '/review', 'frank', {
      instanceRef: 'resource:default/pay-db',
      sql: 'SELECT 1',
    });
    expect(secrets.requests.map(r => `${r.name}:${r.use}`)).toEqual([
      'test-read:db-read',
      'test-read:db-read',
      'test-read:db-read',
      'test-read:db-read',
    ]);
    const id = await approvedChange(
      "UPDATE customers SET name = 'Bo' WHERE id = 2",
    );
    secrets.requests.length = 0;
    await api('post', `/changes/${id}/execute`, 'carol', {});
    expect(secrets.requests.map(r => `${r.name}:${r.use}:${r.for}`)).toEqual([
      'test-db:db-change:resource:default/pay-db',
    ]);
  });
});

describe('production confirmations', () => {
  it('execute and roll back on a prod instance need its name typed', async () => {
    const id = await approvedChange(
      "UPDATE customers SET name = 'Bob' WHERE id = 2",
      'prod-db',
    );
    for (const confirm of [undefined, 'pay-db', 'PROD-DB']) {
      const r = await api(
        'post',
        `/changes/${id}/execute`,
        'carol',
        confirm ? { confirm } : {},
      );
      expect(r.status).toBe(400);
      expect(r.body.error.message).toMatch(/type its name \(prod-db\)/);
    }
    const scheduled = await api('post', `/changes/${id}/execute`, 'carol', {
      at: new Date(Date.now() + 3600_000).toISOString(),
    });
    expect(scheduled.status).toBe(400);
    expect((await api('get', `/changes/${id}`, 'carol')).body.status).toBe(
      'approved',
    );
    expect((await customers())[1][1]).toBe('Bo');
    const ran = await api('post', `/changes/${id}/execute`, 'carol', {
      confirm: 'prod-db',
    });
    expect(ran.body.status).toBe('finished');
    expect(
      (await api('post', `/changes/${id}/rollback`, 'carol', {})).status,
    ).toBe(400);
    expect(
      (
        await api('post', `/changes/${id}/rollback`, 'carol', {
          confirm: 'prod-db',
        })
      ).status,
    ).toBe(200);
    expect((await customers())[1][1]).toBe('Bo');
  });
});

describe('the read credential must be read-only, unless an admin made an exception', () => {
  it('refuses a superuser read login, until alice sets an exception (audited), and again after she ends it', async () => {
    const refused = await query(
      'SELECT id FROM customers',
      'frank',
      'admin-read-db',
    );
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(
      /not read-only \(.*is a superuser/,
    );
    expect(
      (
        await api('post', '/review', 'frank', {
          instanceRef: 'resource:default/admin-read-db',
          sql: 'SELECT 1',
        })
      ).status,
    ).toBe(403);
    const check = await api('post', '/instances/check', 'frank', {
      instanceRef: 'resource:default/admin-read-db',
    });
    expect(check.body.readLogin).toMatchObject({ readOnly: false });

    const byDev = await api('put', '/instances/exception', 'frank', {
      instanceRef: 'resource:default/admin-read-db',
      reason: 'please',
    });
    expect(byDev.status).toBe(403);
    const set = await api('put', '/instances/exception', 'alice', {
      instanceRef: 'resource:default/admin-read-db',
      reason: 'legacy login, ticket 42',
    });
    expect(set.status).toBe(200);
    expect(
      backend.audits.find(a => a.eventId === 'sql-instance-exception-set'),
    ).toMatchObject({
      status: 'succeeded',
      meta: {
        instanceRef: 'resource:default/admin-read-db',
        reason: 'legacy login, ticket 42',
      },
    });
    expect(
      (
        await api('post', '/instances/check', 'frank', {
          instanceRef: 'resource:default/admin-read-db',
        })
      ).body.exception,
    ).toMatchObject({
      reason: 'legacy login, ticket 42',
      setBy: 'user:default/alice',
    });
    expect(
      (await query('SELECT id FROM customers', 'frank', 'admin-read-db'))
        .status,
    ).toBe(200);
    const cleared = await api(
      'delete',
      `/instances/exception?instance=${encodeURIComponent(
        'resource:default/admin-read-db',
      )}`,
      'alice',
    );
    expect(cleared.body.cleared).toBe(true);
    expect(
      (await query('SELECT id FROM customers', 'frank', 'admin-read-db'))
        .status,
    ).toBe(403);
  });

  it('every console query is audited with instance, user and statement', async () => {
    await query('SELECT name FROM customers WHERE id = 1');
    expect(
      backend.audits.filter(a => a.eventId === 'sql-query').at(-1),
    ).toMatchObject({
      status: 'succeeded',
      meta: {
        instanceRef: 'resource:default/pay-db',
        userRef: 'user:default/frank',
        statement: 'SELECT name FROM customers WHERE id = 1',
      },
    });
  });
});

describe('destructive changes and slow queries', () => {
  it('DROP TABLE needs the destructive approvers after the DBA', async () => {
    await session.query('CREATE TABLE scratch_drop (id int PRIMARY KEY)');
    const s = await api('post', '/changes', 'frank', {
      instanceRef: 'resource:default/pay-db',
      title: 'drop',
      sql: 'DROP TABLE scratch_drop',
      reason: 'unused',
    });
    expect(s.status).toBe(201);
    expect(s.body.approverGroups).toEqual([
      'group:default/dba',
      'group:default/admins',
    ]);
    const first = await api('post', `/changes/${s.body.id}/decision`, 'carol', {
      decision: 'approved',
    });
    expect(first.body.status).toBe('pending');
    expect(
      (await api('post', `/changes/${s.body.id}/execute`, 'carol', {})).status,
    ).toBe(409);
    expect(
      (
        await api('post', `/changes/${s.body.id}/decision`, 'bob', {
          decision: 'approved',
        })
      ).status,
    ).toBe(403);
    const second = await api(
      'post',
      `/changes/${s.body.id}/decision`,
      'alice',
      { decision: 'approved' },
    );
    expect(second.body.status).toBe('approved');
  });

  it('the slow-query refresh reads only: no CREATE EXTENSION on a database without pg_stat_statements', async () => {
    const r = await api('post', '/slow-queries/refresh', 'carol', {
      instanceRef: 'resource:default/bare-db',
    });
    expect(r.status).toBe(200);
    expect(r.body.error).toMatch(/pg_stat_statements is not installed/);
    const s = await driver.connect({ ...server, database: bare });
    try {
      expect(
        (
          await s.query(
            "SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'",
          )
        ).rows,
      ).toEqual([]);
    } finally {
      await s.close();
    }
  });
});
