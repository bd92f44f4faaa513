/*
 * Integration tests against real OpenSSH servers started by scripts/services/sshd-hosts.sh.
 * They fail (never skip) when sshd is not installed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { Readable } from 'node:stream';
import { utils } from 'ssh2';
import { NotFoundError } from '@backstage/errors';
import { SshConnectionPool } from './SshConnectionPool';
import { InMemoryHostKeyStore, hostKeyId } from './hostKeys';
import { fanOut } from './fanOut';
import {
  AuthenticationFailedError,
  CommandFailedError,
  CommandTimeoutError,
  HostKeyMismatchError,
  HostUnreachableError,
  OperationCancelledError,
} from './errors';
import type { SshTarget } from './types';
import {
  eventually,
  findFreePortRange,
  startSshdHosts,
  type SshdHosts,
} from './__testUtils__/sshdHosts';

jest.setTimeout(120_000);

const HOSTS = 50;
let sshd: SshdHosts;
const pools: SshConnectionPool[] = [];

function newPool(
  options: ConstructorParameters<typeof SshConnectionPool>[0] = {},
) {
  const pool = new SshConnectionPool(options);
  pools.push(pool);
  return pool;
}

function target(i: number, overrides: Partial<SshTarget> = {}): SshTarget {
  return {
    host: sshd.hosts[i].host,
    port: sshd.hosts[i].port,
    credentials: { username: sshd.user, privateKey: sshd.privateKeyText },
    ...overrides,
  };
}

function acceptedLogins(i: number): number {
  const log = readFileSync(sshd.hosts[i].log, 'utf8');
  return log.split('\n').filter(l => l.includes('Accepted publickey for'))
    .length;
}

/** uid owning the local TCP socket bound to 127.0.0.1:port (from /proc/net/tcp). */
/**
 * The uid owning the ESTABLISHED loopback TCP socket 127.0.0.1:localPort → 127.0.0.1:remotePort.
 * Matching both ends and the state matters: Linux reuses an ephemeral port for other destinations,
 * and TIME_WAIT entries (listed with uid 0) may carry the same local port.
 */
