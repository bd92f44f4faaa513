import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  hostEntity,
  startMonitoringBackend,
  type MonitoringBackend,
} from '../__testUtils__/testBackend';
import {
  eventually,
  startNodeExporter,
  startPrometheus,
  type RunningServer,
} from '../__testUtils__/servers';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const as = (user: string) =>
  mockCredentials.user.header(`user:default/${user}`);
const path = '/api/monitoring/entities/resource/default/pay-app-01/panels';

// A host's panels come from a real Prometheus scraping a real node_exporter;
// the PromQL is fixed, the entity must be readable by the caller.
describe('host monitoring panels', () => {
  let backend: MonitoringBackend;
  let exporter: RunningServer;
  let prometheus: RunningServer;

  beforeAll(async () => {
    exporter = await startNodeExporter();
    prometheus = await startPrometheus(`
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: opsdeck-hosts
    static_configs:
      - targets: ['127.0.0.1:${exporter.port}']
        labels:
          opsdeck_entity: resource:default/pay-app-01
`);
    backend = await startMonitoringBackend({
      knex: await databases.init('SQLITE_3'),
      entities: [
        hostEntity('pay-app-01', `127.0.0.1:${exporter.port}`),
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: { name: 'shop', namespace: 'default' },
          spec: { type: 'service' },
        },
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: { name: 'sdk', namespace: 'default' },
          spec: { type: 'library' },
        },
      ],
      monitoring: { prometheus: { url: prometheus.url } },
      // the catalog hides the host from alice in this test
      visibleTo: user => user !== 'user:default/alice',
    });
  });
  afterAll(async () => {
    await backend?.stop();
    await prometheus?.stop();
    await exporter?.stop();
  });

  it('answers CPU, memory, disk, network, load and up of the host', async () => {
    const panels = await eventually(async () => {
      const res = await request(backend.server)
        .get(`${path}?range=1h`)
        .set('authorization', as('dave'));
      expect(res.status).toBe(200);
      const byId = Object.fromEntries(
        res.body.panels.map((p: any) => [p.id, p]),
      );
      return byId.cpu.series[0]?.points.length && byId.network.series.length
        ? byId
        : undefined;
    }, 'panels with data');
    expect(Object.keys(panels)).toEqual([
      'cpu',
      'memory',
      'disk',
      'network',
      'load',
      'up',
    ]);
    const last = (id: string) => panels[id].series[0].points.at(-1)[1];
    expect(last('up')).toBe(1);
    expect(last('memory')).toBeGreaterThan(0);
    expect(last('memory')).toBeLessThan(100);
    expect(last('cpu')).toBeGreaterThanOrEqual(0);
    expect(panels.disk.series.map((s: any) => s.name)).toContain('/');
    expect(panels.network.series.map((s: any) => s.name)).toEqual([
      'receive',
      'transmit',
    ]);
    expect(panels.load.series.map((s: any) => s.name)).toEqual([
      'load1',
      'load5',
    ]);
  });

  it('checks the permission and that the caller can read the entity', async () => {
    const erin = await request(backend.server)
      .get(path)
      .set('authorization', as('erin'));
    expect(erin.status).toBe(403);
    const alice = await request(backend.server)
      .get(path)
      .set('authorization', as('alice'));
    expect(alice.status).toBe(404);
    // a service's panels are its probes' (none here); a library has none
    const service = await request(backend.server)
      .get('/api/monitoring/entities/component/default/shop/panels')
      .set('authorization', as('dave'));
    expect(service.status).toBe(200);
    expect(service.body.panels).toEqual([]);
    const library = await request(backend.server)
      .get('/api/monitoring/entities/component/default/sdk/panels')
      .set('authorization', as('dave'));
    expect(library.status).toBe(400);
    // no PromQL from the caller: an unknown range is refused
    const range = await request(backend.server)
      .get(`${path}?range=up{}`)
      .set('authorization', as('dave'));
    expect(range.status).toBe(400);
  });
});
