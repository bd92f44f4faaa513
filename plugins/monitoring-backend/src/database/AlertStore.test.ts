import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { AlertStore, type NewAlertEvent } from './AlertStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const event = (over: Partial<NewAlertEvent> = {}): NewAlertEvent => ({
  fingerprint: 'a1b2c3',
  status: 'firing',
  startsAt: '2026-12-03T00:00:00.000Z',
  alertname: 'HostDown',
  entityRef: 'resource:default/web-01',
  owner: 'group:default/ops',
  labels: { alertname: 'HostDown', opsdeck_entity: 'resource:default/web-01' },
  annotations: { summary: 'web-01 is down' },
  summary: 'web-01 is down',
  test: false,
  ...over,
});

describe.each(databases.eachSupportedId())('AlertStore (%s)', databaseId => {
  async function store() {
    const knex = await databases.init(databaseId);
    return AlertStore.create({ database: mockServices.database({ knex }) });
  }

  it('lists only the readable alert states, filtered before paging', async () => {
    const s = await store();
    const now = new Date();
    const on = (fingerprint: string, entityRef?: string) =>
      s.insertEvent(event({ fingerprint, entityRef }), now);
    await on('web', 'resource:default/web-01');
    await on('db1', 'resource:default/db-01');
    await on('db2', 'resource:default/db-01');
    await on('none');
    expect((await s.entityRefs()).sort()).toEqual([
      'resource:default/db-01',
      'resource:default/web-01',
    ]);
    const page = await s.listEvents(
      { limit: 1, offset: 0 },
      { entityRefs: ['resource:default/web-01'], withoutEntity: false },
    );
    expect(page.items.map(e => e.fingerprint)).toEqual(['web']);
    expect(page.total).toBe(1);
    const withNone = await s.listEvents(
      { limit: 2, offset: 1 },
      { entityRefs: ['resource:default/db-01'], withoutEntity: true },
    );
    expect(withNone.items.map(e => e.fingerprint)).toEqual(['db2', 'db1']);
    expect(withNone.total).toBe(3);
    expect(
      await s.listEvents(
        { limit: 10, offset: 0 },
        { entityRefs: [], withoutEntity: false },
      ),
    ).toEqual({ items: [], total: 0 });
  });

  it('filters by a very large set of readable entities (beyond the bound-parameter limits), pages and totals right', async () => {
    const s = await store();
    const now = new Date();
    // 70,000 readable refs: more than PostgreSQL's 65,535 bound parameters
    // and SQLite's default 32,766; the alerts are on a few of them
    const refs = Array.from(
      { length: 70_000 },
      (_, i) => `resource:default/host-${String(i).padStart(5, '0')}`,
    );
    for (const i of [3, 40_000, 69_999]) {
      await s.insertEvent(
        event({ fingerprint: `big${i}`, entityRef: refs[i] }),
        now,
      );
    }
    await s.insertEvent(
      event({ fingerprint: 'hidden', entityRef: 'resource:default/other' }),
      now,
    );
    await s.insertEvent(
      event({ fingerprint: 'none', entityRef: undefined }),
      now,
    );
    const first = await s.listEvents(
      { limit: 2, offset: 0 },
      { entityRefs: refs, withoutEntity: false },
    );
    expect(first.items.map(e => e.fingerprint)).toEqual([
      'big69999',
      'big40000',
    ]);
    expect(first.total).toBe(3);
    const second = await s.listEvents(
      { limit: 2, offset: 2 },
      { entityRefs: new Set(refs), withoutEntity: true },
    );
    expect(second.items.map(e => e.fingerprint)).toEqual(['big40000', 'big3']);
    expect(second.total).toBe(4);
    // a ref with quotes, backslashes and a JSON-ish shape is matched as text
    const odd = 'resource:default/we"ird\\\',[]';
    await s.insertEvent(event({ fingerprint: 'odd', entityRef: odd }), now);
    const odds = await s.listEvents(
      { limit: 10, offset: 0 },
      { entityRefs: [...refs, odd], withoutEntity: false },
    );
    expect(odds.items.map(e => e.fingerprint)).toEqual([
      'odd',
      'big69999',
      'big40000',
      'big3',
    ]);
    expect(odds.total).toBe(4);
  });

  it('lists only the alerts firing now with state firing, scoped and paged in the query', async () => {
    const s = await store();
    const now = new Date();
    const web = 'resource:default/web-01';
    const on = (
      fingerprint: string,
      over: Partial<NewAlertEvent> = {},
      at = now,
    ) => s.insertEvent(event({ fingerprint, entityRef: web, ...over }), at);
    await on('now1');
    // resolved since: its resolution and the firing state both left out
    await on('fixed');
    await on('fixed', { status: 'resolved', endsAt: now.toISOString() });
    // fired again after a resolution: the new start fires now
    await on('again');
    await on('again', { status: 'resolved' });
    await on('again', { startsAt: '2026-12-03T02:00:00.000Z' });
    // a channel's test send is no alert
    await on('test', { test: true });
    // not sent again for long: given a stale resolution
    await on('stale', {}, new Date(now.getTime() - 48 * 3600_000));
    expect(
      (await s.resolveStaleBatch(new Date(now.getTime() - 3600_000), 10, now))
        .length,
    ).toBe(1);
    // out of the caller's scope
    await on('hidden', { entityRef: 'resource:default/db-01' });
    await on('none', { entityRef: undefined });
    await on('now2');

    const scope = { entityRefs: [web], withoutEntity: false };
    const firing = await s.listEvents({ limit: 10, offset: 0 }, scope, {
      state: 'firing',
    });
    expect(firing.items.map(e => e.fingerprint)).toEqual([
      'now2',
      'again',
      'now1',
    ]);
    expect(firing.items[1].startsAt).toBe('2026-12-03T02:00:00.000Z');
    expect(firing.items.every(e => e.status === 'firing' && !e.resolved)).toBe(
      true,
    );
    expect(firing.total).toBe(3);
    // paged after filtering, the total unchanged
    const page = await s.listEvents({ limit: 1, offset: 1 }, scope, {
      state: 'firing',
    });
    expect(page).toEqual({ items: [firing.items[1]], total: 3 });
    // without the filter: every readable state, as before
    expect((await s.listEvents({ limit: 50, offset: 0 }, scope)).total).toBe(
      10,
    );
    // the scope still applies: alerts without an entity only when allowed,
    // also with a scope too long for an IN list
    const many = Array.from(
      { length: 600 },
      (_, i) => `resource:default/h${i}`,
    );
    const wide = await s.listEvents(
      { limit: 10, offset: 0 },
      { entityRefs: [...many, web], withoutEntity: true },
      { state: 'firing' },
    );
    expect(wide.items.map(e => e.fingerprint)).toEqual([
      'now2',
      'none',
      'again',
      'now1',
    ]);
    expect(wide.total).toBe(4);
    expect(
      await s.listEvents(
        { limit: 10, offset: 0 },
        { entityRefs: [], withoutEntity: false },
        { state: 'firing' },
      ),
    ).toEqual({ items: [], total: 0 });
  });

  it('records an alert state once under parallel inserts (two replicas, retries)', async () => {
    const s = await store();
    const now = new Date();
    const ids = await Promise.all(
      Array.from({ length: 8 }, () => s.insertEvent(event(), now)),
    );
    const won = ids.filter(id => id !== undefined);
    expect(won).toHaveLength(1);
    // its resolution and a new firing (new start) are other states
    expect(
      await s.insertEvent(event({ status: 'resolved' }), now),
    ).toBeDefined();
    expect(
      await s.insertEvent(event({ startsAt: '2026-12-03T01:00:00.000Z' }), now),
    ).toBeDefined();
    expect(await s.insertEvent(event({ status: 'resolved' }), now)).toBe(
      undefined,
    );
    const { items, total } = await s.listEvents(
      { limit: 10, offset: 0 },
      { entityRefs: await s.entityRefs(), withoutEntity: true },
    );
    expect(total).toBe(3);
    expect(items[2]).toMatchObject({
      id: won[0],
      fingerprint: 'a1b2c3',
      status: 'firing',
      owner: 'group:default/ops',
      labels: { alertname: 'HostDown' },
      summary: 'web-01 is down',
      test: false,
    });
  });

  it('counts delivery attempts and keeps the last error', async () => {
    const s = await store();
    const id = (await s.insertEvent(event(), new Date()))!;
    const d = (await s.startDelivery(
      id,
      'ops-dingtalk',
      'dingtalk',
      new Date(),
    ))!;
    await s.finishDelivery(d, { error: 'HTTP 500' }, new Date());
    expect(await s.deliveries(id)).toEqual([
      expect.objectContaining({
        channel: 'ops-dingtalk',
        state: 'failed',
        attempts: 1,
        error: 'HTTP 500',
      }),
    ]);
    const again = await s.startDelivery(
      id,
      'ops-dingtalk',
      'dingtalk',
      new Date(),
    );
    expect(again).toBe(d);
    await s.finishDelivery(d, {}, new Date());
    const [delivery] = await s.deliveries(id);
    expect(delivery).toMatchObject({ state: 'sent', attempts: 2 });
    expect(delivery.error).toBeUndefined();
  });
});