function socketOwnerUid(
  localPort: number,
  remotePort: number,
): number | undefined {
  const hex = (port: number) =>
    `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const line of readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1] === hex(localPort) && f[2] === hex(remotePort) && f[3] === '01') {
      return Number(f[7]);
    }
  }
  return undefined;
}

beforeAll(async () => {
  sshd = await startSshdHosts(HOSTS);
});

afterAll(async () => {
  await Promise.all(pools.map(p => p.close()));
  await sshd?.stop();
});

describe('exec', () => {
  it('returns the exit code and output', async () => {
    const pool = newPool();
    const ok = await pool.exec(target(0), 'echo hello; echo oops >&2; exit 3');
    expect(ok).toMatchObject({
      exitCode: 3,
      signal: null,
      stdout: 'hello\n',
      stderr: 'oops\n',
      timedOut: false,
      cancelled: false,
      truncated: false,
    });
    const me = await pool.exec(target(0), 'id -un');
    expect(me.stdout.trim()).toBe(sshd.user);
    await expect(pool.execChecked(target(0), 'exit 7')).rejects.toBeInstanceOf(
      CommandFailedError,
    );
  });

  it('streams stdout and stderr chunks in the order they were written', async () => {
    const pool = newPool();
    const events: string[] = [];
    const r = await pool.exec(
      target(0),
      'echo out1; sleep 0.3; echo err1 >&2; sleep 0.3; echo out2',
      {
        onStdout: s => events.push(`out:${s.trim()}`),
        onStderr: s => events.push(`err:${s.trim()}`),
      },
    );
    expect(r.exitCode).toBe(0);
    expect(events).toEqual(['out:out1', 'err:err1', 'out:out2']);
  });

  it('feeds stdin from a string and from a stream', async () => {
    const pool = newPool();
    const text = 'line one\nline two with ünïcödé\n';
    expect((await pool.exec(target(0), 'cat', { stdin: text })).stdout).toBe(
      text,
    );
    const big = randomBytes(300_000);
    const r = await pool.exec(target(0), 'sha256sum', {
      stdin: Readable.from([big.subarray(0, 100_000), big.subarray(100_000)]),
    });
    expect(r.stdout.split(' ')[0]).toBe(
      createHash('sha256').update(big).digest('hex'),
    );
  });

  it('passes env values with shell metacharacters verbatim', async () => {
    const pool = newPool();
    const marker = `/tmp/opsdeck-injected-${randomBytes(6).toString('hex')}`;
    const value = `'$(touch ${marker}); "quoted" ;|& \`touch ${marker}\` \\ \n next line`;
    for (const envTransport of ['shell', 'ssh'] as const) {
      const r = await pool.exec(target(0), 'printf %s "$OPSDECK_VALUE"', {
        env: { OPSDECK_VALUE: value },
        envTransport,
      });
      expect(r.stdout).toBe(value);
    }
    const check = await pool.exec(target(0), `test -e ${marker}`);
    expect(check.exitCode).toBe(1);
    expect(existsSync(marker)).toBe(false);
    await expect(
      pool.exec(target(0), 'true', { env: { 'BAD;NAME': 'x' } }),
    ).rejects.toThrow(/Invalid environment variable name/);
  });

  it('caps collected output with a truncation marker', async () => {
    const pool = newPool();
    let streamed = 0;
    const r = await pool.exec(
      target(0),
      "head -c 100000 /dev/zero | tr '\\0' a",
      {
        maxOutputBytes: 1000,
        onStdout: s => {
          streamed += s.length;
        },
      },
    );
    expect(r.exitCode).toBe(0);
    expect(r.truncated).toBe(true);
    expect(r.stdout).toBe(
      `${'a'.repeat(1000)}\n[opsdeck: output truncated after 1000 bytes]`,
    );
    expect(streamed).toBe(100000);
  });

  it('stops a command at its timeout and kills the remote process', async () => {
    const pool = newPool();
    const r = await pool.exec(target(1), 'sleep 31.4159', { timeoutMs: 500 });
    expect(r).toMatchObject({
      timedOut: true,
      cancelled: false,
      exitCode: null,
      signal: 'TERM',
    });
    // the process is gone on the host
    const count = await pool.exec(
      target(1),
      "for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' <$f 2>/dev/null; echo; done | grep -c 'sleep 31[.]4159'",
    );
    expect(count.stdout.trim()).toBe('0');
    await expect(
      pool.execChecked(target(1), 'sleep 31.4159', { timeoutMs: 300 }),
    ).rejects.toBeInstanceOf(CommandTimeoutError);
  });

  it('stops a command when its AbortSignal fires', async () => {
    const pool = newPool();
    const controller = new AbortController();
    const r = await pool.exec(target(1), 'echo started; exec sleep 27.1828', {
      signal: controller.signal,
      onStdout: s => {
        if (s.includes('started')) controller.abort();
      },
    });
    expect(r).toMatchObject({
      cancelled: true,
      timedOut: false,
      exitCode: null,
      signal: 'TERM',
      stdout: 'started\n',
    });
    const count = await pool.exec(
      target(1),
      "for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' <$f 2>/dev/null; echo; done | grep -c 'sleep 27[.]1828'",
    );
    expect(count.stdout.trim()).toBe('0');

    // already aborted: nothing runs
    const before = await pool.exec(target(1), 'true', {
      signal: AbortSignal.abort(),
    });
    expect(before).toMatchObject({ cancelled: true, exitCode: null });
  });
});

describe('SFTP', () => {
  it('uploads and downloads a file with the same checksum and the given mode', async () => {
    const pool = newPool();
    const data = randomBytes(3 * 1024 * 1024 + 123);
    const sum = createHash('sha256').update(data).digest('hex');
    const remote = `/home/${sshd.user}/opsdeck-sftp-${randomBytes(4).toString(
      'hex',
    )}.bin`;

    const up = await pool.uploadStream(
      target(2),
      Readable.from([data.subarray(0, 1_000_000), data.subarray(1_000_000)]),
      remote,
      { mode: 0o600 },
    );
    expect(up.bytes).toBe(data.length);
    const onHost = await pool.execChecked(
      target(2),
      `stat -c %a ${remote}; sha256sum ${remote}`,
    );
    expect(onHost.stdout.split('\n')[0]).toBe('600');
    expect(onHost.stdout.split('\n')[1].split(' ')[0]).toBe(sum);

    const down = await pool.downloadStream(target(2), remote);
    const hash = createHash('sha256');
    for await (const chunk of down) hash.update(chunk as Buffer);
    expect(hash.digest('hex')).toBe(sum);

    await expect(
      pool.downloadStream(target(2), `${remote}.missing`),
    ).rejects.toBeInstanceOf(NotFoundError);

    const sftp = await pool.openSftp(target(2));
    await new Promise<void>((res, rej) =>
      sftp.unlink(remote, err => (err ? rej(err) : res())),
    );
    sftp.end();
    await eventually(() => pool.stats().activeChannels === 0);
  });
});

