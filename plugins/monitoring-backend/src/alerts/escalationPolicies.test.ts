import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { readMonitoringConfig } from '../config';
import { AlertStore } from '../database/AlertStore';
import { startRobotReceivers } from '../__testUtils__/receivers';
import { AlertRouter, type WebhookAlert } from './AlertRouter';
import { policyFor } from './escalationConfig';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const T0 = Date.parse('2026-12-03T08:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

/** The catalog: db-* hosts are the dba group's, the others ops'. */
const ownerOf = async (ref: string) =>
  ref.includes('/db-') ? 'group:default/dba' : 'group:default/ops';

const firing = (
  fingerprint: string,
  host: string,
  severity?: string,
): WebhookAlert => ({
  status: 'firing',
  fingerprint,
  startsAt: '2026-12-03T07:59:00Z',
  labels: {
    alertname: 'HostDown',
    ...(severity ? { severity } : {}),
    opsdeck_entity: `resource:default/${host}`,
    opsdeck_name: host,
  },
  annotations: { summary: `${host} is down` },
});

const channels = (url: string) => [
  { name: 'ops-hook', type: 'webhook', url: `${url}?ch=ops`, owners: ['ops'] },
  { name: 'dba-hook', type: 'webhook', url: `${url}?ch=dba`, owners: ['dba'] },
  {
    name: 'leads',
    type: 'webhook',
    url: `${url}?ch=leads`,
    owners: ['ops-leads'],
  },
  {
    name: 'dba-lead',
    type: 'webhook',
    url: `${url}?ch=dba-lead`,
    owners: ['group:default/nobody'],
  },
  {
    name: 'phone',
    type: 'webhook',
    url: `${url}?ch=phone`,
    owners: ['group:default/nobody'],
  },
];

/** Critical alerts of dba go fast to the DBA lead; info alerts never escalate; the rest: the default. */
const ESCALATION = {
  afterMinutes: 15,
  notify: ['group:ops-leads'],
  reminders: { times: 1, everyMinutes: 30 },
  policies: [
    {
      name: 'dba-critical',
      severities: ['critical'],
      owners: ['dba'],
      afterMinutes: 5,
      notify: ['channel:dba-lead'],
      reminders: { times: 3, everyMinutes: 10 },
    },
    { name: 'quiet', severities: ['info', 'none'], escalate: false },
    {
      name: 'critical',
      severities: ['Critical', 'page'],
      afterMinutes: 10,
      notify: ['channel:phone', 'group:ops-leads'],
    },
  ],
};

describe.each(databases.eachSupportedId())(
  'escalation policies (%s)',
  databaseId => {
    let robots: Awaited<ReturnType<typeof startRobotReceivers>>;

    beforeEach(async () => {
      robots = await startRobotReceivers({ dingtalk: 'd', feishu: 'f' });
    });
    afterEach(() => robots.close());

    async function replicas(count: number) {
      const knex = await databases.init(databaseId);
      const config = readMonitoringConfig(
        new ConfigReader({
          opsdeck: {
            monitoring: {
              channels: channels(robots.urls.webhook),
              escalation: ESCALATION,
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
              send: async (_n: NotificationSendOptions) => {},
            } as any,
            ownerOf,
            secretOf: async () => 'unused',
            now: () => at(0),
          });
        }),
      );
    }

    /** `channel: title` of every webhook message from `index` on, sorted. */
    const sent = (index = 0) =>
      robots
        .of('webhook')
        .slice(index)
        .map(m => `${m.query.get('ch')}: ${m.body.title}`)
        .sort();

    it('chooses each alert its policy by severity label and catalog owner, the default otherwise', async () => {
      const [router] = await replicas(1);
      await router.receive([
        firing('db-crit', 'db-01', 'critical'), // dba + critical: dba-critical
        firing('web-crit', 'web-01', 'CRITICAL'), // ops + critical: critical
        firing('db-warn', 'db-02', 'warning'), // no policy: default
        firing('web-info', 'web-02', 'info'), // quiet: never
        firing('web-none', 'web-03'), // no severity label: default
      ]);
      const first = robots.received.length;
      expect(sent()).toEqual([
        'dba: [告警 FIRING] HostDown · db-01',
        'dba: [告警 FIRING] HostDown · db-02',
        'ops: [告警 FIRING] HostDown · web-01',
        'ops: [告警 FIRING] HostDown · web-02',
        'ops: [告警 FIRING] HostDown · web-03',
      ]);

      // 5 min: only dba-critical is due
      expect(await router.escalate(at(4.99))).toBe(0);
      expect(await router.escalate(at(5))).toBe(1);
      expect(sent(first)).toEqual([
        'dba-lead: [升级 ESCALATED] HostDown · db-01',
      ]);
      // 10 min: critical (web-01) escalates; db-01 has its first reminder at 15
      let mark = robots.received.length;
      expect(await router.escalate(at(10))).toBe(1);
      expect(sent(mark)).toEqual([
        'leads: [升级 ESCALATED] HostDown · web-01',
        'phone: [升级 ESCALATED] HostDown · web-01',
      ]);
      // 15 min: db-01's reminder 1/3 (its owner's channel and the DBA lead);
      // the default policy's escalation of db-02 and web-03
      mark = robots.received.length;
      expect(await router.escalate(at(15))).toBe(3);
      expect(sent(mark)).toEqual([
        'dba-lead: [提醒 REMINDER 1/3] HostDown · db-01',
        'dba: [提醒 REMINDER 1/3] HostDown · db-01',
        'leads: [升级 ESCALATED] HostDown · db-02',
        'leads: [升级 ESCALATED] HostDown · web-03',
      ]);
      // long after: each policy's last step once, the quiet one never
      mark = robots.received.length;
      expect(await router.escalate(at(1000))).toBe(3);
      expect(await router.escalate(at(2000))).toBe(0);
      expect(sent(mark)).toEqual([
        'dba-lead: [提醒 REMINDER 3/3] HostDown · db-01',
        'dba: [提醒 REMINDER 1/1] HostDown · db-02',
        'dba: [提醒 REMINDER 3/3] HostDown · db-01',
        'leads: [提醒 REMINDER 1/1] HostDown · db-02',
        'leads: [提醒 REMINDER 1/1] HostDown · web-03',
        'ops: [提醒 REMINDER 1/1] HostDown · web-03',
      ]);
      expect(sent().filter(t => t.includes('web-02'))).toEqual([
        'ops: [告警 FIRING] HostDown · web-02',
      ]);
    });

    it('sends each step of every policy once from parallel replicas; ten parallel claims have one winner', async () => {
      const routers = await replicas(3);
      await routers[0].receive([
        firing('race-db', 'db-01', 'critical'),
        firing('race-web', 'web-01', 'warning'),
      ]);
      const mark = robots.received.length;
      const counts = await Promise.all(
        [...routers, ...routers].map(r => r.escalate(at(15))),
      );
      // db-01 (dba-critical: reminder 1 is due at 15) and web-01 (default) once each
      expect(counts.reduce((a, b) => a + b)).toBe(2);
      expect(sent(mark)).toEqual([
        'dba-lead: [提醒 REMINDER 1/3] HostDown · db-01',
        'dba: [提醒 REMINDER 1/3] HostDown · db-01',
        'leads: [升级 ESCALATED] HostDown · web-01',
      ]);

      const { items } = await routers[0].store.listEvents(
        { limit: 50, offset: 0 },
        { entityRefs: ['resource:default/db-01'], withoutEntity: false },
      );
      const id = items.find(e => e.fingerprint === 'race-db')!.id;
      expect((await routers[1].store.getEvent(id))!.escalationStep).toBe(2);
      const claims = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          routers[i % 3].store.escalations.claimStep(id, 2, 3),
        ),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect((await routers[2].store.getEvent(id))!.escalationStep).toBe(3);
    });
  },
);

