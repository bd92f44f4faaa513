import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { auditEventReadPermission } from '@opsdeck/plugin-opsdeck-common';
import { Knex } from 'knex';
import request from 'supertest';
import { auditPlugin } from '../plugin';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  auditStoreServiceRef,
  DatabaseAuditStore,
  NewAuditEvent,
} from '@opsdeck/plugin-audit-node';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const alice = mockCredentials.user.header('user:default/alice');

function event(overrides: Partial<NewAuditEvent> = {}): NewAuditEvent {
  return {
    occurredAt: new Date('2026-03-01T10:00:00.000Z'),
    plugin: 'catalog',
    action: 'entity-mutate',
    severity: 'medium',
    status: 'succeeded',
    outcome: 'success',
    actor: 'user:default/alice',
    via: [],
    target: 'component:default/api',
    meta: {},
    ...overrides,
  };
}

async function startBackend(options: {
  knex: Knex;
  result?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
}) {
  const authorize = jest.fn(async (requests: unknown[]) =>
    requests.map(
      (): PolicyDecision => ({
        result: options.result ?? AuthorizeResult.ALLOW,
      }),
    ),
  );
  const { server } = await startTestBackend({
    features: [
      auditPlugin,
      createServiceFactory({
        service: auditStoreServiceRef,
        deps: {},
        factory: () => {
          const store = Promise.resolve(new DatabaseAuditStore(options.knex));
          return { store: () => store };
        },
      }),
      mockServices.permissions.mock({ authorize: authorize as any }).factory,
    ],
  });
  return { server, authorize };
}

