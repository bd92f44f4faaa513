/*
 * Forgetting a pinned host key through the pool retires its pooled connections, so the next
 * connection re-verifies (real sshd, scripts/services/sshd-hosts.sh).
 */
import { InMemoryHostKeyStore, hostKeyId } from './hostKeys';
import { SshConnectionPool } from './SshConnectionPool';
import { startSshdHosts, type SshdHosts } from './testUtils/sshdHosts';

jest.setTimeout(120_000);

let sshd: SshdHosts;
beforeAll(async () => {
  sshd = await startSshdHosts(1);
});
afterAll(async () => {
  await sshd?.stop();
});

function target() {
  return {
    host: sshd.hosts[0].host,
    port: sshd.hosts[0].port,
    credentials: { username: sshd.user, privateKey: sshd.privateKeyText },
  };
}

it('forgetting a pin closes idle connections; the next one pins the key presented then', async () => {
  const store = new InMemoryHostKeyStore();
  const pool = new SshConnectionPool({ hostKeyStore: store });
  const id = hostKeyId(sshd.hosts[0].host, sshd.hosts[0].port);
  try {
    await pool.execChecked(target(), 'true');
    const before = await store.get(id);
    expect(before).toBe(sshd.hosts[0].hostKeyFingerprint);
    expect(pool.stats().open).toBe(1);

    const changed = await sshd.rekey(sshd.hosts[0].port);
    // the pooled connection predates the rekey and is still reused
    await pool.execChecked(target(), 'true');
    expect(pool.stats().opened).toBe(1);

    await pool.hostKeyStore.remove(id);
    expect(await store.get(id)).toBeUndefined();
    expect(pool.stats().open).toBe(0);

    await pool.execChecked(target(), 'true');
    expect(pool.stats().opened).toBe(2);
    expect(await pool.hostKeyStore.get(id)).toBe(changed);
  } finally {
    await pool.close();
  }
});

it('a busy connection to a forgotten host finishes its command, then closes', async () => {
  const store = new InMemoryHostKeyStore();
  const pool = new SshConnectionPool({ hostKeyStore: store });
  const id = hostKeyId(sshd.hosts[0].host, sshd.hosts[0].port);
  try {
    const running = pool.execChecked(target(), 'sleep 1; echo done');
    await new Promise(r => setTimeout(r, 300)); // the channel is open
    await pool.hostKeyStore.remove(id);
    expect((await running).stdout.trim()).toBe('done');
    expect(pool.stats().open).toBe(0);

    // forgetting one host's pin leaves other hosts' pins alone
    await store.pin('other.example.com', 'SHA256:x');
    await pool.hostKeyStore.remove('[127.0.0.1]:1');
    expect(await store.get('other.example.com')).toBe('SHA256:x');
  } finally {
    await pool.close();
  }
});
