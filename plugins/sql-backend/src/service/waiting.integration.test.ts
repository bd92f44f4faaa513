import request from 'supertest';
import { sqlDriver } from '../engines';
import { instanceEntity, testSecret } from '../__testUtils__/instanceEntity';
import { createReadLogin, type ReadLogin } from '../__testUtils__/readLogins';
import { scratchName, testServer } from '../__testUtils__/servers';
import { as, startSqlBackend } from '../__testUtils__/testBackend';
import { waitsFor } from './waiting';

jest.setTimeout(180_000);

/**
 * GET /changes?waiting=me, the workbench's "waiting for me": the changes whose
 * current approval level the caller may decide, on the real PostgreSQL.
 */
const server = testServer('postgresql');
const driver = sqlDriver('postgresql');
const database = scratchName('opsdeck_wait');
let read: ReadLogin;
let backend: Awaited<ReturnType<typeof startSqlBackend>>;

beforeAll(async () => {
  const admin = await driver.connect({ ...server, database: undefined });
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.close();
  const session = await driver.connect({ ...server, database });
  await session.query('CREATE TABLE items (id int PRIMARY KEY, name text)');
  await session.close();
  read = await createReadLogin('postgresql', server, database);
  backend = await startSqlBackend({
    entities: [instanceEntity('wait-db', 'postgresql', server, database)],
    getSecret: testSecret(server, read),
  });
});

afterAll(async () => {
  await backend?.stop();
  await read?.drop().catch(() => undefined);
  const admin = await driver.connect({ ...server, database: undefined });
  await admin.query(`DROP DATABASE IF EXISTS ${database}`);
  await admin.close();
});

const get = (path: string, who?: string) => {
  const r = request(backend.app).get(`/api/sql${path}`);
  return who ? r.set('Authorization', as(who)) : r;
};
const waitingIds = async (who: string) => {
  const r = await get('/changes?waiting=me', who);
  expect(r.status).toBe(200);
  return r.body.changes.map((c: { id: string }) => c.id) as string[];
};

describe('GET /changes?waiting=me', () => {
  it('lists a pending change for the approvers of its current level only', async () => {
    const submitted = await request(backend.app)
      .post('/api/sql/changes')
      .set('Authorization', as('frank'))
      .send({
        instanceRef: 'resource:default/wait-db',
        title: 'add an item',
        sql: "INSERT INTO items (id, name) VALUES (1, 'one')",
        reason: 'test',
      });
    expect(submitted.status).toBe(201);
    const id = submitted.body.id as string;
    const groups = submitted.body.approverGroups as string[];
    expect(groups[0]).toBe('group:default/dba');

    // the DBAs decide the first level; the submitter, a viewer and ops do not
    expect(await waitingIds('carol')).toContain(id);
    expect(await waitingIds('dina')).toContain(id);
    for (const who of ['frank', 'erin', 'bob']) {
      expect(await waitingIds(who)).not.toContain(id);
    }
    // without the filter the change is listed for everyone who reads changes
    const all = await get('/changes', 'erin');
    expect(all.body.changes.map((c: { id: string }) => c.id)).toContain(id);

    const approved = await request(backend.app)
      .post(`/api/sql/changes/${id}/decision`)
      .set('Authorization', as('carol'))
      .send({ decision: 'approved' });
    expect(approved.status).toBe(200);
    // decided: no longer waiting for the DBAs (nor for carol at a later level)
    expect(await waitingIds('carol')).not.toContain(id);
    expect(await waitingIds('dina')).not.toContain(id);
  });

  it('needs a signed-in person and refuses other values', async () => {
    // no person behind the call: refused, never an empty or full list
    expect([401, 403]).toContain((await get('/changes?waiting=me')).status);
    expect((await get('/changes?waiting=everyone', 'carol')).status).toBe(400);
  });
});

describe('waitsFor', () => {
  const change = {
    status: 'pending' as const,
    submitter: 'user:default/frank',
    approverGroups: ['group:default/dba', 'group:default/admins'],
    approvals: [] as {
      level: number;
      group: string;
      user: string;
      decision: 'approved' | 'rejected';
      at: string;
    }[],
  };
  const carol = {
    userRef: 'user:default/carol',
    ownership: ['user:default/carol', 'group:default/dba'],
  };
  const alice = {
    userRef: 'user:default/alice',
    ownership: [
      'user:default/alice',
      'group:default/admins',
      'group:default/dba',
    ],
  };

  it('follows the level: admins wait once the DBA approved, never one who approved before', () => {
    expect(waitsFor(change, carol)).toBe(true);
    const afterCarol = {
      ...change,
      approvals: [
        {
          level: 1,
          group: 'group:default/dba',
          user: 'user:default/carol',
          decision: 'approved' as const,
          at: '2026-01-01T00:00:00Z',
        },
      ],
    };
    expect(waitsFor(afterCarol, carol)).toBe(false);
    expect(waitsFor(afterCarol, alice)).toBe(true);
    const afterAlice = {
      ...change,
      approvals: [{ ...afterCarol.approvals[0], user: alice.userRef }],
    };
    // alice approved level 1 as a DBA: she may not approve level 2 too
    expect(waitsFor(afterAlice, alice)).toBe(false);
    expect(waitsFor({ ...change, status: 'approved' as const }, carol)).toBe(
      false,
    );
    expect(waitsFor({ ...change, submitter: carol.userRef }, carol)).toBe(
      false,
    );
  });
});
