import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  recordSftpWrites,
  runToEnd,
  distributionTestEnv,
  setupDistribution,
  sha256,
} from '../__testUtils__/distributorSetup';

jest.setTimeout(120_000);

const env = distributionTestEnv(3, 'opsdeck-distributor-test-');

describe('Distributor', () => {
  it('resumes a distribution that a stop cut short from the bytes each host has, leaving no partial target', async () => {
    const data = randomBytes(64 * 1024 * 1024);
    // what the runners write over SFTP: where each write starts and how much it sends
    const writes: { path: string; start: number; bytes: number }[] = [];
    const setup = await setupDistribution(env, data, {
      ssh: pool => ({
        exec: pool.exec.bind(pool),
        execChecked: pool.execChecked.bind(pool),
        openSftp: recordSftpWrites(pool, writes),
      }),
    });
    const { store, d, target, distributor, close } = setup;
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
      writes.length = 0;
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
      // hosts that had bytes got only the rest, from where their copy ended
      // (no second whole upload after a mismatch); the others got it all
      const resumed = writes.filter(w => w.start > 0);
      expect(resumed.length).toBeGreaterThan(0);
      for (const w of resumed) {
        expect(w.start + w.bytes).toBe(data.length);
      }
      expect(writes).toHaveLength(
        stopped.hosts.filter(h => h.state !== 'verified').length,
      );
      // each host kept the one random temporary name it got at first
      expect(done.hosts.map(h => h.tempName)).toEqual(
        stopped.hosts.map(h => h.tempName),
      );
    } finally {
      await close();
    }
    // 64 MiB to three hosts, twice: minutes on a busy machine
  }, 300_000);

  it('fails a host whose copy does not match the library checksum', async () => {
    const data = Buffer.from('the real content\n');
    const { store, d, target, distributor, close } = await setupDistribution(
      env,
      data,
      { hosts: [0] },
    );
    try {
      // the library says one thing, the stored bytes say another
      await (store as any)
        .knex('distributions')
        .where({ id: d.id })
        .update({ sha256: sha256(Buffer.from('something else')) });
      const dist = distributor();
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
      const writes: { path: string; start: number; bytes: number }[] = [];
      let headCommand = '';
      const setup = await setupDistribution(env, data, {
        strategy,
        ssh: pool => ({
          exec: (t, command, o) => {
            if (o?.stdin) headCommand = command;
            return pool.exec(t, command, o);
          },
          execChecked: pool.execChecked.bind(pool),
          openSftp: recordSftpWrites(pool, writes),
        }),
      });
      try {
        const done = await runToEnd(setup);
        expect(done.hosts.map(h => [h.state, h.attempts])).toEqual([
          ['verified', 1],
          ['verified', 1],
          ['verified', 1],
        ]);
        expect(sha256(readFileSync(setup.target))).toBe(sha256(data));
        expect(statSync(setup.target).mode & 0o777).toBe(0o640);
        expect(readdirSync(join(setup.target, '..'))).toEqual(['data.bin']);
        // opsdeck sent the bytes once, over the head's exec stdin, never by SFTP
        expect(writes).toEqual([]);
        // the head passed them on to one host (chain) or to both others (tree), over TLS
        expect(headCommand.match(/socat -u STDIN 'OPENSSL:/g)).toHaveLength(
          headSends,
        );
        expect(headCommand).not.toMatch(/TCP:|TCP-LISTEN/);
      } finally {
        await setup.close();
      }
    },
  );

  it('falls back to direct writes for the hosts behind a relay host that fails', async () => {
    const data = randomBytes(4 * 1024 * 1024);
    const middlePort = env.sshd.hosts[1].port;
    const setup = await setupDistribution(env, data, {
      strategy: 'relay',
      // the middle host of the chain dies as soon as its hop starts
      ssh: pool => ({
        execChecked: pool.execChecked.bind(pool),
        openSftp: pool.openSftp.bind(pool),
        exec: (t, command, o) =>
          pool.exec(
            t,
            t.port === middlePort && command.includes('OPENSSL-LISTEN')
              ? 'exit 3'
              : command,
            o,
          ),
      }),
    });
    try {
      const done = await runToEnd(setup);
      // the head kept its copy; the failed hop and the one behind it were written directly
      expect(done.hosts.map(h => [h.state, h.attempts])).toEqual([
        ['verified', 1],
        ['verified', 2],
        ['verified', 2],
      ]);
      expect(sha256(readFileSync(setup.target))).toBe(sha256(data));
      expect(readdirSync(join(setup.target, '..'))).toEqual(['data.bin']);
    } finally {
      await setup.close();
    }
  });
});
