import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  distributionTestEnv,
  runToEnd,
  setupDistribution,
  sha256,
} from '../__testUtils__/distributorSetup';

jest.setTimeout(120_000);

const env = distributionTestEnv(2, 'opsdeck-target-safety-');
let work: string;
let uid: number;
let gid: number;

beforeAll(() => {
  work = env.work;
  uid = Number(execFileSync('id', ['-u', env.sshd.user]).toString().trim());
  gid = Number(execFileSync('id', ['-g', env.sshd.user]).toString().trim());
});

/** A directory the sshd user may write into. */
function dir(...parts: string[]) {
  const path = join(work, ...parts);
  mkdirSync(path, { recursive: true });
  chmodSync(path, 0o777);
  return path;
}

/** A file of the sshd user that an attack would like to overwrite or re-mode. */
function victim(name: string) {
  const path = join(dir('victims'), name);
  writeFileSync(path, 'precious\n', { mode: 0o600 });
  chownSync(path, uid, gid);
  chmodSync(path, 0o600);
  return path;
}

function intact(path: string) {
  return (
    readFileSync(path, 'utf8') === 'precious\n' &&
    (statSync(path).mode & 0o777) === 0o600
  );
}

describe('distribution targets are resolved on the host', () => {
  it('refuses a target whose directory, or a directory above it, is a symbolic link', async () => {
    const data = randomBytes(100_000);
    const elsewhere = dir('elsewhere');
    const base = dir('links');
    symlinkSync(elsewhere, join(base, 'link'));
    for (const targetPath of [
      join(base, 'link', 'data.bin'),
      join(base, 'link', 'deeper', 'data.bin'),
    ]) {
      const setup = await setupDistribution(env, data, {
        targetPath,
        hosts: [0],
        strategy: 'direct',
      });
      try {
        const done = await runToEnd(setup);
        expect(done.hosts[0].state).toBe('failed');
        expect(done.hosts[0].errorCode).toBe('files-target-symlink');
        expect(done.hosts[0].error).toBe(
          `${join(
            base,
            'link',
          )} is a symbolic link on the host; opsdeck does not follow links in a target path (give the real directory)`,
        );
      } finally {
        await setup.close();
      }
    }
    // nothing went where the link points, and nothing was made there
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('refuses a target outside the allowed roots, on the host too', async () => {
    const data = randomBytes(1000);
    const targetPath = join(dir('not-allowed'), 'data.bin');
    const setup = await setupDistribution(env, data, {
      targetPath,
      hosts: [0],
      allowedRoots: [join(work, 'allowed')],
    });
    try {
      const done = await runToEnd(setup);
      expect(done.hosts[0].state).toBe('failed');
      expect(done.hosts[0].errorCode).toBe('files-target-outside-roots');
      expect(done.hosts[0].error).toMatch(
        /is outside the allowed target directories/,
      );
      expect(readdirSync(join(work, 'not-allowed'))).toEqual([]);
    } finally {
      await setup.close();
    }
  });

  it('refuses a target that is a directory on the host', async () => {
    const targetPath = dir('is-dir', 'data.bin');
    const setup = await setupDistribution(env, randomBytes(10), {
      targetPath,
      hosts: [0],
    });
    try {
      const done = await runToEnd(setup);
      expect(done.hosts[0].error).toMatch(/is a directory on the host/);
      expect(readdirSync(targetPath)).toEqual([]);
    } finally {
      await setup.close();
    }
  });

  it.each(['direct', 'relay'] as const)(
    '%s: links planted at guessable temporary names redirect nothing',
    async strategy => {
      const data = randomBytes(300_000);
      const target = join(dir(`planted-${strategy}`), 'data.bin');
      const setup = await setupDistribution(env, data, {
        targetPath: target,
        strategy,
        fileMode: 0o644,
      });
      // Someone who may write into the directory plants links where a
      // predictable temporary name (distribution id + host position) would be.
      const victims: string[] = [];
      const tag = setup.d.id.replace(/-/g, '').slice(0, 12);
      setup.d.hosts.forEach((h, i) => {
        const v = victim(`planted-${strategy}-${i}`);
        victims.push(v);
        symlinkSync(
          v,
          join(target, '..', `.data.bin.opsdeck-${tag}-${h.position}.part`),
        );
      });
      try {
        const done = await runToEnd(setup);
        expect(done.hosts.map(h => h.state)).toEqual(['verified', 'verified']);
        expect(victims.filter(v => !intact(v))).toEqual([]);
        expect(lstatSync(target).isFile()).toBe(true);
        expect(sha256(readFileSync(target))).toBe(sha256(data));
        expect(statSync(target).mode & 0o777).toBe(0o644);
      } finally {
        await setup.close();
      }
    },
  );

  it('removes a link found at the temporary name when resuming, and writes a new file', async () => {
    const data = randomBytes(200_000);
    const target = join(dir('resume-link'), 'data.bin');
    const setup = await setupDistribution(env, data, {
      targetPath: target,
      hosts: [0],
    });
    const v = victim('resume-link');
    try {
      // an interrupted attempt's temporary name, with a link put there since
      const name = '.data.bin.opsdeck-0123456789abcdef0123456789abcdef.part';
      await setup.store.updateHost(setup.d.id, setup.d.hosts[0].host, {
        tempName: name,
        attempts: 1,
      });
      symlinkSync(v, join(target, '..', name));
      const done = await runToEnd(setup);
      expect(done.hosts[0]).toMatchObject({ state: 'verified', attempts: 2 });
      expect(intact(v)).toBe(true);
      expect(sha256(readFileSync(target))).toBe(sha256(data));
      expect(readdirSync(join(target, '..'))).toEqual(['data.bin']);
    } finally {
      await setup.close();
    }
  });

  it('sets the owner by name on the handle, and refuses an unknown owner', async () => {
    const data = randomBytes(1000);
    const target = join(dir('owner'), 'data.bin');
    const ok = await setupDistribution(env, data, {
      targetPath: target,
      hosts: [0],
      fileOwner: `${env.sshd.user}:${env.sshd.user}`,
      fileMode: 0o4750,
    });
    try {
      const done = await runToEnd(ok);
      expect(done.hosts[0].state).toBe('verified');
      const st = statSync(target);
      expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([uid, gid, 0o4750]);
    } finally {
      await ok.close();
    }
    const unknown = await setupDistribution(env, data, {
      targetPath: join(dir('owner-unknown'), 'data.bin'),
      hosts: [0],
      fileOwner: 'no-such-user-here',
    });
    try {
      const done = await runToEnd(unknown);
      expect(done.hosts[0].state).toBe('failed');
      expect(done.hosts[0].error).toMatch(/no user 'no-such-user-here'/);
      expect(readdirSync(join(work, 'owner-unknown'))).toEqual([]);
    } finally {
      await unknown.close();
    }
  });
});
