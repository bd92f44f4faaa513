import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { applyCicdMigrations } from '../database/migrations';
import { OutboxStore } from '../database/OutboxStore';
import { AlertDelivery } from './AlertDelivery';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const T0 = Date.UTC(2026, 11, 3, 12);
const LIMITS = {
  maxAttempts: 3,
  backoffMs: 30_000,
  maxBackoffMs: 45_000,
  leaseMs: 300_000,
  batch: 10,
  retentionMs: 86_400_000,
};
const ALERT = {
  jobKey: 'main:shop/web@abc',
  number: 7,
  owner: 'group:default/dev',
  payload: {
    title: 'Build failed: shop main:shop/web #7',
    severity: 'high' as const,
    scope: 'cicd:main:shop/web@abc#7',
  },
};

describe.each(databases.eachSupportedId())('AlertDelivery (%s)', databaseId => {
  async function setup(failures: number) {
    const knex = await databases.init(databaseId);
    await applyCicdMigrations(knex);
    const store = new OutboxStore(knex);
    const sent: NotificationSendOptions[] = [];
    let attempts = 0;
    let now = T0;
    const logger = mockServices.logger.mock();
    const audited: any[] = [];
    const auditor = {
      createEvent: async (options: any) => ({
        success: async () => void audited.push({ ...options, ok: true }),
        fail: async (f: any) =>
          void audited.push({ ...options, error: f.error.message }),
      }),
    } as any;
    const delivery = new AlertDelivery({
      store,
      notifications: {
        async send(o) {
          attempts++;
          if (attempts <= failures) throw new Error('notifications: 503');
          sent.push(o);
        },
      },
      logger,
      auditor,
      limits: LIMITS,
      now: () => now,
    });
    return {
      store,
      delivery,
      sent,
      logger,
      audited,
      attempts: () => attempts,
      at: (t: number) => {
        now = T0 + t;
      },
    };
  }

  it('sends at once when the notification service answers', async () => {
    const d = await setup(0);
    await d.delivery.enqueue(ALERT);
    expect(d.sent).toEqual([
      {
        recipients: { type: 'entity', entityRef: ['group:default/dev'] },
        payload: ALERT.payload,
      },
    ]);
    expect((await d.store.get(ALERT.jobKey, 7))!.status).toBe('sent');
    // enqueued again (a replica that lost the gate race cannot, but a bug could): nothing
    await d.delivery.enqueue(ALERT);
    expect(await d.delivery.run()).toBe(0);
    expect(d.sent).toHaveLength(1);
  });

  it('keeps an alert whose send throws and retries it with backoff until it is sent', async () => {
    const d = await setup(2);
    await d.delivery.enqueue(ALERT);
    expect(d.sent).toEqual([]);
    expect(await d.store.get(ALERT.jobKey, 7)).toEqual({
      status: 'pending',
      attempts: 1,
      nextAt: T0 + 30_000,
      lastError: 'notifications: 503',
    });
    // not due before its backoff
    d.at(29_999);
    expect(await d.delivery.run()).toBe(0);
    d.at(30_000);
    expect(await d.delivery.run()).toBe(1);
    // second failure: 60 s, capped at 45 s
    expect(await d.store.get(ALERT.jobKey, 7)).toMatchObject({
      attempts: 2,
      nextAt: T0 + 75_000,
    });
    d.at(75_000);
    expect(await d.delivery.run()).toBe(1);
    expect(d.sent.map(n => n.payload.title)).toEqual([ALERT.payload.title]);
    expect((await d.store.get(ALERT.jobKey, 7))!.status).toBe('sent');
    expect(d.logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('attempt 1 of 3'),
    );
    d.at(10_000_000);
    expect(await d.delivery.run()).toBe(0);
    expect(d.attempts()).toBe(3);
  });

  it('gives up after maxAttempts with an error log and an audit event', async () => {
    const d = await setup(100);
    await d.delivery.enqueue(ALERT);
    d.at(30_000);
    await d.delivery.run();
    d.at(75_000);
    await d.delivery.run();
    expect(await d.store.get(ALERT.jobKey, 7)).toMatchObject({
      status: 'given_up',
      attempts: 3,
    });
    expect(d.logger.error).toHaveBeenCalledWith(
      expect.stringContaining('given up after 3 attempts'),
    );
    expect(d.audited).toEqual([
      expect.objectContaining({
        eventId: 'cicd-alert-given-up',
        severityLevel: 'high',
        error: 'notifications: 503',
        meta: expect.objectContaining({
          job: ALERT.jobKey,
          build: 7,
          attempts: 3,
        }),
      }),
    ]);
    d.at(100_000_000);
    expect(await d.delivery.run()).toBe(0);
    expect(d.attempts()).toBe(3);
  });

  it('two replicas running the delivery task at once send each due alert once', async () => {
    const d = await setup(5);
    // five alerts whose first send failed
    for (let n = 1; n <= 5; n++) {
      await d.delivery.enqueue({
        ...ALERT,
        number: n,
        payload: { ...ALERT.payload, title: `#${n}` },
      });
    }
    expect(d.sent).toEqual([]);
    d.at(3_600_000);
    const other = new AlertDelivery({
      store: new OutboxStore((d.store as any).knex),
      notifications: { send: async o => void d.sent.push(o) },
      logger: mockServices.logger.mock(),
      limits: LIMITS,
      now: () => T0 + 3_600_000,
    });
    await Promise.all([d.delivery.run(), other.run(), other.run()]);
    expect(d.sent.map(n => n.payload.title).sort()).toEqual([
      '#1',
      '#2',
      '#3',
      '#4',
      '#5',
    ]);
  });
});
