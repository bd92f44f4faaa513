/*
 * Terminal sessions against a real OpenSSH server: PTY, recording format, command extraction,
 * rule rejection and grant expiry. Store on SQLite (the store has its own tests on PostgreSQL).
 */
import { TestDatabases } from '@backstage/backend-test-utils';
import { SshConnectionPool } from '@opsdeck/plugin-remote-node';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// The sshd test helpers of the SSH core (not part of its public API).
import {
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import type { BastionConfig } from '../config';
import { parseAsciicast } from '../recording/readRecording';
import {
  asciinemaCat,
  asciinemaPlay,
} from '../recording/__testUtils__/asciinema';
import {
  createTestManager,
  grantOn,
  RecordingClient,
  testConfig,
  testHost,
} from './__testUtils__/sessions';
import { SessionManager, SessionRefusedError } from './SessionManager';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
let sshd: SshdHosts;
let pool: SshConnectionPool;
const managers: SessionManager[] = [];

beforeAll(async () => {
  sshd = await startSshdHosts(1);
  pool = new SshConnectionPool();
});

afterAll(async () => {
  for (const m of managers) m.closeAll('test end');
  await pool?.close();
  await sshd?.stop();
});

async function setup(configOverrides: Partial<BastionConfig> = {}) {
  const config = testConfig({
    recordingsDir: mkdtempSync(join(tmpdir(), 'bastion-rec-')),
    ...configOverrides,
  });
  const { store, manager } = await createTestManager({
    knex: await databases.init('SQLITE_3'),
    config,
    hosts: [
      testHost(sshd),
      testHost(sshd, { name: 'pay-01', environment: 'prod' }),
      // nothing listens on port 1
      testHost(sshd, { name: 'gone-01', address: '127.0.0.1', port: 1 }),
    ],
    sshd,
    pool,
  });
  managers.push(manager);
  return { store, manager, config };
}

const frank = {
  userRef: 'user:default/frank',
  ownershipRefs: ['user:default/frank', 'group:default/dev'],
};

describe('SessionManager', () => {
  it('refuses without a matching grant, and asks for MFA on prod hosts', async () => {
    const { store, manager } = await setup();
    const client = new RecordingClient();
    await expect(
      manager.open(
        { ...frank, hostName: 'app-01', cols: 80, rows: 24 },
        client,
      ),
    ).rejects.toMatchObject({
      code: 'bastion-no-grant',
      details: { host: 'app-01' },
    });
    // a grant that would let frank in has ended: said so, with when
    const ended = await grantOn(
      store,
      sshd,
      { host: 'app-01' },
      { expiresInMs: -60_000 },
    );
    await expect(
      manager.open(
        { ...frank, hostName: 'app-01', cols: 80, rows: 24 },
        client,
      ),
    ).rejects.toMatchObject({
      code: 'bastion-grant-expired',
      details: { host: 'app-01', expiredAt: ended.expiresAt },
    });
    await grantOn(
      store,
      sshd,
      { system: 'payments' },
      { subject: 'group:default/dev' },
    );
    const err = await manager
      .open({ ...frank, hostName: 'pay-01', cols: 80, rows: 24 }, client)
      .catch(e => e);
    expect(err).toBeInstanceOf(SessionRefusedError);
    expect(err.code).toBe('bastion-mfa-required');
    await expect(
      manager.open({ ...frank, hostName: 'nope', cols: 80, rows: 24 }, client),
    ).rejects.toMatchObject({ code: 'bastion-host-unknown' });
    await expect(
      manager.open(
        { ...frank, hostName: 'gone-01', cols: 80, rows: 24 },
        client,
      ),
    ).rejects.toMatchObject({
      code: 'bastion-host-unreachable',
      details: { host: 'gone-01' },
    });
  });

  it('runs a PTY session, records asciicast v2, extracts commands and rejects by rule', async () => {
    const { store, manager, config } = await setup();
    await grantOn(store, sshd, { host: 'app-01' });
    await store.createRule({
      name: 'no shutdown',
      pattern: '^\\s*(sudo\\s+)?shutdown\\b',
      action: 'reject',
      scope: { system: 'payments' },
      priority: 10,
      createdBy: 'user:default/alice',
    });
    const client = new RecordingClient();
    const session = await manager.open(
      { ...frank, hostName: 'app-01', cols: 100, rows: 30 },
      client,
    );
    expect(client.messages[0]).toMatchObject({
      type: 'ready',
      sessionId: session.id,
    });

    // typed with a typo fixed by backspace, and a line killed with Ctrl-U
    manager.input(session.id, 'echo hellx\x7fo-你好\r');
    await client.waitFor(
      () => /hello-你好\r?\n/.test(client.output),
      'echo output',
    );
    manager.input(session.id, 'rm -rf /tmp/x\x15stty size\r');
    await client.waitFor(() => client.output.includes('30 100'), 'stty size');
    manager.resize(session.id, 120, 40);
    manager.input(session.id, 'stty size\r');
    await client.waitFor(() => client.output.includes('40 120'), 'resized');

    manager.input(session.id, 'shutdown -h now\r');
    await client.waitFor(
      () => client.output.includes('Command refused by rule "no shutdown"'),
      'refusal',
    );
    // the shell is still there and the refused line never ran
    manager.input(session.id, 'echo still-here\r');
    await client.waitFor(
      () => client.output.includes('still-here\r\n'),
      'still alive',
    );

    expect(manager.terminate(session.id, 'test done')).toBe(true);
    expect(client.messages.at(-1)).toEqual({
      type: 'closed',
      reason: 'test done',
    });
    expect(client.closed).toBe(true);

    const stored = await store.getSession(session.id);
    expect(stored).toMatchObject({ endReason: 'test done', host: 'app-01' });
    expect(stored!.bytesOut).toBeGreaterThan(0);

    await new Promise(r => setTimeout(r, 100));
    const commands = await store.searchCommands({ sessionId: session.id });
    expect(commands.map(c => [c.command, c.action]).reverse()).toEqual([
      ['echo hello-你好', 'run'],
      ['stty size', 'run'],
      ['stty size', 'run'],
      ['shutdown -h now', 'rejected'],
      ['echo still-here', 'run'],
    ]);

    const cast = parseAsciicast(
      readFileSync(join(config.recordingsDir, session.recording), 'utf8'),
    );
    expect(cast.header).toMatchObject({ version: 2, width: 100, height: 30 });
    expect(cast.events.length).toBeGreaterThan(3);
    for (const [t, kind, data] of cast.events) {
      expect(typeof t).toBe('number');
      expect(['o', 'r']).toContain(kind);
      expect(typeof data).toBe('string');
    }
    const times = cast.events.map(e => e[0]);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(cast.events).toContainEqual([expect.any(Number), 'r', '120x40']);
    const output = cast.events
      .filter(e => e[1] === 'o')
      .map(e => e[2])
      .join('');
    expect(output).toContain('hello-你好');
    expect(output).toContain('Command refused');
  });

  it('records a session that plays in the stock asciinema player', async () => {
    const { store, manager, config } = await setup();
    await grantOn(store, sshd, { host: 'app-01' });
    const client = new RecordingClient();
    const session = await manager.open(
      { ...frank, hostName: 'app-01', cols: 90, rows: 25 },
      client,
    );
    manager.input(session.id, 'echo cast-$((6*7))-终端\r');
    await client.waitFor(
      () => client.output.includes('cast-42-终端'),
      'echo output',
    );
    manager.resize(session.id, 120, 40);
    manager.input(session.id, 'printf "\\033[1;32mgreen\\033[0m\\n"\r');
    await client.waitFor(
      () => client.output.includes('\x1b[1;32mgreen'),
      'colour output',
    );
    manager.terminate(session.id, 'test done');
    const file = join(config.recordingsDir, session.recording);

    const play = await asciinemaPlay(file);
    expect(play.stderr).toBe('');
    expect(play.code).toBe(0);
    // what was typed (echoed by the remote shell) and what the command printed
    expect(play.stdout).toContain('echo cast-$((6*7))-终端');
    expect(play.stdout).toContain('cast-42-终端');
    expect(play.stdout).toContain('\x1b[1;32mgreen\x1b[0m');

    const cat = await asciinemaCat(file);
    expect(cat.code).toBe(0);
    expect(cat.stdout).toContain('echo cast-$((6*7))-终端');
    expect(cat.stdout).toContain('cast-42-终端');
  });

  it('ends open sessions when their grant expires or is revoked', async () => {
    const { store, manager } = await setup();
    const grant = await grantOn(
      store,
      sshd,
      { tag: 'java' },
      { expiresInMs: 2_500 },
    );
    const client = new RecordingClient();
    const session = await manager.open(
      { ...frank, hostName: 'app-01', cols: 80, rows: 24 },
      client,
    );
    await manager.checkGrants();
    expect(manager.isLive(session.id)).toBe(true);
    await new Promise(r => setTimeout(r, 2_600));
    await manager.checkGrants();
    expect(manager.isLive(session.id)).toBe(false);
    expect(client.messages.at(-1)).toEqual({
      type: 'closed',
      reason: 'The access grant expired',
    });

    const g2 = await grantOn(
      store,
      sshd,
      { owner: 'ops' },
      { subject: 'group:default/dev' },
    );
    const c2 = new RecordingClient();
    const s2 = await manager.open(
      { ...frank, hostName: 'app-01', cols: 80, rows: 24 },
      c2,
    );
    expect(s2.grantId).toBe(g2.id);
    expect(grant.id).not.toBe(g2.id);
    await store.revokeGrant(g2.id, 'user:default/alice');
    await manager.checkGrants();
    expect(c2.messages.at(-1)).toEqual({
      type: 'closed',
      reason: 'The access grant was revoked',
    });
  });

  it('ends idle sessions', async () => {
    const { store, manager } = await setup({ idleTimeoutSeconds: 1 });
    await grantOn(store, sshd, { host: 'app-01' });
    const client = new RecordingClient();
    await manager.open(
      { ...frank, hostName: 'app-01', cols: 80, rows: 24 },
      client,
    );
    await client.waitFor(() => client.closed, 'idle close');
    expect(client.messages.at(-1)).toEqual({
      type: 'closed',
      reason: 'Idle for 1 seconds',
    });
  });
});
