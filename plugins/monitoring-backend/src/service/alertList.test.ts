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
  annotations: { summary: `${fingerprint} down` },
});

describe.each(databases.eachSupportedId())(
  'GET /alerts?state=firing (%s)',
  databaseId => {
    let backend: MonitoringBackend;

    beforeAll(async () => {
      backend = await startMonitoringBackend({
        knex: await databases.init(databaseId),
        entities: [
          hostEntity('web-01', '127.0.0.1:9100'),
          hostEntity('dev-01', '127.0.0.1:9101', { owner: 'dev' }),
          hostEntity('db-01', '127.0.0.1:9102'),
        ],
        visibleTo: (user, entity) =>
          entity.metadata.name !== 'db-01' || user === 'user:default/alice',
      });
      for (const [f, entity, status] of [
        ['web', 'web-01', 'firing'],
        ['dev', 'dev-01', 'firing'],
        ['devfixed', 'dev-01', 'firing'],
        ['devfixed', 'dev-01', 'resolved'],
        ['db', 'db-01', 'firing'],
        ['watchdog', undefined, 'firing'],
      ] as const) {
        const res = await request(backend.server)
          .post('/api/monitoring/alerts/webhook')
          .set('authorization', mockCredentials.service.header())
          .send({ alerts: [alert(f, entity, status)] });
        if (res.body.accepted !== 1) throw new Error(`not recorded: ${f}`);
      }
    });
    afterAll(() => backend?.stop());

    const list = (user: string, query: string) =>
      request(backend.server)
        .get(`/api/monitoring/alerts?${query}`)
        .set('authorization', as(user));
    const fingerprints = (body: { items: Array<{ fingerprint: string }> }) =>
      body.items.map(e => e.fingerprint).sort();

    it('answers only the alerts firing now, in the same scope as the whole list', async () => {
      // dave reads the visible hosts' alerts, not db-01's nor those without an entity
      const daves = await list('dave', 'state=firing');
      expect(daves.status).toBe(200);
      expect(fingerprints(daves.body)).toEqual(['dev', 'web']);
      expect(daves.body.total).toBe(2);
      expect((await list('dave', '')).body.total).toBe(4);
      // a rule manager also reads the alerts without an entity
      const alices = await list('alice', 'state=firing');
      expect(fingerprints(alices.body)).toEqual([
        'db',
        'dev',
        'watchdog',
        'web',
      ]);
      expect(alices.body.total).toBe(4);
      // filtered before paging
      const page = await list('alice', 'state=firing&limit=1&offset=3');
      expect(page.body.items.map((e: any) => e.fingerprint)).toEqual(['web']);
      expect(page.body.total).toBe(4);
    });

    it('refuses another state with a 400 naming the parameter, after the permission check', async () => {
      for (const value of ['resolved', 'FIRING', 'all']) {
        const res = await list('alice', `state=${value}`);
        expect([value, res.status]).toEqual([value, 400]);
        expect(res.body.error.message).toBe(
          'request/query/state must be equal to one of the allowed values: firing',
        );
      }
      const empty = await list('alice', 'state=');
      expect(empty.status).toBe(400);
      expect(empty.body.error.message).toBe(
        "Empty value found for query parameter 'state'",
      );
      for (const user of ['erin', 'vera']) {
        expect((await list(user, 'state=firing')).status).toBe(403);
        expect((await list(user, 'state=bogus')).status).toBe(403);
      }
    });
  },
);
