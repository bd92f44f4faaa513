/*
 * Command control against a real OpenSSH server and a real bash (#14 item 4): each bypass that
 * ran a rejected command before runs nothing now (the marker files the refused commands would
 * create stay absent), commands under a review rule wait for an approver, and (#22) a restarted
 * instance ends its own previous sessions at once with the byte counts its heartbeat flushed,
 * audited at a visible severity.
 */
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { SshConnectionPool } from '@opsdeck/plugin-remote-node';
// The sshd test helpers of the SSH core (not part of its public API).
import {
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import { chmodSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BastionConfig } from '../config';
import {
  createTestManager,
  grantOn,
  RecordingClient,
  testConfig,
  testHost,
  until,
} from './__testUtils__/sessions';
import { RESTARTED, SessionManager } from './SessionManager';

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

/** A directory the sshd's login user may write to (the test runs as root). */
function sharedDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o777);
  return dir;
}

const frank = {
  userRef: 'user:default/frank',
  ownershipRefs: ['user:default/frank'],
  hostName: 'app-01',
  cols: 100,
  rows: 30,
};

async function setup(
  overrides: Partial<BastionConfig> = {},
  knexIn?: Awaited<ReturnType<typeof databases.init>>,
) {
  const knex = knexIn ?? (await databases.init('SQLITE_3'));
  const auditor = mockServices.auditor.mock();
  const config = testConfig({
    recordingsDir: mkdtempSync(join(tmpdir(), 'bastion-cc-')),
    ...overrides,
  });
  const { store, manager } = await createTestManager({
    knex,
    config,
    hosts: [testHost(sshd)],
    sshd,
    pool,
    auditor,
  });
  managers.push(manager);
  return { store, manager, knex, auditor };
}

