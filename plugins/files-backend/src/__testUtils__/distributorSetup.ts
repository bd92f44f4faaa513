import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { SshConnectionPool } from '@opsdeck/plugin-remote-node';
// The sshd test helpers of the SSH core (not part of its public API).
import {
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  createReadStream,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseDistributionStore } from '../database/DatabaseDistributionStore';
import { DatabaseFileLibrary } from '../database/DatabaseFileLibrary';
import { applyFilesMigrations } from '../database/migrations';
import type { DistributionStrategy } from '../database/types';
import {
  Distributor,
  type DistributorOptions,
} from '../distribution/Distributor';

export const sha256 = (b: Buffer) =>
  createHash('sha256').update(b).digest('hex');

/** What a distribution test runs against: SQLite, real sshd hosts, a work directory they may write. */
export type DistributionTestEnv = {
  databases: TestDatabases;
  sshd: SshdHosts;
  work: string;
};

/**
 * Starts `hosts` sshd test hosts and a work directory (0777: the hosts write
 * as the sshd test user) before the file's tests, and removes both after.
 */
export function distributionTestEnv(
  hosts: number,
  prefix: string,
): DistributionTestEnv {
  const env = {
    databases: TestDatabases.create({ ids: ['SQLITE_3'] }),
  } as DistributionTestEnv;
  beforeAll(async () => {
    env.sshd = await startSshdHosts(hosts);
    env.work = mkdtempSync(join(tmpdir(), prefix));
    chmodSync(env.work, 0o777);
  });
  afterAll(async () => {
    await env.sshd?.stop();
    if (env.work) rmSync(env.work, { recursive: true, force: true });
  });
  return env;
}

/** What a test may change in the ssh the Distributor gets (wrappers around the real pool). */
export type SshWrapper = (pool: SshConnectionPool) => DistributorOptions['ssh'];

/**
 * A stored file, a distribution of it to the sshd test hosts (`hosts`: which
 * of them, default all), and runners (`distributor()`, each with its own
 * pool) on one SQLite database.
 */
export async function setupDistribution(
  env: DistributionTestEnv,
  data: Buffer,
  options: {
    strategy?: DistributionStrategy;
    ssh?: SshWrapper;
    /** Default: a fresh directory under `work`. */
    targetPath?: string;
    fileMode?: number;
    fileOwner?: string;
    hosts?: number[];
    allowedRoots?: string[];
    attempts?: number;
    relayStallMs?: number;
  } = {},
) {
  const knex = await env.databases.init('SQLITE_3');
  await applyFilesMigrations(knex);
  const library = new DatabaseFileLibrary(knex);
  const store = new DatabaseDistributionStore(knex);
  const storage = mkdtempSync(join(env.work, 'store-'));
  writeFileSync(join(storage, 'blob'), data);
  const file = await library.addVersion({
    name: 'data.bin',
    size: data.length,
    sha256: sha256(data),
    storageKey: 'blob',
    uploader: 'user:default/alice',
  });
  let target = options.targetPath;
  if (!target) {
    target = join(mkdtempSync(join(env.work, 'target-')), 'data.bin');
    chmodSync(join(target, '..'), 0o777);
  }
  const hostIndexes = options.hosts ?? env.sshd.hosts.map((_h, i) => i);
  const d = await store.create(
    {
      fileId: file.id,
      fileName: file.name,
      fileVersion: 1,
      size: file.size,
      sha256: file.sha256,
      targetPath: target,
      strategy: options.strategy ?? 'direct',
      fileMode: options.fileMode ?? 0o640,
      fileOwner: options.fileOwner,
      concurrency: 3,
      createdBy: 'user:default/alice',
    },
    hostIndexes.map(i => ({
      host: `resource:default/h${i}`,
      address: '127.0.0.1',
      port: env.sshd.hosts[i].port,
      loginUser: env.sshd.user,
      credential: 'test',
    })),
  );
  const pools: SshConnectionPool[] = [];
  const logger = mockServices.logger.mock();
  const distributor = () => {
    const pool = new SshConnectionPool({ connectTimeoutMs: 5000 });
    pools.push(pool);
    return new Distributor({
      store,
      library,
      ssh: options.ssh ? options.ssh(pool) : pool,
      relayGraceMs: 500,
      relayStallMs: options.relayStallMs,
      vault: {
        getSecret: async () => ({
          type: 'ssh-key',
          privateKey: env.sshd.privateKeyText,
        }),
      },
      hostTargets: async refs => new Map(refs.map(ref => [ref, { ref }])),
      openStored: async (key, start) =>
        createReadStream(join(storage, key), { start }),
      allowedRoots: () => options.allowedRoots ?? [env.work],
      logger,
      attempts: options.attempts ?? 1,
      commandTimeoutMs: 30_000,
      progressIntervalMs: 50,
    });
  };
  const close = () => Promise.all(pools.map(p => p.close()));
  return { knex, store, d, target, distributor, close, logger };
}

/** Runs the distribution to its end with a fresh runner and returns it. */
export async function runToEnd(
  setup: Awaited<ReturnType<typeof setupDistribution>>,
) {
  const runner = setup.distributor();
  runner.start(setup.d.id);
  await runner.settled(setup.d.id);
  return (await setup.store.get(setup.d.id))!;
}

/**
 * Wraps the pool's SFTP sessions to record every write stream a runner
 * opens: the path, the offset it starts at and the bytes it sends.
 */
export function recordSftpWrites(
  pool: SshConnectionPool,
  writes: { path: string; start: number; bytes: number }[],
) {
  return async (...args: Parameters<SshConnectionPool['openSftp']>) => {
    const sftp = await pool.openSftp(...args);
    const createWriteStream = sftp.createWriteStream.bind(sftp);
    const write = sftp.write.bind(sftp);
    let current: { path: string; start: number; bytes: number } | undefined;
    sftp.createWriteStream = ((path: string, o: any) => {
      current = { path, start: o?.start ?? 0, bytes: 0 };
      writes.push(current);
      return createWriteStream(path, o);
    }) as any;
    sftp.write = ((
      handle: Buffer,
      buf: Buffer,
      off: number,
      len: number,
      ...rest: any[]
    ) => {
      if (current) current.bytes += len;
      return (write as any)(handle, buf, off, len, ...rest);
    }) as any;
    return sftp;
  };
}
