import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import { generated } from '../testUtils/reports';
import {
  demoOrgEntities,
  startReportBackend,
} from '../__testUtils__/testBackend';
import { DatabaseReportStore } from '../database/DatabaseReportStore';
import { weekOf } from '../schedule/period';
import { mockServices } from '@backstage/backend-test-utils';
// the audit_events table the report reads
import { createTestAuditStore } from '@opsdeck/plugin-audit-node/testUtils';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const as = (user: string) =>
  mockCredentials.user.header(`user:default/${user}`);

async function setup() {
  const knex = await databases.init('SQLITE_3');
  await createTestAuditStore(knex);
  const store = await DatabaseReportStore.create({
    database: mockServices.database({ knex }),
  });
  const later = new Date(Date.now() + 3_600_000);
  const org = (await store.insert(
    generated('org', '2026-03-02', { 'sql.executed': 2 }),
    {
      createdAt: new Date(),
      sendAt: later,
    },
  ))!;
  const ops = (await store.insert(
    generated('group:default/ops', '2026-03-02', { 'jobs.failed': 1 }),
    {
      createdAt: new Date(),
      sendAt: later,
    },
  ))!;
  const backend = await startReportBackend({
    knex,
    auditKnex: knex,
    entities: demoOrgEntities(),
  });
  return { ...backend, store, org, ops };
}

