/*
 * The interactive shell on a pseudo-terminal, against a real OpenSSH server.
 */
import type { ClientChannel } from 'ssh2';
import { SshConnectionPool } from './SshConnectionPool';
import { startSshdHosts, type SshdHosts } from './testUtils/sshdHosts';
import type { SshTarget } from './types';

jest.setTimeout(120_000);

let sshd: SshdHosts;
let pool: SshConnectionPool;

beforeAll(async () => {
  sshd = await startSshdHosts(1);
  pool = new SshConnectionPool();
});

afterAll(async () => {
  await pool?.close();
  await sshd?.stop();
});

function target(): SshTarget {
  return {
    host: sshd.hosts[0].host,
    port: sshd.hosts[0].port,
    credentials: { username: sshd.user, privateKey: sshd.privateKeyText },
  };
}

/** Collects the channel's output until `pattern` appears in it. */
function waitFor(channel: ClientChannel, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (d: Buffer) => {
      seen += d.toString('utf8');
      if (pattern.test(seen)) {
        channel.removeListener('data', onData);
        resolve(seen);
      }
    };
    channel.on('data', onData);
    channel.once('close', () => reject(new Error(`closed; saw ${seen}`)));
  });
}

describe('SshConnectionPool.shell', () => {
  it('runs a login shell on a PTY with the requested size, resizes, and frees its slot on exit', async () => {
    const channel = await pool.shell(target(), { cols: 100, rows: 30 });
    expect(pool.stats().activeChannels).toBe(1);
    channel.write('stty size; echo "TERM=$TERM"; tty\n');
    const out = await waitFor(channel, /TERM=\S+[\s\S]*\/dev\/pts/);
    expect(out).toContain('30 100');
    expect(out).toContain('TERM=xterm-256color');

    channel.setWindow(40, 120, 0, 0);
    channel.write('stty size\n');
    expect(await waitFor(channel, /40 120/)).toContain('40 120');

    channel.write('printf "\\344\\275\\240\\345\\245\\275\\n"\n');
    expect(await waitFor(channel, /你好/)).toContain('你好');

    const closed = new Promise<void>(resolve => channel.once('close', resolve));
    channel.write('exit\n');
    await closed;
    expect(pool.stats().activeChannels).toBe(0);
  });
});
