import { TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import { applyCicdMigrations } from '../database/migrations';
import { OutboxStore } from '../database/OutboxStore';
import { as, component, startCicdBackend } from '../__testUtils__/testBackend';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

function alert(number: number) {
  return {
    jobKey: 'main:shop/web@component:default/shop',
    number,
    owner: 'group:default/dev',
    payload: {
      title: `Build failed: shop main:shop/web #${number}`,
      description: 'Cause: TypeScript type error [compile]',
      severity: 'high' as const,
      scope: `cicd:main:shop/web#${number}`,
    },
  };
}

describe.each(databases.eachSupportedId())(
  'given-up build alerts, for ops (%s)',
  databaseId => {
    let backend: Awaited<ReturnType<typeof startCicdBackend>>;
    let outbox: OutboxStore;

    async function givenUp(number: number) {
      const id = (await outbox.enqueue(alert(number)))!;
      const [claimed] = await outbox.claim({
        token: `t${number}`,
        now: Date.now(),
        leaseMs: 60_000,
        limit: 1,
        id,
      });
      await outbox.failed(claimed, 'notifications backend unavailable', {
        giveUp: true,
        nextAt: Date.now(),
      });
      return id;
    }

    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      await applyCicdMigrations(knex);
      outbox = new OutboxStore(knex);
      backend = await startCicdBackend({
        knex,
        entities: [component('shop', 'main:shop/web')],
        instances: [],
      });
    });
    afterAll(async () => {
      await backend?.stop();
    });

    it('lists them and sends one again only for people with the permission', async () => {
      const id = await givenUp(1);
      const { server } = backend;
      expect(
        (await request(server).get('/api/cicd/alerts/given-up')).status,
      ).toBe(401);
      for (const user of ['erin', 'dave', 'mallory']) {
        const list = await request(server)
          .get('/api/cicd/alerts/given-up')
          .set('Authorization', as(user));
        const retry = await request(server)
          .post(`/api/cicd/alerts/given-up/${id}/retry`)
          .set('Authorization', as(user));
        expect([user, list.status, retry.status]).toEqual([user, 403, 403]);
      }
      expect(backend.notifications).toEqual([]);
      const list = await request(server)
        .get('/api/cicd/alerts/given-up')
        .set('Authorization', as('alice'));
      expect(list.status).toBe(200);
      expect(list.body.items).toEqual([
        expect.objectContaining({
          id,
          jobKey: 'main:shop/web@component:default/shop',
          number: 1,
          owner: 'group:default/dev',
          title: 'Build failed: shop main:shop/web #1',
          lastError: 'notifications backend unavailable',
          status: 'given_up',
        }),
      ]);
    });

    it('sends a given-up alert once among parallel retries, audited with the person as actor', async () => {
      const id = await givenUp(2);
      const sent = backend.notifications.length;
      const answers = await Promise.all(
        Array.from({ length: 8 }, () =>
          request(backend.server)
            .post(`/api/cicd/alerts/given-up/${id}/retry`)
            .set('Authorization', as('alice')),
        ),
      );
      const statuses = answers.map(a => a.status).sort();
      expect(statuses).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
      const ok = answers.find(a => a.status === 200)!;
      expect(ok.body).toEqual({
        id,
        job: 'main:shop/web@component:default/shop',
        number: 2,
        status: 'sent',
      });
      const newOnes = backend.notifications.slice(sent);
      expect(newOnes).toHaveLength(1);
      expect(newOnes[0]).toMatchObject({
        recipients: { type: 'entity', entityRef: ['group:default/dev'] },
        payload: { title: 'Build failed: shop main:shop/web #2' },
      });
      const events = backend.events.filter(
        e =>
          e.eventId === 'alert-retry' && e.meta?.target === `cicd-alert:${id}`,
      );
      expect(events.filter(e => e.status === 'succeeded')).toHaveLength(1);
      expect(events.filter(e => e.status === 'failed')).toHaveLength(7);
      for (const e of events) {
        expect(e.actor).toMatchObject({ actorId: 'user:default/alice' });
      }
      // no longer given up
      const list = await request(backend.server)
        .get('/api/cicd/alerts/given-up')
        .set('Authorization', as('alice'));
      expect(list.body.items.map((i: any) => i.id)).not.toContain(id);
    });

    it('lists an alert whose sender stopped mid-send as unknown, and sends it once among parallel retries', async () => {
      const id = (await outbox.enqueue(alert(4)))!;
      const now = Date.now();
      const [claimed] = await outbox.claim({
        token: 't4',
        now,
        leaseMs: 60_000,
        limit: 1,
        id,
      });
      expect(await outbox.markSending(claimed, { now, leaseMs: 1 })).toBe(true);
      // the sender died here; its lease ended
      expect((await outbox.expireSending(now + 1)).map(r => r.id)).toEqual([
        id,
      ]);
      const list = await request(backend.server)
        .get('/api/cicd/alerts/given-up')
        .set('Authorization', as('alice'));
      expect(list.body.items.find((i: any) => i.id === id)).toMatchObject({
        status: 'unknown',
        number: 4,
      });
      const sent = backend.notifications.length;
      const answers = await Promise.all(
        Array.from({ length: 6 }, () =>
          request(backend.server)
            .post(`/api/cicd/alerts/given-up/${id}/retry`)
            .set('Authorization', as('alice')),
        ),
      );
      expect(answers.map(a => a.status).sort()).toEqual([
        200, 409, 409, 409, 409, 409,
      ]);
      expect(backend.notifications.length - sent).toBe(1);
    });

    it('gives it up again with the new error when the send fails again', async () => {
      const id = await givenUp(3);
      backend.notificationFailures.count = 1;
      const res = await request(backend.server)
        .post(`/api/cicd/alerts/given-up/${id}/retry`)
        .set('Authorization', as('alice'));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'given_up',
        error: 'notifications backend unavailable',
      });
      const list = await request(backend.server)
        .get('/api/cicd/alerts/given-up')
        .set('Authorization', as('alice'));
      expect(list.body.items.find((i: any) => i.id === id)).toMatchObject({
        attempts: 2,
      });
    });
  },
);