describe('opsdeck.monitoring.escalation.policies', () => {
  const read = (escalation: any) =>
    readMonitoringConfig(
      new ConfigReader({
        opsdeck: {
          monitoring: {
            channels: channels('http://x.test/'),
            escalation,
          },
        },
      }),
    ).escalation;

  it('reads policies in order and the default', () => {
    const config = read(ESCALATION)!;
    expect(config.default).toMatchObject({ name: 'default', afterMinutes: 15 });
    expect(config.policies.map(p => [p.name, p.severities, p.owners])).toEqual([
      ['dba-critical', ['critical'], ['group:default/dba']],
      ['quiet', ['info', 'none'], []],
      ['critical', ['critical', 'page'], []],
    ]);
    // policies alone: an alert none matches is not escalated
    const only = read({ policies: [ESCALATION.policies[0]] })!;
    expect(only.default).toBeUndefined();
    expect(
      policyFor(only, { severity: 'critical', owner: 'group:default/dba' })
        ?.name,
    ).toBe('dba-critical');
    expect(
      policyFor(only, { severity: 'critical', owner: 'group:default/ops' }),
    ).toBeUndefined();
    expect(policyFor(only, { owner: 'group:default/dba' })).toBeUndefined();
    // the first match wins; escalate: false ends the search
    expect(
      policyFor(config, { severity: 'critical', owner: 'group:default/dba' })
        ?.name,
    ).toBe('dba-critical');
    expect(
      policyFor(config, { severity: 'Page', owner: 'group:default/dba' })?.name,
    ).toBe('critical');
    expect(
      policyFor(config, { severity: 'info', owner: 'group:default/dba' }),
    ).toBeUndefined();
    expect(policyFor(config, {})?.name).toBe('default');
  });

  it('refuses at startup what it cannot follow, naming the policy', () => {
    const policy = (p: any) => ({ ...ESCALATION, policies: [p] });
    const good = ESCALATION.policies[0];
    for (const [bad, message] of [
      [
        { reminders: { times: 1 } },
        /escalation needs afterMinutes and notify \(the default policy\) or policies/,
      ],
      [
        policy({ ...good, name: 'Bad Name' }),
        /policies\[0\]: name 'Bad Name' must match/,
      ],
      [policy({ ...good, name: 'default' }), /not be 'default'/],
      [
        { ...ESCALATION, policies: [good, good] },
        /policies: 'dba-critical' twice/,
      ],
      [
        policy({ ...good, severities: [], owners: [] }),
        /policies\[0\] \(dba-critical\) needs severities or owners/,
      ],
      [
        policy({ ...good, severity: ['critical'] }),
        /policies\[0\] \(dba-critical\): unknown key\(s\) severity/,
      ],
      [
        policy({ ...good, severities: ['crit ical'] }),
        /\(dba-critical\)\.severities/,
      ],
      [
        policy({ ...good, owners: ['user:default/bob'] }),
        /\(dba-critical\)\.owners: 'user:default\/bob' is not a catalog group/,
      ],
      [
        policy({ ...good, notify: ['channel:nope'] }),
        /\(dba-critical\)\.notify: no channel 'nope'/,
      ],
      [
        policy({ ...good, notify: [] }),
        /\(dba-critical\)\.notify needs at least one/,
      ],
      [
        policy({ ...good, afterMinutes: 0 }),
        /\(dba-critical\)\.afterMinutes must be a whole number, at least 1/,
      ],
      [
        policy({ ...good, reminders: { times: 2, everyMinutes: 0.5 } }),
        /\(dba-critical\)\.reminders\.everyMinutes/,
      ],
      [
        policy({
          name: 'q',
          severities: ['info'],
          escalate: false,
          notify: ['channel:phone'],
        }),
        /\(q\): escalate: false takes no notify/,
      ],
    ] as const) {
      expect(() => read(bad)).toThrow(message);
    }
  });
});
