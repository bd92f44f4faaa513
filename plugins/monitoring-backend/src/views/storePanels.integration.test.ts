import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import net from 'node:net';
import request from 'supertest';
import {
  startMonitoringBackend,
  type MonitoringBackend,
} from '../__testUtils__/testBackend';
import {
  eventually,
  startPrometheus,
  startStoreExporter,
  type RunningServer,
} from '../__testUtils__/servers';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const as = (user: string) =>
  mockCredentials.user.header(`user:default/${user}`);

/** A hostile name: were it not an escaped literal, `vector(1)` would answer. */
const HOSTILE = 'x"} or vector(1) or redis_up{a="';

function store(name: string, type: string, engine: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name, namespace: 'default' },
    spec: { type, engine, owner: 'dba' },
  };
}

const path = (name: string) =>
  `/api/monitoring/entities/resource/default/${encodeURIComponent(
    name,
  )}/panels?range=1h`;

/** A few GETs of a missing key on the test Redis: keyspace misses, so a hit rate. */
async function redisMisses() {
  const u = new URL(process.env.OPSDECK_TEST_REDIS_URL!);
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect(Number(u.port), u.hostname, () => {
      socket.write(
        `AUTH ${decodeURIComponent(
          u.password,
        )}\r\n${'GET opsdeck:monitoring:absent\r\n'.repeat(3)}QUIT\r\n`,
      );
    });
    socket.on('data', () => undefined);
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
}

// Databases' and caches' panels from a real Prometheus scraping the real
// Debian exporters of the test PostgreSQL, MariaDB and Redis.
describe('database and cache monitoring panels', () => {
  let backend: MonitoringBackend;
  const exporters: RunningServer[] = [];
  let prometheus: RunningServer;

  beforeAll(async () => {
    const [pg, my, redis] = await Promise.all([
      startStoreExporter('postgresql'),
      startStoreExporter('mysql'),
      startStoreExporter('redis'),
    ]);
    exporters.push(pg, my, redis);
    const target = (exporter: RunningServer, ref: string) => `
      - targets: ['127.0.0.1:${exporter.port}']
        labels:
          opsdeck_entity: '${ref}'`;
    prometheus = await startPrometheus(`
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: opsdeck-stores
    static_configs:${target(pg, 'resource:default/pay-db-main')}${target(
      my,
      'resource:default/shop-db',
    )}${target(redis, 'resource:default/session-cache')}
`);
    backend = await startMonitoringBackend({
      knex: await databases.init('SQLITE_3'),
      entities: [
        store('pay-db-main', 'database', 'postgresql'),
        store('shop-db', 'database', 'mysql'),
        store('session-cache', 'cache', 'redis'),
        store('ledger-db', 'database', 'oracle'),
        store('secret-db', 'database', 'postgresql'),
        store(HOSTILE, 'cache', 'redis'),
      ],
      monitoring: { prometheus: { url: prometheus.url } },
      // the catalog hides secret-db from alice
      visibleTo: (user, entity) =>
        !(
          user === 'user:default/alice' && entity.metadata.name === 'secret-db'
        ),
    });
  });
  afterAll(async () => {
    await backend?.stop();
    await prometheus?.stop();
    await Promise.all(exporters.map(e => e.stop()));
  });

  /** The panels of an entity once `ready` says its data is there. */
  const panelsOf = (name: string, ready: (byId: any) => boolean) =>
    eventually(async () => {
      const res = await request(backend.server)
        .get(path(name))
        .set('authorization', as('dave'));
      expect(res.status).toBe(200);
      const byId = Object.fromEntries(
        res.body.panels.map((p: any) => [p.id, p]),
      );
      return ready(byId) ? byId : undefined;
    }, `panels of ${name}`);
  const last = (panel: any, series: string) =>
    panel.series.find((s: any) => s.name === series)?.points.at(-1)?.[1];

  it('answers a PostgreSQL database: connections vs max, transactions, lag, deadlocks, up', async () => {
    const p = await panelsOf(
      'pay-db-main',
      b =>
        last(b.connections, 'connections') >= 1 &&
        last(b.transactions, 'commit') > 0,
    );
    expect(Object.keys(p)).toEqual([
      'connections',
      'transactions',
      'replicationLag',
      'deadlocks',
      'up',
    ]);
    expect(last(p.connections, 'max')).toBeGreaterThan(
      last(p.connections, 'connections'),
    );
    expect(p.transactions.series.map((s: any) => s.name)).toEqual([
      'commit',
      'rollback',
    ]);
    expect(last(p.deadlocks, 'deadlocks')).toBeGreaterThanOrEqual(0);
    expect(last(p.up, 'up')).toBe(1);
    // a primary without replicas has no lag series
    expect(p.replicationLag.series).toEqual([]);
  });

  it('answers a MariaDB database: connections vs max, queries/s, slow queries, up', async () => {
    const p = await panelsOf(
      'shop-db',
      b => last(b.queries, 'queries') > 0 && b.slowQueries.series.length > 0,
    );
    expect(Object.keys(p)).toEqual([
      'connections',
      'queries',
      'slowQueries',
      'replicationLag',
      'up',
    ]);
    expect(last(p.connections, 'connections')).toBeGreaterThanOrEqual(1);
    expect(last(p.connections, 'max')).toBeGreaterThan(
      last(p.connections, 'connections'),
    );
    expect(last(p.slowQueries, 'slow')).toBeGreaterThanOrEqual(0);
    expect(last(p.up, 'up')).toBe(1);
    expect(p.replicationLag.series).toEqual([]);
  });

  it('answers a Redis cache: memory, hit rate, evictions, clients, up', async () => {
    const p = await panelsOf('session-cache', b => {
      void redisMisses();
      return (
        last(b.memory, 'used') > 0 && b.hitRate.series[0]?.points.length > 0
      );
    });
    expect(Object.keys(p)).toEqual([
      'memory',
      'hitRate',
      'evictions',
      'clients',
      'up',
    ]);
    expect(p.memory.unit).toBe('bytes');
    const hitRate = last(p.hitRate, 'hitRate');
    expect(hitRate).toBeGreaterThanOrEqual(0);
    expect(hitRate).toBeLessThanOrEqual(100);
    expect(last(p.evictions, 'evictions')).toBeGreaterThanOrEqual(0);
    expect(last(p.clients, 'clients')).toBeGreaterThanOrEqual(1);
    expect(last(p.up, 'up')).toBe(1);
  });

  it('keeps a hostile entity name a literal: no injected series', async () => {
    const res = await request(backend.server)
      .get(path(HOSTILE))
      .set('authorization', as('dave'));
    expect(res.status).toBe(200);
    expect(res.body.panels.map((p: any) => p.id)).toEqual([
      'memory',
      'hitRate',
      'evictions',
      'clients',
      'up',
    ]);
    for (const panel of res.body.panels) expect(panel.series).toEqual([]);
  });

  it('checks the permission and the catalog, and knows only its engines', async () => {
    expect(
      (
        await request(backend.server)
          .get(path('pay-db-main'))
          .set('authorization', as('erin'))
      ).status,
    ).toBe(403);
    // the catalog shows alice no database here
    expect(
      (
        await request(backend.server)
          .get(path('secret-db'))
          .set('authorization', as('alice'))
      ).status,
    ).toBe(404);
    expect(
      (
        await request(backend.server)
          .get(path('ledger-db'))
          .set('authorization', as('dave'))
      ).status,
    ).toBe(400);
  });
});
