import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { AuditorService } from '@backstage/backend-plugin-api';
import request from 'supertest';
import { AlertStore, type NewAlertEvent } from '../database/AlertStore';
import {
  hostEntity,
  startMonitoringBackend,
} from '../__testUtils__/testBackend';
import { ConfigReader } from '@backstage/config';
import { readMonitoringConfig } from '../config';
import { pruneAlerts } from './retention';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const DAY = 86_400_000;
const NOW = new Date('2026-12-03T12:00:00.000Z');
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);

const state = (
  fingerprint: string,
  status: 'firing' | 'resolved',
  over: Partial<NewAlertEvent> = {},
): NewAlertEvent => ({
  fingerprint,
  status,
  startsAt: '2026-08-01T00:00:00.000Z',
  alertname: 'HostDown',
  entityRef: 'resource:default/web-01',
  labels: { alertname: 'HostDown' },
  annotations: {},
  test: false,
  ...over,
});

/** An auditor that keeps what it is told. */
function recordingAuditor() {
  const audits: Array<{ eventId: string; outcome: string; meta: unknown }> = [];
  const auditor: AuditorService = {
    async createEvent(options) {
      return {
        async success(o) {
          audits.push({
            eventId: options.eventId,
            outcome: 'succeeded',
            meta: { ...options.meta, ...o?.meta },
          });
        },
        async fail(o) {
          audits.push({
            eventId: options.eventId,
            outcome: 'failed',
            meta: { ...options.meta, ...o.meta },
          });
        },
      };
    },
  };
  return { auditor, audits };
}

describe.each(databases.eachSupportedId())('alert retention (%s)', id => {
  it('deletes alerts resolved before the retention with their deliveries, in batches; keeps the rest', async () => {
    const knex = await databases.init(id);
    const store = await AlertStore.create({
      database: mockServices.database({ knex }),
    });
    const deliver = async (eventId: number | undefined, channel: string) => {
      const d = (await store.startDelivery(eventId!, channel, 'webhook', NOW))!;
      await store.finishDelivery(d, {}, NOW);
    };
    // five alerts resolved 95 days ago (fired 100 days ago), each with a
    // delivery of both states: more than one batch of two
    for (let i = 0; i < 5; i++) {
      const f = await store.insertEvent(state(`old${i}`, 'firing'), ago(100));
      const r = await store.insertEvent(state(`old${i}`, 'resolved'), ago(95));
      await deliver(f, 'ops');
      await deliver(r, 'ops');
    }
    // the resolution recorded before its firing state (a late retry)
    await store.insertEvent(state('late', 'resolved'), ago(96));
    await store.insertEvent(state('late', 'firing'), ago(95));
    // without an entity, resolved long ago
    await store.insertEvent(
      state('watchdog', 'firing', { entityRef: undefined }),
      ago(300),
    );
    await store.insertEvent(
      state('watchdog', 'resolved', { entityRef: undefined }),
      ago(299),
    );
    // kept: fired long ago, resolved recently
    await deliver(
      await store.insertEvent(state('recent', 'firing'), ago(100)),
      'ops',
    );
    await store.insertEvent(state('recent', 'resolved'), ago(10));
    // kept: never resolved (still firing, or its resolution was lost)
    await deliver(
      await store.insertEvent(state('firing', 'firing'), ago(200)),
      'ops',
    );
    // a test send 120 days ago goes, one of yesterday stays
    await deliver(
      await store.insertEvent(
        state('test-old', 'firing', { entityRef: undefined, test: true }),
        ago(120),
      ),
      'ops',
    );
    await store.insertEvent(
      state('test-new', 'firing', { entityRef: undefined, test: true }),
      ago(1),
    );

    const { auditor, audits } = recordingAuditor();
    const batches = jest.spyOn(store, 'pruneBatch');
    const pruned = await pruneAlerts({
      store,
      retentionDays: 90,
      now: NOW,
      auditor,
      logger: mockServices.logger.mock(),
      batchSize: 2,
    });
    // 5 pairs, late, watchdog (2 each) and one test send
    expect(pruned).toEqual({ events: 15, deliveries: 11 });
    expect(batches.mock.calls.length).toBeGreaterThan(2);
    expect(audits).toEqual([
      {
        eventId: 'monitoring-alert-prune',
        outcome: 'succeeded',
        meta: {
          retentionDays: 90,
          before: ago(90).toISOString(),
          events: 15,
          deliveries: 11,
        },
      },
    ]);
    const left = await knex('monitoring_alert_events')
      .orderBy('id')
      .select('fingerprint', 'status');
    expect(left).toEqual([
      { fingerprint: 'recent', status: 'firing' },
      { fingerprint: 'recent', status: 'resolved' },
      { fingerprint: 'firing', status: 'firing' },
      { fingerprint: 'test-new', status: 'firing' },
    ]);
    // no delivery outlives its alert state
    const deliveries = await knex('monitoring_deliveries')
      .join(
        'monitoring_alert_events',
        'monitoring_alert_events.id',
        'monitoring_deliveries.event_id',
      )
      .select('monitoring_alert_events.fingerprint as fingerprint');
    expect(deliveries.map(d => d.fingerprint).sort()).toEqual([
      'firing',
      'recent',
    ]);
    const [{ n }] = await knex('monitoring_deliveries').count({ n: '*' });
    expect(Number(n)).toBe(2);

    // nothing more to delete (and nothing more audited)
    expect(
      await pruneAlerts({
        store,
        retentionDays: 90,
        now: NOW,
        auditor,
        logger: mockServices.logger.mock(),
      }),
    ).toEqual({ events: 0, deliveries: 0 });
    expect(audits).toHaveLength(1);
  });

  it('deletes a batch all or nothing', async () => {
    const knex = await databases.init(id);
    const store = await AlertStore.create({
      database: mockServices.database({ knex }),
    });
    const f = await store.insertEvent(state('a', 'firing'), ago(100));
    await store.insertEvent(state('a', 'resolved'), ago(99));
    await store.startDelivery(f!, 'ops', 'webhook', NOW);
    // the event delete fails after the deliveries were deleted
    const failing = new AlertStore(
      new Proxy(knex, {
        get(target, prop) {
          if (prop !== 'transaction') return (target as any)[prop];
          return (fn: (tx: any) => Promise<unknown>) =>
            target.transaction(tx =>
              fn(
                new Proxy(tx, {
                  apply(t, self, args) {
                    const q = (t as any).apply(self, args);
                    if (args[0] === 'monitoring_alert_events') {
                      const del = q.delete.bind(q);
                      q.delete = () =>
                        q.toString().includes('where "id" in') ||
                        q.toString().includes('where `id` in')
                          ? Promise.reject(new Error('disk full'))
                          : del();
                    }
                    return q;
                  },
                }),
              ),
            );
        },
      }) as any,
    );
    const { auditor, audits } = recordingAuditor();
    await expect(
      pruneAlerts({
        store: failing,
        retentionDays: 90,
        now: NOW,
        auditor,
        logger: mockServices.logger.mock(),
      }),
    ).rejects.toThrow('disk full');
    expect(audits.map(a => a.outcome)).toEqual(['failed']);
    const [{ n }] = await knex('monitoring_deliveries').count({ n: '*' });
    expect(Number(n)).toBe(1);
    const [{ m }] = await knex('monitoring_alert_events').count({ m: '*' });
    expect(Number(m)).toBe(2);
  });
});

