import type { AuditorService } from '@backstage/backend-plugin-api';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { readMonitoringConfig } from '../config';
import { AlertStore } from '../database/AlertStore';
import { startRobotReceivers } from '../__testUtils__/receivers';
import { AlertRouter, type WebhookAlert } from './AlertRouter';
import {
  DELIVERY_LEASE_MS,
  expireSendingDeliveries,
  runDeliveryRetries,
} from './lease';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const T0 = new Date('2026-12-04T12:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

const firing: WebhookAlert = {
  status: 'firing',
  fingerprint: 'lease1',
  startsAt: '2026-12-04T11:59:00Z',
  labels: { alertname: 'HostDown', severity: 'critical' },
};

/** An auditor that keeps the event ids and metadata it is told. */
function recordingAuditor() {
  const audits: Array<{ eventId: string; meta: Record<string, unknown> }> = [];
  const auditor: AuditorService = {
    async createEvent(options) {
      const done = async (o?: { meta?: Record<string, unknown> }) => {
        audits.push({
          eventId: options.eventId,
          meta: { ...options.meta, ...o?.meta },
        });
      };
      return { success: done, fail: done };
    },
  };
  return { auditor, audits };
}

describe.each(databases.eachSupportedId())(
  'delivery lease (%s)',
  databaseId => {
    let robots: Awaited<ReturnType<typeof startRobotReceivers>>;
    let clock = T0;

    beforeEach(async () => {
      clock = T0;
      robots = await startRobotReceivers({ dingtalk: 'x', feishu: 'y' });
    });
    afterEach(async () => {
      await robots.close();
    });

    /** Replicas on one database, each with its own store. */
    async function replicas(count: number) {
      const knex = await databases.init(databaseId);
      const config = readMonitoringConfig(
        new ConfigReader({
          opsdeck: {
            monitoring: {
              channels: [
                { name: 'hook', type: 'webhook', url: robots.urls.webhook },
              ],
            },
          },
        }),
      );
      return Promise.all(
        Array.from({ length: count }, async () => {
          const store = await AlertStore.create({
            database: mockServices.database({ knex }),
          });
          const logger = mockServices.logger.mock();
          const options = {
            store,
            config,
            logger,
            ownerOf: async () => undefined,
            secretOf: async () => '',
            now: () => clock,
          };
          return {
            store,
            logger,
            options,
            knex,
            router: new AlertRouter(options),
          };
        }),
      );
    }

    it('marks a delivery cut off while sending unknown after the lease, audited once and never resent', async () => {
      const [a] = await replicas(1);
      const { auditor, audits } = recordingAuditor();
      // the backend stops after sending, before recording the outcome
      const crashing = new AlertRouter({
        ...a.options,
        store: Object.assign(Object.create(a.store), {
          finishDelivery: async () => {
            throw new Error('backend stopped');
          },
        }),
      });
      await expect(crashing.receive([firing])).rejects.toThrow(
        'backend stopped',
      );
      expect(robots.of('webhook')).toHaveLength(1);
      const [event] = (
        await a.store.listEvents(
          { limit: 1, offset: 0 },
          { entityRefs: [], withoutEntity: true },
        )
      ).items;
      expect((await a.store.deliveries(event.id))[0].state).toBe('sending');

      // within the lease it may still be sending
      clock = at(DELIVERY_LEASE_MS - 1);
      const task = () =>
        runDeliveryRetries({
          alerts: a.router,
          now: clock,
          auditor,
          logger: a.logger,
        });
      expect(await task()).toEqual({ unknown: 0, retried: 0 });
      expect((await a.store.deliveries(event.id))[0].state).toBe('sending');

      // after it the outcome is unknown: reported, not sent again
      clock = at(DELIVERY_LEASE_MS);
      const first = await task();
      clock = at(2 * DELIVERY_LEASE_MS);
      const second = await task();
      const [delivery] = await a.store.deliveries(event.id);
      expect(delivery).toMatchObject({
        channel: 'hook',
        state: 'unknown',
        attempts: 1,
      });
      expect([first, second]).toEqual([
        { unknown: 1, retried: 0 },
        { unknown: 0, retried: 0 },
      ]);
      expect(robots.of('webhook')).toHaveLength(1);
      expect(audits).toEqual([
        {
          eventId: 'monitoring-delivery-outcome-unknown',
          meta: expect.objectContaining({
            deliveryId: delivery.id,
            alertId: event.id,
            channel: 'hook',
            startedAt: T0.toISOString(),
          }),
        },
      ]);
      expect(a.logger.error).toHaveBeenCalledTimes(1);
      expect(String((a.logger.error as jest.Mock).mock.calls[0][0])).toContain(
        `delivery ${delivery.id} of alert ${event.id} to hook`,
      );
    });

    it('moves each expired delivery once when two sweeps run in parallel', async () => {
      const [a, b] = await replicas(2);
      const { auditor, audits } = recordingAuditor();
      const ids: number[] = [];
      for (const fingerprint of ['p1', 'p2', 'p3']) {
        const eventId = await a.store.insertEvent(
          {
            fingerprint,
            status: 'firing',
            startsAt: T0.toISOString(),
            alertname: 'HostDown',
            labels: {},
            annotations: {},
            test: false,
          },
          T0,
        );
        ids.push(
          (await a.store.startDelivery(eventId!, 'hook', 'webhook', T0))!,
        );
      }
      // a fresh one, within its lease, stays sending
      const fresh = await a.store.insertEvent(
        {
          fingerprint: 'p4',
          status: 'firing',
          startsAt: T0.toISOString(),
          alertname: 'HostDown',
          labels: {},
          annotations: {},
          test: false,
        },
        at(DELIVERY_LEASE_MS),
      );
      await a.store.startDelivery(
        fresh!,
        'hook',
        'webhook',
        at(DELIVERY_LEASE_MS),
      );

      const now = at(DELIVERY_LEASE_MS);
      const counts = await Promise.all(
        [a, b, a, b].map(r =>
          expireSendingDeliveries({
            store: r.store,
            now,
            auditor,
            logger: r.logger,
          }),
        ),
      );
      expect(counts.reduce((x, y) => x + y)).toBe(3);
      expect(audits.map(e => [e.eventId, e.meta.deliveryId]).sort()).toEqual(
        ids.map(id => ['monitoring-delivery-outcome-unknown', id]).sort(),
      );
      expect((await a.store.deliveries(fresh!))[0].state).toBe('sending');
    });

    it('sends a failed delivery once when two replicas retry it in parallel', async () => {
      const [a, b] = await replicas(2);
      robots.failNext.add('webhook');
      await a.router.receive([firing]);
      const [event] = (
        await a.store.listEvents(
          { limit: 1, offset: 0 },
          { entityRefs: [], withoutEntity: true },
        )
      ).items;
      expect((await a.store.deliveries(event.id))[0].state).toBe('failed');
      const before = robots.of('webhook').length;
      await Promise.all([a.router.retryFailed(), b.router.retryFailed()]);
      expect(robots.of('webhook').length - before).toBe(1);
      expect((await a.store.deliveries(event.id))[0]).toMatchObject({
        state: 'sent',
        attempts: 2,
      });
    });

    it('sends a failed or (confirmed) unknown delivery once when eight people retry it in parallel', async () => {
      const eight = await replicas(8);
      const [a] = eight;
      robots.failNext.add('webhook');
      await a.router.receive([firing]);
      const [event] = (
        await a.store.listEvents(
          { limit: 1, offset: 0 },
          { entityRefs: [], withoutEntity: true },
        )
      ).items;
      const [delivery] = await a.store.deliveries(event.id);
      expect(delivery.state).toBe('failed');
      const retryAll = (confirmUnknown: boolean) =>
        Promise.allSettled(
          eight.map(r =>
            r.router.retryDelivery(delivery.id, {
              confirmUnknown,
              readable: async () => true,
            }),
          ),
        );
      const outcomes = (results: PromiseSettledResult<unknown>[]) =>
        results
          .map(r =>
            r.status === 'fulfilled'
              ? 'sent'
              : (r.reason as { code?: string }).code,
          )
          .sort();

      let before = robots.of('webhook').length;
      const failedRound = await retryAll(false);
      expect(robots.of('webhook').length - before).toBe(1);
      expect(outcomes(failedRound)).toEqual([
        ...Array(7).fill('monitoring-delivery-not-retryable'),
        'sent',
      ]);
      expect(await a.store.getDelivery(delivery.id)).toMatchObject({
        state: 'sent',
        attempts: 2,
      });

      // cut off mid-send: unknown; retried only with the confirmation
      await a
        .knex('monitoring_deliveries')
        .where({ id: delivery.id })
        .update({ state: 'unknown' });
      before = robots.of('webhook').length;
      expect(outcomes(await retryAll(false))).toEqual(
        Array(8).fill('monitoring-delivery-unknown-unconfirmed'),
      );
      expect(robots.of('webhook').length - before).toBe(0);
      const unknownRound = await retryAll(true);
      expect(robots.of('webhook').length - before).toBe(1);
      expect(outcomes(unknownRound)).toEqual([
        ...Array(7).fill('monitoring-delivery-not-retryable'),
        'sent',
      ]);
    });
  },
);
