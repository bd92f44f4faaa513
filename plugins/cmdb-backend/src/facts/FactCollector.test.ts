/*
 * Fact collection against real OpenSSH servers started by
 * scripts/services/sshd-hosts.sh; fails (never skips) when sshd is missing.
 */
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { SshConnectionPool } from '@opsdeck/plugin-remote-node';
// The sshd test helpers of the SSH core (not part of its public API).
import {
  SSHD_HOSTS_SCRIPT,
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import { execFile } from 'node:child_process';
import { release } from 'node:os';
import { promisify } from 'node:util';
import { DatabaseHostStore } from '../database/DatabaseHostStore';
import { newHostRecord } from '../model/hosts';
import { FactCollector } from './FactCollector';

jest.setTimeout(120_000);

const run = promisify(execFile);
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

let sshd: SshdHosts;
const pools: SshConnectionPool[] = [];

beforeAll(async () => {
  sshd = await startSshdHosts(3);
});

afterAll(async () => {
  await Promise.all(pools.map(p => p.close()));
  await sshd?.stop();
});

async function sshdPort(action: 'start' | 'stop', port: number) {
  await run('bash', [SSHD_HOSTS_SCRIPT, action, '1', String(port)], {
    timeout: 60_000,
  });
}

describe('FactCollector against real sshd hosts', () => {
  it('records facts, marks a stopped host unreachable keeping its facts, and recovers', async () => {
    const knex = await databases.init('SQLITE_3');
    const store = await DatabaseHostStore.create({
      database: mockServices.database({ knex }),
    });
    const names = sshd.hosts.map((_, i) => `host-${i}`);
    for (const [i, h] of sshd.hosts.entries()) {
      await store.insert(
        newHostRecord({
          name: names[i],
          address: h.host,
          port: h.port,
          loginUser: sshd.user,
          credential: 'sshd-test',
          environment: 'test',
          owner: 'ops',
        }),
      );
    }
    const getSecret = jest.fn(async (name: string) => {
      expect(name).toBe('sshd-test');
      return { type: 'ssh-key' as const, privateKey: sshd.privateKeyText };
    });
    // A fresh pool per round, as a scheduled run every few minutes finds the
    // idle connections of the previous run closed.
    const collector = () => {
      const pool = new SshConnectionPool({ connectTimeoutMs: 5_000 });
      pools.push(pool);
      return new FactCollector({
        store,
        ssh: pool,
        vault: { getSecret },
        logger: mockServices.logger.mock(),
        concurrency: 2,
        timeoutMs: 20_000,
      });
    };

    expect(await collector().collectAll()).toEqual({
      hosts: 3,
      reachable: 3,
      unreachable: 0,
    });
    for (const name of names) {
      const h = await store.get(name);
      expect(h).toMatchObject({
        reachable: true,
        kernel: release(),
        collectedAt: expect.any(String),
        lastOkAt: expect.any(String),
      });
      expect(h?.error).toBeUndefined();
      expect(h?.os).toEqual(expect.any(String));
      expect(h?.cpuCount).toBeGreaterThan(0);
      expect(h?.memTotalBytes).toBeGreaterThan(0);
      expect(h?.uptimeSeconds).toBeGreaterThan(0);
      expect(h?.disks?.length).toBeGreaterThan(0);
      expect(h?.disks?.[0]).toEqual({
        mount: expect.any(String),
        sizeBytes: expect.any(Number),
        usedBytes: expect.any(Number),
      });
      expect(h?.ips?.length).toBeGreaterThan(0);
    }
    const before = await store.get('host-1');

    await sshdPort('stop', sshd.hosts[1].port);
    expect(await collector().collectAll()).toEqual({
      hosts: 3,
      reachable: 2,
      unreachable: 1,
    });
    const down = await store.get('host-1');
    expect(down).toMatchObject({
      reachable: false,
      error: expect.stringContaining(`127.0.0.1:${sshd.hosts[1].port}`),
      os: before?.os,
      kernel: before?.kernel,
      disks: before?.disks,
      lastOkAt: before?.lastOkAt,
    });
    expect(down?.collectedAt).not.toBe(before?.collectedAt);
    expect((await store.get('host-0'))?.reachable).toBe(true);
    expect(
      (await store.list({ reachable: 'false' })).items.map(h => h.name),
    ).toEqual(['host-1']);

    await sshdPort('start', sshd.hosts[1].port);
    const outcome = await collector().collectOne(
      (await store.getRecord('host-1'))!,
    );
    expect(outcome.reachable).toBe(true);
    const back = await store.get('host-1');
    expect(back).toMatchObject({ reachable: true, kernel: release() });
    expect(back?.error).toBeUndefined();
    expect(back?.lastOkAt).not.toBe(before?.lastOkAt);
  });

  it('reports a missing credential as unreachable with the reason', async () => {
    const knex = await databases.init('SQLITE_3');
    const store = await DatabaseHostStore.create({
      database: mockServices.database({ knex }),
    });
    const record = newHostRecord({
      name: 'no-cred',
      address: sshd.hosts[0].host,
      port: sshd.hosts[0].port,
      environment: 'test',
      owner: 'ops',
    });
    await store.insert(record);
    const pool = new SshConnectionPool();
    pools.push(pool);
    const collector = new FactCollector({
      store,
      ssh: pool,
      vault: {
        getSecret: async () => {
          throw new Error('unused');
        },
      },
      logger: mockServices.logger.mock(),
    });
    expect(await collector.collectOne(record)).toEqual({
      reachable: false,
      error:
        'Host has no credential and opsdeck.cmdb.defaultCredential is not set',
    });
  });
});