describe('alert retention task', () => {
  it('is one global scheduled task using opsdeck.monitoring.alerts.retentionDays, audited', async () => {
    const knex = await databases.init('SQLITE_3');
    const backend = await startMonitoringBackend({
      knex,
      entities: [hostEntity('web-01', '127.0.0.1:9100')],
      monitoring: { alerts: { retentionDays: 30 } },
      captureTasks: true,
    });
    try {
      const task = backend.tasks.find(
        t => t.id === 'opsdeck-monitoring-prune-alerts',
      );
      expect(task).toMatchObject({ scope: 'global' });
      for (const [status, daysAgo] of [
        ['firing', 40],
        ['resolved', 31],
      ] as const) {
        const posted = await request(backend.server)
          .post('/api/monitoring/alerts/webhook')
          .set('authorization', mockCredentials.service.header())
          .send({
            alerts: [
              {
                status,
                fingerprint: 'pruned',
                startsAt: '2026-10-01T00:00:00.000Z',
                labels: { alertname: 'HostDown' },
                annotations: {},
              },
            ],
          });
        expect(posted.status).toBe(200);
        await knex('monitoring_alert_events')
          .where({ fingerprint: 'pruned', status })
          .update({ received_at: Date.now() - daysAgo * DAY });
      }
      await task!.fn(new AbortController().signal);
      const [{ n }] = await knex('monitoring_alert_events').count({ n: '*' });
      expect(Number(n)).toBe(0);
      expect(
        backend.events.find(e => e.eventId === 'monitoring-alert-prune'),
      ).toMatchObject({
        status: 'succeeded',
        meta: { retentionDays: 30, events: 2 },
      });
    } finally {
      await backend.stop();
    }
  });
});

describe('opsdeck.monitoring.alerts.retentionDays', () => {
  const read = (alerts?: unknown) =>
    readMonitoringConfig(
      new ConfigReader({ opsdeck: { monitoring: alerts ? { alerts } : {} } }),
    ).alertRetentionDays;
  it('defaults to 90 days and refuses what is not a whole number of days', () => {
    expect(read()).toBe(90);
    expect(read({ retentionDays: 7 })).toBe(7);
    for (const bad of [0, -1, 1.5]) {
      expect(() => read({ retentionDays: bad })).toThrow(
        'opsdeck.monitoring.alerts.retentionDays must be a whole number of days',
      );
    }
  });
});
