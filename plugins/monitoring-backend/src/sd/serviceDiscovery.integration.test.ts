import { TestDatabases } from '@backstage/backend-test-utils';
import {
  hostEntity,
  OTHER_TOKEN,
  SD_TOKEN,
  startMonitoringBackend,
  WEBHOOK_TOKEN,
  type MonitoringBackend,
} from '../__testUtils__/testBackend';
import {
  activeTargets,
  eventually,
  startNodeExporter,
  startPrometheus,
  type RunningServer,
} from '../__testUtils__/servers';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

// A real Prometheus discovers its scrape targets from opsdeck's HTTP SD
// (authenticated with a static token) and scrapes a real node_exporter.
describe('Prometheus HTTP service discovery from the catalog', () => {
  let backend: MonitoringBackend;
  let exporter: RunningServer;
  let prometheus: RunningServer | undefined;

  beforeAll(async () => {
    exporter = await startNodeExporter();
    backend = await startMonitoringBackend({
      knex: await databases.init('SQLITE_3'),
      entities: [],
      realAuth: true,
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await exporter?.stop();
    await backend?.stop();
  });

  it('answers only the SD token: none is 401, another tool or the webhook token 403', async () => {
    const sd = `${backend.url}/sd/host`;
    expect((await fetch(sd)).status).toBe(401);
    for (const token of [OTHER_TOKEN, WEBHOOK_TOKEN]) {
      const res = await fetch(sd, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(403);
    }
    const res = await fetch(sd, {
      headers: { authorization: `Bearer ${SD_TOKEN}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([]);
    // the probes' SD answers the same token only
    const probes = `${backend.url}/probes/sd`;
    expect((await fetch(probes)).status).toBe(401);
    for (const token of [OTHER_TOKEN, WEBHOOK_TOKEN]) {
      const denied = await fetch(probes, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(denied.status).toBe(403);
    }
    const probeSd = await fetch(probes, {
      headers: { authorization: `Bearer ${SD_TOKEN}` },
    });
    expect(probeSd.status).toBe(200);
    expect(await probeSd.json()).toEqual([]);
    // and the SD token cannot post alerts
    const post = await fetch(`${backend.url}/alerts/webhook`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${SD_TOKEN}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ alerts: [] }),
    });
    expect(post.status).toBe(403);
  });

  it('scrapes a registered host within one refresh interval and drops it when it is removed', async () => {
    prometheus = await startPrometheus(`
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: opsdeck-hosts
    http_sd_configs:
      - url: ${backend.url}/sd/host
        refresh_interval: 2s
        authorization:
          type: Bearer
          credentials: ${SD_TOKEN}
`);
    const ref = 'resource:default/pay-app-01';
    backend.setEntities([
      hostEntity('pay-app-01', `127.0.0.1:${exporter.port}`, {
        owner: 'group:default/ops',
        system: 'payments',
        environment: 'prod',
      }),
      // a host whose exporter annotation does not parse is not a target
      {
        ...hostEntity('evil-01', 'http://attacker/metrics?x='),
      },
    ]);
    const target = await eventually(async () => {
      const targets = await activeTargets(prometheus!.url);
      return targets.find(
        t => t.labels.opsdeck_entity === ref && t.health === 'up',
      );
    }, 'pay-app-01 scraped and up');
    expect(target.labels).toMatchObject({
      job: 'opsdeck-hosts',
      instance: `127.0.0.1:${exporter.port}`,
      opsdeck_kind: 'host',
      opsdeck_name: 'pay-app-01',
      owner: 'group:default/ops',
      system: 'system:default/payments',
      environment: 'prod',
    });
    expect(await activeTargets(prometheus.url)).toHaveLength(1);
    // its series are in Prometheus under the entity label
    const query = await eventually(async () => {
      const res = await fetch(
        `${prometheus!.url}/api/v1/query?query=${encodeURIComponent(
          `up{opsdeck_entity="${ref}"}`,
        )}`,
      );
      const body = (await res.json()) as any;
      return body.data.result.length ? body.data.result : undefined;
    }, 'up series of the host');
    expect(query[0].value[1]).toBe('1');

    backend.setEntities([]);
    await eventually(
      async () =>
        (await activeTargets(prometheus!.url)).length === 0 ? true : undefined,
      'pay-app-01 dropped',
    );
  });
});