describe('report router', () => {
  it('asks for credentials and the read permission before anything else', async () => {
    const { server } = await setup();
    expect((await request(server).get('/api/report/reports')).status).toBe(401);
    expect(
      (
        await request(server)
          .get('/api/report/reports')
          .set('Authorization', as('mallory'))
      ).status,
    ).toBe(403);
    // even for an id that does not exist, or a route that changes things
    expect(
      (
        await request(server)
          .get('/api/report/reports/999')
          .set('Authorization', as('mallory'))
      ).status,
    ).toBe(403);
    expect(
      (
        await request(server)
          .put('/api/report/reports/1/highlights')
          .set('Authorization', as('erin'))
          .send({ text: 'x', lang: 'en' })
      ).status,
    ).toBe(403);
    // a service token is not a person: it cannot read or write reports
    expect(
      (
        await request(server)
          .get('/api/report/reports')
          .set('Authorization', mockCredentials.service.header())
      ).status,
    ).toBe(403);
  });

  it('shows every role the history, figures and records, and who may edit', async () => {
    const { server, org, ops } = await setup();
    const list = await request(server)
      .get('/api/report/reports')
      .set('Authorization', as('erin'));
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(2);
    expect(list.body.items.map((r: any) => r.scope).sort()).toEqual([
      'group:default/ops',
      'org',
    ]);

    const detail = await request(server)
      .get(`/api/report/reports/${org}`)
      .set('Authorization', as('erin'));
    expect(detail.body).toMatchObject({
      scope: 'org',
      state: 'draft',
      canEdit: false,
    });
    expect(detail.body.figures).toContainEqual({
      key: 'sql.executed',
      section: 'changes',
      value: 2,
    });
    expect(detail.body.sections).toContainEqual({
      section: 'alerts',
      connected: false,
    });

    const records = await request(server)
      .get(`/api/report/reports/${org}/figures/sql.executed/records`)
      .set('Authorization', as('erin'));
    expect(records.body.total).toBe(2);
    expect(records.body.items[0]).toMatchObject({
      source: 'audit',
      label: 'sql.executed #1',
      path: '/sql',
    });

    const canEdit = async (user: string, id: number) =>
      (
        await request(server)
          .get(`/api/report/reports/${id}`)
          .set('Authorization', as(user))
      ).body.canEdit;
    expect(await canEdit('bob', ops)).toBe(true); // member of ops
    expect(await canEdit('carol', ops)).toBe(false); // dba, not in ops
    expect(await canEdit('carol', org)).toBe(true);
    expect(await canEdit('alice', ops)).toBe(true);
  });

  it('lets team members write highlights in either language until the report is sent, audited as them', async () => {
    const { server, ops, events } = await setup();
    const put = (user: string, body: object) =>
      request(server)
        .put(`/api/report/reports/${ops}/highlights`)
        .set('Authorization', as(user))
        .send(body);

    expect(
      (await put('carol', { text: 'not my team', lang: 'en' })).status,
    ).toBe(403);
    expect((await put('bob', { text: 'x', lang: 'fr' })).status).toBe(400);
    const ok = await put('bob', {
      text: '  本周完成了 pay-db-main 的故障切换演练。  ',
      lang: 'zh-CN',
    });
    expect(ok.status).toBe(200);
    expect(ok.body.highlights).toMatchObject({
      text: '本周完成了 pay-db-main 的故障切换演练。',
      lang: 'zh-CN',
      by: 'user:default/bob',
    });
    expect(events).toContainEqual(
      expect.objectContaining({
        eventId: 'report-highlights',
        status: 'succeeded',
        actor: expect.objectContaining({ actorId: 'user:default/bob' }),
        meta: expect.objectContaining({ reportId: ops, lang: 'zh-CN' }),
      }),
    );

    const sent = await request(server)
      .post(`/api/report/reports/${ops}/send`)
      .set('Authorization', as('bob'));
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ state: 'sent', canEdit: false });
    expect((await put('bob', { text: 'too late', lang: 'en' })).status).toBe(
      409,
    );
    expect(
      (
        await request(server)
          .post(`/api/report/reports/${ops}/send`)
          .set('Authorization', as('bob'))
      ).status,
    ).toBe(409);
    expect(events).toContainEqual(
      expect.objectContaining({
        eventId: 'report-send',
        status: 'succeeded',
        actor: expect.objectContaining({ actorId: 'user:default/bob' }),
      }),
    );
  });

  it('generates a past week on demand for report managers only', async () => {
    const { server } = await setup();
    expect(
      (
        await request(server)
          .post('/api/report/weeks/2026-02-23/generate')
          .set('Authorization', as('bob'))
      ).status,
    ).toBe(403);
    const res = await request(server)
      .post('/api/report/weeks/2026-02-23/generate')
      .set('Authorization', as('alice'));
    expect(res.status).toBe(200);
    expect(res.body.created.map((r: any) => r.scope).sort()).toEqual([
      'group:default/admins',
      'group:default/dba',
      'group:default/dev',
      'group:default/ops',
      'group:default/security',
      'org',
    ]);
    const again = await request(server)
      .post('/api/report/weeks/2026-02-23/generate')
      .set('Authorization', as('alice'));
    expect(again.body.created).toEqual([]);
    const future = await request(server)
      .post(`/api/report/weeks/${weekOf(new Date(), 'UTC').weekStart}/generate`)
      .set('Authorization', as('alice'));
    expect(future.status).toBe(409);
    expect(future.body.error).toMatchObject({
      code: 'report-week-not-ended',
      weekStart: weekOf(new Date(), 'UTC').weekStart,
    });
  });

  it('refuses a bad week or page size with a code the portal translates', async () => {
    const { server, org, events } = await setup();
    const refusal = async (method: 'get' | 'post', path: string) => {
      const res = await request(server)
        [method](`/api/report/${path}`)
        .set('Authorization', as('alice'));
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      const { name, message, ...coded } = res.body.error;
      expect(name).toBe('InputError');
      expect(message).toEqual(expect.any(String));
      return coded;
    };
    for (const [method, path] of [
      ['post', 'weeks/{w}/generate'],
      ['get', 'reports?weekStart={w}'],
    ] as const) {
      for (const weekStart of [
        'last-week',
        '2026-13-45',
        '2026-02-30',
        '2026-3-2',
      ]) {
        expect(await refusal(method, path.replace('{w}', weekStart))).toEqual({
          code: 'report-week-invalid',
          weekStart,
        });
      }
      expect(await refusal(method, path.replace('{w}', '2026-02-24'))).toEqual({
        code: 'report-week-not-monday',
        weekStart: '2026-02-24',
      });
    }
    for (const path of ['reports?limit=201', 'reports?limit=0']) {
      expect(await refusal('get', path)).toEqual({
        code: 'report-page-size-invalid',
        max: 200,
      });
    }
    expect(
      await refusal(
        'get',
        `reports/${org}/figures/sql.executed/records?limit=501`,
      ),
    ).toEqual({ code: 'report-page-size-invalid', max: 500 });
    // within bounds: answered
    for (const path of [
      'reports?weekStart=2026-03-02&limit=200',
      `reports/${org}/figures/sql.executed/records?limit=500`,
    ]) {
      const res = await request(server)
        .get(`/api/report/${path}`)
        .set('Authorization', as('alice'));
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
    }
    // a refused week wrote and audited nothing
    expect(events.filter(e => e.eventId === 'report-generate')).toEqual([]);
  });

  it('gives a personal feed link that works without a session, until revoked or the user leaves', async () => {
    const { server, ops, setEntities } = await setup();
    await request(server)
      .post(`/api/report/reports/${ops}/send`)
      .set('Authorization', as('bob'));

    expect(
      (
        await request(server)
          .get('/api/report/feed-token')
          .set('Authorization', as('erin'))
      ).body,
    ).toEqual({ exists: false });
    const created = await request(server)
      .post('/api/report/feed-token')
      .set('Authorization', as('erin'));
    expect(created.status).toBe(200);
    const path = new URL(created.body.url).pathname;
    expect(path).toMatch(/^\/api\/report\/feeds\/[\w-]{32}$/);

    const feed = await request(server).get(path);
    expect(feed.status).toBe(200);
    expect(feed.headers['content-type']).toMatch(/application\/atom\+xml/);
    expect(feed.text).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
    expect(feed.text).toContain(`http://portal.example/report/${ops}`);
    expect(feed.text).not.toContain(path.split('/').pop()!);
    expect((await request(server).get(`${path.slice(0, -4)}AAAA`)).status).toBe(
      404,
    );

    // erin leaves the company: the link stops working
    setEntities(demoOrgEntities().filter(e => e.metadata.name !== 'erin'));
    expect((await request(server).get(path)).status).toBe(404);
    setEntities(demoOrgEntities());
    expect((await request(server).get(path)).status).toBe(200);

    expect(
      (
        await request(server)
          .delete('/api/report/feed-token')
          .set('Authorization', as('erin'))
      ).status,
    ).toBe(204);
    expect((await request(server).get(path)).status).toBe(404);
  });
});
