/**
 * scripts/services/*.sh keep each server's files to itself: starting one
 * server never hands another's files (the sshd test hosts' private keys) to
 * its user. The servers themselves are stubbed: only the scripts' own file
 * handling runs, in a directory of this test.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SCRIPTS = resolve(__dirname, '../../../scripts/services');
const STUBBED = [
  'runuser',
  'mariadb-install-db',
  'mariadbd',
  'mariadb-admin',
  'mariadb',
  'redis-server',
  'redis-cli',
];

const uidOf = (user: string) =>
  process.getuid?.() === 0
    ? Number(execFileSync('id', ['-u', user]).toString().trim())
    : process.getuid?.();

describe('service scripts', () => {
  let base: string;
  let stubs: string;
  let key: string;

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'opsdeck-services-'));
    stubs = mkdtempSync(join(tmpdir(), 'opsdeck-stubs-'));
    for (const name of STUBBED) {
      writeFileSync(join(stubs, name), '#!/bin/sh\nexit 0\n');
      chmodSync(join(stubs, name), 0o755);
    }
    // what sshd-hosts.sh keeps there: the test hosts' private host keys
    mkdirSync(join(base, 'sshd', 'hostkeys'), { recursive: true });
    key = join(base, 'sshd', 'hostkeys', '22301');
    writeFileSync(key, 'PRIVATE KEY');
    chmodSync(key, 0o600);
  });

  afterEach(() => {
    rmSync(base, { recursive: true, force: true });
    rmSync(stubs, { recursive: true, force: true });
  });

  function start(script: string, env: Record<string, string>) {
    execFileSync('bash', [join(SCRIPTS, script), 'start'], {
      env: {
        ...process.env,
        PATH: `${stubs}:${process.env.PATH}`,
        OPSDECK_SERVICES_DIR: base,
        ...env,
      },
      stdio: 'pipe',
    });
  }

  it.each([
    ['postgres.sh', { OPSDECK_PG_PORT: '45432' }, 'postgres-45432', 'postgres'],
    ['mariadb.sh', { OPSDECK_MARIADB_PORT: '43306' }, 'mariadb-43306', 'mysql'],
    ['redis.sh', { OPSDECK_REDIS_PORT: '46379' }, 'redis-46379', 'root'],
  ])(
    '%s owns its own directory only, closed to others',
    (script, env, dir, owner) => {
      const before = statSync(base);
      start(script, env);
      const own = statSync(join(base, dir));
      expect({ uid: own.uid, mode: own.mode & 0o777 }).toEqual({
        uid: uidOf(owner),
        mode: 0o700,
      });
      // the shared directory and the other servers' files are untouched
      expect(statSync(base).uid).toBe(before.uid);
      const sshdKey = statSync(key);
      expect({ uid: sshdKey.uid, mode: sshdKey.mode & 0o777 }).toEqual({
        uid: process.getuid?.(),
        mode: 0o600,
      });
      expect(statSync(join(base, 'sshd')).uid).toBe(process.getuid?.());
    },
  );
});
