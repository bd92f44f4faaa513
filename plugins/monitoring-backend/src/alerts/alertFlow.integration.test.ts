import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import {
  hostEntity,
  SD_TOKEN,
  startMonitoringBackend,
  WEBHOOK_TOKEN,
  type MonitoringBackend,
} from '../__testUtils__/testBackend';
import {
  startRobotReceivers,
  startSmtpServer,
} from '../__testUtils__/receivers';
import {
  eventually,
  startAlertmanager,
  startNodeExporter,
  startPrometheus,
  type RunningServer,
} from '../__testUtils__/servers';

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });
const secrets = { dingtalk: 'SEC-dingtalk-flow', feishu: 'feishu-flow' };

// The whole alert path with real servers: Prometheus discovers a host from
// opsdeck, scrapes its node_exporter, loads the HostDown rule a person made
// through opsdeck's API (promtool-checked, written, reloaded), fires it when
// the exporter stops,
// Alertmanager posts to two opsdeck replicas on one PostgreSQL database, and
// the local DingTalk, WeCom and Feishu robots and the SMTP server receive the
// alert once, then its resolution once.
describe('alert flow: node_exporter -> Prometheus -> Alertmanager -> opsdeck -> robots and mail', () => {
  const servers: Array<{ stop(): Promise<void> } | undefined> = [];
  let robots: Awaited<ReturnType<typeof startRobotReceivers>>;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  const replicas: MonitoringBackend[] = [];
  let exporter: RunningServer | undefined;

  afterAll(async () => {
    await exporter?.stop();
    for (const s of servers.reverse()) await s?.stop();
    for (const r of replicas) await r.stop();
    await robots?.close();
    await smtp?.close();
  });

  it('delivers the alert and its resolution once to each channel', async () => {
    robots = await startRobotReceivers(secrets);
    smtp = await startSmtpServer();
    exporter = await startNodeExporter();
    const exporterPort = exporter.port;
    const knex = await databases.init('POSTGRES_15');
    const monitoring = {
      smtp: { host: '127.0.0.1', port: smtp.port, from: 'alerts@x.test' },
      channels: [
        {
          name: 'ops-dingtalk',
          type: 'dingtalk',
          url: robots.urls.dingtalk,
          secretCredential: 'ops-dingtalk-sign',
          owner: 'ops',
          mobiles: ['13900000000'],
          owners: ['ops'],
        },
        {
          name: 'ops-wecom',
          type: 'wecom',
          url: robots.urls.wecom,
          owners: ['ops'],
        },
        {
          name: 'ops-feishu',
          type: 'feishu',
          url: robots.urls.feishu,
          secretCredential: 'ops-feishu-sign',
          owner: 'ops',
          owners: ['ops'],
        },
        {
          name: 'ops-mail',
          type: 'email',
          to: ['ops@x.test'],
          owners: ['ops'],
        },
        { name: 'ops-inbox', type: 'notifications', owners: ['ops'] },
      ],
    };
    const entities = [
      hostEntity('pay-app-01', `127.0.0.1:${exporterPort}`, { owner: 'ops' }),
    ];
    // Prometheus first (its rule file is opsdeck's, empty until the rule is
    // made); the scrape and alerting config follow once the replicas and
    // Alertmanager have their addresses, through a lifecycle reload
    const prometheus = await startPrometheus(
      'global:\n  evaluation_interval: 1s\nrule_files: [opsdeck.rules.yml]\n',
      { 'opsdeck.rules.yml': 'groups: []\n' },
    );
    servers.push(prometheus);
    const withRules = {
      ...monitoring,
      prometheus: { url: prometheus.url },
      rules: { file: path.join(prometheus.dir, 'opsdeck.rules.yml') },
    };
    for (let i = 0; i < 2; i++) {
      const replica = await startMonitoringBackend({
        knex,
        entities,
        monitoring: withRules,
        realAuth: true,
      });
      replica.vault.secrets['ops-dingtalk-sign'] = {
        owner: 'group:default/ops',
        password: secrets.dingtalk,
      };
      replica.vault.secrets['ops-feishu-sign'] = {
        owner: 'group:default/ops',
        password: secrets.feishu,
      };
      replicas.push(replica);
    }
    // where people sign in: a third replica on the same database and rule
    // file (signed-in users; the two above take Prometheus' and
    // Alertmanager's static tokens)
    const portal = await startMonitoringBackend({
      knex,
      entities,
      monitoring: withRules,
    });
    replicas.push(portal);

    const webhook = (url: string) => `
      - url: ${url}/alerts/webhook
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: ${WEBHOOK_TOKEN}`;
    const alertmanager = await startAlertmanager(`
route:
  receiver: opsdeck
  group_by: [alertname, opsdeck_entity]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: opsdeck
    webhook_configs:${replicas
      .slice(0, 2)
      .map(r => webhook(r.url))
      .join('')}
`);
    servers.push(alertmanager);
    fs.writeFileSync(
      path.join(prometheus.dir, 'prometheus.yml'),
      `
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [opsdeck.rules.yml]
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['127.0.0.1:${alertmanager.port}']
scrape_configs:
  - job_name: opsdeck-hosts
    http_sd_configs:
      - url: ${replicas[0].url}/sd/host
        refresh_interval: 2s
        authorization:
          type: Bearer
          credentials: ${SD_TOKEN}
`,
    );
    expect(
      (await fetch(`${prometheus.url}/-/reload`, { method: 'POST' })).ok,
    ).toBe(true);

    // the rule, made by a person through opsdeck's API from the host-down
    // template on the one host: promtool-checked, written, Prometheus reloaded
    const rule = await request(portal.server)
      .post('/api/monitoring/rules')
      .set('authorization', mockCredentials.user.header('user:default/alice'))
      .send({
        name: 'pay-app-01 down',
        template: 'host-down',
        scope: { entityRef: 'resource:default/pay-app-01' },
        params: { for: '1s', severity: 'critical' },
      });
    expect(rule.status).toBe(201);
    await eventually(async () => {
      const res = await fetch(`${prometheus.url}/api/v1/rules`);
      const loaded = ((await res.json()) as any).data.groups.flatMap(
        (g: any) => g.rules,
      );
      return loaded.some(
        (r: any) =>
          r.name === 'HostDown' &&
          r.labels.opsdeck_rule === String(rule.body.id),
      )
        ? true
        : undefined;
    }, 'the rule made through the API loaded in Prometheus');

    // scraped and up first
    await eventually(async () => {
      const res = await fetch(
        `${prometheus.url}/api/v1/query?query=${encodeURIComponent(
          'up{opsdeck_entity="resource:default/pay-app-01"} == 1',
        )}`,
      );
      return ((await res.json()) as any).data.result.length ? true : undefined;
    }, 'the host scraped and up');

    // the exporter stops: HostDown fires
    await exporter.stop();
    exporter = undefined;
    await eventually(
      async () =>
        robots.of('dingtalk').length &&
        robots.of('wecom').length &&
        robots.of('feishu').length &&
        smtp.received.length
          ? true
          : undefined,
      'the firing alert on every channel',
    );
    const ding = robots.of('dingtalk')[0];
    expect(ding.body.markdown.title).toBe(
      '[告警 FIRING] HostDown · pay-app-01',
    );
    expect(ding.body.markdown.text).toContain('pay-app-01 is down');
    expect(ding.body.at.atMobiles).toEqual(['13900000000']);
    expect(robots.of('feishu')[0].body.card.header.template).toBe('red');
    expect(smtp.received[0].to).toEqual(['ops@x.test']);
    const notified = replicas.flatMap(r => r.notifications);
    expect(notified).toHaveLength(1);
    expect(notified[0].recipients).toEqual({
      type: 'entity',
      entityRef: ['group:default/ops'],
    });

    // the exporter is back: the resolution is sent
    exporter = await startNodeExporter(exporterPort);
    await eventually(
      async () =>
        robots.of('dingtalk').length >= 2 &&
        robots.of('wecom').length >= 2 &&
        robots.of('feishu').length >= 2 &&
        smtp.received.length >= 2
          ? true
          : undefined,
      'the resolution on every channel',
    );
    expect(robots.of('dingtalk')[1].body.markdown.title).toContain('RESOLVED');
    expect(robots.of('feishu')[1].body.card.header.template).toBe('green');

    // both replicas were posted to (Alertmanager has two webhooks), each
    // state was delivered once, and nothing was rejected
    await new Promise(r => setTimeout(r, 3000));
    expect(robots.rejected).toEqual([]);
    // Alertmanager did post each state to both replicas (2 webhooks x 2 states)
    const metrics = await (await fetch(`${alertmanager.url}/metrics`)).text();
    const sent =
      /^alertmanager_notifications_total\{integration="webhook"\} (\d+)$/m.exec(
        metrics,
      );
    expect(Number(sent?.[1])).toBe(4);
    expect(robots.of('dingtalk')).toHaveLength(2);
    expect(robots.of('wecom')).toHaveLength(2);
    expect(robots.of('feishu')).toHaveLength(2);
    expect(smtp.received).toHaveLength(2);
    expect(replicas.flatMap(r => r.notifications)).toHaveLength(2);
    const rows = await knex('monitoring_alert_events').orderBy('id');
    expect(rows.map(r => [r.alertname, r.status, r.owner])).toEqual([
      ['HostDown', 'firing', 'group:default/ops'],
      ['HostDown', 'resolved', 'group:default/ops'],
    ]);
    const deliveries = await knex('monitoring_deliveries');
    expect(deliveries).toHaveLength(10);
    expect(deliveries.every(d => d.state === 'sent' && d.attempts === 1)).toBe(
      true,
    );
    // the vault was asked for the signing secrets as alert-channel, for the channel
    const uses = replicas.flatMap(r => r.vault.uses);
    expect(uses[0].use).toEqual({
      use: 'alert-channel',
      for: {
        ref: expect.stringMatching(/^monitoring-channel:ops-/),
        owner: 'group:default/ops',
      },
    });
  });
});
