/*
 * A terminal that cannot open, over the real WebSocket route to real sshd hosts: the SSH core's
 * typed errors (remote-node) become the bastion's coded refusals, which name the host and the
 * reason and never a secret or ssh2's own words; no session is opened; the refusal is audited
 * as a failed `session-open` of the person.
 */
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
// The sshd test helpers of the SSH core (not part of its public API).
import {
  startPasswordSshd,
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import {
  api,
  connect,
  grantBody,
  startBackend,
  type AuditRecord,
  type BackendOptions,
} from './__testUtils__/testBackend';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const alice = mockCredentials.user.header('user:default/alice');
const frank = 'user:default/frank';
let sshd: SshdHosts;
/** A key the test hosts do not know. */
let wrongKey: string;

beforeAll(async () => {
  sshd = await startSshdHosts(2);
  const dir = mkdtempSync(join(tmpdir(), 'bastion-wrong-key-'));
  execFileSync('ssh-keygen', [
    '-q',
    '-t',
    'ed25519',
    '-N',
    '',
    '-f',
    join(dir, 'id'),
  ]);
  wrongKey = readFileSync(join(dir, 'id'), 'utf8');
});
afterAll(async () => {
  await sshd?.stop();
});

async function setup(
  remoteNode: Record<string, number> = {},
  more: Pick<BackendOptions, 'hosts' | 'passwords'> = {},
) {
  const backend = await startBackend(sshd, databases, undefined, undefined, {
    passwords: more.passwords,
    hosts: [
      ...(more.hosts ?? []),
      // the second sshd, logged in to with a key it does not accept
      {
        name: 'badkey-01',
        address: sshd.hosts[1].host,
        port: sshd.hosts[1].port,
        credential: 'wrong-ssh',
      },
      // nothing listens on port 1
      { name: 'gone-01', address: '127.0.0.1', port: 1 },
    ],
    keys: { 'wrong-ssh': wrongKey },
    // idle pooled connections close soon, so the next session connects (and checks the key) anew
    remoteNode: { idleTimeoutMs: 200, ...remoteNode },
  });
  // frank may open sessions on every test host (all are tagged java)
  await api(backend.server, alice)
    .post('/grants')
    .send(grantBody(sshd, { selector: { tag: 'java' } }))
    .expect(201);
  return backend;
}

/** The refusal frank gets for a terminal on `host`, after checking what it must not say. */
async function refusalOn(server: string, host: string) {
  const term = connect(server, `/terminal?host=${host}`, frank);
  const closed = new Promise<number>(resolve =>
    term.ws.once('close', code => resolve(code)),
  );
  const first = await term.first();
  expect(await closed).toBe(4403);
  expect(term.messages).toEqual([first]);
  const text = JSON.stringify(first);
  for (const secret of [sshd.privateKeyText, wrongKey]) {
    expect(text).not.toContain(secret.trim());
  }
  expect(text).not.toMatch(/PRIVATE KEY/);
  // ssh2's and Node's own words stay out of the answer
  expect(text).not.toMatch(
    /All configured authentication methods failed|ECONNREFUSED|Handshake failed|connect E[A-Z]+/,
  );
  return first;
}

/** The failed `session-open` audit record of frank on `host`, once written. */
async function refusalAudit(audits: AuditRecord[], host: string) {
  const find = () =>
    audits.find(
      a =>
        a.eventId === 'session-open' &&
        a.status === 'failed' &&
        (a.meta as { host?: string })?.host === host,
    );
  const deadline = Date.now() + 5000;
  while (!find() && Date.now() < deadline) {
    await new Promise(r => setTimeout(r, 50));
  }
  return find();
}

async function sessionsOn(server: string, host: string) {
  const res = await api(server, alice)
    .get(`/sessions?host=${host}`)
    .expect(200);
  return res.body.items as unknown[];
}

describe('terminal refusals from the SSH core', () => {
  it('refuses a host whose key changed after it was pinned, opens no session, audits the person', async () => {
    const { server, stop, audits } = await setup();
    try {
      // the first session pins the key the host presents
      const first = connect(server, '/terminal?host=app-01', frank);
      await first.ready('first session');
      first.ws.close();
      await first.until(
        () => first.ws.readyState === first.ws.CLOSED,
        'first closed',
      );
      const deadline = Date.now() + 10_000;
      while (
        (await api(server, alice).get('/sessions/live')).body.items.length
      ) {
        if (Date.now() > deadline) throw new Error('first session still live');
        await new Promise(r => setTimeout(r, 100));
      }
      // wait out the idle pooled connection (200 ms), then the host gets a new key
      await new Promise(r => setTimeout(r, 1000));
      const offered = await sshd.rekey(sshd.hosts[0].port);
      expect(offered).not.toBe(sshd.hosts[0].hostKeyFingerprint);

      const refusal = await refusalOn(server, 'app-01');
      expect(refusal).toMatchObject({
        type: 'error',
        code: 'bastion-host-key-changed',
        host: 'app-01',
        offered,
      });
      expect(refusal.message).toContain('app-01');
      expect(refusal.message).toContain(sshd.hosts[0].hostKeyFingerprint);
      // only the first session was ever opened
      expect(await sessionsOn(server, 'app-01')).toHaveLength(1);
      expect(await refusalAudit(audits, 'app-01')).toMatchObject({
        meta: {
          actor: frank,
          host: 'app-01',
          code: 'bastion-host-key-changed',
          offered,
        },
      });
    } finally {
      await stop();
    }
  });

  it('says the login failed when the host refuses the key, and a closed port is unreachable', async () => {
    const { server, stop, audits } = await setup();
    try {
      const login = await refusalOn(server, 'badkey-01');
      expect(login).toMatchObject({
        type: 'error',
        code: 'bastion-login-failed',
        host: 'badkey-01',
        loginUser: sshd.user,
      });
      expect(login.message).toContain('badkey-01');
      expect(await sessionsOn(server, 'badkey-01')).toEqual([]);
      expect(await refusalAudit(audits, 'badkey-01')).toMatchObject({
        meta: {
          actor: frank,
          code: 'bastion-login-failed',
          loginUser: sshd.user,
        },
      });

      const gone = await refusalOn(server, 'gone-01');
      expect(gone).toMatchObject({
        type: 'error',
        code: 'bastion-host-unreachable',
        host: 'gone-01',
      });
      expect(gone.message).toContain('gone-01');
      expect(await sessionsOn(server, 'gone-01')).toEqual([]);
      expect(await refusalAudit(audits, 'gone-01')).toMatchObject({
        meta: { actor: frank, code: 'bastion-host-unreachable' },
      });
    } finally {
      await stop();
    }
  });

  it('answers a file transfer that meets a changed host key with the same code over HTTP', async () => {
    // one channel per connection: the transfer needs a connection of its own beside the shell's
    const { server, stop } = await setup({ maxChannelsPerConnection: 1 });
    const frankAuth = mockCredentials.user.header(frank);
    try {
      const term = connect(server, '/terminal?host=app-01', frank);
      const id = await term.ready('session');
      // the session's connection predates the new key and goes on
      const offered = await sshd.rekey(sshd.hosts[0].port);
      const res = await request(server)
        .put(
          `/api/bastion/sessions/${id}/files?path=${encodeURIComponent(
            '/tmp/bastion-rekeyed.txt',
          )}`,
        )
        .set('Authorization', frankAuth)
        .set('Content-Type', 'application/octet-stream')
        .send(Buffer.from('not sent'));
      expect([res.status, res.body.error?.name]).toEqual([
        503,
        'ServiceUnavailableError',
      ]);
      expect(res.body.error).toMatchObject({
        code: 'bastion-host-key-changed',
        host: 'app-01',
        offered,
      });
      expect(res.body.error.message).toContain('app-01');
      expect(JSON.stringify(res.body)).not.toContain(
        sshd.privateKeyText.trim(),
      );
      const down = await request(server)
        .get(
          `/api/bastion/sessions/${id}/files?path=${encodeURIComponent(
            '/etc/hostname',
          )}`,
        )
        .set('Authorization', frankAuth);
      expect(down.status).toBe(503);
      expect(down.body.error).toMatchObject({
        code: 'bastion-host-key-changed',
        host: 'app-01',
      });
      term.ws.close();
    } finally {
      await stop();
    }
  });

  it('sends no password to a host whose key is not accepted yet: host-key pending', async () => {
    const pw = await startPasswordSshd();
    const password = 'not-a-real-password-9c1e';
    const { server, stop, audits } = await setup(
      {},
      {
        hosts: [
          {
            name: 'newpw-01',
            address: pw.host,
            port: pw.port,
            credential: 'pw-ssh',
          },
        ],
        passwords: { 'pw-ssh': password },
      },
    );
    try {
      const pending = await refusalOn(server, 'newpw-01');
      expect(pending).toMatchObject({
        type: 'error',
        code: 'bastion-host-key-pending',
        host: 'newpw-01',
        offered: pw.hostKeyFingerprint,
      });
      expect(JSON.stringify(pending)).not.toContain(password);
      expect(await sessionsOn(server, 'newpw-01')).toEqual([]);
      expect(await refusalAudit(audits, 'newpw-01')).toMatchObject({
        meta: {
          actor: frank,
          code: 'bastion-host-key-pending',
          offered: pw.hostKeyFingerprint,
        },
      });
      // the handshake stopped before authentication: sshd saw no password
      expect(await pw.log()).not.toMatch(/password/i);
    } finally {
      await stop();
      await pw.stop();
    }
  });
});
