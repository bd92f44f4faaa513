import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { readMonitoringConfig } from '../config';
import { AlertStore } from '../database/AlertStore';
import { startRobotReceivers } from '../__testUtils__/receivers';
import { AlertRouter, type WebhookAlert } from './AlertRouter';
import { dueStep } from './escalation';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

/** When opsdeck received the firing alerts (the injected clock's zero). */
const T0 = Date.parse('2026-12-03T08:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

const firing = (fingerprint: string): WebhookAlert => ({
  status: 'firing',
  fingerprint,
  startsAt: '2026-12-03T07:59:00Z',
  labels: {
    alertname: 'HostDown',
    severity: 'critical',
    opsdeck_entity: 'resource:default/pay-app-01',
    opsdeck_name: 'pay-app-01',
  },
  annotations: { summary: 'pay-app-01 is down' },
});
const resolved = (fingerprint: string): WebhookAlert => ({
  ...firing(fingerprint),
  status: 'resolved',
  endsAt: '2026-12-03T08:10:00Z',
});

describe.each(databases.eachSupportedId())('escalation (%s)', databaseId => {
  let robots: Awaited<ReturnType<typeof startRobotReceivers>>;
  let clock: Date;
  let notes: NotificationSendOptions[];
  /** Who is on call for each group (the rotations' answer). */
  let onCall: Record<string, string[]>;

  beforeEach(async () => {
    robots = await startRobotReceivers({ dingtalk: 'd', feishu: 'f' });
    clock = at(0);
    notes = [];
    onCall = {};
  });
  afterEach(() => robots.close());

  /** `count` replicas on one database, with the injected clock. */
  async function replicas(count: number) {
    const knex = await databases.init(databaseId);
    const config = readMonitoringConfig(
      new ConfigReader({
        opsdeck: {
          monitoring: {
            channels: [
              {
                name: 'ops-wecom',
                type: 'wecom',
                url: robots.urls.wecom,
                owners: ['ops'],
              },
              {
                name: 'leads-hook',
                type: 'webhook',
                url: `${robots.urls.webhook}?ch=leads`,
                owners: ['ops-leads'],
              },
              {
                name: 'phone',
                type: 'webhook',
                url: `${robots.urls.webhook}?ch=phone`,
                owners: ['group:default/nobody'],
              },
              {
                name: 'portal',
                type: 'notifications',
                owners: ['ops', 'ops-leads'],
              },
            ],
            escalation: {
              afterMinutes: 15,
              notify: ['group:ops-leads', 'channel:phone'],
              reminders: { times: 2, everyMinutes: 30 },
            },
          },
        },
      }),
    );
    return Promise.all(
      Array.from({ length: count }, async () => {
        const store = await AlertStore.create({
          database: mockServices.database({ knex }),
        });
        return new AlertRouter({
          store,
          config,
          logger: mockServices.logger.mock(),
          notifications: {
            send: async (n: NotificationSendOptions) => {
              notes.push(n);
            },
          } as any,
          ownerOf: async () => 'group:default/ops',
          secretOf: async () => 'unused',
          onCallFor: async (group: string) => onCall[group] ?? [],
          now: () => clock,
        });
      }),
    );
  }

  const hook = (ch: string) =>
    robots.of('webhook').filter(m => m.query.get('ch') === ch);
  const titles = () =>
    robots.received.map(
      m =>
        `${m.robot === 'webhook' ? m.query.get('ch') : m.robot}: ${
          m.body.title ?? m.body.text?.content.split('\n')[0]
        }`,
    );

  async function receiveOne(router: AlertRouter, fingerprint: string) {
    await router.receive([firing(fingerprint)]);
    const { items } = await router.store.listEvents(
      { limit: 50, offset: 0 },
      { entityRefs: ['resource:default/pay-app-01'], withoutEntity: true },
    );
    return items.find(e => e.fingerprint === fingerprint)!.id;
  }

  it('computes the due step from the injected clock', () => {
    const policy = {
      name: 'default',
      afterMinutes: 15,
      notify: [{ channel: 'phone' }],
      reminders: 2,
      reminderEveryMinutes: 30,
    };
    const steps = [0, 14, 15, 44, 45, 74, 75, 1000].map(m =>
      dueStep(policy, at(0), at(m)),
    );
    expect(steps).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
  });

  it('escalates after N minutes unacknowledged, then reminds every M minutes up to K times', async () => {
    const [router] = await replicas(1);
    const id = await receiveOne(router, 'esc1');
    expect(titles()).toEqual(['wecom: [告警 FIRING] HostDown · pay-app-01']);
    expect(notes.map(n => n.recipients)).toEqual([
      { type: 'entity', entityRef: ['group:default/ops'] },
    ]);

    clock = at(14.99);
    expect(await router.escalate(clock)).toBe(0);
    expect(robots.received).toHaveLength(1);

    // step 1: to the group's channels (and its Backstage notification) and the named channel
    clock = at(15);
    expect(await router.escalate(clock)).toBe(1);
    expect(titles().slice(1).sort()).toEqual([
      'leads: [升级 ESCALATED] HostDown · pay-app-01',
      'phone: [升级 ESCALATED] HostDown · pay-app-01',
    ]);
    expect(notes[1]).toMatchObject({
      recipients: { type: 'entity', entityRef: ['group:default/ops-leads'] },
      payload: {
        title: '[升级 ESCALATED] HostDown · pay-app-01',
        scope: 'esc1:2026-12-03T07:59:00.000Z:step1',
      },
    });
    expect(notes[1].payload.description).toContain('unacknowledged for 15 min');
    expect(notes).toHaveLength(2);

    clock = at(44.99);
    expect(await router.escalate(at(16))).toBe(0);
    expect(await router.escalate(clock)).toBe(0);
    expect(robots.received).toHaveLength(3);

    // reminders: the owner's channels and the escalation targets
    clock = at(45);
    expect(await router.escalate(clock)).toBe(1);
    expect(titles().slice(3).sort()).toEqual([
      'leads: [提醒 REMINDER 1/2] HostDown · pay-app-01',
      'phone: [提醒 REMINDER 1/2] HostDown · pay-app-01',
      'wecom: [提醒 REMINDER 1/2] HostDown · pay-app-01',
    ]);
    expect(notes[2].recipients).toEqual({
      type: 'entity',
      entityRef: ['group:default/ops', 'group:default/ops-leads'],
    });
    expect(robots.of('wecom')[1].body.text.content).toContain(
      'unacknowledged for 45 min',
    );
    clock = at(75);
    expect(await router.escalate(clock)).toBe(1);
    expect(titles().slice(6)).toHaveLength(3);
    expect(
      titles()
        .slice(6)
        .every(t => t.includes('REMINDER 2/2')),
    ).toBe(true);
    // K reminders sent: nothing more, however long it fires
    clock = at(10_000);
    expect(await router.escalate(clock)).toBe(0);
    expect(robots.received).toHaveLength(9);

    // every step has deliveries of its own in the history
    const deliveries = await router.store.deliveries(id);
    expect(
      deliveries.map(d => `${d.step ?? 0}:${d.channel}:${d.state}`),
    ).toEqual([
      '0:ops-wecom:sent',
      '0:portal:sent',
      '1:leads-hook:sent',
      '1:phone:sent',
      '1:portal:sent',
      '2:leads-hook:sent',
      '2:ops-wecom:sent',
      '2:phone:sent',
      '2:portal:sent',
      '3:leads-hook:sent',
      '3:ops-wecom:sent',
      '3:phone:sent',
      '3:portal:sent',
    ]);
    expect((await router.store.getEvent(id))!.escalationStep).toBe(3);
  });

  it("pages the people on call: the owner group's on firing, with the escalation groups' on each step", async () => {
    onCall = {
      'group:default/ops': ['user:default/olga'],
      'group:default/ops-leads': ['user:default/otto', 'user:default/olga'],
    };
    const [router] = await replicas(1);
    const pages = () =>
      notes.filter(n => String(n.payload.scope).includes(':oncall'));
    await receiveOne(router, 'page1');
    // the group's notification and one addressed to the person on call
    expect(notes.map(n => n.recipients)).toEqual([
      { type: 'entity', entityRef: ['group:default/ops'] },
      { type: 'entity', entityRef: ['user:default/olga'] },
    ]);
    expect(pages()[0].payload).toMatchObject({
      title: '[值班 ON-CALL] [告警 FIRING] HostDown · pay-app-01',
      severity: 'critical',
      scope: 'page1:2026-12-03T07:59:00.000Z:oncall',
    });
    expect(pages()[0].payload.description).toContain(
      'you are on call for group:default/ops',
    );
    // a duplicate (another replica, a resend) pages nobody again
    await router.receive([firing('page1')]);
    expect(pages()).toHaveLength(1);

    // the escalation: the owner's and ops-leads' people on call, each once
    clock = at(15);
    expect(await router.escalate(clock)).toBe(1);
    expect(pages()).toHaveLength(2);
    expect(pages()[1]).toMatchObject({
      recipients: {
        type: 'entity',
        entityRef: ['user:default/olga', 'user:default/otto'],
      },
      payload: {
        title: '[值班 ON-CALL] [升级 ESCALATED] HostDown · pay-app-01',
        scope: 'page1:2026-12-03T07:59:00.000Z:oncall:step1',
      },
    });
    // the rotation moved on: the reminder pages who is on call then
    onCall['group:default/ops'] = ['user:default/erin'];
    onCall['group:default/ops-leads'] = [];
    clock = at(45);
    expect(await router.escalate(clock)).toBe(1);
    expect(pages()[2].recipients).toEqual({
      type: 'entity',
      entityRef: ['user:default/erin'],
    });
    // an acknowledged alert is paged no more
    const id = (
      await router.store.listEvents(
        { limit: 5, offset: 0 },
        { entityRefs: ['resource:default/pay-app-01'], withoutEntity: true },
      )
    ).items[0].id;
    await router.store.escalations.acknowledge(
      id,
      { by: 'user:default/erin' },
      clock,
    );
    clock = at(75);
    expect(await router.escalate(clock)).toBe(0);
    expect(pages()).toHaveLength(3);
    // a resolution pages nobody
    await router.receive([resolved('page1')]);
    expect(pages()).toHaveLength(3);
  });

  it('pages nobody when the group has no one on call, and a failing rotation lookup does not stop the channels', async () => {
    const [router] = await replicas(1);
    await receiveOne(router, 'page2');
    expect(notes).toHaveLength(1);
    onCall = new Proxy({} as Record<string, string[]>, {
      get: () => {
        throw new Error('database down');
      },
    });
    await router.receive([firing('page3')]);
    expect(notes).toHaveLength(2);
    expect(robots.of('wecom')).toHaveLength(2);
  });

  it('does not escalate acknowledged or resolved alerts; un-acknowledging resumes', async () => {
    const [router] = await replicas(1);
    const acked = await receiveOne(router, 'esc-acked');
    await receiveOne(router, 'esc-resolved');
    await router.receive([resolved('esc-resolved')]);
    const before = robots.received.length;
    expect(
      await router.store.escalations.acknowledge(
        acked,
        { by: 'user:default/olga' },
        at(5),
      ),
    ).toBeUndefined();

    for (const m of [15, 45, 75, 500]) {
      clock = at(m);
      expect([m, await router.escalate(clock)]).toEqual([m, 0]);
    }
    expect(robots.received).toHaveLength(before);

    // taken back: the latest due step is sent once, then nothing
    expect(await router.store.escalations.unacknowledge(acked)).toBeUndefined();
    expect(await router.escalate(at(500))).toBe(1);
    expect(await router.escalate(at(501))).toBe(0);
    expect(
      titles()
        .slice(before)
        .every(t => t.includes('REMINDER 2/2')),
    ).toBe(true);
    // a resolution ends the need: nothing to acknowledge
    const list = await router.store.listEvents(
      { limit: 50, offset: 0 },
      { entityRefs: ['resource:default/pay-app-01'], withoutEntity: false },
    );
    const resolvedFiring = list.items.find(
      e => e.fingerprint === 'esc-resolved' && e.status === 'firing',
    )!;
    expect(resolvedFiring.resolved).toBe(true);
    expect(resolvedFiring.escalationStep).toBeUndefined();
    expect(
      await router.store.escalations.acknowledge(
        resolvedFiring.id,
        { by: 'user:default/olga' },
        at(501),
      ),
    ).toBe('resolved');
  });

  it('sends each step exactly once from parallel replicas (one conditional UPDATE claims it)', async () => {
    const replicaRouters = await replicas(3);
    const id = await receiveOne(replicaRouters[0], 'esc-race');
    clock = at(15);
    const sent = await Promise.all(
      [...replicaRouters, ...replicaRouters].map(r => r.escalate(at(15))),
    );
    expect(sent.reduce((a, b) => a + b)).toBe(1);
    expect(hook('leads')).toHaveLength(1);
    expect(hook('phone')).toHaveLength(1);

    // the claim itself: of ten parallel claims of one step, one wins
    const escalations = replicaRouters.map(r => r.store.escalations);
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        escalations[i % 3].claimStep(id, 1, 2),
      ),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect((await replicaRouters[0].store.getEvent(id))!.escalationStep).toBe(
      2,
    );

    // parallel acknowledgements: one person's is kept, the others are told
    const acks = await Promise.all(
      ['olga', 'otto', 'dave', 'alice'].map((p, i) =>
        escalations[i % 3].acknowledge(id, { by: `user:default/${p}` }, at(16)),
      ),
    );
    expect(acks.filter(a => a === undefined)).toHaveLength(1);
    expect(acks.filter(a => a === 'acknowledged')).toHaveLength(3);
    const winner = ['olga', 'otto', 'dave', 'alice'][acks.indexOf(undefined)];
    expect(
      (await replicaRouters[1].store.getEvent(id))!.acknowledgement?.by,
    ).toBe(`user:default/${winner}`);
    // and an acknowledged alert cannot be claimed
    expect(await escalations[2].claimStep(id, 2, 3)).toBe(false);
  });

  it('retries a failed escalation delivery as the same step', async () => {
    const [router] = await replicas(1);
    const id = await receiveOne(router, 'esc-retry');
    robots.failNext.add('webhook');
    clock = at(15);
    expect(await router.escalate(clock)).toBe(1);
    const failed = (await router.store.deliveries(id)).filter(
      d => d.state === 'failed',
    );
    expect(failed).toEqual([expect.objectContaining({ step: 1, attempts: 1 })]);
    // the retry task, an hour after the alert was received
    clock = at(70);
    expect(await router.retryFailed()).toBe(1);
    const retried = (await router.store.deliveries(id)).find(
      d => d.id === failed[0].id,
    )!;
    expect(retried).toMatchObject({ step: 1, attempts: 2, state: 'sent' });
    expect(
      robots.received.filter(m => m.robot === 'webhook').map(m => m.body.title),
    ).toEqual([
      '[升级 ESCALATED] HostDown · pay-app-01',
      '[升级 ESCALATED] HostDown · pay-app-01',
    ]);
  });
});

