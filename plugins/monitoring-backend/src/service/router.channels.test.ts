import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  as,
  backend,
  knex,
  robots,
  smtp,
  useRouterBackend,
} from '../__testUtils__/routerSuite';

jest.setTimeout(60_000);

// Channels: a test send (audited, its alert shown to readers only), the
// preview and a real SMTP send, a person's retry of a failed or unknown
// delivery, other plugins' messages through named channels, and the limit
// on what a person sends by hand. Alerts in and out: router.alerts.test.ts.
describe('monitoring router: channels', () => {
  useRouterBackend();

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

    // a test send has no entity: listed for those who manage rules only
    const list = await request(backend.server)
      .get('/api/monitoring/alerts')
      .set('authorization', as('alice'));
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(1);
    const deliveries = await request(backend.server)
      .get(`/api/monitoring/alerts/${list.body.items[0].id}/deliveries`)
      .set('authorization', as('alice'));
    expect(deliveries.body.items).toHaveLength(1);
    const daves = await request(backend.server)
      .get('/api/monitoring/alerts')
      .set('authorization', as('dave'));
    expect(daves.body).toEqual({ items: [], total: 0 });
    const daveDeliveries = await request(backend.server)
      .get(`/api/monitoring/alerts/${list.body.items[0].id}/deliveries`)
      .set('authorization', as('dave'));
    expect(daveDeliveries.status).toBe(404);
    const channels = await request(backend.server)
      .get('/api/monitoring/channels')
      .set('authorization', as('dave'));
    // no URL (it carries the robot's key)
    expect(channels.body.items).toEqual([
      { name: 'ops-wecom', type: 'wecom', owners: ['group:default/ops'] },
      { name: 'ops-mail', type: 'email', owners: ['group:default/nobody'] },
      { name: 'ci-hook', type: 'webhook', owners: ['group:default/nobody'] },
    ]);
    expect(JSON.stringify(channels.body)).not.toContain('k3y');
    const erin = await request(backend.server)
      .get('/api/monitoring/alerts')
      .set('authorization', as('erin'));
    expect(erin.status).toBe(403);
  });

  it('previews a channel message with the sender code and test-sends it by real SMTP; viewers get 403', async () => {
    // a viewer (metrics only) and a developer (alerts, no channel test)
    for (const user of ['vera', 'dave']) {
      const res = await request(backend.server)
        .get('/api/monitoring/channels/ops-mail/preview')
        .set('authorization', as(user));
      expect([user, res.status]).toEqual([user, 403]);
    }
    const preview = await request(backend.server)
      .get('/api/monitoring/channels/ops-mail/preview')
      .set('authorization', as('alice'));
    expect(preview.status).toBe(200);
    expect(preview.body).toEqual({
      channel: 'ops-mail',
      type: 'email',
      title: '[告警 FIRING] OpsdeckTestAlert (test)',
      lines: [
        'Test send by user:default/alice',
        'severity: info',
        expect.stringMatching(/^started: \d{4}-/),
      ],
      text: preview.body.lines.join('\n'),
    });
    expect(smtp.received).toHaveLength(0);
    expect(
      backend.events.find(
        e =>
          e.eventId === 'monitoring-channel-preview' &&
          e.status === 'succeeded' &&
          JSON.stringify(e).includes('user:default/alice'),
      ),
    ).toBeDefined();

    // the test send is what the preview showed (but for its start time)
    const sent = await request(backend.server)
      .post('/api/monitoring/channels/ops-mail/test')
      .set('authorization', as('alice'));
    expect(sent.status).toBe(200);
    expect(sent.body.deliveries).toEqual([
      expect.objectContaining({ channel: 'ops-mail', state: 'sent' }),
    ]);
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0].to).toEqual(['ops@x.test']);
    const raw = smtp.received[0].raw.replace(/\r\n/g, '\n');
    expect(raw).toContain(preview.body.lines.slice(0, 2).join('\n'));

    // a robot's preview is its own format: WeCom's text with the title
    const wecom = await request(backend.server)
      .get('/api/monitoring/channels/ops-wecom/preview')
      .set('authorization', as('alice'));
    expect(wecom.body.text.split('\n').slice(0, 3)).toEqual([
      '[告警 FIRING] OpsdeckTestAlert (test)',
      'Test send by user:default/alice',
      'severity: info',
    ]);
    const none = await request(backend.server)
      .get('/api/monitoring/channels/nope/preview')
      .set('authorization', as('alice'));
    expect(none.status).toBe(404);
  });

  it('lets those who manage rules send one failed or (confirmed) unknown delivery again, audited; viewers get 403', async () => {
    robots.failNext.add('wecom');
    const sent = await request(backend.server)
      .post('/api/monitoring/channels/ops-wecom/test')
      .set('authorization', as('alice'));
    const [failed] = sent.body.deliveries;
    expect(failed).toEqual(
      expect.objectContaining({ state: 'failed', attempts: 1 }),
    );
    const before = robots.of('wecom').length;
    const retry = (user: string, id: number, body?: object) =>
      request(backend.server)
        .post(`/api/monitoring/deliveries/${id}/retry`)
        .set('authorization', as(user))
        .send(body ?? {});

    // a viewer and a developer (reads alerts, manages no rules): 403
    for (const user of ['vera', 'dave', 'erin']) {
      const res = await retry(user, failed.id);
      expect([user, res.status]).toEqual([user, 403]);
    }
    expect(robots.of('wecom')).toHaveLength(before);

    const ok = await retry('alice', failed.id);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual(
      expect.objectContaining({ id: failed.id, state: 'sent', attempts: 2 }),
    );
    expect(robots.of('wecom')).toHaveLength(before + 1);
    const audit = backend.events.find(
      e =>
        e.eventId === 'monitoring-delivery-retry' && e.status === 'succeeded',
    );
    expect(JSON.stringify(audit)).toContain('user:default/alice');

    // sent: not sent again
    const again = await retry('alice', failed.id);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('monitoring-delivery-not-retryable');

    // unknown (cut off mid-send): only with the confirmation
    await knex('monitoring_deliveries')
      .where({ id: failed.id })
      .update({ state: 'unknown' });
    const unconfirmed = await retry('alice', failed.id);
    expect(unconfirmed.status).toBe(409);
    expect(unconfirmed.body.error.code).toBe(
      'monitoring-delivery-unknown-unconfirmed',
    );
    expect(robots.of('wecom')).toHaveLength(before + 1);
    const confirmed = await retry('alice', failed.id, { confirmUnknown: true });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.state).toBe('sent');
    expect(robots.of('wecom')).toHaveLength(before + 2);
    expect(
      backend.events.filter(
        e => e.eventId === 'monitoring-delivery-retry' && e.status === 'failed',
      ),
    ).toHaveLength(2);

    // no such delivery: 404
    expect((await retry('alice', 999_999)).status).toBe(404);
  });

  it("sends another plugin's message through named channels for plugin tokens only: people and static tokens 403, an unknown channel 404 coded, audited with the plugin", async () => {
    const message = {
      channels: ['ci-hook'],
      title: 'Build failed: web #7',
      text: 'Cause: npm ERR [dependency]\nBuild: http://ci/7',
      severity: 'high',
      scope: 'cicd:web#7',
    };
    const send = (authorization: string, body: object = message) =>
      request(backend.server)
        .post('/api/monitoring/channels/send')
        .set('authorization', authorization)
        .send(body);
    const cicd = mockCredentials.service.header({
      onBehalfOf: mockCredentials.service('plugin:cicd'),
      targetPluginId: 'monitoring',
    });
    const hooks = () => robots.of('webhook').length;
    const before = hooks();

    // a person (even an admin) and a static token (Alertmanager's) are refused
    expect((await send(as('alice'))).status).toBe(403);
    const staticToken = await send(mockCredentials.service.header());
    expect(staticToken.status).toBe(403);
    expect(staticToken.body.error.code).toBe('monitoring-send-plugins-only');
    expect(hooks()).toBe(before);

    // an unknown channel: nothing is sent, even on the known one
    const unknown = await send(cicd, {
      ...message,
      channels: ['ci-hook', 'nope'],
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('monitoring-channel-unknown');
    expect(unknown.body.error.channel).toBe('nope');
    expect(hooks()).toBe(before);

    const sent = await send(cicd);
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({ outcomes: [{ channel: 'ci-hook', ok: true }] });
    expect(hooks()).toBe(before + 1);
    const posted = robots.of('webhook').at(-1)!.body;
    expect(posted.title).toBe('Build failed: web 7');
    expect(posted.alert).toMatchObject({
      status: 'firing',
      fingerprint: 'cicd:cicd:web#7',
      labels: { opsdeck_source: 'cicd' },
    });
    // the channel's URL (its token) is in no answer and no audit event
    expect(JSON.stringify(sent.body)).not.toContain('h00k');
    const audit = backend.events.filter(
      e => e.eventId === 'monitoring-channel-send',
    );
    expect(JSON.stringify(audit)).not.toContain('h00k');
    expect(audit.find(e => e.status === 'succeeded')?.meta).toMatchObject({
      plugin: 'plugin:cicd',
      sent: ['ci-hook'],
      failed: [],
    });
    expect(
      audit.filter(e => e.status === 'failed').map(e => e.meta?.plugin),
    ).toEqual(['external:test-service', 'plugin:cicd']);

    // a channel that fails is an outcome, not an error
    robots.failNext.add('webhook');
    const failed = await send(cicd, { ...message, severity: 'normal' });
    expect(failed.status).toBe(200);
    expect(failed.body.outcomes).toEqual([
      { channel: 'ci-hook', ok: false, error: 'HTTP 500' },
    ]);
  });

  it('limits the messages a person sends by hand (5 a minute by default): 429 with Retry-After, nothing sent or recorded; others are not limited', async () => {
    const send = (user: string) =>
      request(backend.server)
        .post('/api/monitoring/channels/ops-wecom/test')
        .set('authorization', as(user));
    const retry = (user: string, id: number) =>
      request(backend.server)
        .post(`/api/monitoring/deliveries/${id}/retry`)
        .set('authorization', as(user))
        .send({});
    const alertCount = async () =>
      Number((await knex('monitoring_alert_events').count('* as n'))[0].n);
    const tests = () =>
      backend.events.filter(e => e.eventId === 'monitoring-channel-test')
        .length;

    robots.failNext.add('wecom');
    const first = await send('tess');
    expect(first.status).toBe(200);
    const [failed] = first.body.deliveries;
    expect(failed.state).toBe('failed');
    for (let i = 2; i <= 5; i++) {
      expect([i, (await send('tess')).status]).toEqual([i, 200]);
    }
    const sentBefore = robots.of('wecom').length;
    const alertsBefore = await alertCount();
    const auditedBefore = tests();
    const refused = await send('tess');
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({
      code: 'monitoring-rate-limited',
      limit: 5,
      retryAfterSeconds: Number(refused.headers['retry-after']),
    });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // the refused call sent, recorded and audited nothing
    expect(robots.of('wecom')).toHaveLength(sentBefore);
    expect(await alertCount()).toBe(alertsBefore);
    expect(tests()).toBe(auditedBefore);

    // another person is not limited by tess' sends
    expect((await send('alice')).status).toBe(200);
    expect(robots.of('wecom')).toHaveLength(sentBefore + 1);

    // retries: five a minute per person, whatever their outcome
    for (let i = 1; i <= 5; i++) {
      expect([i, (await retry('tess', 999_999)).status]).toEqual([i, 404]);
    }
    const sentNow = robots.of('wecom').length;
    const refusedRetry = await retry('tess', failed.id);
    expect(refusedRetry.status).toBe(429);
    expect(refusedRetry.body.error.code).toBe('monitoring-rate-limited');
    expect(robots.of('wecom')).toHaveLength(sentNow);
    expect(
      await knex('monitoring_deliveries').where({ id: failed.id }).first(),
    ).toMatchObject({ state: 'failed' });
    // otto (manages rules) retries the same delivery: sent
    const otto = await retry('otto', failed.id);
    expect(otto.status).toBe(200);
    expect(otto.body.state).toBe('sent');
    expect(robots.of('wecom')).toHaveLength(sentNow + 1);
  });
});
