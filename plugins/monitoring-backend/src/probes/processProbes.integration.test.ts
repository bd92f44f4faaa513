import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import {
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import {
  hostEntity,
  startMonitoringBackend,
  type MonitoringBackend,
} from '../__testUtils__/testBackend';
import {
  eventually,
  instantQuery,
  startPrometheus,
  type RunningServer,
} from '../__testUtils__/servers';

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const as = (user: string) =>
  mockCredentials.user.header(`user:default/${user}`);

/** A catalog host reached over SSH at a test sshd, logging in with `probe-ssh`. */
function sshHost(name: string, port: number): Entity {
  const e = hostEntity(name, '127.0.0.1:9100');
  (e.spec as any).port = port;
  (e.spec as any).credential = 'probe-ssh';
  return e;
}

const component: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'checkout', namespace: 'default' },
  spec: { type: 'service', owner: 'ops', lifecycle: 'production' },
};

// Process probes: opsdeck runs `pgrep -c -x -- NAME` over SSH (remote-node)
// on a real OpenSSH host when Prometheus scrapes it, and answers
// probe_success as the blackbox exporter would.
describe('process probes on real sshd hosts', () => {
  let sshd: SshdHosts;
  let backend: MonitoringBackend;
  let reader: MonitoringBackend;
  let prometheus: RunningServer;
  let dir: string;

  beforeAll(async () => {
    sshd = await startSshdHosts(1);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsdeck-process-probe-'));
    const knex = await databases.init('SQLITE_3');
    const entities = [
      sshHost('app-01', sshd.hosts[0].port),
      sshHost('vault-01', sshd.hosts[0].port),
      component,
    ];
    const visibleTo = (user: string, entity: Entity) =>
      entity.metadata.name !== 'vault-01' || user === 'user:default/alice';
    backend = await startMonitoringBackend({
      knex,
      entities,
      visibleTo,
      monitoring: {
        probes: {
          blackbox: { configFile: path.join(dir, 'blackbox.yml') },
          allowTargets: ['127.0.0.1'],
          minIntervalSeconds: 1,
        },
      },
    });
    backend.vault.sshKeys['probe-ssh'] = {
      username: sshd.user,
      privateKey: sshd.privateKeyText,
    };
    const token = mockCredentials.service.token();
    const backendHost = new URL(backend.url).host;
    prometheus = await startPrometheus(
      `
global:
  scrape_interval: 1m
  evaluation_interval: 1s
rule_files: [opsdeck.rules.yml]
scrape_configs:
  - job_name: opsdeck-process-probes
    metrics_path: /api/monitoring/probes/process/metrics
    http_sd_configs:
      - url: ${backend.url}/probes/process/sd
        refresh_interval: 1s
        authorization: { type: Bearer, credentials: ${JSON.stringify(token)} }
    authorization: { type: Bearer, credentials: ${JSON.stringify(token)} }
    relabel_configs:
      - source_labels: [__address__]
        target_label: instance
      - target_label: __address__
        replacement: ${backendHost}
`,
      { 'opsdeck.rules.yml': 'groups: []\n' },
    );
    reader = await startMonitoringBackend({
      knex,
      entities,
      visibleTo,
      monitoring: {
        prometheus: { url: prometheus.url },
        rules: { file: path.join(prometheus.dir, 'opsdeck.rules.yml') },
        probes: { allowTargets: ['127.0.0.1'], minIntervalSeconds: 1 },
      },
    });
  });

  afterAll(async () => {
    await reader?.stop();
    await prometheus?.stop();
    await backend?.stop();
    await sshd?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const create = (body: Record<string, unknown>, user = 'alice') =>
    request(backend.server)
      .post('/api/monitoring/probes')
      .set('authorization', as(user))
      .send({
        entityRef: 'resource:default/app-01',
        kind: 'process',
        interval: '2s',
        ...body,
      });
  const edit = (id: number, body: Record<string, unknown>, user = 'alice') =>
    request(backend.server)
      .put(`/api/monitoring/probes/${id}`)
      .set('authorization', as(user))
      .send({
        entityRef: 'resource:default/app-01',
        kind: 'process',
        interval: '2s',
        ...body,
      });
  const metrics = (id: number, auth = mockCredentials.service.header()) =>
    request(backend.server)
      .get(`/api/monitoring/probes/process/metrics?probe=${id}`)
      .set('authorization', auth);
  const hostile = [
    'sshd; touch /tmp/opsdeck-pwned',
    '$(touch /tmp/opsdeck-pwned)',
    '`id`',
    'sshd|cat',
    'sshd&',
    "ssh'd",
    'ssh"d',
    'ssh d',
    'sshd\n',
    '\nsshd',
    'ssh\u0000d',
    '-x',
    '--help',
    '.hidden',
    'ssh*',
    'ssh.*',
    '../sshd',
    'a/b',
    'sshd>x',
    'résumé',
    'ｓｓｈｄ',
    'a'.repeat(16),
  ];

  it('refuses a name that is not one process name (shell metacharacters, options, too long) on create and edit, audited, and runs nothing', async () => {
    const before = backend.vault.uses.length;
    for (const name of hostile) {
      const res = await create({ target: name });
      expect([name, res.status]).toEqual([name, 400]);
    }
    const failed = backend.events.filter(
      e => e.eventId === 'monitoring-probe-create' && e.status === 'failed',
    );
    expect(failed.length).toBeGreaterThanOrEqual(hostile.length);
    const made = await create({ target: 'sshd' });
    expect(made.status).toBe(201);
    for (const name of hostile) {
      const res = await edit(made.body.id, { target: name });
      expect([name, res.status]).toEqual([name, 400]);
    }
    const list = await request(backend.server)
      .get('/api/monitoring/probes')
      .set('authorization', as('alice'));
    expect(list.body.items.find((p: any) => p.id === made.body.id)).toEqual(
      made.body,
    );
    // nothing was taken out of the vault, nothing ran
    expect(backend.vault.uses.length).toBe(before);
    expect(fs.existsSync('/tmp/opsdeck-pwned')).toBe(false);
    // no expectations, and only on a catalog host
    expect((await create({ target: 'sshd', expectStatus: 200 })).status).toBe(
      400,
    );
    const onComponent = await create({
      target: 'sshd',
      entityRef: 'component:default/checkout',
    });
    expect(onComponent.status).toBe(400);
    expect(onComponent.body.error.message).toMatch(/catalog host/);
    // and the process probe's module is not the exporter's
    const modules = JSON.parse(
      fs.readFileSync(path.join(dir, 'blackbox.yml'), 'utf8'),
    ).modules;
    expect(modules[`opsdeck_probe_${made.body.id}`]).toBeUndefined();
  });

  it('is checked like the other probes: a viewer and a dev get 403, a host the person cannot read is 404', async () => {
    for (const user of ['dave', 'vera', 'erin']) {
      expect((await create({ target: 'sshd' }, user)).status).toBe(403);
    }
    const hidden = await create(
      { target: 'sshd', entityRef: 'resource:default/vault-01' },
      'otto',
    );
    expect(hidden.status).toBe(404);
    const mine = await create(
      { target: 'sshd', entityRef: 'resource:default/vault-01' },
      'alice',
    );
    expect(mine.status).toBe(201);
    expect((await edit(mine.body.id, { target: 'cron' }, 'otto')).status).toBe(
      404,
    );
    const created = backend.events.filter(
      e =>
        e.eventId === 'monitoring-probe-create' &&
        e.status === 'succeeded' &&
        JSON.stringify(e).includes('user:default/alice'),
    );
    expect(created.length).toBeGreaterThan(0);
  });

  it('runs pgrep -x over SSH on the catalog host when scraped with the SD token: sshd runs, a missing name does not', async () => {
    const up = await create({ target: 'sshd' });
    const down = await create({ target: 'no-such-proc' });
    expect([up.status, down.status]).toEqual([201, 201]);
    const yes = await metrics(up.body.id);
    expect(yes.status).toBe(200);
    expect(yes.text).toMatch(/^probe_success 1$/m);
    expect(yes.text).toMatch(/^probe_process_count [1-9]\d*$/m);
    const no = await metrics(down.body.id);
    expect(no.text).toMatch(/^probe_success 0$/m);
    expect(no.text).toMatch(/^probe_process_count 0$/m);
    // the login was taken out for ssh-login on that host, by no person
    const use = backend.vault.uses.filter(u => u.name === 'probe-ssh').at(-1);
    expect(use?.use).toMatchObject({
      use: 'ssh-login',
      for: { ref: 'resource:default/app-01', owner: 'group:default/ops' },
    });
    expect(use?.use.actor).toBeUndefined();
    // people do not call the exporter; without a token it is 401
    expect((await metrics(up.body.id, as('alice'))).status).toBe(403);
    const anonymous = await request(backend.server).get(
      `/api/monitoring/probes/process/metrics?probe=${up.body.id}`,
    );
    expect(anonymous.status).toBe(401);
    // a TCP probe or an unknown id is no process probe
    const tcp = await create({
      kind: 'tcp',
      target: '127.0.0.1:22',
    });
    expect(tcp.status).toBe(201);
    expect((await metrics(tcp.body.id)).status).toBe(404);
    expect((await metrics(999_999)).status).toBe(404);
    // the SD lists process probes only, with the probe id as parameter
    const sd = await request(backend.server)
      .get('/api/monitoring/probes/process/sd')
      .set('authorization', mockCredentials.service.header());
    const group = sd.body.find(
      (g: any) => g.labels.opsdeck_probe === String(up.body.id),
    );
    expect(group).toMatchObject({
      targets: ['app-01'],
      labels: {
        __param_probe: String(up.body.id),
        opsdeck_probe_kind: 'process',
        opsdeck_probe_target: 'sshd',
        __scrape_interval__: '2s',
      },
    });
    expect(JSON.stringify(sd.body)).not.toContain(`"${tcp.body.id}"`);
    const blackboxSd = await request(backend.server)
      .get('/api/monitoring/probes/sd')
      .set('authorization', mockCredentials.service.header());
    expect(
      blackboxSd.body.some(
        (g: any) => g.labels.opsdeck_probe_kind === 'process',
      ),
    ).toBe(false);
  });

  it('is scraped by a real Prometheus and shown as the other probes: up and down in GET /probes/status, the probe-failing rule fires for the missing process', async () => {
    const up = await create({ target: 'sshd', interval: '1s' });
    const down = await create({ target: 'nosuchdaemon', interval: '1s' });
    const value = (id: number) =>
      eventually(async () => {
        const [sample] = await instantQuery(
          prometheus.url,
          `probe_success{opsdeck_probe="${id}"}`,
        );
        return sample?.value;
      }, `probe_success of probe ${id}`);
    expect(await value(up.body.id)).toBe('1');
    expect(await value(down.body.id)).toBe('0');
    const status = await eventually(async () => {
      const res = await request(reader.server)
        .get('/api/monitoring/probes/status')
        .set('authorization', as('alice'));
      const byId = new Map(res.body.items.map((s: any) => [s.id, s]));
      const u: any = byId.get(up.body.id);
      const d: any = byId.get(down.body.id);
      return u?.state === 'up' && d?.state === 'down' ? [u, d] : undefined;
    }, 'the probes up and down in /probes/status');
    expect(status[0].lastProbeAt).toEqual(expect.any(String));
    // the same rule path as the other probes: a rule from the probe-failing
    // template on the host, checked by promtool and loaded by Prometheus
    const rule = await request(reader.server)
      .post('/api/monitoring/rules')
      .set('authorization', as('alice'))
      .send({
        name: 'app-01 processes',
        template: 'probe-failing',
        scope: { entityRef: 'resource:default/app-01' },
        params: { for: '1s' },
      });
    expect(rule.status).toBe(201);
    const firing = await eventually(async () => {
      const res = await fetch(`${prometheus.url}/api/v1/alerts`);
      const alerts = ((await res.json()) as any).data.alerts.filter(
        (a: any) =>
          a.labels.alertname === 'ProbeFailing' && a.state === 'firing',
      );
      return alerts.some(
        (a: any) => a.labels.opsdeck_probe === String(down.body.id),
      )
        ? alerts
        : undefined;
    }, 'ProbeFailing firing for the missing process');
    expect(
      firing.map((a: any) => a.labels.opsdeck_probe_target).sort(),
    ).toEqual(expect.arrayContaining(['nosuchdaemon']));
    expect(
      firing.some((a: any) => a.labels.opsdeck_probe_target === 'sshd'),
    ).toBe(false);
    expect(firing[0].labels).toMatchObject({
      opsdeck_entity: 'resource:default/app-01',
      opsdeck_probe_kind: 'process',
    });
  });
});
