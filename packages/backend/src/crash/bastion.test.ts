/*
 * Crash-point tests of the bastion: a real opsdeck backend process with a
 * terminal open to a real sshd, killed while the session runs and started
 * again on the same data, on SQLite and on PostgreSQL. See
 * docs/architecture.md ("Crash-point tests").
 */
// The sshd test helpers of the SSH core (not part of its public API).
import {
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import { CrashBackend, crashDatabases, GiveUp, waitFor } from './CrashBackend';
import { hostEntity } from './fixtures';

jest.setTimeout(600_000);

const FLUSHED = 'bastion.session.flushed';

/** Opens a terminal as `user` the way the browser does (token as the WebSocket protocol). */
async function openTerminal(backend: CrashBackend, user: string, host: string) {
  const url = `${backend.baseUrl.replace(
    /^http/,
    'ws',
  )}/api/bastion/ws/terminal?host=${host}&cols=80&rows=24`;
  const ws = new WebSocket(url, [await backend.tokenFor(user)]);
  const messages: any[] = [];
  ws.addEventListener('message', e =>
    messages.push(JSON.parse(String(e.data))),
  );
  const sessionId = await waitFor('the terminal to be ready', async () => {
    const failed = messages.find(m => m.type === 'error');
    if (failed) throw new GiveUp(`terminal refused: ${JSON.stringify(failed)}`);
    return messages.find(m => m.type === 'ready')?.sessionId as
      | string
      | undefined;
  });
  return {
    sessionId,
    input: (data: string) => ws.send(JSON.stringify({ type: 'input', data })),
    output: () =>
      messages
        .filter(m => m.type === 'output')
        .map(m => m.data)
        .join(''),
    close: () => ws.close(),
  };
}

let sshd: SshdHosts;

beforeAll(async () => {
  sshd = await startSshdHosts(1);
});

afterAll(async () => {
  await sshd?.stop();
});

describe.each(crashDatabases())('bastion crash points on %s', database => {
  let backend: CrashBackend;

  beforeAll(async () => {
    backend = await CrashBackend.create({
      database,
      plugins: ['bastion'],
      entities: [
        hostEntity('crash-term-01', sshd.hosts[0].port, {
          loginUser: sshd.user,
          credential: 'crash-term-ssh',
        }),
      ],
      // byte counts are flushed with every heartbeat
      config: { opsdeck: { bastion: { heartbeatSeconds: 1 } } },
    });
  });

  afterAll(async () => {
    await backend?.dispose();
  });

  it('ends a session killed with its backend as interrupted, with its byte counts, on the audit log (#22)', async () => {
    await backend.start({ crashPoint: FLUSHED });
    const credential = await backend.api('alice', 'POST', 'vault/credentials', {
      name: 'crash-term-ssh',
      type: 'ssh-key',
      username: sshd.user,
      owner: 'ops',
      allowedUses: ['ssh-login'],
      description: 'crash test sshd',
      secret: sshd.privateKeyText,
    });
    expect(credential.status).toBe(201);
    const grant = await backend.api('alice', 'POST', 'bastion/grants', {
      subject: 'user:default/frank',
      selector: { host: 'crash-term-01' },
      loginUser: sshd.user,
      expiresAt: new Date(Date.now() + 3600_000).toISOString(),
      reason: 'crash test',
    });
    expect(grant.status).toBe(201);

    const term = await openTerminal(backend, 'frank', 'crash-term-01');
    term.input('echo crash-$((6*7))\r');
    // the first heartbeat that stores the typed bytes kills the backend
    await backend.waitForCrash(FLUSHED);
    term.close();

    await backend.start();
    const { status, body: session } = await backend.api(
      'alice',
      'GET',
      `bastion/sessions/${term.sessionId}`,
    );
    expect(status).toBe(200);
    expect(session).toMatchObject({
      id: term.sessionId,
      host: 'crash-term-01',
      userRef: 'user:default/frank',
      endReason: 'interrupted: backend restarted',
      endedAt: expect.any(String),
    });
    expect(session.live).toBeFalsy();
    expect(session.bytesIn).toBeGreaterThan(0);
    expect(session.bytesOut).toBeGreaterThan(0);

    // on the Audit page at its default threshold, naming the person
    const close = await waitFor('the session-close event', async () => {
      const res = await backend.api(
        'alice',
        'GET',
        'audit/events?plugin=bastion&limit=100',
      );
      return res.body?.items?.find(
        (e: any) =>
          e.action === 'session-close' && e.meta?.sessionId === term.sessionId,
      );
    });
    expect(close).toMatchObject({
      actor: 'user:default/frank',
      severity: 'medium',
      meta: {
        reason: 'interrupted: backend restarted',
        bytesIn: session.bytesIn,
        bytesOut: session.bytesOut,
      },
    });
  });
});
