import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { SshConnectionPool } from '@opsdeck/plugin-remote-node';
// The sshd test helpers of the SSH core (not part of its public API).
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import {
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/src/__testUtils__/sshdHosts';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  createReadStream,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { Transform } from 'node:stream';
import { join } from 'node:path';
import { DatabaseDistributionStore } from '../database/DatabaseDistributionStore';
import { DatabaseFileLibrary } from '../database/DatabaseFileLibrary';
import { applyFilesMigrations } from '../database/migrations';
import { Distributor } from './Distributor';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
let sshd: SshdHosts;
let work: string;

beforeAll(async () => {
  sshd = await startSshdHosts(3);
  work = mkdtempSync(join(tmpdir(), 'opsdeck-distributor-test-'));
  chmodSync(work, 0o777);
});

afterAll(async () => {
  await sshd?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function setup(
  data: Buffer,
  options: {
    strategy?: 'direct' | 'relay' | 'relay-tree';
    ssh?: (pool: SshConnectionPool) => any;
  } = {},
) {
  const knex = await databases.init('SQLITE_3');
  await applyFilesMigrations(knex);
  const library = new DatabaseFileLibrary(knex);
  const store = new DatabaseDistributionStore(knex);
  const storage = mkdtempSync(join(work, 'store-'));
  writeFileSync(join(storage, 'blob'), data);
  const file = await library.addVersion({
    name: 'data.bin',
    size: data.length,
    sha256: sha256(data),
    storageKey: 'blob',
    uploader: 'user:default/alice',
  });
  const target = join(mkdtempSync(join(work, 'target-')), 'data.bin');
  chmodSync(join(target, '..'), 0o777);
  const d = await store.create(
    {
      fileId: file.id,
      fileName: file.name,
      fileVersion: 1,
      size: file.size,
      sha256: file.sha256,
      targetPath: target,
      strategy: options.strategy ?? 'direct',
      fileMode: 0o640,
      concurrency: 3,
      createdBy: 'user:default/alice',
    },
    sshd.hosts.map((h, i) => ({
      host: `resource:default/h${i}`,
      address: '127.0.0.1',
      port: h.port,
      loginUser: sshd.user,
      credential: 'test',
    })),
  );
  const pools: SshConnectionPool[] = [];
  const distributor = () => {
    const pool = new SshConnectionPool({ connectTimeoutMs: 5000 });
    pools.push(pool);
    return new Distributor({
      store,
      library,
      ssh: options.ssh ? options.ssh(pool) : pool,
      relayGraceMs: 500,
      vault: {
        getSecret: async () => ({
          type: 'ssh-key',
          privateKey: sshd.privateKeyText,
        }),
      },
      hostTargets: async refs => new Map(refs.map(ref => [ref, { ref }])),
      openStored: async (key, start) =>
        createReadStream(join(storage, key), { start }),
      logger: mockServices.logger.mock(),
      attempts: 1,
      commandTimeoutMs: 30_000,
      progressIntervalMs: 50,
    });
  };
  const close = () => Promise.all(pools.map(p => p.close()));
  return { store, d, target, distributor, close };
}

describe('Distributor', () => {
  it('resumes a distribution that a stop cut short from the bytes each host has, leaving no partial target', async () => {
    const data = randomBytes(64 * 1024 * 1024);
    // what the second runner sends: whole-file uploads, and appends with the bytes they carry
    const uploads: string[] = [];
    const appends: { command: string; bytes: number }[] = [];
    const { store, d, target, distributor, close } = await setup(data, {
      ssh: pool => ({
        execChecked: pool.execChecked.bind(pool),
        uploadStream: (t: any, source: any, path: string, o: any) => {
          uploads.push(path);
          return pool.uploadStream(t, source, path, o);
        },
        exec: (t: any, command: string, o: any) => {
          if (command.startsWith('dd of=')) {
            const record = { command, bytes: 0 };
            appends.push(record);
            // counted on the way through (a 'data' listener would steal chunks)
            const counted = new Transform({
              transform(c: Buffer, _e, cb) {
                record.bytes += c.length;
                cb(null, c);
              },
            });
            o.stdin.on('error', (e: Error) => counted.destroy(e));
            return pool.exec(t, command, {
              ...o,
              stdin: o.stdin.pipe(counted),
            });
          }
          return pool.exec(t, command, o);
        },
      }),
    });
    try {
      const first = distributor();
      first.start(d.id);
      // stop once more than the resume back-off (4 MiB) has gone out to some host
      for (let i = 0; i < 4000; i++) {
        const live = first.liveProgress(d.id);
        if (live && [...live.values()].some(p => p.bytes > 12 * 1024 * 1024))
          break;
        await new Promise(r => setTimeout(r, 5));
      }
      await first.stop();
      uploads.length = 0;
      const stopped = (await store.get(d.id))!;
      expect(stopped.status).toBe('running');
      expect(stopped.hosts.some(h => h.state !== 'verified')).toBe(true);
      // whatever arrived stays under the temporary name, never at the target
      expect(readdirSync(join(target, '..'))).not.toContain('data.bin');

      const second = distributor();
      expect(await second.resumeInterrupted()).toBe(1);
      await second.settled(d.id);
      const done = (await store.get(d.id))!;
      expect(done.status).toBe('done');
      expect(done.hosts.map(h => [h.state, h.bytes])).toEqual([
        ['verified', data.length],
        ['verified', data.length],
        ['verified', data.length],
      ]);
      expect(sha256(readFileSync(target))).toBe(sha256(data));
      expect(readdirSync(join(target, '..'))).toEqual(['data.bin']);
      // hosts that had bytes got only the rest (no second whole upload after a
      // mismatch); hosts with little or nothing got a whole upload
      expect(appends.length).toBeGreaterThan(0);
      for (const a of appends) {
        expect(a.bytes).toBeLessThan(data.length);
      }
      expect(appends.length + uploads.length).toBe(
        stopped.hosts.filter(h => h.state !== 'verified').length,
      );
    } finally {
      await close();
    }
  });

  it('fails a host whose copy does not match the library checksum', async () => {
    const data = Buffer.from('the real content\n');
    const { store, d, target, distributor, close } = await setup(data);
    try {
      // the library says one thing, the stored bytes say another
      await store.updateHost(d.id, d.hosts[1].host, { state: 'verified' });
      await store.updateHost(d.id, d.hosts[2].host, { state: 'verified' });
      const dist = distributor();
      await (store as any)
        .knex('distributions')
        .where({ id: d.id })
        .update({
          sha256: sha256(Buffer.from('something else')),
        });
      dist.start(d.id);
      await dist.settled(d.id);
      const done = (await store.get(d.id))!;
      expect(done.hosts[0].state).toBe('failed');
      expect(done.hosts[0].error).toMatch(/SHA-256 on the host differs/);
      expect(readdirSync(join(target, '..'))).toEqual([]);
    } finally {
      await close();
    }
  });

  it.each([
    ['relay', 1],
    ['relay-tree', 2],
  ] as const)(
    '%s: relays the stream host to host and verifies every copy',
    async (strategy, headSends) => {
      const data = randomBytes(8 * 1024 * 1024 + 3);
      let sftpUploads = 0;
      let headCommand = '';
      const { store, d, target, distributor, close } = await setup(data, {
        strategy,
        ssh: pool => ({
          exec: (t: any, command: string, o: any) => {
            if (o?.stdin) headCommand = command;
            return pool.exec(t, command, o);
          },
          execChecked: pool.execChecked.bind(pool),
          uploadStream: (...args: any[]) => {
            sftpUploads++;
            return (pool.uploadStream as any)(...args);
          },
        }),
      });
      try {
        const dist = distributor();
        dist.start(d.id);
        await dist.settled(d.id);
        const done = (await store.get(d.id))!;
        expect(done.hosts.map(h => [h.state, h.attempts])).toEqual([
          ['verified', 1],
          ['verified', 1],
          ['verified', 1],
        ]);
        expect(sha256(readFileSync(target))).toBe(sha256(data));
        expect(statSync(target).mode & 0o777).toBe(0o640);
        expect(readdirSync(join(target, '..'))).toEqual(['data.bin']);
        // opsdeck sent the bytes once, over the head's exec stdin, never by SFTP
        expect(sftpUploads).toBe(0);
        // the head passed them on to one host (chain) or to both others (tree)
        expect(headCommand.match(/socat -u STDIN/g)).toHaveLength(headSends);
      } finally {
        await close();
      }
    },
  );

  it('falls back to direct writes for the hosts behind a relay host that fails', async () => {
    const data = randomBytes(4 * 1024 * 1024);
    const middlePort = sshd.hosts[1].port;
    const { store, d, target, distributor, close } = await setup(data, {
      strategy: 'relay',
      // the middle host of the chain dies as soon as its hop starts
      ssh: pool => ({
        execChecked: pool.execChecked.bind(pool),
        uploadStream: pool.uploadStream.bind(pool),
        exec: (t: any, command: string, o: any) =>
          pool.exec(
            t,
            t.port === middlePort && command.includes('TCP-LISTEN')
              ? 'exit 3'
              : command,
            o,
          ),
      }),
    });
    try {
      const dist = distributor();
      dist.start(d.id);
      await dist.settled(d.id);
      const done = (await store.get(d.id))!;
      // the head kept its copy; the failed hop and the one behind it were written directly
      expect(done.hosts.map(h => [h.state, h.attempts])).toEqual([
        ['verified', 1],
        ['verified', 2],
        ['verified', 2],
      ]);
      expect(sha256(readFileSync(target))).toBe(sha256(data));
      expect(readdirSync(join(target, '..'))).toEqual(['data.bin']);
    } finally {
      await close();
    }
  });
});