describe('host keys', () => {
  it('pins the first key (OpenSSH fingerprint) and refuses a changed one', async () => {
    const i = 3;
    const store = new InMemoryHostKeyStore();
    const id = hostKeyId('127.0.0.1', sshd.hosts[i].port);
    const first = newPool({ hostKeyStore: store });
    await first.execChecked(target(i), 'true');
    const pinned = await store.get(id);
    expect(pinned).toBe(sshd.hosts[i].hostKeyFingerprint);
    await first.close();

    const changed = await sshd.rekey(sshd.hosts[i].port);
    expect(changed).not.toBe(pinned);

    const second = newPool({ hostKeyStore: store });
    const err = await second.exec(target(i), 'true').catch(e => e);
    expect(err).toBeInstanceOf(HostKeyMismatchError);
    expect(err.message).toContain(id);
    expect(err.message).toContain(pinned);
    expect(err.message).toContain(changed);
    expect(await store.get(id)).toBe(pinned);

    // an operator accepts the new key
    await store.remove(id);
    await second.execChecked(target(i), 'true');
    expect(await store.get(id)).toBe(changed);
  });
});

describe('connection errors', () => {
  it('reports a wrong private key as AuthenticationFailedError without leaking it', async () => {
    const pool = newPool();
    // ECDSA, not Ed25519: ssh2 writes about 1 Ed25519 key in 256 one byte
    // short and then cannot read it, which would fail this test for the wrong reason.
    const wrong = utils.generateKeyPairSync('ecdsa', { bits: 256 }).private;
    const err = await pool
      .exec(
        target(4, {
          credentials: { username: sshd.user, privateKey: wrong },
        }),
        'true',
      )
      .catch(e => e);
    expect(err).toBeInstanceOf(AuthenticationFailedError);
    expect(err.message).toContain(
      `${sshd.user}@127.0.0.1:${sshd.hosts[4].port}`,
    );
    expect(err.message).not.toContain(wrong.split('\n')[1]);
    expect(JSON.stringify(err)).not.toContain(wrong.split('\n')[1]);

    const garbage = await pool
      .exec(
        target(4, { credentials: { username: sshd.user, privateKey: 'nope' } }),
        'true',
      )
      .catch(e => e);
    expect(garbage).toBeInstanceOf(AuthenticationFailedError);
  });

  it('reports a closed port as HostUnreachableError naming host:port', async () => {
    const pool = newPool();
    const port = await findFreePortRange(1);
    const err = await pool.exec(target(0, { port }), 'true').catch(e => e);
    expect(err).toBeInstanceOf(HostUnreachableError);
    expect(err.message).toContain(`127.0.0.1:${port}`);
  });

  it('reports a server that never answers as HostUnreachableError after the connect timeout', async () => {
    const silent: Server = createServer(() => {});
    await new Promise<void>(r => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      const pool = newPool({ connectTimeoutMs: 500 });
      const err = await pool.exec(target(0, { port }), 'true').catch(e => e);
      expect(err).toBeInstanceOf(HostUnreachableError);
      expect(err.message).toContain(`127.0.0.1:${port}`);
    } finally {
      silent.close();
    }
  });
});

describe('fan-out', () => {
  it(`runs on ${HOSTS} hosts with at most the concurrency bound in flight`, async () => {
    const pool = newPool();
    const targets = sshd.hosts.map((_, i) => target(i));
    let inFlight = 0;
    let maxInFlight = 0;
    const results = await fanOut(
      targets,
      async t => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          return await pool.execChecked(t, 'echo $SSH_CONNECTION');
        } finally {
          inFlight--;
        }
      },
      { concurrency: 8 },
    );
    expect(results).toHaveLength(HOSTS);
    expect(maxInFlight).toBeLessThanOrEqual(8);
    expect(maxInFlight).toBe(8);
    results.forEach((r, i) => {
      expect(r.target).toBe(targets[i]);
      if (!r.ok) throw r.error;
      // last field of SSH_CONNECTION is the server port: the command ran on that host
      expect(r.value.stdout.trim().split(' ')[3]).toBe(
        String(sshd.hosts[i].port),
      );
    });
  });

  it('gives each failing host its own error without failing the others', async () => {
    const pool = newPool({ connectTimeoutMs: 5000 });
    const closed = await findFreePortRange(1);
    const results = await fanOut(
      [target(5), target(5, { port: closed }), target(6)],
      t => pool.execChecked(t, 'echo ok'),
      { concurrency: 2 },
    );
    expect(results.map(r => r.ok)).toEqual([true, false, true]);
    expect(!results[1].ok && results[1].error).toBeInstanceOf(
      HostUnreachableError,
    );
  });
});