describe('audit router', () => {
  let knex: Knex;
  let store: DatabaseAuditStore;
  let ids: number[];

  beforeEach(async () => {
    knex = await databases.init('SQLITE_3');
    store = await DatabaseAuditStore.create({
      database: mockServices.database({ knex }),
    });
    ids = [];
    ids.push(await store.insert(event()));
    ids.push(
      await store.insert(
        event({
          plugin: 'scaffolder',
          action: 'task',
          actor: 'user:default/bob',
          target: 'template:default/svc',
          occurredAt: new Date('2026-03-02T10:00:00.000Z'),
        }),
      ),
    );
    ids.push(
      await store.insert(
        event({
          status: 'failed',
          outcome: 'failed',
          error: 'Conflict',
          target: 'component:default/api-gw',
          occurredAt: new Date('2026-03-03T10:00:00.000Z'),
        }),
      ),
    );
  });

  it('rejects unauthenticated requests with 401', async () => {
    const { server, authorize } = await startBackend({ knex });
    for (const path of ['/events', `/events/${ids[0]}`, '/facets']) {
      const res = await request(server)
        .get(`/api/audit${path}`)
        .set('Authorization', mockCredentials.none.header());
      expect(res.status).toBe(401);
    }
    expect(authorize).not.toHaveBeenCalled();
  });

  it('returns 403 when the permission is denied', async () => {
    const { server, authorize } = await startBackend({
      knex,
      result: AuthorizeResult.DENY,
    });
    for (const path of ['/events', `/events/${ids[0]}`, '/facets']) {
      const res = await request(server)
        .get(`/api/audit${path}`)
        .set('Authorization', alice);
      expect(res.status).toBe(403);
      expect(res.body.error.name).toBe('NotAllowedError');
    }
    expect(authorize).toHaveBeenCalledWith(
      [{ permission: auditEventReadPermission }],
      expect.objectContaining({
        credentials: expect.objectContaining({
          principal: expect.objectContaining({
            userEntityRef: 'user:default/alice',
          }),
        }),
      }),
    );
  });

  it('lists events newest first and applies filters', async () => {
    const { server } = await startBackend({ knex });
    const list = async (query: Record<string, string>) => {
      const res = await request(server)
        .get('/api/audit/events')
        .query(query)
        .set('Authorization', alice);
      expect(res.status).toBe(200);
      return res.body.items.map((e: { id: number }) => e.id);
    };

    const all = await request(server)
      .get('/api/audit/events')
      .set('Authorization', alice);
    expect(all.status).toBe(200);
    expect(all.body.nextCursor).toBeUndefined();
    expect(all.body.items[0]).toEqual({
      id: ids[2],
      time: '2026-03-03T10:00:00.000Z',
      plugin: 'catalog',
      action: 'entity-mutate',
      severity: 'medium',
      status: 'failed',
      outcome: 'failed',
      actor: 'user:default/alice',
      target: 'component:default/api-gw',
      error: 'Conflict',
      meta: {},
    });

    expect(await list({})).toEqual([ids[2], ids[1], ids[0]]);
    expect(await list({ actor: 'user:default/bob' })).toEqual([ids[1]]);
    expect(await list({ action: 'entity-mutate' })).toEqual([ids[2], ids[0]]);
    expect(await list({ plugin: 'scaffolder' })).toEqual([ids[1]]);
    expect(await list({ status: 'failed' })).toEqual([ids[2]]);
    expect(await list({ target: 'component:default/api' })).toEqual([ids[0]]);
    expect(await list({ target: 'component:*' })).toEqual([ids[2], ids[0]]);
    expect(
      await list({
        from: '2026-03-02T00:00:00Z',
        to: '2026-03-03T00:00:00Z',
      }),
    ).toEqual([ids[1]]);
  });

  it('pages across pages with the cursor', async () => {
    const { server } = await startBackend({ knex });
    const page1 = await request(server)
      .get('/api/audit/events?limit=2')
      .set('Authorization', alice);
    expect(page1.body.items.map((e: { id: number }) => e.id)).toEqual([
      ids[2],
      ids[1],
    ]);
    expect(page1.body.nextCursor).toBe(ids[1]);

    const page2 = await request(server)
      .get(`/api/audit/events?limit=2&before=${page1.body.nextCursor}`)
      .set('Authorization', alice);
    expect(page2.body.items.map((e: { id: number }) => e.id)).toEqual([ids[0]]);
    expect(page2.body.nextCursor).toBeUndefined();
  });

  it('rejects invalid query parameters with 400', async () => {
    const { server } = await startBackend({ knex });
    for (const query of ['before=abc', 'before=0', 'status=deleted']) {
      const res = await request(server)
        .get(`/api/audit/events?${query}`)
        .set('Authorization', alice);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
    }
  });

  it('refuses a bad time or page size with a code the portal translates, on the list and the export', async () => {
    const { server } = await startBackend({ knex });
    const refusal = async (path: string, query: string) => {
      const res = await request(server)
        .get(`/api/audit/${path}?${query}`)
        .set('Authorization', alice);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      const { name, message, ...coded } = res.body.error;
      expect(name).toBe('InputError');
      expect(message).toEqual(expect.any(String));
      return coded;
    };
    for (const path of ['events', 'events/export.csv']) {
      for (const [query, value] of [
        ['from=yesterday', 'yesterday'],
        ['from=2026-03-01', '2026-03-01'],
        ['from=2026-02-30T00%3A00%3A00Z', '2026-02-30T00:00:00Z'],
        ['from=2026-13-01T00:00:00Z', '2026-13-01T00:00:00Z'],
        // no offset: whose local time?
        ['from=2026-03-01T10:00:00', '2026-03-01T10:00:00'],
        ['from=1', '1'],
      ]) {
        expect(await refusal(path, query)).toEqual({
          code: 'audit-time-invalid',
          field: 'from',
          value,
        });
      }
      expect(await refusal(path, 'to=soon')).toEqual({
        code: 'audit-time-invalid',
        field: 'to',
        value: 'soon',
      });
      for (const query of [
        'from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z',
        'from=2026-03-01T08:00:00%2B08:00&to=2026-03-01T00:00:00Z',
      ]) {
        expect(await refusal(path, query)).toEqual({
          code: 'audit-time-range-reversed',
          from: query.includes('%2B')
            ? '2026-03-01T00:00:00.000Z'
            : '2026-03-02T00:00:00.000Z',
          to: '2026-03-01T00:00:00.000Z',
        });
      }
    }
    for (const query of ['limit=201', 'limit=0', 'limit=-5']) {
      expect(await refusal('events', query)).toEqual({
        code: 'audit-page-size-invalid',
        max: 200,
      });
    }
  });

  it('takes times with an offset, typed as they are or encoded, and pages up to the maximum', async () => {
    const { server } = await startBackend({ knex });
    const list = async (query: string) => {
      const res = await request(server)
        .get(`/api/audit/events?${query}`)
        .set('Authorization', alice);
      expect({ query, status: res.status }).toEqual({ query, status: 200 });
      return res.body.items.map((e: { id: number }) => e.id);
    };
    expect(await list('limit=200')).toEqual([ids[2], ids[1], ids[0]]);
    expect(await list('limit=1')).toEqual([ids[2]]);
    for (const query of [
      'from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z',
      'from=2026-03-01T00%3A00%3A00Z&to=2026-03-02T00%3A00%3A00.000Z',
      'from=2026-03-01T08:00%2B08:00&to=2026-03-02T00:00:00Z',
    ]) {
      expect(await list(query)).toEqual([ids[0]]);
    }
    expect(await list('from=2026-03-01T10:00:00.001Z')).toEqual([
      ids[2],
      ids[1],
    ]);
  });

  it('gets one event, 404 when missing', async () => {
    const { server } = await startBackend({ knex });
    const res = await request(server)
      .get(`/api/audit/events/${ids[1]}`)
      .set('Authorization', alice);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: ids[1],
      plugin: 'scaffolder',
      actor: 'user:default/bob',
    });
    const missing = await request(server)
      .get('/api/audit/events/999999')
      .set('Authorization', alice);
    expect(missing.status).toBe(404);
  });

  it('returns facets', async () => {
    const { server } = await startBackend({ knex });
    const res = await request(server)
      .get('/api/audit/facets')
      .set('Authorization', alice);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      plugins: ['catalog', 'scaffolder'],
      actions: ['entity-mutate', 'task'],
    });
  });

  it('filters by outcome and returns via', async () => {
    const denied = await store.insert(
      event({
        status: 'failed',
        outcome: 'denied',
        action: 'access-denied',
        actor: 'user:default/erin',
        target: '/api/jobs/jobs',
        error: 'You are not allowed to do this',
      }),
    );
    const viaScaffolder = await store.insert(
      event({
        plugin: 'bastion',
        action: 'grant-create',
        actor: 'user:default/dave',
        via: ['plugin:scaffolder'],
        target: 'resource:default/web-01',
      }),
    );
    const { server } = await startBackend({ knex });
    const list = async (query: string) =>
      (
        await request(server)
          .get(`/api/audit/events?${query}`)
          .set('Authorization', alice)
      ).body.items;
    expect((await list('outcome=denied')).map((e: any) => e.id)).toEqual([
      denied,
    ]);
    expect((await list('outcome=success&actor=dave'))[0]).toMatchObject({
      id: viaScaffolder,
      actor: 'user:default/dave',
      via: ['plugin:scaffolder'],
      outcome: 'success',
    });
    const bad = await request(server)
      .get('/api/audit/events?outcome=maybe')
      .set('Authorization', alice);
    expect(bad.status).toBe(400);
  });

  it('exports the filtered events as CSV, formulas neutralised, and audits the export', async () => {
    await store.insert(
      event({
        target: '=HYPERLINK("http://evil")',
        meta: { note: 'a, "quoted"\nline' },
        via: ['plugin:scaffolder', 'schedule:s1'],
      }),
    );
    const { server } = await startBackend({ knex });
    const res = await request(server)
      .get('/api/audit/events/export.csv?plugin=catalog')
      .set('Authorization', alice);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(
      'attachment; filename="audit-events.csv"',
    );
    const lines = res.text.split('\r\n');
    expect(lines[0]).toBe(
      'id,time,outcome,actor,via,action,plugin,target,status,severity,error,ip,requestId,meta',
    );
    // catalog events only (3 from beforeEach minus the scaffolder one, plus this one)
    expect(lines.filter(Boolean)).toHaveLength(1 + 3);
    expect(lines[1]).toContain(
      `,success,user:default/alice,plugin:scaffolder schedule:s1,entity-mutate,catalog,"'=HYPERLINK(""http://evil"")",`,
    );
    expect(lines[1]).toContain('"{""note"":""a, \\""quoted\\""\\nline""}"');

    const denied = await startBackend({ knex, result: AuthorizeResult.DENY });
    expect(
      (
        await request(denied.server)
          .get('/api/audit/events/export.csv')
          .set('Authorization', alice)
      ).status,
    ).toBe(403);
  });

  it('has no route that changes or deletes events', async () => {
    const { server } = await startBackend({ knex });
    const before = await knex('audit_events').orderBy('id');

    const attempts = [
      request(server).delete('/api/audit/events'),
      request(server).delete(`/api/audit/events/${ids[0]}`),
      request(server).put(`/api/audit/events/${ids[0]}`).send({ actor: 'x' }),
      request(server).patch(`/api/audit/events/${ids[0]}`).send({ actor: 'x' }),
      request(server).post('/api/audit/events').send(event()),
      request(server).put('/api/audit/events').send([]),
    ];
    for (const attempt of attempts) {
      const res = await attempt.set('Authorization', alice);
      expect([404, 405]).toContain(res.status);
    }

    expect(await knex('audit_events').orderBy('id')).toEqual(before);
  });
});