describe('opsdeck.monitoring.escalation', () => {
  const read = (escalation: any) =>
    readMonitoringConfig(
      new ConfigReader({
        opsdeck: {
          monitoring: {
            channels: [
              { name: 'phone', type: 'webhook', url: 'http://x.test/' },
            ],
            escalation,
          },
        },
      }),
    ).escalation;

  it('reads a policy with its defaults', () => {
    expect(read(undefined)).toBeUndefined();
    expect(
      read({ afterMinutes: 10, notify: ['group:Ops-Leads', 'channel:phone'] }),
    ).toEqual({
      policies: [],
      default: {
        name: 'default',
        afterMinutes: 10,
        notify: [{ group: 'group:default/ops-leads' }, { channel: 'phone' }],
        reminders: 0,
        reminderEveryMinutes: 10,
      },
    });
  });

  it('refuses a policy it cannot follow', () => {
    for (const bad of [
      { afterMinutes: 0, notify: ['channel:phone'] },
      { afterMinutes: 1.5, notify: ['channel:phone'] },
      { afterMinutes: 5, notify: [] },
      { afterMinutes: 5, notify: ['channel:nope'] },
      { afterMinutes: 5, notify: ['user:default/bob'] },
      { afterMinutes: 5, notify: ['phone'] },
      { afterMinutes: 5, notify: ['channel:phone'], reminders: { times: -1 } },
      {
        afterMinutes: 5,
        notify: ['channel:phone'],
        reminders: { times: 2, everyMinutes: 0 },
      },
    ]) {
      expect(() => read(bad)).toThrow(/opsdeck\.monitoring\.escalation/);
    }
  });
});
