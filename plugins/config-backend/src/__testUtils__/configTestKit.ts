import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { HostTarget } from '@opsdeck/plugin-cmdb-common';
import { SshConnectionPool } from '@opsdeck/plugin-remote-node';
// The sshd test helpers of the SSH core (not part of its public API).
import {
  findFreePortRange,
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigStore } from '../database/ConfigStore';
import { applyConfigMigrations } from '../database/migrations';
import { Releaser } from '../release/Releaser';
import { ConfigService, type Caller } from '../service/ConfigService';
import type { HostFactsSource } from '../service/hostFacts';

/** What the release tests run against: SQLite, real sshd hosts, a work directory they may write. */
export type ConfigTestEnv = {
  databases: TestDatabases;
  sshd: SshdHosts;
  pool: SshConnectionPool;
  work: string;
  /** Free loopback ports for the servers the test starts (one per host). */
  ports: number[];
};

/** The sshd test hosts' login user (scripts/services/sshd-hosts.sh). */
export const TEST_USER = 'opsdeck';

/** Starts `hosts` sshd test hosts and a work directory before the file's tests; removes both after. */
export function configTestEnv(hosts: number, prefix: string): ConfigTestEnv {
  const env = {
    databases: TestDatabases.create({ ids: ['SQLITE_3'] }),
  } as ConfigTestEnv;
  beforeAll(async () => {
    env.sshd = await startSshdHosts(hosts);
    env.pool = new SshConnectionPool();
    env.work = mkdtempSync(join(tmpdir(), prefix));
    chmodSync(env.work, 0o777);
    const base = await findFreePortRange(hosts);
    env.ports = Array.from({ length: hosts }, (_, i) => base + i);
  });
  afterAll(async () => {
    await env.pool?.close();
    await env.sshd?.stop();
    if (env.work) rmSync(env.work, { recursive: true, force: true });
  });
  return env;
}

/** Gives the sshd test user a directory tree the test wrote as root. */
export function giveToTestUser(path: string) {
  execFileSync('chown', ['-R', `${TEST_USER}:`, path]);
}

export function testHosts(env: ConfigTestEnv, environment = 'staging') {
  return env.sshd.hosts.map(
    (h, i): HostTarget => ({
      name: `cfg-${i}`,
      entityRef: `resource:default/cfg-${i}`,
      address: '127.0.0.1',
      port: h.port,
      environment,
      owner: 'group:default/ops',
      tags: ['web'],
    }),
  );
}

export const bob: Caller = {
  ref: 'user:default/bob',
  credentials: mockCredentials.user('user:default/bob'),
};

/** A ConfigService over a fresh SQLite database and the sshd hosts. */
export async function configService(
  env: ConfigTestEnv,
  hosts: HostTarget[],
  options: { facts?: HostFactsSource } = {},
): Promise<{ service: ConfigService; store: ConfigStore; releaser: Releaser }> {
  const knex = await env.databases.init('SQLITE_3');
  await applyConfigMigrations(knex);
  const store = new ConfigStore(knex);
  const sshTargets = () => async (h: HostTarget) => ({
    host: h.address,
    port: h.port,
    credentials: { username: TEST_USER, privateKey: env.sshd.privateKeyText },
  });
  const releaser = new Releaser({
    store,
    ssh: env.pool,
    sshTargets,
    logger: mockServices.logger.mock(),
    healthAttempts: 6,
    healthIntervalMs: 300,
  });
  const service = new ConfigService({
    store,
    releaser,
    ssh: env.pool,
    sshTargets,
    hosts: { resolveHosts: async () => hosts },
    facts: options.facts,
  });
  return { service, store, releaser };
}
