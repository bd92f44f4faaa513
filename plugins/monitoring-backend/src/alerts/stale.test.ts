import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { AuditorService } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import request from 'supertest';
import { readMonitoringConfig } from '../config';
import { AlertStore, type NewAlertEvent } from '../database/AlertStore';
import {
  hostEntity,
  startMonitoringBackend,
} from '../__testUtils__/testBackend';
import { pruneAlerts, resolveStaleAlerts } from './retention';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const HOUR = 3_600_000;
const NOW = new Date('2026-12-03T12:00:00.000Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * HOUR);

const state = (
  fingerprint: string,
  status: 'firing' | 'resolved',
  over: Partial<NewAlertEvent> = {},
): NewAlertEvent => ({
  fingerprint,
  status,
  startsAt: '2026-12-01T00:00:00.000Z',
  alertname: 'HostDown',
  entityRef: 'resource:default/web-01',
  labels: { alertname: 'HostDown' },
  annotations: {},
  test: false,
  ...over,
});

function recordingAuditor() {
  const audits: Array<{ eventId: string; outcome: string; meta: any }> = [];
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

// Alertmanager resends a firing alert every repeat_interval; a firing alert
// opsdeck has not heard of for alerts.staleAfterHours is gone (its entity was
// decommissioned, or its resolution was lost): it is marked resolved-stale,
// audited, and then falls under the normal retention.
describe.each(databases.eachSupportedId())('stale firing alerts (%s)', id => {
  const setup = async () => {
    const knex = await databases.init(id);
    const store = await AlertStore.create({
      database: mockServices.database({ knex }),
    });
    return { knex, store };
  };

  it('resolves firing alerts not renewed for staleAfterHours, in batches, audited; retention then prunes them', async () => {
    const { knex, store } = await setup();
    // three gone: fired 30 h ago, never heard of again (two batches of two)
    for (const f of ['gone1', 'gone2', 'gone3']) {
      await store.insertEvent(state(f, 'firing'), hoursAgo(30));
    }
    // renewed: fired 30 h ago, Alertmanager resent it an hour ago
    await store.insertEvent(state('renewed', 'firing'), hoursAgo(30));
    expect(
      await store.insertEvent(state('renewed', 'firing'), hoursAgo(1)),
    ).toBeUndefined();
    // already resolved; fired recently; a test send (retention's business)
    await store.insertEvent(state('done', 'firing'), hoursAgo(40));
    await store.insertEvent(state('done', 'resolved'), hoursAgo(39));
    await store.insertEvent(state('fresh', 'firing'), hoursAgo(2));
    await store.insertEvent(
      state('test', 'firing', { entityRef: undefined, test: true }),
      hoursAgo(30),
    );
    // another start of an alert that is gone counts on its own
    await store.insertEvent(
      state('gone1', 'firing', { startsAt: '2026-12-03T11:00:00.000Z' }),
      hoursAgo(1),
    );

    const { auditor, audits } = recordingAuditor();
    const batches = jest.spyOn(store, 'resolveStaleBatch');
    const resolved = await resolveStaleAlerts({
      store,
      staleAfterHours: 24,
      now: NOW,
      auditor,
      logger: mockServices.logger.mock(),
      batchSize: 2,
    });
    expect(resolved).toBe(3);
    expect(batches).toHaveBeenCalledTimes(3); // 2 + 1 + an empty one

    const rows = await knex('monitoring_alert_events')
      .where({ status: 'resolved' })
      .orderBy('id');
    const stale = rows.filter(r => Boolean(r.stale));
    expect(stale.map(r => r.fingerprint)).toEqual(['gone1', 'gone2', 'gone3']);
    for (const r of stale) {
      expect(r).toMatchObject({
        starts_at: '2026-12-01T00:00:00.000Z',
        alertname: 'HostDown',
        entity_ref: 'resource:default/web-01',
        // ended when last heard of
        ends_at: hoursAgo(30).toISOString(),
      });
      expect(Number(r.received_at)).toBe(NOW.getTime());
    }
    // the API shows it as a stale resolution
    const event = await store.getEvent(Number(stale[0].id));
    expect(event).toMatchObject({ status: 'resolved', stale: true });
    expect((await store.getEvent(Number(rows[0].id)))?.stale).toBeUndefined();

    expect(audits).toEqual([
      {
        eventId: 'monitoring-alert-stale',
        outcome: 'succeeded',
        meta: expect.objectContaining({
          staleAfterHours: 24,
          before: hoursAgo(24).toISOString(),
          resolved: 3,
          fingerprints: ['gone1', 'gone2', 'gone3'],
        }),
      },
    ]);

    // nothing more to do: no new rows, no audit
    expect(
      await resolveStaleAlerts({
        store,
        staleAfterHours: 24,
        now: NOW,
        auditor,
        logger: mockServices.logger.mock(),
      }),
    ).toBe(0);
    expect(audits).toHaveLength(1);

    // retention counts from the stale resolution
    const prune = (now: Date) =>
      pruneAlerts({
        store,
        retentionDays: 90,
        now,
        auditor,
        logger: mockServices.logger.mock(),
      });
    await prune(new Date(NOW.getTime() + 89 * 24 * HOUR));
    expect(
      await knex('monitoring_alert_events').where({ fingerprint: 'gone2' }),
    ).toHaveLength(2);
    await prune(new Date(NOW.getTime() + 91 * 24 * HOUR));
    expect(
      await knex('monitoring_alert_events').where({ fingerprint: 'gone2' }),
    ).toHaveLength(0);
  });

  it('a firing resend removes a stale resolution; a real resolution takes its place and is delivered once', async () => {
    const { knex, store } = await setup();
    const auditor = recordingAuditor().auditor;
    const logger = mockServices.logger.mock();
    await store.insertEvent(state('back', 'firing'), hoursAgo(30));
    await store.insertEvent(state('late', 'firing'), hoursAgo(30));
    expect(
      await resolveStaleAlerts({
        store,
        staleAfterHours: 24,
        now: NOW,
        auditor,
        logger,
      }),
    ).toBe(2);
    // Alertmanager was only unreachable: it resends 'back', still firing
    expect(
      await store.insertEvent(state('back', 'firing'), NOW),
    ).toBeUndefined();
    expect(
      await knex('monitoring_alert_events').where({
        fingerprint: 'back',
        status: 'resolved',
      }),
    ).toHaveLength(0);
    // 'late' gets its real resolution: it takes the stale row's place, and
    // only the first of two replicas gets an id to deliver
    const endsAt = '2026-12-03T11:59:00.000Z';
    const first = await store.insertEvent(
      state('late', 'resolved', { endsAt }),
      NOW,
    );
    const second = await store.insertEvent(
      state('late', 'resolved', { endsAt }),
      NOW,
    );
    expect(first).toEqual(expect.any(Number));
    expect(second).toBeUndefined();
    expect(await store.getEvent(first!)).toMatchObject({
      status: 'resolved',
      endsAt,
    });
    expect((await store.getEvent(first!))?.stale).toBeUndefined();
    // a resolution that is not stale is a duplicate as before
    expect(
      await store.insertEvent(state('late', 'resolved', { endsAt }), NOW),
    ).toBeUndefined();
  });
});

describe('stale alerts in the hourly prune task', () => {
  it('resolves an alert Alertmanager stopped sending (opsdeck.monitoring.alerts.staleAfterHours), renews on resend', async () => {
    const knex = await databases.init('SQLITE_3');
    const backend = await startMonitoringBackend({
      knex,
      entities: [hostEntity('web-01', '127.0.0.1:9100')],
      monitoring: { alerts: { staleAfterHours: 6 } },
      captureTasks: true,
    });
    try {
      const post = (fingerprint: string) =>
        request(backend.server)
          .post('/api/monitoring/alerts/webhook')
          .set('authorization', mockCredentials.service.header())
          .send({
            alerts: [
              {
                status: 'firing',
                fingerprint,
                startsAt: '2026-12-01T00:00:00.000Z',
                labels: { alertname: 'HostDown' },
                annotations: {},
              },
            ],
          });
      for (const f of ['silent', 'resent']) {
        expect((await post(f)).status).toBe(200);
      }
      await knex('monitoring_alert_events').update({
        received_at: Date.now() - 7 * HOUR,
        last_seen_at: Date.now() - 7 * HOUR,
      });
      // Alertmanager's repeat notification of 'resent'
      expect((await post('resent')).status).toBe(200);

      const task = backend.tasks.find(
        t => t.id === 'opsdeck-monitoring-prune-alerts',
      );
      await task!.fn(new AbortController().signal);
      const resolved = await knex('monitoring_alert_events').where({
        status: 'resolved',
      });
      expect(resolved.map(r => [r.fingerprint, Boolean(r.stale)])).toEqual([
        ['silent', true],
      ]);
      expect(
        backend.events.find(e => e.eventId === 'monitoring-alert-stale'),
      ).toMatchObject({
        status: 'succeeded',
        meta: { staleAfterHours: 6, resolved: 1, fingerprints: ['silent'] },
      });
    } finally {
      await backend.stop();
    }
  });
});

describe('opsdeck.monitoring.alerts.staleAfterHours', () => {
  const read = (alerts?: unknown) =>
    readMonitoringConfig(
      new ConfigReader({ opsdeck: { monitoring: alerts ? { alerts } : {} } }),
    ).alertStaleAfterHours;
  it('defaults to 24 hours and refuses what is not a whole number of hours', () => {
    expect(read()).toBe(24);
    expect(read({ staleAfterHours: 6 })).toBe(6);
    for (const bad of [0, -1, 1.5]) {
      expect(() => read({ staleAfterHours: bad })).toThrow(
        'opsdeck.monitoring.alerts.staleAfterHours must be a whole number of hours',
      );
    }
  });
});
