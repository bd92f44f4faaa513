import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import { hostEntity } from '../__testUtils__/testBackend';
import { as, backend, useRouterBackend } from '../__testUtils__/routerSuite';

jest.setTimeout(60_000);

// Alerts in: service discovery and the webhook (services only, payloads that
// do not parse refused), and alerts out: listed with their deliveries only
// on entities the person may read, those of entities the catalog no longer
// has only to those who manage rules. Channels: router.channels.test.ts.
describe('monitoring router: alerts', () => {
  useRouterBackend();

  it('serves service discovery and the webhook to services only', async () => {
    const sd = await request(backend.server)
      .get('/api/monitoring/sd/host')
      .set('authorization', mockCredentials.service.header());
    expect(sd.status).toBe(200);
    expect(sd.body).toEqual([
      expect.objectContaining({ targets: ['127.0.0.1:9102'] }),
      expect.objectContaining({ targets: ['127.0.0.1:9100'] }),
    ]);
    for (const user of ['alice', 'erin']) {
      const res = await request(backend.server)
        .get('/api/monitoring/sd/host')
        .set('authorization', as(user));
      expect([user, res.status]).toEqual([user, 403]);
      const post = await request(backend.server)
        .post('/api/monitoring/alerts/webhook')
        .set('authorization', as(user))
        .send({ alerts: [] });
      expect([user, post.status]).toEqual([user, 403]);
    }
    const bad = await request(backend.server)
      .get('/api/monitoring/sd/everything')
      .set('authorization', mockCredentials.service.header());
    expect(bad.status).toBe(400);
  });

  it('refuses a webhook payload it cannot parse', async () => {
    const res = await request(backend.server)
      .post('/api/monitoring/alerts/webhook')
      .set('authorization', mockCredentials.service.header())
      .send({
        alerts: [
          {
            status: 'firing',
            labels: {},
            startsAt: 'x',
            fingerprint: '../../etc',
          },
        ],
      });
    expect(res.status).toBe(400);
  });

  it('lists alerts and their deliveries only on entities the person can read (filtered before paging)', async () => {
    const alert = (fingerprint: string, labels: Record<string, string>) => ({
      status: 'firing',
      fingerprint,
      startsAt: new Date().toISOString(),
      labels: { severity: 'critical', ...labels },
      annotations: { summary: `${fingerprint} summary` },
    });
    // web-01's alert first, then three newer ones on ops' db-01 and a
    // Watchdog without an entity: a page of two filtered after paging
    // would be empty for dave
    for (const a of [
      alert('scopeweb', {
        alertname: 'HostDown',
        opsdeck_entity: 'resource:default/web-01',
      }),
      ...['scopedb1', 'scopedb2', 'scopedb3'].map(f =>
        alert(f, {
          alertname: 'HostDown',
          opsdeck_entity: 'resource:default/db-01',
        }),
      ),
      alert('scopewatchdog', { alertname: 'Watchdog' }),
    ]) {
      const posted = await request(backend.server)
        .post('/api/monitoring/alerts/webhook')
        .set('authorization', mockCredentials.service.header())
        .send({ alerts: [a] });
      expect(posted.body).toEqual({ accepted: 1, duplicates: 0 });
    }

    const list = async (user: string, query = '') => {
      const res = await request(backend.server)
        .get(`/api/monitoring/alerts${query}`)
        .set('authorization', as(user));
      expect([user, res.status]).toEqual([user, 200]);
      return res.body as {
        items: Array<{ id: number; fingerprint: string }>;
        total: number;
      };
    };
    const fingerprints = (page: { items: Array<{ fingerprint: string }> }) =>
      page.items.map(e => e.fingerprint);
    const all = await list('alice', '?limit=500');
    const idOf = (f: string) => all.items.find(e => e.fingerprint === f)!.id;
    const deliveries = (user: string, id: number) =>
      request(backend.server)
        .get(`/api/monitoring/alerts/${id}/deliveries`)
        .set('authorization', as(user));

    // dave (a developer, not of the owner team): web-01's alert only, on a
    // full first page, and a total that counts what he may read
    const daves = await list('dave', '?limit=2');
    expect(fingerprints(daves)).toEqual(['scopeweb']);
    expect(daves.total).toBe(1);
    for (const f of ['scopedb1', 'scopewatchdog']) {
      const res = await deliveries('dave', idOf(f));
      // as if it did not exist
      expect([f, res.status]).toEqual([f, 404]);
      expect(res.body.error.message).toBe(`No alert ${idOf(f)}`);
      expect(JSON.stringify(res.body)).not.toContain('db-01');
    }
    expect((await deliveries('dave', idOf('scopeweb'))).status).toBe(200);

    // olga (of the owner team, does not manage rules): db-01's and web-01's
    // alerts with deliveries, not the Watchdog
    const olgas = await list('olga', '?limit=2');
    expect(fingerprints(olgas)).toEqual(['scopedb3', 'scopedb2']);
    expect(olgas.total).toBe(4);
    const second = await list('olga', '?limit=2&offset=2');
    expect(fingerprints(second)).toEqual(['scopedb1', 'scopeweb']);
    const olgaDb = await deliveries('olga', idOf('scopedb1'));
    expect(olgaDb.status).toBe(200);
    expect(olgaDb.body.items).toEqual([
      expect.objectContaining({ channel: 'ops-wecom', state: 'sent' }),
    ]);
    expect((await deliveries('olga', idOf('scopewatchdog'))).status).toBe(404);

    // the admin (manages rules): everything, the Watchdog included
    expect(fingerprints(all)).toEqual(
      expect.arrayContaining([
        'scopewatchdog',
        'scopedb3',
        'scopedb2',
        'scopedb1',
        'scopeweb',
      ]),
    );
    expect((await deliveries('alice', idOf('scopewatchdog'))).status).toBe(200);
    expect((await deliveries('alice', idOf('scopedb1'))).status).toBe(200);

    // a person without the permission: 403 before anything
    const erin = await request(backend.server)
      .get('/api/monitoring/alerts')
      .set('authorization', as('erin'));
    expect(erin.status).toBe(403);
    const erinDeliveries = await deliveries('erin', idOf('scopedb1'));
    expect(erinDeliveries.status).toBe(403);
  });

  it('shows alerts on entities the catalog no longer has to those who manage rules, never to others', async () => {
    // old-01 is in the catalog (shown to everyone) when it alerts, then
    // decommissioned; gone-01 was never (or is no longer) there
    backend.setEntities([
      hostEntity('web-01', '127.0.0.1:9100'),
      hostEntity('db-01', '127.0.0.1:9102'),
      hostEntity('old-01', '127.0.0.1:9103'),
    ]);
    for (const [fingerprint, entity] of [
      ['goneold', 'resource:default/old-01'],
      ['gonenever', 'resource:default/gone-01'],
      ['gonehidden', 'resource:default/db-01'],
    ]) {
      const posted = await request(backend.server)
        .post('/api/monitoring/alerts/webhook')
        .set('authorization', mockCredentials.service.header())
        .send({
          alerts: [
            {
              status: 'firing',
              fingerprint,
              startsAt: new Date().toISOString(),
              labels: { alertname: 'HostDown', opsdeck_entity: entity },
              annotations: {},
            },
          ],
        });
      expect(posted.body).toEqual({ accepted: 1, duplicates: 0 });
    }
    const fingerprints = async (user: string) => {
      const res = await request(backend.server)
        .get('/api/monitoring/alerts?limit=500')
        .set('authorization', as(user));
      expect([user, res.status]).toEqual([user, 200]);
      return (res.body.items as Array<{ id: number; fingerprint: string }>)
        .filter(e => e.fingerprint.startsWith('gone'))
        .map(e => e.fingerprint);
    };
    const all = await request(backend.server)
      .get('/api/monitoring/alerts?limit=500')
      .set('authorization', as('alice'));
    const idOf = (f: string) =>
      (all.body.items as Array<{ id: number; fingerprint: string }>).find(
        e => e.fingerprint === f,
      )!.id;
    const deliveries = (user: string, f: string) =>
      request(backend.server)
        .get(`/api/monitoring/alerts/${idOf(f)}/deliveries`)
        .set('authorization', as(user))
        .then(res => res.status);

    // while old-01 is in the catalog, dave (developer) reads its alert
    expect(await fingerprints('dave')).toEqual(['goneold']);
    expect(await deliveries('dave', 'goneold')).toBe(200);

    // old-01 is decommissioned (deleted from the catalog)
    backend.setEntities([
      hostEntity('web-01', '127.0.0.1:9100'),
      hostEntity('db-01', '127.0.0.1:9102'),
    ]);
    // those who manage rules (alice, otto) still see the alerts of hosts
    // that are gone, like alerts without an entity
    expect(await fingerprints('alice')).toEqual([
      'gonehidden',
      'gonenever',
      'goneold',
    ]);
    // otto manages rules but the catalog hides db-01 from him: an entity
    // that exists and is hidden stays hidden (not taken for "gone")
    expect(await fingerprints('otto')).toEqual(['gonenever', 'goneold']);
    expect(await deliveries('otto', 'goneold')).toBe(200);
    expect(await deliveries('otto', 'gonenever')).toBe(200);
    expect(await deliveries('otto', 'gonehidden')).toBe(404);
    // dave (no rule management) sees none of them, and cannot tell a gone
    // entity from a hidden one
    expect(await fingerprints('dave')).toEqual([]);
    for (const f of ['goneold', 'gonenever', 'gonehidden']) {
      expect([f, await deliveries('dave', f)]).toEqual([f, 404]);
    }
    // olga (owner team, no rule management): db-01's alert, not the gone ones
    expect(await fingerprints('olga')).toEqual(['gonehidden']);
    expect(await deliveries('olga', 'goneold')).toBe(404);
  });
});