describe('pool', () => {
  it('reuses the connection for a second exec on the same host', async () => {
    const i = 7;
    const pool = newPool();
    const before = acceptedLogins(i);
    await pool.execChecked(target(i), 'true');
    await pool.execChecked(target(i), 'true');
    await pool.execChecked(target(i), 'true');
    expect(pool.stats()).toMatchObject({ opened: 1, open: 1, closed: 0 });
    await eventually(() => acceptedLogins(i) >= before + 1);
    expect(acceptedLogins(i)).toBe(before + 1);
  });

  it('caps connections per host and queues the rest', async () => {
    const pool = newPool({
      maxConnectionsPerHost: 2,
      maxChannelsPerConnection: 1,
    });
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, n) =>
        pool.execChecked(target(8), `sleep 0.2; echo ${n}`),
      ),
    );
    expect(results.map(r => r.stdout.trim())).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4',
    ]);
    expect(pool.stats()).toMatchObject({ opened: 2, peakOpen: 2 });
  });

  it('runs several commands at once on one connection', async () => {
    const pool = newPool({
      maxConnectionsPerHost: 1,
      maxChannelsPerConnection: 4,
    });
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 4 }, () =>
        pool.execChecked(target(8), 'echo go; read line', {
          stdin: Readable.from(
            (async function* gate() {
              // keep stdin open until all four commands have started
              await eventually(() => running === 4);
              yield 'done\n';
            })(),
          ),
          onStdout: () => {
            running++;
            peak = Math.max(peak, running);
          },
        }),
      ),
    );
    expect(peak).toBe(4);
    expect(pool.stats()).toMatchObject({ opened: 1 });
  });

  it('closes connections left idle', async () => {
    const pool = newPool({ idleTimeoutMs: 200 });
    await pool.execChecked(target(9), 'true');
    expect(pool.stats().open).toBe(1);
    await eventually(() => pool.stats().open === 0);
    expect(pool.stats()).toMatchObject({ opened: 1, closed: 1 });
    await pool.execChecked(target(9), 'true');
    expect(pool.stats()).toMatchObject({ opened: 2, open: 1 });
  });

  it('reconnects when a pooled connection was dropped by the server', async () => {
    const pool = newPool();
    const t = target(10);
    await pool.execChecked(t, 'true');
    // the server side of this very session goes away
    await pool.exec(t, 'kill -9 $PPID').catch(() => undefined);
    await eventually(() => pool.stats().open === 0);
    const r = await pool.execChecked(t, 'echo back');
    expect(r.stdout).toBe('back\n');
  });

  it('fails new work after close()', async () => {
    const pool = newPool();
    await pool.execChecked(target(11), 'true');
    await pool.close();
    expect(pool.stats().open).toBe(0);
    await expect(pool.exec(target(11), 'true')).rejects.toBeInstanceOf(
      OperationCancelledError,
    );
  });
});

describe('jump host', () => {
  it('reaches host B through host A', async () => {
    const pool = newPool();
    const a = target(12);
    const b = target(13);
    const uid = Number((await pool.execChecked(a, 'id -u')).stdout.trim());
    await pool.close();

    const jumpPool = newPool();
    const r = await jumpPool.execChecked(
      { ...b, via: a },
      'echo $SSH_CONNECTION',
    );
    const [, clientPort, , serverPort] = r.stdout.trim().split(' ');
    expect(serverPort).toBe(String(sshd.hosts[13].port));
    // The TCP connection to B was opened by A's sshd session (running as the test user),
    // not by this process (root).
    expect(socketOwnerUid(Number(clientPort), Number(serverPort))).toBe(uid);
    expect(jumpPool.stats()).toMatchObject({ opened: 2, open: 2 });

    // a direct connection, for contrast, is owned by this process
    const direct = await jumpPool.execChecked(b, 'echo $SSH_CONNECTION');
    const [, directPort, , directServerPort] = direct.stdout.trim().split(' ');
    expect(socketOwnerUid(Number(directPort), Number(directServerPort))).toBe(
      process.getuid!(),
    );
  });

  it('reports an unreachable target behind the jump host', async () => {
    const pool = newPool();
    const closed = await findFreePortRange(1);
    const err = await pool
      .exec({ ...target(0, { port: closed }), via: target(12) }, 'true')
      .catch(e => e);
    expect(err).toBeInstanceOf(HostUnreachableError);
    expect(err.message).toContain(`127.0.0.1:${closed}`);
  });
});
