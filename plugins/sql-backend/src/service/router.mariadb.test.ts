import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  notificationService,
  NotificationSendOptions,
} from '@backstage/plugin-notifications-node';
import { vaultServiceRef } from '@opsdeck/plugin-vault-node';
import request from 'supertest';
import { sqlDriver } from '../engines';
import type { SqlSession } from '../engines/types';
import { sqlPlugin } from '../plugin';
import { instanceEntity, testSecret } from '../__testUtils__/instanceEntity';
import { scratchName, testServer } from '../__testUtils__/servers';

jest.setTimeout(120_000);

// The HTTP API end to end on the real MariaDB (OPSDECK_TEST_MARIADB_URL),
// the plugin's own tables on SQLite.
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const server = testServer('mysql');
const driver = sqlDriver('mysql');
const scratch = scratchName('opsdeck_sql_http');
const GROUPS: Record<string, string[]> = {
  'user:default/frank': ['group:default/dev'],
  'user:default/carol': ['group:default/dba'],
};
const as = (name: string) =>
  mockCredentials.user.header(`user:default/${name}`);

const ORIGINAL = [
  ['1', 'Ann, "the first"', '13800138001', 'ann@example.com', '100'],
  ['2', 'Bo', '13800138002', 'bo@example.com', '200'],
  ['3', 'Cy', '13800138003', 'cy@example.com', '300'],
];

let session: SqlSession;
const snapshot = async () =>
  (await session.query('SELECT * FROM accounts ORDER BY id')).rows;

beforeAll(async () => {
  const admin = await driver.connect({ ...server, database: undefined });
  await admin.query(`CREATE DATABASE ${scratch}`);
  await admin.close();
  session = await driver.connect({ ...server, database: scratch });
  await session.query(
    'CREATE TABLE accounts (id int PRIMARY KEY, name varchar(50), phone varchar(20), email varchar(100), balance int)',
  );
  for (const row of ORIGINAL) {
    await session.query(
      'INSERT INTO accounts (id, name, phone, email, balance) VALUES (?, ?, ?, ?, ?)',
      row,
    );
  }
});

afterAll(async () => {
  await session?.close();
  const admin = await driver.connect({ ...server, database: undefined });
  await admin.query(`DROP DATABASE IF EXISTS ${scratch}`);
  await admin.close();
});

async function startBackend() {
  const sent: NotificationSendOptions[] = [];
  const audits: { eventId: string; status: string }[] = [];
  const auditor = mockServices.auditor.mock({
    createEvent: jest.fn(async opts => {
      const record = { eventId: opts.eventId, status: 'initiated' };
      audits.push(record);
      return {
        success: async () => {
          record.status = 'succeeded';
        },
        fail: async () => {
          record.status = 'failed';
        },
      };
    }) as any,
  });
  const backend = await startTestBackend({
    features: [
      sqlPlugin,
      mockServices.database.factory({
        knex: await databases.init('SQLITE_3'),
      }),
      mockServices.rootConfig.factory({
        data: { opsdeck: { sql: { schedule: { intervalSeconds: 3600 } } } },
      }),
      auditor.factory,
      catalogServiceMock.factory({
        entities: [instanceEntity('shop-db', 'mysql', server, scratch)],
      }),
      createServiceFactory({
        service: vaultServiceRef,
        deps: {},
        factory: () => ({ getSecret: testSecret(server) }),
      }),
      // A recording notification service: the real notifications backend
      // runs in the app; here we only need to see who would be told what.
      createServiceFactory({
        service: notificationService,
        deps: {},
        factory: () => ({
          send: async (n: NotificationSendOptions) => {
            sent.push(n);
          },
        }),
      }),
      createServiceFactory({
        service: coreServices.userInfo,
        deps: {},
        factory: () => ({
          getUserInfo: async (credentials: any) => {
            const ref = credentials.principal.userEntityRef as string;
            return {
              userEntityRef: ref,
              ownershipEntityRefs: [ref, ...(GROUPS[ref] ?? [])],
            };
          },
        }),
      }),
    ],
  });
  return { app: backend.server, stop: () => backend.stop(), sent, audits };
}

