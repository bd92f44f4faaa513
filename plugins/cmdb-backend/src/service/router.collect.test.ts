// The cmdb router, collecting facts from a real sshd and its pinned host key.
// Shared setup (test backend, seeded hosts, sshd): ./__testUtils__/routerTestKit.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SshdHosts } from '@opsdeck/plugin-remote-node/testUtils';
import { Knex } from 'knex';
import { DatabaseHostStore } from '../database/DatabaseHostStore';
import { newHostRecord } from '../model/hosts';
import request from 'supertest';
import { alice, cmdbRouterTest } from './__testUtils__/routerTestKit';

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

  it('collects one host now', async () => {
    const { server, audits } = await startBackend({ knex });
    await store.insert(newHostRecord({ ...sshHost('lab-02') } as any));
    await store.insert(
      newHostRecord({ ...sshHost('lab-down', closedPort) } as any),
    );
    const ok = await request(server)
      .post('/api/cmdb/hosts/lab-02/collect')
      .set('Authorization', alice);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      name: 'lab-02',
      reachable: true,
      os: expect.any(String),
      uptimeSeconds: expect.any(Number),
    });
    const down = await request(server)
      .post('/api/cmdb/hosts/lab-down/collect')
      .set('Authorization', alice);
    expect(down.status).toBe(200);
    expect(down.body).toMatchObject({
      name: 'lab-down',
      reachable: false,
      error: expect.stringContaining(`127.0.0.1:${closedPort}`),
    });
    const missing = await request(server)
      .post('/api/cmdb/hosts/nope/collect')
      .set('Authorization', alice);
    expect(missing.status).toBe(404);
    expect(audits.map(a => [a.eventId, a.meta?.target])).toEqual([
      ['host-collect', 'resource:default/lab-02'],
      ['host-collect', 'resource:default/lab-down'],
    ]);
  });

  // last: it gives the shared sshd host a new key

  it('keeps the pinned host key across a restart and lets an admin reset it after a rekey', async () => {
    const pins = mkdtempSync(join(tmpdir(), 'cmdb-host-keys-'));
    const database = {
      client: 'better-sqlite3',
      connection: { directory: pins },
    };
    await store.insert(newHostRecord({ ...sshHost('lab-03') } as any));
    const hostId = `[127.0.0.1]:${sshd.hosts[0].port}`;
    const keyOf = (server: any) =>
      request(server)
        .get('/api/cmdb/hosts/lab-03/host-key')
        .set('Authorization', alice);
    const collect = (server: any) =>
      request(server)
        .post('/api/cmdb/hosts/lab-03/collect')
        .set('Authorization', alice);

    try {
      const first = await startBackend({ knex, database });
      expect((await keyOf(first.server)).body).toEqual({ hostId });
      expect((await collect(first.server)).body.reachable).toBe(true);
      expect((await keyOf(first.server)).body).toEqual({
        hostId,
        fingerprint: sshd.hosts[0].hostKeyFingerprint,
      });
      await first.stop();

      // the host is reinstalled while opsdeck restarts
      const changed = await sshd.rekey(sshd.hosts[0].port);
      const { server, audits, stop } = await startBackend({ knex, database });
      try {
        expect((await keyOf(server)).body).toEqual({
          hostId,
          fingerprint: sshd.hosts[0].hostKeyFingerprint,
        });
        const refused = (await collect(server)).body;
        expect(refused.reachable).toBe(false);
        expect(refused.error).toContain(`Host key of ${hostId} has changed`);

        const reset = await request(server)
          .delete('/api/cmdb/hosts/lab-03/host-key')
          .set('Authorization', alice);
        expect(reset.status).toBe(204);
        expect((await keyOf(server)).body).toEqual({ hostId });
        expect((await collect(server)).body.reachable).toBe(true);
        expect((await keyOf(server)).body).toEqual({
          hostId,
          fingerprint: changed,
        });

        // nothing waits for acceptance: refused with its code
        const none = await request(server)
          .post('/api/cmdb/hosts/lab-03/host-key/reject')
          .set('Authorization', alice);
        expect(none.status).toBe(409);
        expect(none.body.error).toMatchObject({
          code: 'cmdb-host-key-none-pending',
          hostId,
        });

        const missing = await request(server)
          .delete('/api/cmdb/hosts/nope/host-key')
          .set('Authorization', alice);
        expect(missing.status).toBe(404);
        expect(audits.filter(a => a.eventId === 'host-key-reset')).toEqual([
          {
            eventId: 'host-key-reset',
            status: 'succeeded',
            meta: { target: 'resource:default/lab-03', hostId },
          },
        ]);
      } finally {
        await stop();
      }
    } finally {
      rmSync(pins, { recursive: true, force: true });
    }
  });
});
