import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import dns from 'node:dns/promises';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import request from 'supertest';
import {
  hostEntity,
  startMonitoringBackend,
  type MonitoringBackend,
} from '../__testUtils__/testBackend';
import { startDnsServer, type TestDnsServer } from '../__testUtils__/dnsServer';
import {
  activeTargets,
  eventually,
  freePort,
  instantQuery,
  startBlackboxExporter,
  startPrometheus,
  type RunningServer,
} from '../__testUtils__/servers';

jest.setTimeout(180_000);

/** A catalog component (a service unless told), owned by ops. */
const service = (name: string, type = 'service'): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default' },
  spec: { type, owner: 'ops', lifecycle: 'production' },
});

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const as = (user: string) =>
  mockCredentials.user.header(`user:default/${user}`);

// Probes made in opsdeck become modules of a real blackbox exporter (checked
// with its --config.check, reloaded) and targets of a real Prometheus
// (HTTP SD, multi-target pattern, scrape interval per probe).
describe('probes through the blackbox exporter', () => {
  let backend: MonitoringBackend;
  // a second replica on the same database that knows Prometheus (started
  // once Prometheus is, which discovers through the first)
  let reader: MonitoringBackend;
  let blackbox: RunningServer;
  let prometheus: RunningServer;
  let open: net.Server;
  let openPort: number;
  // the name server opsdeck resolves probe names with (the exporter cannot
  // resolve its names: .test is reserved, RFC 6761)
  let dnsServer: TestDnsServer;

  beforeAll(async () => {
    dnsServer = await startDnsServer();
    open = net.createServer(socket => socket.end());
    await new Promise<void>(r => open.listen(0, '127.0.0.1', () => r()));
    openPort = (open.address() as net.AddressInfo).port;
    blackbox = await startBlackboxExporter();
    const knex = await databases.init('SQLITE_3');
    const entities = [
      hostEntity('web-01', '127.0.0.1:9100'),
      hostEntity('vault-01', '127.0.0.1:9101'),
      // services whose Monitoring tab charts their probes; the component
      // vault-01 is hidden like the host
      ...['shop', 'quiet', 'vault-01'].map(name => service(name)),
      service('docs', 'library'),
    ];
    backend = await startMonitoringBackend({
      knex,
      entities,
      // vault-01 is shown to alice only
      visibleTo: (user, entity) =>
        entity.metadata.name !== 'vault-01' || user === 'user:default/alice',
      monitoring: {
        probes: {
          blackbox: {
            configFile: path.join(blackbox.dir, 'blackbox.yml'),
            url: blackbox.url,
          },
          // the test servers are on loopback
          allowTargets: ['127.0.0.1'],
          minIntervalSeconds: 1,
          dnsServers: [dnsServer.address],
        },
      },
    });
    const token = mockCredentials.service.token();
    prometheus = await startPrometheus(`
global:
  scrape_interval: 1m
scrape_configs:
  - job_name: opsdeck-probes
    metrics_path: /probe
    http_sd_configs:
      - url: ${backend.url}/probes/sd
        refresh_interval: 1s
        authorization:
          type: Bearer
          credentials: ${JSON.stringify(token)}
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [opsdeck_probe_target]
        target_label: instance
      - target_label: __address__
        replacement: 127.0.0.1:${blackbox.port}
`);
    reader = await startMonitoringBackend({
      knex,
      // new-01 is in this replica's catalog only: the first one's discovery
      // leaves its probes out (Prometheus never scrapes them)
      entities: [...entities, hostEntity('new-01', '127.0.0.1:9104')],
      visibleTo: (user, entity) =>
        entity.metadata.name !== 'vault-01' || user === 'user:default/alice',
      monitoring: {
        prometheus: { url: prometheus.url },
        probes: { allowTargets: ['127.0.0.1'], minIntervalSeconds: 1 },
      },
    });
  });

  afterAll(async () => {
    await reader?.stop();
    await prometheus?.stop();
    await backend?.stop();
    await blackbox?.stop();
    await new Promise(r => open?.close(r));
    await dnsServer?.stop();
  });

  const create = (body: Record<string, unknown>, user = 'alice') =>
    request(backend.server)
      .post('/api/monitoring/probes')
      .set('authorization', as(user))
      .send({ entityRef: 'resource:default/web-01', interval: '1s', ...body });

  /** probe_success of a probe, once Prometheus has scraped it. */
  const success = (id: number) =>
    eventually(async () => {
      const [sample] = await instantQuery(
        prometheus.url,
        `probe_success{opsdeck_probe="${id}"}`,
      );
      return sample?.value;
    }, `probe_success of probe ${id}`);

  it('probes an open TCP port up and a closed one down, every second', async () => {
    const up = await create({ kind: 'tcp', target: `127.0.0.1:${openPort}` });
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({
      kind: 'tcp',
      interval: '1s',
      createdBy: 'user:default/alice',
      entityRef: 'resource:default/web-01',
    });
    const closedPort = await freePort();
    const down = await create({
      kind: 'tcp',
      target: `127.0.0.1:${closedPort}`,
      interval: '2s',
    });
    expect(down.status).toBe(201);

    // the module is in the exporter's config file, which it reloaded
    const modules = JSON.parse(
      fs.readFileSync(path.join(blackbox.dir, 'blackbox.yml'), 'utf8'),
    ).modules;
    expect(Object.keys(modules)).toEqual([
      `opsdeck_probe_${up.body.id}`,
      `opsdeck_probe_${down.body.id}`,
    ]);

    expect(await success(up.body.id)).toBe('1');
    expect(await success(down.body.id)).toBe('0');

    // the per-probe interval beats the job's 1m (__scrape_interval__)
    const targets = await activeTargets(prometheus.url);
    const intervals = Object.fromEntries(
      targets.map((t: any) => [t.labels.opsdeck_probe, t.scrapeInterval]),
    );
    expect(intervals).toMatchObject({
      [up.body.id]: '1s',
      [down.body.id]: '2s',
    });
    const target = targets.find(
      t => t.labels.opsdeck_probe === String(up.body.id),
    )!;
    expect(target.labels).toMatchObject({
      instance: `127.0.0.1:${openPort}`,
      opsdeck_entity: 'resource:default/web-01',
      opsdeck_probe_kind: 'tcp',
      owner: 'group:default/ops',
    });
    expect(target.scrapeUrl).toContain(`127.0.0.1:${blackbox.port}/probe`);
  });

  it('edits a probe the exporter then runs as edited, and answers states from probe_success owner-scoped', async () => {
    const closedPort = await freePort();
    const down = await create({
      kind: 'tcp',
      target: `127.0.0.1:${closedPort}`,
    });
    const hidden = await create({
      kind: 'tcp',
      target: `127.0.0.1:${openPort}`,
      entityRef: 'resource:default/vault-01',
    });
    expect([down.status, hidden.status]).toEqual([201, 201]);
    const status = async (user: string) => {
      const res = await request(reader.server)
        .get('/api/monitoring/probes/status')
        .set('authorization', as(user));
      expect([user, res.status]).toEqual([user, 200]);
      return new Map(
        (res.body.items as Array<{ id: number; state: string }>).map(s => [
          s.id,
          s,
        ]),
      );
    };
    expect(await success(down.body.id)).toBe('0');
    expect(await success(hidden.body.id)).toBe('1');
    const alices = await eventually(async () => {
      const now = await status('alice');
      return now.get(hidden.body.id)?.state === 'up' ? now : undefined;
    }, 'both probes answered');
    expect(alices.get(down.body.id)).toEqual({
      id: down.body.id,
      state: 'down',
      lastProbeAt: expect.any(String),
    });
    expect(alices.get(hidden.body.id)).toMatchObject({ state: 'up' });
    // dave reads web-01 only: vault-01's probe is not answered to him
    const daves = await status('dave');
    expect(daves.get(down.body.id)).toMatchObject({ state: 'down' });
    expect(daves.has(hidden.body.id)).toBe(false);
    // no role, no answer
    const erin = await request(reader.server)
      .get('/api/monitoring/probes/status')
      .set('authorization', as('erin'));
    expect(erin.status).toBe(403);

    // the closed port's probe edited to the open one: the module is
    // rewritten, the exporter reloaded, and it goes up
    const edited = await request(backend.server)
      .put(`/api/monitoring/probes/${down.body.id}`)
      .set('authorization', as('alice'))
      .send({
        entityRef: 'resource:default/web-01',
        kind: 'tcp',
        target: `127.0.0.1:${openPort}`,
        interval: '1s',
      });
    expect(edited.status).toBe(200);
    await eventually(async () => {
      const now = await status('alice');
      return now.get(down.body.id)?.state === 'up' ? true : undefined;
    }, 'the edited probe up');
    // a probe Prometheus has no series of is unknown
    const fresh = await request(reader.server)
      .post('/api/monitoring/probes')
      .set('authorization', as('alice'))
      .send({
        entityRef: 'resource:default/new-01',
        kind: 'tcp',
        target: `127.0.0.1:${openPort}`,
        interval: '1s',
      });
    expect(fresh.status).toBe(201);
    expect((await status('alice')).get(fresh.body.id)).toEqual({
      id: fresh.body.id,
      state: 'unknown',
    });
  });

  it("charts a service's probes from the blackbox series, owner-scoped, with no PromQL from the caller", async () => {
    const web = await create({
      entityRef: 'component:default/shop',
      kind: 'http',
      target: `${prometheus.url}/-/ready`,
      expectStatus: 200,
    });
    expect(web.status).toBe(201);
    const tcp = await create({
      entityRef: 'component:default/shop',
      kind: 'tcp',
      target: `127.0.0.1:${openPort}`,
    });
    expect(tcp.status).toBe(201);
    const hidden = await create({
      entityRef: 'component:default/vault-01',
      kind: 'tcp',
      target: `127.0.0.1:${openPort}`,
    });
    expect(hidden.status).toBe(201);
    const panels = (entity: string, user: string, range = '1h') =>
      request(reader.server)
        .get(`/api/monitoring/entities/component/default/${entity}/panels`)
        .query({ range })
        .set('authorization', as(user));
    const last = (panel: any) => panel.series[0]?.points.at(-1)?.[1];
    const shop = await eventually(async () => {
      const res = await panels('shop', 'dave');
      expect(res.status).toBe(200);
      return res.body.panels.every((p: any) => last(p) !== undefined)
        ? res.body.panels
        : undefined;
    }, "the service's probe panels with data");
    expect(
      shop.map((p: any) => [p.id, p.unit, p.probe.id, p.series[0].name]),
    ).toEqual([
      ['probeSuccess', 'up', web.body.id, 'success'],
      ['probeDuration', 'seconds', web.body.id, 'duration'],
      ['probeStatusCode', 'statusCode', web.body.id, 'status'],
      ['probeSuccess', 'up', tcp.body.id, 'success'],
      ['probeDuration', 'seconds', tcp.body.id, 'duration'],
    ]);
    expect(shop[0].probe).toEqual({
      id: web.body.id,
      kind: 'http',
      target: `${prometheus.url}/-/ready`,
    });
    expect(last(shop[0])).toBe(1);
    expect(last(shop[1])).toBeGreaterThan(0);
    expect(last(shop[2])).toBe(200);
    expect(last(shop[3])).toBe(1);
    // another range is another query_range of the same fixed panels
    const week = await panels('shop', 'dave', '7d');
    expect(week.status).toBe(200);
    expect(week.body.panels).toHaveLength(5);

    // a service without probes has no panels (the tab's empty state)
    const quiet = await panels('quiet', 'dave');
    expect(quiet.status).toBe(200);
    expect(quiet.body.panels).toEqual([]);
    // the catalog decides: hidden from dave, shown to alice with its probe
    expect((await panels('vault-01', 'dave')).status).toBe(404);
    const shown = await eventually(async () => {
      const res = await panels('vault-01', 'alice');
      return last(res.body.panels[0] ?? { series: [] }) === 1
        ? res.body.panels
        : undefined;
    }, "the hidden service's probe for alice");
    expect(shown.map((p: any) => p.probe.id)).toEqual([
      hidden.body.id,
      hidden.body.id,
    ]);
    // the permission first; other component types and ranges are refused
    expect((await panels('shop', 'erin')).status).toBe(403);
    expect((await panels('docs', 'alice')).status).toBe(400);
    expect((await panels('shop', 'alice', 'probe_success{}')).status).toBe(400);
    for (const id of [web.body.id, tcp.body.id, hidden.body.id]) {
      await request(backend.server)
        .delete(`/api/monitoring/probes/${id}`)
        .set('authorization', as('alice'))
        .expect(204);
    }
  });

  it('fails an HTTP probe with the wrong expected status, passes the right status and body', async () => {
    const ready = `${prometheus.url}/-/ready`;
    const wrong = await create({
      kind: 'http',
      target: ready,
      expectStatus: 404,
    });
    expect(wrong.status).toBe(201);
    const right = await create({
      kind: 'http',
      target: ready,
      expectStatus: 200,
      bodyRegex: '(?i)prometheus (server )?is ready',
    });
    expect(right.status).toBe(201);
    const body = await create({
      kind: 'http',
      target: ready,
      bodyRegex: '^not what it says$',
    });
    expect(body.status).toBe(201);
    expect(await success(wrong.body.id)).toBe('0');
    expect(await success(right.body.id)).toBe('1');
    expect(await success(body.body.id)).toBe('0');
  });

  it('refuses what the exporter cannot parse and targets a hostile dev could abuse', async () => {
    const before = fs.readFileSync(
      path.join(blackbox.dir, 'blackbox.yml'),
      'utf8',
    );
    // not RE2 (a lookahead): the exporter's own check refuses it
    const regex = await create({
      kind: 'http',
      target: `http://127.0.0.1:${openPort}/`,
      bodyRegex: '(?=x)',
    });
    expect(regex.status).toBe(400);
    expect(regex.body.error.message).toMatch(
      /blackbox exporter refused the probe: .*regular expression/,
    );
    for (const target of [
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]:8080/',
      'http://[::ffff:169.254.169.254]/',
      'http://100.100.100.200/latest/meta-data/',
      'http://0.0.0.0:7007/',
      'http://user:pw@127.0.0.1/',
      'file:///etc/passwd',
      `127.0.0.1:${openPort}`,
    ]) {
      const res = await create({ kind: 'http', target });
      expect([target, res.status]).toEqual([target, 400]);
    }
    for (const target of [
      '169.254.169.254:80',
      '127.0.0.2:22',
      'localhost6:22',
      `127.0.0.1:${openPort}\nmodules:`,
      '127.0.0.1:0',
      'http://127.0.0.1:80/',
    ]) {
      const res = await create({ kind: 'tcp', target });
      expect([target, res.status]).toEqual([target, 400]);
    }
    // a TCP probe has no HTTP expectations; no zero interval
    expect(
      (
        await create({
          kind: 'tcp',
          target: `127.0.0.1:${openPort}`,
          expectStatus: 200,
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await create({
          kind: 'tcp',
          target: `127.0.0.1:${openPort}`,
          interval: '0s',
        })
      ).status,
    ).toBe(400);
    // nothing was kept or written
    expect(
      fs.readFileSync(path.join(blackbox.dir, 'blackbox.yml'), 'utf8'),
    ).toBe(before);
  });

  it('lets only rule managers create and delete, on entities they read; lists owner-scoped; audits the person', async () => {
    const denied = await create(
      { kind: 'tcp', target: `127.0.0.1:${openPort}` },
      'dave',
    );
    expect(denied.status).toBe(403);
    const hidden = await create({
      kind: 'tcp',
      target: `127.0.0.1:${openPort}`,
      entityRef: 'resource:default/vault-01',
    });
    expect(hidden.status).toBe(201);
    const list = async (user: string) => {
      const res = await request(backend.server)
        .get('/api/monitoring/probes')
        .set('authorization', as(user));
      expect(res.status).toBe(200);
      return res.body.items.map((p: any) => p.id);
    };
    expect(await list('alice')).toContain(hidden.body.id);
    expect(await list('dave')).not.toContain(hidden.body.id);
    expect((await list('dave')).length).toBeGreaterThan(0);
    expect(
      (
        await request(backend.server)
          .get('/api/monitoring/probes')
          .set('authorization', as('erin'))
      ).status,
    ).toBe(403);
    // the SD is for Prometheus' token, not for people
    expect(
      (
        await request(backend.server)
          .get('/api/monitoring/probes/sd')
          .set('authorization', as('alice'))
      ).status,
    ).toBe(403);

    // olga manages rules? no: only alice may delete
    const del = (id: number, user = 'alice') =>
      request(backend.server)
        .delete(`/api/monitoring/probes/${id}`)
        .set('authorization', as(user));
    expect((await del(hidden.body.id, 'dave')).status).toBe(403);
    expect((await del(hidden.body.id)).status).toBe(204);
    expect((await del(hidden.body.id)).status).toBe(404);
    expect(await list('alice')).not.toContain(hidden.body.id);
    // and Prometheus drops it
    await eventually(async () => {
      const targets = await activeTargets(prometheus.url);
      return targets.some(
        t => t.labels.opsdeck_probe === String(hidden.body.id),
      )
        ? undefined
        : true;
    }, 'the deleted probe dropped');

    const audit = backend.events.filter(e =>
      e.eventId.startsWith('monitoring-probe-'),
    );
    const created = audit.find(
      e =>
        e.eventId === 'monitoring-probe-create' &&
        JSON.stringify(e).includes(`"probeId":${hidden.body.id}`),
    );
    expect(JSON.stringify(created)).toContain('user:default/alice');
    expect(
      audit
        .filter(
          e =>
            e.eventId === 'monitoring-probe-delete' &&
            JSON.stringify(e).includes(`monitoring-probe:${hidden.body.id}"`),
        )
        .map(e => e.status),
    ).toEqual(['succeeded', 'failed']);
  });

  it('probes a name at the address opsdeck checked (the name as Host), and drops it when DNS turns it', async () => {
    // the exporter's own resolver does not know the name: a probe that
    // succeeds was sent to the pinned address
    await expect(dns.lookup('web.opsdeck.test')).rejects.toThrow();
    dnsServer.answer('web.opsdeck.test', ['127.0.0.1']);
    const hosts: string[] = [];
    const site = http.createServer((req, res) => {
      hosts.push(String(req.headers.host));
      res.end('pinned ok');
    });
    await new Promise<void>(r => site.listen(0, '127.0.0.1', () => r()));
    const sitePort = (site.address() as net.AddressInfo).port;
    try {
      const url = `http://web.opsdeck.test:${sitePort}/health`;
      const web = await create({
        kind: 'http',
        target: url,
        bodyRegex: 'pinned ok',
      });
      expect(web.status).toBe(201);
      const tcp = await create({
        kind: 'tcp',
        target: `web.opsdeck.test:${openPort}`,
      });
      expect(tcp.status).toBe(201);
      expect(await success(web.body.id)).toBe('1');
      expect(await success(tcp.body.id)).toBe('1');
      // the server saw the name, the exporter was given the address
      expect(hosts).toContain(`web.opsdeck.test:${sitePort}`);
      const target = (await activeTargets(prometheus.url)).find(
        t => t.labels.opsdeck_probe === String(web.body.id),
      )!;
      expect(target.labels.opsdeck_probe_target).toBe(url);
      expect(target.labels.instance).toBe(url);
      expect(decodeURIComponent(target.scrapeUrl)).toContain(
        `target=http://127.0.0.1:${sitePort}/health`,
      );

      // a name with a refused AAAA beside a good A is refused at save time
      dnsServer.answer('dual.opsdeck.test', ['127.0.0.1', '::1']);
      const dual = await create({
        kind: 'tcp',
        target: `dual.opsdeck.test:${openPort}`,
      });
      expect(dual.status).toBe(400);
      expect(dual.body.error.message).toMatch(/may not reach ::1/);

      // rebinding: the name now answers the metadata address; the next
      // discovery leaves both probes out and Prometheus drops them
      dnsServer.answer('web.opsdeck.test', ['169.254.169.254']);
      await eventually(async () => {
        const targets = await activeTargets(prometheus.url);
        return targets.some(t =>
          [String(web.body.id), String(tcp.body.id)].includes(
            t.labels.opsdeck_probe,
          ),
        )
          ? undefined
          : true;
      }, 'the turned name dropped');
      // the SD never hands the exporter the metadata address
      const sd = await request(backend.server)
        .get('/api/monitoring/probes/sd')
        .set('authorization', mockCredentials.service.header());
      expect(sd.status).toBe(200);
      expect(JSON.stringify(sd.body)).not.toContain('169.254.169.254');
      expect(JSON.stringify(sd.body)).not.toContain('web.opsdeck.test:');
    } finally {
      await new Promise(r => site.close(r));
    }
  });
});
