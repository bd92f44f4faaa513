import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { applyCicdMigrations } from '../database/migrations';
import { OutboxStore } from '../database/OutboxStore';
import type { AlertChannelsService } from '@opsdeck/plugin-monitoring-node';
import { AlertDelivery } from './AlertDelivery';

// A replica that dies in the middle of a delivery (issue #20). Before the
// `sending` mark the alert was never handed over: it is sent after the lease.
// After the mark it may have gone out (mail, robots): it is never sent again
// by the task, but becomes `unknown` for a person to decide.
jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const T0 = Date.UTC(2026, 11, 4, 12);
const LEASE = 300_000;
const LIMITS = {
  maxAttempts: 3,
  backoffMs: 30_000,
  maxBackoffMs: 45_000,
  leaseMs: LEASE,
  batch: 10,
  retentionMs: 86_400_000,
};

function alert(number: number) {
  return {
    jobKey: 'main:shop/web@abc',
    number,
    owner: 'group:default/dev',
    payload: {
      title: `Build failed: shop #${number}`,
      severity: 'high' as const,
      scope: `cicd:main:shop/web@abc#${number}`,
    },
  };
}

class Crash extends Error {}

describe.each(databases.eachSupportedId())(
  'AlertDelivery, a replica that dies mid-send (%s)',
  databaseId => {
    async function setup() {
      const knex = await databases.init(databaseId);
      await applyCicdMigrations(knex);
      const sent: NotificationSendOptions[] = [];
      const audited: any[] = [];
      const auditor = {
        createEvent: async (options: any) => ({
          success: async () => void audited.push({ ...options, ok: true }),
          fail: async (f: any) =>
            void audited.push({ ...options, error: f.error.message }),
        }),
      } as any;
      let now = T0;
      /** A replica: its own store, logger and (optionally) a crash. */
      const replica = (
        options: {
          crashAt?: string;
          store?: OutboxStore;
          channels?: AlertChannelsService;
          /** Crash at the n-th hit of `crashAt` (default the first). */
          crashHit?: number;
        } = {},
      ) => {
        const logger = mockServices.logger.mock();
        let hits = 0;
        const delivery = new AlertDelivery({
          channels: options.channels,
          store: options.store ?? new OutboxStore(knex),
          notifications: { send: async o => void sent.push(o) },
          logger,
          auditor,
          limits: LIMITS,
          now: () => now,
          crashPoint: name => {
            if (name === options.crashAt && ++hits === (options.crashHit ?? 1))
              throw new Crash(name);
          },
        });
        return { delivery, logger };
      };
      return {
        knex,
        store: new OutboxStore(knex),
        sent,
        audited,
        replica,
        at: (t: number) => {
          now = T0 + t;
        },
      };
    }

    /** A store whose recording of a send never happens (the replica died). */
    function diesBeforeRecording(knex: any) {
      const s = new OutboxStore(knex);
      // the send is recorded part by part (progress), then the row (sent)
      s.progress = s.sent = async () => {
        throw new Crash('died before recording the send');
      };
      return s;
    }

    it('does not send again an alert whose sender died after handing it over: unknown, logged, audited', async () => {
      const d = await setup();
      const a = d.replica({ store: diesBeforeRecording(d.knex) });
      await expect(a.delivery.enqueue(alert(1))).rejects.toThrow(Crash);
      expect(d.sent).toHaveLength(1);
      const b = d.replica();
      // within the lease: nobody touches it
      d.at(LEASE - 1);
      expect(await b.delivery.run()).toBe(0);
      expect(await b.delivery.givenUp()).toEqual([]);
      // after it: not sent again, unknown
      d.at(LEASE);
      await b.delivery.run();
      expect(d.sent).toHaveLength(1);
      d.at(10 * LEASE);
      await b.delivery.run();
      expect(d.sent).toHaveLength(1);
      expect((await d.store.get('main:shop/web@abc', 1))?.status).toBe(
        'unknown',
      );
      expect(b.logger.error).toHaveBeenCalledWith(
        expect.stringContaining('may have gone out'),
      );
      expect(d.audited).toEqual([
        expect.objectContaining({
          eventId: 'cicd-alert-outcome-unknown',
          severityLevel: 'high',
          meta: expect.objectContaining({
            actor: 'plugin:cicd',
            job: 'main:shop/web@abc',
            build: 1,
            attempts: 1,
          }),
        }),
      ]);
      // listed with the given-up alerts, for a person
      expect(await b.delivery.givenUp()).toEqual([
        expect.objectContaining({ number: 1, status: 'unknown' }),
      ]);
    });

    it('the same with the crash point after the send (cicd.alert.handedOver), from the delivery task', async () => {
      const d = await setup();
      await d.store.enqueue(alert(2), T0);
      const a = d.replica({ crashAt: 'cicd.alert.handedOver' });
      await expect(a.delivery.run()).rejects.toThrow(Crash);
      expect(d.sent).toHaveLength(1);
      const b = d.replica();
      d.at(LEASE);
      expect(await b.delivery.run()).toBe(0);
      expect(d.sent).toHaveLength(1);
      expect((await d.store.get('main:shop/web@abc', 2))?.status).toBe(
        'unknown',
      );
      expect(d.audited.map(e => e.eventId)).toEqual([
        'cicd-alert-outcome-unknown',
      ]);
    });

    it('sends after the lease an alert whose sender died before the sending mark (never handed over)', async () => {
      const d = await setup();
      const a = d.replica({ crashAt: 'cicd.alert.claimed' });
      await expect(a.delivery.enqueue(alert(3))).rejects.toThrow(Crash);
      expect(d.sent).toEqual([]);
      const b = d.replica();
      d.at(LEASE - 1);
      expect(await b.delivery.run()).toBe(0);
      d.at(LEASE);
      expect(await b.delivery.run()).toBe(1);
      expect(d.sent.map(n => n.payload.title)).toEqual([
        'Build failed: shop #3',
      ]);
      expect(await d.store.get('main:shop/web@abc', 3)).toMatchObject({
        status: 'sent',
        attempts: 2,
      });
      expect(d.audited).toEqual([]);
    });

    it('two replicas expiring at once: each row becomes unknown once, one audit event each', async () => {
      const d = await setup();
      for (let n = 1; n <= 6; n++) {
        await d.store.enqueue(alert(n), T0);
      }
      const dying = d.replica({ store: diesBeforeRecording(d.knex) });
      for (let n = 1; n <= 6; n++) {
        await expect(dying.delivery.sendNow(n)).rejects.toThrow(Crash);
      }
      expect(d.sent).toHaveLength(6);
      d.at(LEASE);
      const [b, c] = [d.replica(), d.replica()];
      await Promise.all([
        b.delivery.run(),
        c.delivery.run(),
        b.delivery.run(),
        c.delivery.run(),
      ]);
      expect(d.sent).toHaveLength(6);
      const builds = d.audited
        .filter(e => e.eventId === 'cicd-alert-outcome-unknown')
        .map(e => e.meta.build)
        .sort();
      expect(builds).toEqual([1, 2, 3, 4, 5, 6]);
      expect(
        (b.logger.error as jest.Mock).mock.calls.length +
          (c.logger.error as jest.Mock).mock.calls.length,
      ).toBe(6);
    });

    it('a person retrying an unknown alert sends it once among parallel retries', async () => {
      const d = await setup();
      const a = d.replica({ store: diesBeforeRecording(d.knex) });
      await expect(a.delivery.enqueue(alert(4))).rejects.toThrow(Crash);
      d.at(LEASE);
      const [b, c] = [d.replica(), d.replica()];
      await b.delivery.run();
      const [row] = await b.delivery.givenUp();
      expect(row).toMatchObject({ number: 4, status: 'unknown' });
      d.at(LEASE + 1000);
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          (i % 2 ? b : c).delivery.retryNow(row.id),
        ),
      );
      expect(results.filter(r => r !== undefined)).toEqual([
        { jobKey: 'main:shop/web@abc', number: 4, status: 'sent' },
      ]);
      expect(d.sent).toHaveLength(2);
      expect((await d.store.get('main:shop/web@abc', 4))?.status).toBe('sent');
      expect(await b.delivery.givenUp()).toEqual([]);
    });

    it('a replica dying after the notification went out, while sending to the channels: a retry sends the channels only', async () => {
      const d = await setup();
      const posted: string[][] = [];
      const channels: AlertChannelsService = {
        send: async m => {
          posted.push(m.channels);
          return m.channels.map(channel => ({ channel, ok: true }));
        },
      };
      // the second hand-over: the channels' send, before it is recorded
      const a = d.replica({
        channels,
        crashAt: 'cicd.alert.handedOver',
        crashHit: 2,
      });
      await expect(
        a.delivery.enqueue({ ...alert(7), channels: ['ops-hook', 'dev-mail'] }),
      ).rejects.toThrow(Crash);
      expect(d.sent).toHaveLength(1);
      expect(posted).toEqual([['ops-hook', 'dev-mail']]);
      d.at(LEASE);
      const b = d.replica({ channels });
      await b.delivery.run();
      const [row] = await b.delivery.givenUp();
      expect(row).toMatchObject({ number: 7, status: 'unknown' });
      // a person decides: the channels again (their outcome was not
      // recorded), the owner's notification (recorded) not
      expect(await b.delivery.retryNow(row.id)).toMatchObject({
        status: 'sent',
      });
      expect(d.sent).toHaveLength(1);
      expect(posted).toEqual([
        ['ops-hook', 'dev-mail'],
        ['ops-hook', 'dev-mail'],
      ]);
    });
  },
);
