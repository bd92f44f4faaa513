import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  hostEntity,
  startMonitoringBackend,
  type MonitoringBackend,
} from '../__testUtils__/testBackend';
import {
  eventually,
  freePort,
  startNodeExporter,
  startPrometheus,
  type RunningServer,
} from '../__testUtils__/servers';
import { fleetQueries, queryFleet } from './fleet';
import { oneOf } from '../rules/promql';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const as = (user: string) =>
  mockCredentials.user.header(`user:default/${user}`);
const ref = (name: string) => `resource:default/${name}`;

// dave (dev) reads his team's hosts only: pay-app-02, web-01 and a host
// named `.*` (were refs not regex-escaped, it would match every host);
// vera (viewer) reads every host; victor has no role.
const DEV_HOSTS = ['pay-app-02', 'web-01', '.*'];
const visibleTo = (user: string, entity: { metadata: { name: string } }) =>
  user === 'user:default/vera' ||
  (user === 'user:default/dave' && DEV_HOSTS.includes(entity.metadata.name));

// The fleet overview from a real Prometheus scraping a real node_exporter
// (as pay-app-01 and pay-app-02) and two closed ports (web-01, hidden-01 down).
describe('fleet overview', () => {
  let backend: MonitoringBackend;
  let exporter: RunningServer;
  let prometheus: RunningServer;

  beforeAll(async () => {
    exporter = await startNodeExporter();
    const closed = await freePort();
    const target = (address: string, name: string) => `
      - targets: ['${address}']
        labels:
          opsdeck_entity: ${ref(name)}`;
    prometheus = await startPrometheus(`
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: opsdeck-hosts
    static_configs:${target(
      `127.0.0.1:${exporter.port}`,
      'pay-app-01',
    )}${target(`127.0.0.1:${exporter.port}`, 'pay-app-02')}${target(
      `127.0.0.1:${closed}`,
      'web-01',
    )}${target(`127.0.0.2:${closed}`, 'hidden-01')}
`);
    const host = (name: string) =>
      hostEntity(name, `127.0.0.1:${exporter.port}`);
    backend = await startMonitoringBackend({
      knex: await databases.init('SQLITE_3'),
      entities: [
        host('pay-app-01'),
        host('pay-app-02'),
        host('web-01'),
        host('hidden-01'),
        { ...host('.*'), metadata: { name: '.*', namespace: 'default' } },
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Resource',
          metadata: { name: 'pay-db', namespace: 'default' },
          spec: { type: 'database', owner: 'ops' },
        },
      ],
      monitoring: { prometheus: { url: prometheus.url } },
      visibleTo,
    });
  });
  afterAll(async () => {
    await backend?.stop();
    await prometheus?.stop();
    await exporter?.stop();
  });

  const fleet = (user: string, query = '') =>
    request(backend.server)
      .get(`/api/monitoring/fleet${query}`)
      .set('authorization', as(user));

  /** The overview once every list has `hosts` entries and `downs` hosts are down. */
  const ready = (user: string, query = '', hosts = 1, downs = 1) =>
    eventually(async () => {
      const res = await fleet(user, query);
      expect(res.status).toBe(200);
      const b = res.body;
      return [b.cpu, b.memory, b.disk].every(l => l.length >= hosts) &&
        b.down.length >= downs
        ? b
        : undefined;
    }, `fleet of ${user}`);

  it('shows a viewer every host: top CPU, memory, disk and what is down', async () => {
    const body = await ready('vera', '', 2, 2);
    expect(body.hosts).toBe(5);
    expect(body.limit).toBe(10);
    expect(Date.parse(body.time)).toBeGreaterThan(Date.now() - 60_000);
    for (const list of ['cpu', 'memory', 'disk']) {
      expect(body[list].map((e: any) => e.entityRef).sort()).toEqual([
        ref('pay-app-01'),
        ref('pay-app-02'),
      ]);
      for (const e of body[list]) {
        expect(e.value).toBeGreaterThanOrEqual(0);
        expect(e.value).toBeLessThanOrEqual(100);
      }
    }
    expect(body.memory[0].value).toBeGreaterThan(0);
    expect(body.down).toEqual([
      expect.objectContaining({
        entityRef: ref('hidden-01'),
        title: 'hidden-01',
      }),
      expect.objectContaining({ entityRef: ref('web-01'), title: 'web-01' }),
    ]);
    expect(body.down[1].instance).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it("shows a developer his team's hosts only, filtered before any number", async () => {
    const body = await ready('dave');
    expect(body.hosts).toBe(3);
    for (const list of ['cpu', 'memory', 'disk']) {
      expect(body[list].map((e: any) => e.entityRef)).toEqual([
        ref('pay-app-02'),
      ]);
    }
    // hidden-01 is down too, but dave may not read it
    expect(body.down.map((e: any) => e.entityRef)).toEqual([ref('web-01')]);
  });

  it('answers the top `limit` hosts', async () => {
    const body = await ready('vera', '?limit=1', 1, 2);
    expect(body.limit).toBe(1);
    expect(body.cpu).toHaveLength(1);
    expect(body.memory).toHaveLength(1);
    expect(body.disk).toHaveLength(1);
    expect((await fleet('vera', '?limit=0')).status).toBe(400);
    expect((await fleet('vera', '?limit=51')).status).toBe(400);
  });

  it('refuses a person without metrics.read', async () => {
    expect((await fleet('victor')).status).toBe(403);
    expect((await fleet('erin')).status).toBe(403);
    expect(
      (await request(backend.server).get('/api/monitoring/fleet')).status,
    ).toBe(401);
  });

  it('asks a large fleet in chunks with the same answer', async () => {
    // a hostile ref parses as a literal in the real Prometheus and matches nothing
    const hosts = [
      'pay-app-01',
      'pay-app-02',
      'web-01',
      'hidden-01',
      '.*',
      'x"} or vector(1) or up{a="',
    ].map(name => ({ entityRef: ref(name), title: name }));
    const whole = await queryFleet({
      prometheusUrl: prometheus.url,
      hosts,
      limit: 10,
      now: new Date(),
    });
    const chunked = await queryFleet({
      prometheusUrl: prometheus.url,
      hosts,
      limit: 1,
      now: new Date(whole.time),
      chunk: 1,
    });
    expect(whole.cpu.map(e => e.entityRef).sort()).toEqual([
      ref('pay-app-01'),
      ref('pay-app-02'),
    ]);
    expect(chunked.cpu).toEqual(whole.cpu.slice(0, 1));
    expect(chunked.disk).toEqual(whole.disk.slice(0, 1));
    expect(chunked.down).toEqual(whole.down);
  });
});

describe('fleet PromQL', () => {
  it('names the entities as escaped literals only', () => {
    const q = fleetQueries(
      oneOf('opsdeck_entity', ['resource:default/a"} or vector(1) #', '.*']),
      5,
    );
    expect(q.down).toBe(
      'up{opsdeck_entity=~"resource:default/a\\"\\\\} or vector\\\\(1\\\\) #|\\\\.\\\\*"} == 0',
    );
    expect(q.cpu).toContain('topk(5, ');
  });
});