describe('command control on a real shell', () => {
  it('runs none of the bypasses of a reject rule', async () => {
    const { store, manager } = await setup();
    await grantOn(store, sshd, { host: 'app-01' });
    await store.createRule({
      name: 'no pwned markers',
      pattern: '^touch\\s.*pwned',
      action: 'reject',
      scope: {},
      priority: 10,
      createdBy: 'user:default/alice',
    });
    const client = new RecordingClient();
    const session = await manager.open(frank, client);
    const dir = sharedDir('bastion-markers-');
    const marker = (n: number) => join(dir, `pwned-${n}`);
    const encoded = Buffer.from(`touch ${marker(3)}\n`).toString('base64');
    const attempts = [
      `t''ouch ${marker(1)}\r`,
      `echo $(touch ${marker(2)})\r`,
      `echo ${encoded} | base64 -d | sh\r`,
      `tou\\\r`,
      `ch ${marker(4)}\r`,
      `printf '\\e[?1049h'\r`,
      `touch ${marker(5)}\r`,
      `printf '\\e[?1049l'\r`,
      `touch ${marker(6)}\x0f`,
      `touch ${marker(7)}\n`,
      `\x1b[200~touch ${marker(8)}\necho pasted\x1b[201~\r`,
      `/usr/bin/../bin/touch ${marker(9)}\r`,
    ];
    // Waits until the shell answers a fresh echo: before the first attempt
    // (keys typed while the login shell is still starting can end it with the
    // first refusal's Ctrl-C) and after the last (on a loaded machine a
    // refusal's Ctrl-C can still be on its way when the next line arrives, and
    // the shell drops what it had read with it). A new echo per try.
    let tries = 0;
    const settle = async () => {
      for (let n = 1; ; n++) {
        const tag = `ready-${++tries}`;
        manager.input(session.id, `echo ${tag}\r`);
        const ready = new RegExp(`[\\r\\n]${tag}\\r?\\n`);
        const answered = await client
          .waitFor(() => ready.test(client.output), tag, 2_000)
          .then(
            () => true,
            () => false,
          );
        if (answered) return;
        if (n >= 10)
          throw new Error(
            `the shell did not settle: ${JSON.stringify(
              client.output.slice(-600),
            )}`,
          );
      }
    };
    await settle();
    for (const keys of attempts) {
      manager.input(session.id, keys);
      // let the shell settle between attempts (prompt back)
      await new Promise(r => setTimeout(r, 150));
    }
    await settle();
    // the same command without a trick does run (the markers can be written)
    manager.input(session.id, `touch ${join(dir, 'allowed')}\r`);
    manager.input(session.id, 'echo all-tried\r');
    await client.waitFor(
      () => /all-tried\r?\n/.test(client.output),
      'the shell to answer after the attempts',
    );
    await until(() => existsSync(join(dir, 'allowed')), 'the allowed touch');
    for (let n = 1; n <= 9; n++) expect(existsSync(marker(n))).toBe(false);
    await until(
      async () =>
        (
          await store.searchCommands({ sessionId: session.id })
        ).some(c => c.command === 'echo all-tried'),
      'commands stored',
    );
    const rejected = (await store.searchCommands({ sessionId: session.id }))
      .filter(c => c.action === 'rejected')
      .map(c => c.command);
    expect(rejected.length).toBeGreaterThanOrEqual(9);
    manager.terminate(session.id, 'test done');
  });

  it('runs a command under a review rule only after an approver allows it', async () => {
    const { store, manager } = await setup();
    await grantOn(store, sshd, { host: 'app-01' });
    await store.createRule({
      name: 'markers need approval',
      pattern: '^touch\\s.*reviewed',
      action: 'review',
      scope: {},
      priority: 10,
      createdBy: 'user:default/alice',
    });
    const client = new RecordingClient();
    const session = await manager.open(frank, client);
    const dir = sharedDir('bastion-review-');
    manager.input(session.id, `touch ${dir}/reviewed-1\r`);
    await client.waitFor(
      () => client.output.includes('Waiting for approval'),
      'the waiting notice',
    );
    const [pending] = await store.listReviews({ status: 'pending' });
    expect(pending).toMatchObject({
      requestedBy: 'user:default/frank',
      host: 'app-01',
      command: `touch ${dir}/reviewed-1`,
    });
    expect(existsSync(join(dir, 'reviewed-1'))).toBe(false);
    expect(
      await store.decideReview(pending.id, 'approved', 'user:default/alice'),
    ).toBe(true);
    await until(() => existsSync(join(dir, 'reviewed-1')), 'the approved run');
    await client.waitFor(
      () => client.output.includes('Approved by user:default/alice'),
      'the approval notice',
    );
    // a denied one never runs
    manager.input(session.id, `touch ${dir}/reviewed-2\r`);
    await until(
      async () => (await store.listReviews({ status: 'pending' })).length === 1,
      'the second request',
    );
    const [second] = await store.listReviews({ status: 'pending' });
    await store.decideReview(second.id, 'denied', 'user:default/alice');
    await client.waitFor(
      () => client.output.includes('Not run: denied by user:default/alice'),
      'the denial notice',
    );
    manager.input(session.id, 'echo after-review\r');
    await client.waitFor(
      () => /after-review\r?\n/.test(client.output),
      'the shell after the denial',
    );
    expect(existsSync(join(dir, 'reviewed-2'))).toBe(false);
    const commands = await store.searchCommands({ sessionId: session.id });
    expect(commands.map(c => [c.action, c.reviewedBy]).reverse()).toEqual([
      ['approved', 'user:default/alice'],
      ['denied', 'user:default/alice'],
      ['run', undefined],
    ]);
    manager.terminate(session.id, 'test done');
  });

  it('ends its own previous sessions at start-up with the flushed byte counts (#22)', async () => {
    const first = await setup({ instanceRun: 'run-1' });
    await grantOn(first.store, sshd, { host: 'app-01' });
    const client = new RecordingClient();
    const session = await first.manager.open(frank, client);
    first.manager.input(session.id, 'echo flushed-bytes\r');
    await client.waitFor(
      () => /flushed-bytes\r?\n/.test(client.output),
      'output',
    );
    // the periodic heartbeat flushes the counts; then the process "dies" (no end stored)
    await first.manager.heartbeat();
    const flushed = await first.store.getSession(session.id);
    expect(flushed?.bytesOut).toBeGreaterThan(0);
    expect(flushed?.bytesIn).toBeGreaterThan(0);

    // the same instance, restarted: a new run on the same database
    const second = await setup({ instanceRun: 'run-2' }, first.knex);
    await second.manager.start();
    const ended = await second.store.getSession(session.id);
    expect(ended).toMatchObject({
      endReason: RESTARTED,
      bytesOut: flushed!.bytesOut,
      bytesIn: flushed!.bytesIn,
    });
    expect(second.auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({
        eventId: 'session-close',
        severityLevel: 'medium',
        meta: expect.objectContaining({
          sessionId: session.id,
          reason: RESTARTED,
          actor: 'user:default/frank',
        }),
      }),
    );
  });
});
