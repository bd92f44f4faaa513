import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  hostEntity,
  startMonitoringBackend,
  type MonitoringBackend,
} from '../__testUtils__/testBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const as = (user: string) =>
  mockCredentials.user.header(`user:default/${user}`);

const alert = (
  fingerprint: string,
  entity: string | undefined,
  status: 'firing' | 'resolved' = 'firing',
) => ({
  status,
  fingerprint,
  startsAt: '2026-12-03T08:00:00Z',
  ...(status === 'resolved' ? { endsAt: '2026-12-03T09:00:00Z' } : {}),
  labels: {
    alertname: 'HostDown',
    ...(entity ? { opsdeck_entity: `resource:default/${entity}` } : {}),
  },
  annotations: { summary: `${entity} down` },
});

describe.each(databases.eachSupportedId())(
  'alert acknowledgement (%s)',
  databaseId => {
    let backend: MonitoringBackend;
    const ids: Record<string, number> = {};

    beforeAll(async () => {
      backend = await startMonitoringBackend({
        knex: await databases.init(databaseId),
        entities: [
          hostEntity('web-01', '127.0.0.1:9100'), // owner ops
          hostEntity('dev-01', '127.0.0.1:9101', { owner: 'dev' }),
          hostEntity('db-01', '127.0.0.1:9102'), // ops', hidden from most
        ],
        visibleTo: (user, entity) =>
          entity.metadata.name !== 'db-01' ||
          ['user:default/alice', 'user:default/olga'].includes(user),
      });
      for (const [f, entity] of [
        ['ackweb', 'web-01'],
        ['ackdev', 'dev-01'],
        ['ackdb', 'db-01'],
        ['ackwatchdog', undefined],
      ] as const) {
        const res = await request(backend.server)
          .post('/api/monitoring/alerts/webhook')
          .set('authorization', mockCredentials.service.header())
          .send({ alerts: [alert(f, entity)] });
        if (res.body.accepted !== 1) throw new Error(`not recorded: ${f}`);
      }
      const all = await request(backend.server)
        .get('/api/monitoring/alerts')
        .set('authorization', as('alice'));
      for (const e of all.body.items) ids[e.fingerprint] = e.id;
    });
    afterAll(() => backend?.stop());

    const ack = (user: string, id: number, body?: object) =>
      request(backend.server)
        .post(`/api/monitoring/alerts/${id}/ack`)
        .set('authorization', as(user))
        .send(body ?? {});
    const unack = (user: string, id: number) =>
      request(backend.server)
        .delete(`/api/monitoring/alerts/${id}/ack`)
        .set('authorization', as(user));
    const acknowledgementOf = async (id: number) =>
      (
        await request(backend.server)
          .get('/api/monitoring/alerts')
          .set('authorization', as('alice'))
      ).body.items.find((e: any) => e.id === id).acknowledgement;

    it('refuses a viewer and a person without a role before anything else', async () => {
      for (const user of ['vera', 'erin']) {
        for (const res of [
          await ack(user, ids.ackweb, { comment: 'mine' }),
          await ack(user, 999999),
          // a body the schema refuses: still the 403 first
          await ack(user, ids.ackweb, { comment: 1, extra: true }),
          await unack(user, ids.ackweb),
        ]) {
          expect([user, res.status]).toEqual([user, 403]);
        }
      }
      expect(await acknowledgementOf(ids.ackweb)).toBeUndefined();
      expect(
        backend.events.filter(
          e => e.eventId === 'monitoring-alert-acknowledge',
        ),
      ).toEqual([]);
    });

    it('lets a member of the owner group acknowledge, audited with the person as actor', async () => {
      // dave is in dev: dev-01's alert, not web-01's (ops')
      const denied = await ack('dave', ids.ackweb);
      expect(denied.status).toBe(403);
      expect(await acknowledgementOf(ids.ackweb)).toBeUndefined();

      const res = await ack('dave', ids.ackdev, { comment: ' looking at it ' });
      expect(res.status).toBe(200);
      expect(res.body.acknowledgement).toEqual({
        by: 'user:default/dave',
        at: expect.any(String),
        comment: 'looking at it',
      });
      expect(await acknowledgementOf(ids.ackdev)).toEqual(
        res.body.acknowledgement,
      );
      const event = backend.events.find(
        e =>
          e.eventId === 'monitoring-alert-acknowledge' &&
          e.status === 'succeeded',
      )!;
      expect(event).toMatchObject({
        actor: { actorId: 'user:default/dave' },
        meta: {
          target: `monitoring-alert:${ids.ackdev}`,
          comment: ' looking at it ',
        },
      });
      const refused = backend.events.find(
        e =>
          e.eventId === 'monitoring-alert-acknowledge' && e.status === 'failed',
      )!;
      expect(refused).toMatchObject({
        actor: { actorId: 'user:default/dave' },
        meta: { target: `monitoring-alert:${ids.ackweb}` },
      });

      // twice is a conflict, not a second acknowledgement
      const again = await ack('dave', ids.ackdev);
      expect(again.status).toBe(409);
      expect((await acknowledgementOf(ids.ackdev)).comment).toBe(
        'looking at it',
      );
    });

    it('lets rule managers acknowledge any owner, and hides what the catalog hides', async () => {
      // otto manages rules (any owner) but is in no owner group
      const res = await unack('otto', ids.ackdev);
      expect(res.status).toBe(200);
      expect(res.body.acknowledgement).toBeUndefined();
      expect(
        backend.events.find(
          e => e.eventId === 'monitoring-alert-unacknowledge',
        ),
      ).toMatchObject({
        status: 'succeeded',
        actor: { actorId: 'user:default/otto' },
      });
      expect((await unack('otto', ids.ackdev)).status).toBe(409);
      // an alert without an entity: rule managers only (others cannot read it)
      expect((await ack('olga', ids.ackwatchdog)).status).toBe(404);
      expect((await ack('otto', ids.ackwatchdog)).status).toBe(200);
      // db-01 is hidden from dave and otto: it does not exist for them
      expect((await ack('dave', ids.ackdb)).status).toBe(404);
      expect((await ack('otto', ids.ackdb)).status).toBe(404);
      expect((await ack('dave', 999999)).status).toBe(404);
      // olga (ops, the owner) sees it and acknowledges it
      expect((await ack('olga', ids.ackdb)).status).toBe(200);
    });

    it('needs no acknowledgement once resolved', async () => {
      await request(backend.server)
        .post('/api/monitoring/alerts/webhook')
        .set('authorization', mockCredentials.service.header())
        .send({ alerts: [alert('ackweb', 'web-01', 'resolved')] });
      const res = await ack('olga', ids.ackweb);
      expect(res.status).toBe(409);
      expect(res.body.error.message).toContain('resolved');
      const list = await request(backend.server)
        .get('/api/monitoring/alerts')
        .set('authorization', as('olga'));
      const states = list.body.items.filter(
        (e: any) => e.fingerprint === 'ackweb',
      );
      expect(states.map((e: any) => [e.status, e.resolved ?? false])).toEqual([
        ['resolved', false],
        ['firing', true],
      ]);
      // a resolution itself is not acknowledged
      expect((await ack('olga', states[0].id)).status).toBe(409);
    });
  },
);
