import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { readMonitoringConfig } from '../config';
import { AlertStore } from '../database/AlertStore';
import {
  startRobotReceivers,
  startSmtpServer,
} from '../__testUtils__/receivers';
import { AlertRouter, type WebhookAlert } from './AlertRouter';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const secrets = { dingtalk: 'SECdingtalk-secret', feishu: 'feishu-secret' };

/** Every event these tests record (all on pay-app-01). */
const everything = {
  entityRefs: ['resource:default/pay-app-01'],
  withoutEntity: true,
};

const firing: WebhookAlert = {
  status: 'firing',
  fingerprint: 'f00d',
  startsAt: '2026-12-03T00:00:00.123456789Z',
  endsAt: '0001-01-01T00:00:00Z',
  labels: {
    alertname: 'HostDown',
    severity: 'critical',
    opsdeck_entity: 'resource:default/pay-app-01',
    opsdeck_name: 'pay-app-01',
    // a label the alert carries is not how it is routed: the catalog is
    owner: 'group:default/dev',
  },
  annotations: { summary: 'pay-app-01 [click](http://evil) @13800000000' },
};

describe.each(databases.eachSupportedId())('AlertRouter (%s)', databaseId => {
  let robots: Awaited<ReturnType<typeof startRobotReceivers>>;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;

  beforeEach(async () => {
    robots = await startRobotReceivers(secrets);
    smtp = await startSmtpServer();
  });
  afterEach(async () => {
    await robots.close();
    await smtp.close();
  });

  async function routers(count: number) {
    const knex = await databases.init(databaseId);
    const config = readMonitoringConfig(
      new ConfigReader({
        opsdeck: {
          monitoring: {
            smtp: { host: '127.0.0.1', port: smtp.port, from: 'a@x.test' },
            channels: [
              {
                name: 'ops-dingtalk',
                type: 'dingtalk',
                url: robots.urls.dingtalk,
                secretCredential: 'ding',
                owner: 'ops',
                mobiles: ['13900000000'],
                owners: ['ops'],
              },
              {
                name: 'ops-wecom',
                type: 'wecom',
                url: robots.urls.wecom,
                mobiles: ['13900000000'],
                owners: ['group:default/ops'],
              },
              {
                name: 'ops-feishu',
                type: 'feishu',
                url: robots.urls.feishu,
                secretCredential: 'feishu',
                owner: 'ops',
                owners: ['ops'],
              },
              { name: 'hook', type: 'webhook', url: robots.urls.webhook },
              {
                name: 'ops-mail',
                type: 'email',
                to: ['ops@x.test'],
                owners: ['ops'],
              },
              {
                name: 'dev-wecom',
                type: 'wecom',
                url: robots.urls.wecom,
                owners: ['dev'],
              },
            ],
          },
        },
      }),
    );
    const vaultUses: string[] = [];
    return Promise.all(
      Array.from({ length: count }, async () => {
        const store = await AlertStore.create({
          database: mockServices.database({ knex }),
        });
        return {
          vaultUses,
          router: new AlertRouter({
            store,
            config,
            logger: mockServices.logger.mock(),
            ownerOf: async ref =>
              ref === 'resource:default/pay-app-01'
                ? 'group:default/ops'
                : undefined,
            secretOf: async channel => {
              vaultUses.push(channel.secretCredential!);
              return channel.secretCredential === 'ding'
                ? secrets.dingtalk
                : secrets.feishu;
            },
          }),
        };
      }),
    );
  }

  it('delivers a firing alert and its resolution once to the owner group channels, from two replicas', async () => {
    const [a, b] = await routers(2);
    const results = await Promise.all([
      a.router.receive([firing]),
      b.router.receive([firing]),
      a.router.receive([firing]),
    ]);
    expect(results.map(r => r.accepted).reduce((x, y) => x + y)).toBe(1);
    expect(results.map(r => r.duplicates).reduce((x, y) => x + y)).toBe(2);

    // owner group:default/ops from the catalog: its channels and the catch-all webhook
    expect(robots.of('dingtalk')).toHaveLength(1);
    expect(robots.of('feishu')).toHaveLength(1);
    expect(robots.of('wecom')).toHaveLength(1); // ops-wecom, not dev-wecom
    expect(robots.of('webhook')).toHaveLength(1);
    expect(smtp.received).toHaveLength(1);
    expect(robots.rejected).toEqual([]);

    const ding = robots.of('dingtalk')[0].body;
    expect(ding.at).toEqual({ atMobiles: ['13900000000'], isAtAll: false });
    expect(ding.markdown.title).toBe('[告警 FIRING] HostDown · pay-app-01');
    expect(ding.markdown.text).toContain('@13900000000');
    // the annotation cannot add a link or a mention
    expect(ding.markdown.text).not.toContain('](');
    expect(ding.markdown.text).not.toContain('@13800000000');
    expect(robots.of('wecom')[0].body.text.mentioned_mobile_list).toEqual([
      '13900000000',
    ]);
    expect(robots.of('feishu')[0].body.card.header.template).toBe('red');
    expect(smtp.received[0].to).toEqual(['ops@x.test']);
    expect(smtp.received[0].raw).toContain('HostDown');

    await Promise.all([
      a.router.receive([
        { ...firing, status: 'resolved', endsAt: '2026-12-03T00:05:00Z' },
      ]),
      b.router.receive([
        { ...firing, status: 'resolved', endsAt: '2026-12-03T00:05:00Z' },
      ]),
    ]);
    expect(robots.of('dingtalk')).toHaveLength(2);
    expect(robots.of('dingtalk')[1].body.markdown.title).toContain('RESOLVED');
    expect(robots.of('feishu')[1].body.card.header.template).toBe('green');
    expect(smtp.received).toHaveLength(2);

    const { items } = await a.router.store.listEvents(
      { limit: 10, offset: 0 },
      everything,
    );
    expect(items.map(e => [e.status, e.owner])).toEqual([
      ['resolved', 'group:default/ops'],
      ['firing', 'group:default/ops'],
    ]);
    const deliveries = await a.router.store.deliveries(items[1].id);
    expect(deliveries.map(d => [d.channel, d.state, d.attempts])).toEqual([
      ['hook', 'sent', 1],
      ['ops-dingtalk', 'sent', 1],
      ['ops-feishu', 'sent', 1],
      ['ops-mail', 'sent', 1],
      ['ops-wecom', 'sent', 1],
    ]);
    // secrets from the vault at each use
    expect(a.vaultUses.filter(u => u === 'ding')).toHaveLength(2);
  });

  it('does not deliver a stale resolution; the real one that replaces it is delivered once from two replicas', async () => {
    const [a, b] = await routers(2);
    await a.router.receive([firing]);
    expect(robots.of('dingtalk')).toHaveLength(1);
    const later = new Date(Date.now() + 48 * 3_600_000);
    const stale = await a.router.store.resolveStaleBatch(later, 10, later);
    expect(stale.map(s => s.fingerprint)).toEqual(['f00d']);
    expect(robots.of('dingtalk')).toHaveLength(1);
    const resolved = {
      ...firing,
      status: 'resolved' as const,
      endsAt: '2026-12-03T00:05:00Z',
    };
    const results = await Promise.all([
      a.router.receive([resolved]),
      b.router.receive([resolved]),
    ]);
    expect(results.map(r => r.accepted).reduce((x, y) => x + y)).toBe(1);
    expect(robots.of('dingtalk')).toHaveLength(2);
    expect(robots.of('dingtalk')[1].body.markdown.title).toContain('RESOLVED');
    const { items } = await a.router.store.listEvents(
      { limit: 10, offset: 0 },
      everything,
    );
    expect(items.map(e => [e.status, e.stale ?? false])).toEqual([
      ['resolved', false],
      ['firing', false],
    ]);
  });

  it('records a failed delivery with a message that names no URL or token', async () => {
    const [a] = await routers(1);
    robots.failNext.add('dingtalk');
    await a.router.receive([firing]);
    const [event] = (
      await a.router.store.listEvents({ limit: 1, offset: 0 }, everything)
    ).items;
    const ding = (await a.router.store.deliveries(event.id)).find(
      d => d.channel === 'ops-dingtalk',
    )!;
    expect(ding).toMatchObject({ state: 'failed', error: 'HTTP 500' });
    // the other channels were delivered
    expect(robots.of('feishu')).toHaveLength(1);

    // the retry sends only the failed delivery, and counts the attempt
    expect(await a.router.retryFailed()).toBe(1);
    expect(robots.of('dingtalk')).toHaveLength(1);
    expect(robots.of('feishu')).toHaveLength(1);
    const retried = (await a.router.store.deliveries(event.id)).find(
      d => d.channel === 'ops-dingtalk',
    )!;
    expect(retried).toMatchObject({ state: 'sent', attempts: 2 });
    expect(retried.error).toBeUndefined();
    expect(await a.router.retryFailed()).toBe(0);
  });

  it('answers a wrong signature as a failure (a robot answers 200 with an error code)', async () => {
    const [a] = await routers(1);
    const wrong = new AlertRouter({
      ...(a.router as any).options,
      secretOf: async () => 'not-the-secret',
    });
    await wrong.receive([firing]);
    const [event] = (
      await a.router.store.listEvents({ limit: 1, offset: 0 }, everything)
    ).items;
    const byChannel = Object.fromEntries(
      (await a.router.store.deliveries(event.id)).map(d => [d.channel, d]),
    );
    expect(byChannel['ops-dingtalk']).toMatchObject({
      state: 'failed',
      error: 'robot answered errcode 310000: sign not match',
    });
    expect(byChannel['ops-feishu']).toMatchObject({
      state: 'failed',
      error: 'robot answered code 19021: sign match fail',
    });
    expect(JSON.stringify(byChannel)).not.toContain('t0k');
  });

  it('test-sends through the same path as a real alert', async () => {
    const [a] = await routers(1);
    const { event, deliveries } = await a.router.testSend(
      'ops-dingtalk',
      'user:default/alice',
    );
    expect(event).toMatchObject({ test: true, alertname: 'OpsdeckTestAlert' });
    expect(deliveries).toEqual([
      expect.objectContaining({ channel: 'ops-dingtalk', state: 'sent' }),
    ]);
    // signed like a real alert, so a channel that test-sends fine delivers alerts
    expect(robots.of('dingtalk')).toHaveLength(1);
    expect(robots.of('dingtalk')[0].body.markdown.title).toContain('(test)');
    await expect(
      a.router.testSend('nope', 'user:default/alice'),
    ).rejects.toThrow('No channel nope');
  });
});
