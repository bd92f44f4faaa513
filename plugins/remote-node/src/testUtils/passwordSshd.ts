import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findFreePortRange, startSshdHosts } from './sshdHosts';

const run = promisify(execFile);

/** A real OpenSSH server that takes passwords only, logging every authentication attempt. */
export type PasswordSshd = {
  host: string;
  port: number;
  user: string;
  hostKeyFingerprint: string;
  /** The sshd log so far (LogLevel VERBOSE: every attempt, failed or not). */
  log(): Promise<string>;
  stop(): Promise<void>;
};

/**
 * Starts sshd on a free port with `PasswordAuthentication yes` and every other
 * method off, as a host opsdeck would log in to with a vault password. The test
 * user (`opsdeck`, from scripts/services/sshd-hosts.sh) has no password, so
 * every password attempt fails and is logged as `Failed password`.
 */
export async function startPasswordSshd(): Promise<PasswordSshd> {
  // the shared script creates the test user and /run/sshd (and fails without sshd)
  const hosts = await startSshdHosts(1);
  await hosts.stop();
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-password-sshd-'));
  const port = await findFreePortRange(1);
  const hostKey = join(dir, 'host_ed25519');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  const fingerprint = (
    await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`])
  ).stdout.split(' ')[1];
  const log = join(dir, 'sshd.log');
  const pid = join(dir, 'sshd.pid');
  await writeFile(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${pid}`,
      'UsePAM no',
      'PermitRootLogin no',
      `AllowUsers ${hosts.user}`,
      'PubkeyAuthentication no',
      'PasswordAuthentication yes',
      'PermitEmptyPasswords no',
      'KbdInteractiveAuthentication no',
      'MaxAuthTries 20',
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );
  await run('/usr/sbin/sshd', ['-f', join(dir, 'sshd_config'), '-E', log]);
  return {
    host: '127.0.0.1',
    port,
    user: hosts.user,
    hostKeyFingerprint: fingerprint,
    log: () => readFile(log, 'utf8').catch(() => ''),
    async stop() {
      const text = await readFile(pid, 'utf8').catch(() => '');
      if (text.trim()) {
        try {
          process.kill(Number(text.trim()));
        } catch {
          // already gone
        }
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
