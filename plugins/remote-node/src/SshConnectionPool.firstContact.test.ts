/*
 * First contact with a host that opsdeck logs in to with a password: the offered host key waits
 * for an admin and the password never reaches the host before (real password-only sshd).
 */
import { AuthenticationFailedError, HostKeyPendingError } from './errors';
import { InMemoryHostKeyStore, hostKeyId } from './hostKeys';
import { SshConnectionPool } from './SshConnectionPool';
import { startPasswordSshd, type PasswordSshd } from './testUtils/passwordSshd';
import { startSshdHosts, type SshdHosts } from './testUtils/sshdHosts';

jest.setTimeout(120_000);

let sshd: PasswordSshd;
let keyHosts: SshdHosts;
beforeAll(async () => {
  sshd = await startPasswordSshd();
  keyHosts = await startSshdHosts(1);
});
afterAll(async () => {
  await sshd?.stop();
  await keyHosts?.stop();
});

/** Authentication attempts the sshd logged (any method, failed or accepted). */
async function attempts(): Promise<string[]> {
  return (await sshd.log())
    .split('\n')
    .filter(line => /Failed |Accepted |Postponed |Invalid user/i.test(line));
}

it('sends no password to a host whose key is not pinned: the key waits for an admin', async () => {
  const store = new InMemoryHostKeyStore();
  const pool = new SshConnectionPool({ hostKeyStore: store });
  const id = hostKeyId(sshd.host, sshd.port);
  const target = {
    host: sshd.host,
    port: sshd.port,
    credentials: { username: sshd.user, password: 'not-the-password-42' },
  };
  try {
    const first = await pool.exec(target, 'true').then(
      () => undefined,
      e => e as Error,
    );
    expect(first).toBeInstanceOf(HostKeyPendingError);
    expect(first?.message).toContain(sshd.hostKeyFingerprint);
    // nothing pinned, the offered key recorded, and no authentication attempt at all
    expect(await store.get(id)).toBeUndefined();
    expect(await store.pending(id)).toEqual({
      fingerprint: sshd.hostKeyFingerprint,
      offeredAt: expect.any(Date),
    });
    await expect(
      pool.exec(target, 'true').then(undefined, e => (e as Error).name),
    ).resolves.toBe('HostKeyPendingError');
    // the connection reached the host, and ended there
    expect(await sshd.log()).toMatch(/Connection from 127\.0\.0\.1/);
    expect(await attempts()).toEqual([]);

    // an admin accepts the key shown: now the password is sent (and refused: wrong password)
    expect(await pool.hostKeyStore.accept(id, sshd.hostKeyFingerprint)).toBe(
      true,
    );
    expect(await store.get(id)).toBe(sshd.hostKeyFingerprint);
    await expect(pool.exec(target, 'true')).rejects.toBeInstanceOf(
      AuthenticationFailedError,
    );
    expect((await attempts()).join('\n')).toMatch(
      new RegExp(`Failed password for ${sshd.user} from 127\\.0\\.0\\.1`),
    );
  } finally {
    await pool.close();
  }
});

it('a key login still pins on first use (the host learns no secret)', async () => {
  const store = new InMemoryHostKeyStore();
  const pool = new SshConnectionPool({ hostKeyStore: store });
  const h = keyHosts.hosts[0];
  try {
    await pool.execChecked(
      {
        host: h.host,
        port: h.port,
        credentials: {
          username: keyHosts.user,
          privateKey: keyHosts.privateKeyText,
        },
      },
      'true',
    );
    expect(await store.get(hostKeyId(h.host, h.port))).toBe(
      h.hostKeyFingerprint,
    );
    expect(await store.pending(hostKeyId(h.host, h.port))).toBeUndefined();
  } finally {
    await pool.close();
  }
});
