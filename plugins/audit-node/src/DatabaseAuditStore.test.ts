import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { NewAuditEvent } from './AuditStore';
import {
  DatabaseAuditStore,
  MAX_META_BYTES,
  serializeMeta,
} from './DatabaseAuditStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

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
    requestId: 'req-1',
    ip: '192.0.2.1',
    meta: { actionType: 'refresh' },
    ...overrides,
  };
}

describe.each(databases.eachSupportedId())('DatabaseAuditStore (%s)', id => {
  async function createStore() {
    const knex = await databases.init(id);
    const store = await DatabaseAuditStore.create({
      database: mockServices.database({ knex }),
    });
    return { knex, store };
  }

  it('inserts and reads back an event', async () => {
    const { store } = await createStore();
    const eventId = await store.insert(
      event({
        status: 'failed',
        outcome: 'failed',
        via: ['plugin:scaffolder', 'schedule:s1'],
        error: 'boom',
        meta: { a: 1, nested: { b: [1, 2] } },
      }),
    );
    expect(eventId).toBeGreaterThan(0);
    await expect(store.get(eventId)).resolves.toEqual({
      id: eventId,
      time: '2026-03-01T10:00:00.000Z',
      plugin: 'catalog',
      action: 'entity-mutate',
      severity: 'medium',
      status: 'failed',
      outcome: 'failed',
      actor: 'user:default/alice',
      via: ['plugin:scaffolder', 'schedule:s1'],
      target: 'component:default/api',
      requestId: 'req-1',
      ip: '192.0.2.1',
      error: 'boom',
      meta: { a: 1, nested: { b: [1, 2] } },
    });
    await expect(store.get(eventId + 1000)).resolves.toBeUndefined();
  });

  it('filters by actor, action, plugin, status, target and time', async () => {
    const { store } = await createStore();
    const a = await store.insert(event());
    const b = await store.insert(
      event({
        actor: 'user:default/bob',
        action: 'task',
        plugin: 'scaffolder',
        target: 'template:default/svc',
        occurredAt: new Date('2026-03-02T10:00:00.000Z'),
      }),
    );
    const c = await store.insert(
      event({
        status: 'failed',
        target: 'component:default/api-gateway',
        occurredAt: new Date('2026-03-03T10:00:00.000Z'),
      }),
    );
    const d = await store.insert(
      event({ target: 'component:default/a_b%c', action: 'location-mutate' }),
    );

    const ids = async (q: Parameters<typeof store.list>[0]) =>
      (await store.list(q)).items.map(e => e.id);

    expect(await ids({})).toEqual([d, c, b, a]);
    expect(await ids({ actor: 'user:default/bob' })).toEqual([b]);
    expect(await ids({ action: 'entity-mutate' })).toEqual([c, a]);
    expect(await ids({ plugin: 'scaffolder' })).toEqual([b]);
    expect(await ids({ status: 'failed' })).toEqual([c]);
    expect(await ids({ target: 'component:default/api' })).toEqual([a]);
    expect(await ids({ target: 'component:default/api*' })).toEqual([c, a]);
    expect(await ids({ target: 'component:*' })).toEqual([d, c, a]);
    // LIKE wildcards in the prefix are literal characters
    expect(await ids({ target: 'component:default/a_b*' })).toEqual([d]);
    expect(await ids({ target: 'component:default/a%*' })).toEqual([]);
    expect(
      await ids({
        from: '2026-03-02T00:00:00.000Z',
        to: '2026-03-03T00:00:00.000Z',
      }),
    ).toEqual([b]);
    expect(await ids({ from: '2026-03-03T10:00:00.000Z' })).toEqual([c]);
    expect(
      await ids({ action: 'entity-mutate', actor: 'user:default/bob' }),
    ).toEqual([]);
  });

  it('pages newest first with a keyset cursor', async () => {
    const { store } = await createStore();
    const inserted: number[] = [];
    for (let i = 0; i < 7; i++) {
      inserted.push(await store.insert(event({ meta: { i } })));
    }
    const newestFirst = [...inserted].reverse();

    const page1 = await store.list({ limit: 3 });
    expect(page1.items.map(e => e.id)).toEqual(newestFirst.slice(0, 3));
    expect(page1.nextCursor).toBe(newestFirst[2]);

    const page2 = await store.list({ limit: 3, before: page1.nextCursor });
    expect(page2.items.map(e => e.id)).toEqual(newestFirst.slice(3, 6));

    const page3 = await store.list({ limit: 3, before: page2.nextCursor });
    expect(page3.items.map(e => e.id)).toEqual(newestFirst.slice(6));
    expect(page3.nextCursor).toBeUndefined();

    // exactly one full page left: no cursor
    const exact = await store.list({ limit: 1, before: newestFirst[5] });
    expect(exact.items.map(e => e.id)).toEqual([newestFirst[6]]);
    expect(exact.nextCursor).toBeUndefined();
  });

  it('caps the page size at 200', async () => {
    const { knex, store } = await createStore();
    const rows = Array.from({ length: 205 }, (_, i) => ({
      occurred_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
      plugin: 'catalog',
      action: 'entity-fetch',
      severity: 'low',
      status: 'succeeded',
      actor: 'user:default/alice',
      target: '',
      meta: '{}',
    }));
    await knex.batchInsert('audit_events', rows, 50);
    const page = await store.list({ limit: 1000 });
    expect(page.items).toHaveLength(200);
    expect(page.nextCursor).toBeDefined();
    const rest = await store.list({ limit: 1000, before: page.nextCursor });
    expect(rest.items).toHaveLength(5);
    expect(rest.nextCursor).toBeUndefined();
  });

  it('returns distinct plugins and actions as facets', async () => {
    const { store } = await createStore();
    await expect(store.facets()).resolves.toEqual({ plugins: [], actions: [] });
    await store.insert(event());
    await store.insert(event());
    await store.insert(
      event({ plugin: 'auth', action: 'offline-sessions-revoke' }),
    );
    await store.insert(event({ plugin: 'scaffolder', action: 'task' }));
    await expect(store.facets()).resolves.toEqual({
      plugins: ['auth', 'catalog', 'scaffolder'],
      actions: ['entity-mutate', 'offline-sessions-revoke', 'task'],
    });
  });

  it('caps stored meta at 8 KiB', async () => {
    const { store } = await createStore();
    const big = 'x'.repeat(6000);
    const eventId = await store.insert(
      event({ meta: { small: 'kept', first: big, second: big } }),
    );
    const stored = await store.get(eventId);
    expect(stored?.meta).toEqual({
      small: 'kept',
      first: big,
      _truncated: ['second'],
    });
  });
});

describe('serializeMeta', () => {
  it('keeps small meta unchanged', () => {
    expect(serializeMeta({ a: 1, b: 'two' })).toBe('{"a":1,"b":"two"}');
  });

  it('never exceeds the cap, even for a single huge value', () => {
    const text = serializeMeta({ huge: 'y'.repeat(100_000) });
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_META_BYTES);
    expect(JSON.parse(text)).toEqual({ _truncated: ['huge'] });
  });
});