describe('sql router on the real MariaDB', () => {
  it('reviews, submits, approves, executes and rolls back a change; notifies', async () => {
    const { app, stop, sent, audits } = await startBackend();
    try {
      const sql = 'UPDATE accounts SET balance = balance - 50 WHERE id <= 2';
      const review = await request(app)
        .post('/api/sql/review')
        .set('Authorization', as('frank'))
        .send({ instanceRef: 'resource:default/shop-db', sql });
      expect(review.status).toBe(200);
      expect(review.body).toMatchObject({ errors: 0, warnings: 0 });
      expect(review.body.statements).toEqual([
        expect.objectContaining({
          kind: 'update',
          estimatedRows: expect.any(Number),
        }),
      ]);

      const refused = await request(app)
        .post('/api/sql/changes')
        .set('Authorization', as('frank'))
        .send({
          instanceRef: 'resource:default/shop-db',
          title: 'wipe',
          sql: 'DELETE FROM accounts',
        });
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toMatch(/dml-without-where/);

      const submitted = await request(app)
        .post('/api/sql/changes')
        .set('Authorization', as('frank'))
        .send({ instanceRef: 'resource:default/shop-db', title: 'fee', sql });
      expect(submitted.status).toBe(201);
      const id = submitted.body.id;
      expect(submitted.body.status).toBe('pending');

      const own = await request(app)
        .post(`/api/sql/changes/${id}/decision`)
        .set('Authorization', as('frank'))
        .send({ decision: 'approved' });
      expect(own.status).toBe(403);

      const approved = await request(app)
        .post(`/api/sql/changes/${id}/decision`)
        .set('Authorization', as('carol'))
        .send({ decision: 'approved', comment: 'ok' });
      expect(approved.status).toBe(200);
      expect(approved.body.status).toBe('approved');

      const past = await request(app)
        .post(`/api/sql/changes/${id}/execute`)
        .set('Authorization', as('carol'))
        .send({ at: '2020-01-01T00:00:00Z' });
      expect(past.status).toBe(400);

      const executed = await request(app)
        .post(`/api/sql/changes/${id}/execute`)
        .set('Authorization', as('carol'));
      expect(executed.status).toBe(200);
      expect(executed.body.status).toBe('finished');
      expect(executed.body.runs).toEqual([
        expect.objectContaining({ status: 'done', affectedRows: 2 }),
      ]);
      expect(executed.body.runs[0].rollbackSql).toContain(
        "UPDATE `accounts` SET `id` = '1'",
      );
      expect((await snapshot()).map(r => r[4])).toEqual(['50', '150', '300']);

      const again = await request(app)
        .post(`/api/sql/changes/${id}/execute`)
        .set('Authorization', as('carol'));
      expect(again.status).toBe(409);

      const rolledBack = await request(app)
        .post(`/api/sql/changes/${id}/rollback`)
        .set('Authorization', as('carol'));
      expect(rolledBack.status).toBe(200);
      expect(rolledBack.body).toMatchObject({
        restoredRows: 2,
        change: { status: 'rolled_back' },
      });
      expect(await snapshot()).toEqual(ORIGINAL);

      expect(
        sent.map(n => [
          (n.recipients as { entityRef: string }).entityRef,
          n.payload.title,
        ]),
      ).toEqual([
        ['group:default/dba', 'SQL change to approve: fee'],
        ['user:default/frank', 'SQL change approved: fee'],
        ['user:default/frank', 'SQL change executed: fee'],
        ['user:default/frank', 'SQL change rolled back: fee'],
      ]);
      expect(audits).toEqual(
        expect.arrayContaining([
          { eventId: 'sql-change-submit', status: 'succeeded' },
          { eventId: 'sql-change-approve', status: 'succeeded' },
          { eventId: 'sql-change-schedule', status: 'failed' },
          { eventId: 'sql-change-execute', status: 'succeeded' },
          { eventId: 'sql-change-rollback', status: 'succeeded' },
        ]),
      );
    } finally {
      await stop();
    }
  });

  it('cancels the schedule of a scheduled change: approved again, audited; 409 when there is none', async () => {
    const { app, stop, audits } = await startBackend();
    try {
      const post = (path: string, user: string, data?: object) =>
        request(app)
          .post(`/api/sql${path}`)
          .set('Authorization', as(user))
          .send(data);
      const submitted = await post('/changes', 'frank', {
        instanceRef: 'resource:default/shop-db',
        title: 'later',
        sql: 'UPDATE accounts SET balance = balance + 1 WHERE id = 3',
      });
      expect(submitted.status).toBe(201);
      const id = submitted.body.id;
      const notScheduled = await post(`/changes/${id}/unschedule`, 'carol');
      expect(notScheduled.status).toBe(409);
      expect(notScheduled.body.error.message).toMatch(/pending, not scheduled/);
      expect(
        (
          await post(`/changes/${id}/decision`, 'carol', {
            decision: 'approved',
          })
        ).status,
      ).toBe(200);
      const at = new Date(Date.now() + 24 * 3600_000).toISOString();
      const scheduled = await post(`/changes/${id}/execute`, 'carol', { at });
      expect(scheduled.body).toMatchObject({
        status: 'scheduled',
        scheduledAt: at,
      });

      const cancelled = await post(`/changes/${id}/unschedule`, 'carol');
      expect(cancelled.status).toBe(200);
      expect(cancelled.body).toMatchObject({ status: 'approved', runs: [] });
      expect(cancelled.body.scheduledAt).toBeUndefined();
      expect(cancelled.body.scheduledBy).toBeUndefined();

      const again = await post(`/changes/${id}/unschedule`, 'carol');
      expect(again.status).toBe(409);
      expect(again.body.error.message).toMatch(/approved, not scheduled/);
      expect(await snapshot()).toEqual(ORIGINAL);
      expect(
        audits
          .filter(a => a.eventId === 'sql-change-unschedule')
          .map(a => a.status),
      ).toEqual(['failed', 'succeeded', 'failed']);
    } finally {
      await stop();
    }
  });

  it('masks console results and their CSV export, and logs both', async () => {
    const { app, stop, audits } = await startBackend();
    try {
      const body = {
        instanceRef: 'resource:default/shop-db',
        sql: 'SELECT id, name, phone, email, balance AS contact_note FROM accounts ORDER BY id',
      };
      const result = await request(app)
        .post('/api/sql/query')
        .set('Authorization', as('frank'))
        .send(body);
      expect(result.status).toBe(200);
      expect(result.body.maskedColumns).toEqual(['phone', 'email']);
      expect(result.body.rows[0][2]).not.toBe('13800138001');
      expect(result.body.rows[0][2]).toMatch(/^138\*+8001$/);
      expect(result.body.rows[0][3]).not.toContain('ann@example.com');

      const csv = await request(app)
        .post('/api/sql/query/export')
        .set('Authorization', as('frank'))
        .send(body);
      expect(csv.status).toBe(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      expect(csv.headers['content-disposition']).toContain('shop-db-query.csv');
      const expected = [
        ['id', 'name', 'phone', 'email', 'contact_note'],
        ...result.body.rows,
      ]
        .map(
          (row: string[]) =>
            `${row
              .map(v => (/[",]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v))
              .join(',')}\r\n`,
        )
        .join('');
      expect(csv.text).toBe(expected);
      expect(csv.text).toContain('"Ann, ""the first"""');
      expect(csv.text).not.toContain('13800138001');
      expect(csv.text).not.toContain('ann@example.com');

      const write = await request(app)
        .post('/api/sql/query/export')
        .set('Authorization', as('frank'))
        .send({ ...body, sql: 'DELETE FROM accounts WHERE id = 1' });
      expect(write.status).toBe(400);
      expect(await snapshot()).toEqual(ORIGINAL);

      const log = await request(app)
        .get('/api/sql/query-log')
        .set('Authorization', as('carol'));
      expect(
        log.body.entries.map((e: any) => [e.userRef, e.rowCount, !!e.error]),
      ).toEqual([
        ['user:default/frank', undefined, true],
        ['user:default/frank', 3, false],
        ['user:default/frank', 3, false],
      ]);
      expect(audits.map(a => `${a.eventId}:${a.status}`)).toEqual([
        'sql-query:succeeded',
        'sql-query-export:succeeded',
        'sql-query-export:failed',
      ]);
    } finally {
      await stop();
    }
  });

  it('refuses the change between slow-query snapshots on MariaDB (slow-log entries, not counters) and a malformed compareTo', async () => {
    const { app, stop } = await startBackend();
    try {
      const get = (compareTo: string) =>
        request(app)
          .get('/api/sql/slow-queries')
          .query({ instance: 'resource:default/shop-db', compareTo })
          .set('Authorization', as('carol'));
      const refresh = await request(app)
        .post('/api/sql/slow-queries/refresh')
        .set('Authorization', as('carol'))
        .send({ instanceRef: 'resource:default/shop-db' });
      expect(refresh.status).toBe(200);
      const notCounters = await get('previous');
      expect(notCounters.status).toBe(400);
      expect(notCounters.body.error.message).toMatch(/PostgreSQL only/);
      // rejected by the OpenAPI spec before the handler runs
      expect((await get('yesterday')).status).toBe(400);
      const plain = await request(app)
        .get('/api/sql/slow-queries')
        .query({ instance: 'resource:default/shop-db' })
        .set('Authorization', as('carol'));
      expect(plain.status).toBe(200);
      expect(plain.body.comparedTo).toBeUndefined();
    } finally {
      await stop();
    }
  });
});
