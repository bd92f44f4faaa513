// The cmdb router, the host index: list, get, CSV export, register (against a real sshd), decommission.
// Shared setup (test backend, seeded hosts, sshd): ./__testUtils__/routerTestKit.ts.
import type { SshdHosts } from '@opsdeck/plugin-remote-node/testUtils';
import { Knex } from 'knex';
import { DatabaseHostStore } from '../database/DatabaseHostStore';
import request from 'supertest';
import {
  alice,
  sshHostStub,
  cmdbRouterTest,
} from './__testUtils__/routerTestKit';

jest.setTimeout(120_000);

describe('cmdb router', () => {
  const { ctx, startBackend, sshHost } = cmdbRouterTest({ sshd: true });
  let knex: Knex;
  let store: DatabaseHostStore;
  let sshd: SshdHosts;
  let closedPort: number;
  beforeEach(() => {
    ({ knex, store, sshd, closedPort } = ctx);
  });

  it('lists hosts with filters and keyset paging; 400 on bad queries', async () => {
    const { server } = await startBackend({ knex });
    const get = (query: string) =>
      request(server)
        .get(`/api/cmdb/hosts?${query}`)
        .set('Authorization', alice);

    const p1 = await get('limit=2');
    expect(p1.status).toBe(200);
    expect(p1.body.items.map((h: any) => h.name)).toEqual([
      'build-01',
      'gw-01',
    ]);
    expect(p1.body.total).toBe(3);
    expect(p1.body.nextCursor).toBe('gw-01');
    const p2 = await get(`limit=2&after=${p1.body.nextCursor}`);
    expect(p2.body).toEqual({
      items: [
        {
          name: 'web-01',
          entityRef: 'resource:default/web-01',
          address: '198.51.100.11',
          port: 22,
          environment: 'prod',
          owner: 'ops',
          system: 'storefront',
          tags: ['nginx', 'web'],
          source: 'cmdb',
          reachable: true,
          os: 'Debian 12',
          uptimeSeconds: 100,
          collectedAt: expect.any(String),
        },
      ],
    });
    const names = async (q: string) =>
      (await get(q)).body.items.map((h: any) => h.name);
    expect(await names('environment=prod')).toEqual(['gw-01', 'web-01']);
    expect(await names('tag=gateway')).toEqual(['gw-01']);
    expect(await names('reachable=unknown')).toEqual(['build-01', 'gw-01']);
    expect(await names('reachable=true&q=WEB')).toEqual(['web-01']);
    expect(await names('owner=dev')).toEqual(['build-01']);

    for (const q of [
      'limit=501',
      'limit=0',
      'environment=qa',
      'reachable=yes',
    ]) {
      expect({ q, status: (await get(q)).status }).toEqual({ q, status: 400 });
    }
  });

  it('gets one host with facts, 404 when missing', async () => {
    const { server } = await startBackend({ knex });
    const res = await request(server)
      .get('/api/cmdb/hosts/web-01')
      .set('Authorization', alice);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: 'web-01',
      description: 'front, "main"',
      lastOkAt: expect.any(String),
    });
    const missing = await request(server)
      .get('/api/cmdb/hosts/nope')
      .set('Authorization', alice);
    expect(missing.status).toBe(404);
  });

  it('exports matching hosts as CSV', async () => {
    const { server } = await startBackend({ knex });
    const res = await request(server)
      .get('/api/cmdb/hosts/export.csv?environment=prod')
      .set('Authorization', alice);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toContain('hosts.csv');
    const lines = res.text.trimEnd().split('\r\n');
    expect(lines).toEqual([
      'name,entityRef,address,port,loginUser,credential,environment,owner,system,tags,source,reachable,error,os,uptimeSeconds,collectedAt',
      'gw-01,resource:default/gw-01,198.51.100.5,22,,,prod,ops,,gateway,catalog,,,,,',
      expect.stringMatching(
        /^web-01,resource:default\/web-01,198\.51\.100\.11,22,,,prod,ops,storefront,nginx web,cmdb,true,,Debian 12,100,\d{4}-\d\d-\d\dT[\d:.]+Z$/,
      ),
    ]);

    // a store that fails before the first page: an error answer (the root
    // router's handler gives it its code and reference), not a CSV cut short
    // after a 200
    await knex.schema.dropTable('hosts');
    const failed = await request(server)
      .get('/api/cmdb/hosts/export.csv')
      .set('Authorization', alice);
    expect(failed.status).toBe(500);
    expect(failed.headers['content-type']).toMatch(/^application\/json/);
    expect(failed.body.error.message).toEqual(expect.any(String));
  });

  it('registers hosts, checking reachability against real sshd', async () => {
    const { server, audits } = await startBackend({ knex });
    const res = await request(server)
      .post('/api/cmdb/hosts')
      .set('Authorization', alice)
      .send({
        checkReachability: true,
        hosts: [
          sshHost('lab-01'),
          sshHost('lab-closed', closedPort),
          { ...sshHost('lab-bad'), address: '192.0.2.300' },
          { ...sshHost('lab-cred'), credential: 'Bad Name!' },
          sshHost('web-01'),
          sshHost('gw-01'),
        ],
      });
    expect({ status: res.status, error: res.body.error }).toEqual({
      status: 200,
    });
    expect(res.body.results).toEqual([
      {
        name: 'lab-01',
        status: 'created',
        entityRef: 'resource:default/lab-01',
      },
      {
        name: 'lab-closed',
        status: 'unreachable',
        message: expect.stringContaining(`Not added: SSH connection failed:`),
      },
      {
        name: 'lab-bad',
        status: 'invalid',
        message: expect.stringContaining("invalid address '192.0.2.300'"),
      },
      {
        name: 'lab-cred',
        status: 'invalid',
        message: expect.stringContaining(
          "malformed credential name 'Bad Name!'",
        ),
      },
      {
        name: 'web-01',
        status: 'exists',
        entityRef: 'resource:default/web-01',
        message: 'A host with this name is already registered',
      },
      {
        name: 'gw-01',
        status: 'exists',
        entityRef: 'resource:default/gw-01',
        message: 'A host with this name is already defined in the catalog',
      },
    ]);
    expect(res.body.results[1].message).toContain(`127.0.0.1:${closedPort}`);

    // the reachable host is in the index with the facts found while checking
    const lab = await request(server)
      .get('/api/cmdb/hosts/lab-01')
      .set('Authorization', alice);
    expect(lab.body).toMatchObject({
      name: 'lab-01',
      source: 'cmdb',
      port: sshd.hosts[0].port,
      credential: 'sshd-test',
      reachable: true,
      kernel: expect.any(String),
    });
    expect(
      (
        await request(server)
          .get('/api/cmdb/hosts/lab-closed')
          .set('Authorization', alice)
      ).status,
    ).toBe(404);
    expect(audits).toEqual([
      {
        eventId: 'host-register',
        status: 'succeeded',
        meta: expect.objectContaining({ entityRef: 'resource:default/lab-01' }),
      },
    ]);

    // without the check a host is added as given (port defaults to 22)
    const plain = await request(server)
      .post('/api/cmdb/hosts')
      .set('Authorization', alice)
      .send({ hosts: [{ ...sshHostStub(), name: 'plain-01' }] });
    expect(plain.body.results).toEqual([
      {
        name: 'plain-01',
        status: 'created',
        entityRef: 'resource:default/plain-01',
      },
    ]);
    expect(await store.get('plain-01')).toMatchObject({
      port: 22,
      reachable: null,
    });

    // body validated against the schema
    for (const body of [
      {},
      { hosts: [] },
      { hosts: [{ ...sshHostStub(), port: 70000 }] },
      { hosts: [{ ...sshHostStub(), environment: 'qa' }] },
      { hosts: [{ ...sshHostStub(), extra: 1 }] },
    ]) {
      const bad = await request(server)
        .post('/api/cmdb/hosts')
        .set('Authorization', alice)
        .send(body);
      expect({ body, status: bad.status }).toEqual({ body, status: 400 });
    }
  });

  it('decommissions CMDB hosts only, with an audit event', async () => {
    const { server, audits } = await startBackend({ knex });
    const del = await request(server)
      .delete('/api/cmdb/hosts/web-01')
      .set('Authorization', alice);
    expect(del.status).toBe(204);
    expect(await store.getRecord('web-01')).toBeUndefined();
    expect(await knex('host_facts').where('name', 'web-01')).toEqual([]);

    const again = await request(server)
      .delete('/api/cmdb/hosts/web-01')
      .set('Authorization', alice);
    expect(again.status).toBe(404);

    const fromCatalog = await request(server)
      .delete('/api/cmdb/hosts/gw-01')
      .set('Authorization', alice);
    expect(fromCatalog.status).toBe(409);
    expect(fromCatalog.body.error.message).toContain('defined in the catalog');
    expect(fromCatalog.body.error).toMatchObject({
      code: 'cmdb-host-from-catalog',
      entityRef: 'resource:default/gw-01',
    });
    expect(await store.getRecord('gw-01')).toBeDefined();

    expect(audits).toEqual([
      {
        eventId: 'host-decommission',
        status: 'succeeded',
        meta: expect.objectContaining({ target: 'resource:default/web-01' }),
      },
      {
        eventId: 'host-decommission',
        status: 'failed',
        error: expect.stringContaining('defined in the catalog'),
        meta: expect.objectContaining({ target: 'resource:default/gw-01' }),
      },
    ]);
  });
});
