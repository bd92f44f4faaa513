import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  hostEntity,
  startMonitoringBackend,
  type MonitoringBackend,
} from '../__testUtils__/testBackend';
import { startRobotReceivers } from '../__testUtils__/receivers';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const as = (user: string) =>
  mockCredentials.user.header(`user:default/${user}`);

describe('monitoring router', () => {
  let backend: MonitoringBackend;
  let robots: Awaited<ReturnType<typeof startRobotReceivers>>;

  beforeAll(async () => {
    robots = await startRobotReceivers({ dingtalk: 's', feishu: 'f' });
    backend = await startMonitoringBackend({
      knex: await databases.init('SQLITE_3'),
      entities: [hostEntity('web-01', '127.0.0.1:9100')],
      monitoring: {
        channels: [
          {
            name: 'ops-wecom',
            type: 'wecom',
            url: robots.urls.wecom,
            owners: ['ops'],
          },
        ],
      },
    });
  });
  afterAll(async () => {
    await backend?.stop();
    await robots?.close();
  });

  it('serves service discovery and the webhook to services only', async () => {
    const sd = await request(backend.server)
      .get('/api/monitoring/sd/host')
      .set('authorization', mockCredentials.service.header());
    expect(sd.status).toBe(200);
    expect(sd.body).toEqual([
      expect.objectContaining({ targets: ['127.0.0.1:9100'] }),
    ]);
    for (const user of ['alice', 'erin']) {
      const res = await request(backend.server)
        .get('/api/monitoring/sd/host')
        .set('authorization', as(user));
      expect([user, res.status]).toEqual([user, 403]);
      const post = await request(backend.server)
        .post('/api/monitoring/alerts/webhook')
        .set('authorization', as(user))
        .send({ alerts: [] });
      expect([user, post.status]).toEqual([user, 403]);
    }
    const bad = await request(backend.server)
      .get('/api/monitoring/sd/everything')
      .set('authorization', mockCredentials.service.header());
    expect(bad.status).toBe(400);
  });

  it('refuses a webhook payload it cannot parse', async () => {
    const res = await request(backend.server)
      .post('/api/monitoring/alerts/webhook')
      .set('authorization', mockCredentials.service.header())
      .send({
        alerts: [
          {
            status: 'firing',
            labels: {},
            startsAt: 'x',
            fingerprint: '../../etc',
          },
        ],
      });
    expect(res.status).toBe(400);
  });

  it('lets ops test-send (audited with the person) and shows alerts and deliveries to readers only', async () => {
    const denied = await request(backend.server)
      .post('/api/monitoring/channels/ops-wecom/test')
      .set('authorization', as('dave'));
    expect(denied.status).toBe(403);
    expect(robots.of('wecom')).toHaveLength(0);

    const sent = await request(backend.server)
      .post('/api/monitoring/channels/ops-wecom/test')
      .set('authorization', as('alice'));
    expect(sent.status).toBe(200);
    expect(sent.body.deliveries).toEqual([
      expect.objectContaining({ channel: 'ops-wecom', state: 'sent' }),
    ]);
    expect(robots.of('wecom')).toHaveLength(1);
    expect(robots.of('wecom')[0].body.text.content).toContain(
      'Test send by user:default/alice',
    );
    const audit = backend.events.find(
      e => e.eventId === 'monitoring-channel-test' && e.status === 'succeeded',
    );
    expect(audit).toBeDefined();
    expect(JSON.stringify(audit)).toContain('user:default/alice');

    const list = await request(backend.server)
      .get('/api/monitoring/alerts')
      .set('authorization', as('dave'));
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(1);
    const deliveries = await request(backend.server)
      .get(`/api/monitoring/alerts/${list.body.items[0].id}/deliveries`)
      .set('authorization', as('dave'));
    expect(deliveries.body.items).toHaveLength(1);
    const channels = await request(backend.server)
      .get('/api/monitoring/channels')
      .set('authorization', as('dave'));
    // no URL (it carries the robot's key)
    expect(channels.body.items).toEqual([
      { name: 'ops-wecom', type: 'wecom', owners: ['group:default/ops'] },
    ]);
    expect(JSON.stringify(channels.body)).not.toContain('k3y');
    const erin = await request(backend.server)
      .get('/api/monitoring/alerts')
      .set('authorization', as('erin'));
    expect(erin.status).toBe(403);
  });
});
