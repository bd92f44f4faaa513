/*
 * Host-side exec audit against a real host on this machine's kernel: auditd, an sshd with PAM
 * (pam_loginuid gives each SSH connection its own audit session id) and a sudo-limited audit
 * login (scripts/services/exec-audit-host.sh). What the session ran on the host — also what was
 * never typed, such as the program a python one-liner starts — is stored beside the commands.
 */
import { TestDatabases } from '@backstage/backend-test-utils';
import { SshConnectionPool } from '@opsdeck/plugin-remote-node';
// The sshd test helpers of the SSH core (not part of its public API).
import {
  findFreePortRange,
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { ExecAuditEntry } from '../config';
import {
  createTestManager,
  grantOn,
  RecordingClient,
  testConfig,
  testHost,
  until,
} from './__testUtils__/sessions';
import type { SessionManager } from './SessionManager';

const run = promisify(execFile);
jest.setTimeout(180_000);

const SCRIPT = resolve(
  __dirname,
  '../../../../scripts/services/exec-audit-host.sh',
);
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
let sshd: SshdHosts;
let pool: SshConnectionPool;
let port: number;
let logFile: string;
const managers: SessionManager[] = [];

beforeAll(async () => {
  sshd = await startSshdHosts(1);
  pool = new SshConnectionPool();
  port = await findFreePortRange(2);
  const { stdout } = await run('bash', [SCRIPT, 'start', String(port)], {
    timeout: 120_000,
  });
  logFile = JSON.parse(stdout).logFile;
});

afterAll(async () => {
  for (const m of managers) m.closeAll('test end');
  await pool?.close();
  await sshd?.stop();
  if (port) await run('bash', [SCRIPT, 'stop', String(port)]);
});

const frank = {
  userRef: 'user:default/frank',
  ownershipRefs: ['user:default/frank'],
  cols: 100,
  rows: 30,
};

async function setup(entry: Partial<ExecAuditEntry> = {}) {
  const config = testConfig({
    recordingsDir: mkdtempSync(join(tmpdir(), 'bastion-exec-')),
    execAudit: [
      {
        hosts: { tag: 'audited' },
        credential: 'exec-audit',
        loginUser: 'opsdeck-audit',
        sudo: true,
        logFile,
        required: true,
        ...entry,
      },
    ],
  });
  const { store, manager } = await createTestManager({
    knex: await databases.init('SQLITE_3'),
    config,
    hosts: [
      testHost(sshd, { name: 'audited-01', port, tags: ['audited'] }),
      // the plain test sshd (UsePAM no): its logins have no audit session
      testHost(sshd, { name: 'nopam-01', tags: ['audited'] }),
    ],
    sshd,
    pool,
    auditCredentials: true,
  });
  managers.push(manager);
  await grantOn(store, sshd, { tag: 'audited' });
  return { store, manager };
}

async function auditRules(): Promise<string> {
  return (await run('auditctl', ['-l'])).stdout;
}

describe('host-side exec audit', () => {
  it('stores what ran on the host beside what was typed', async () => {
    const { store, manager } = await setup();
    const client = new RecordingClient();
    const session = await manager.open(
      { ...frank, hostName: 'audited-01' },
      client,
    );
    expect(session.execAudit).toBe('on');
    expect(await auditRules()).toContain(`key=opsdeck-${session.id}`);
    // a one-liner whose program is never typed: python starts `uname -r` through sh
    manager.input(
      session.id,
      `python3 -c 'import os; os.system("uname -r")'\r`,
    );
    manager.input(session.id, 'echo exec-$((20+22))\r');
    await client.waitFor(
      () => client.output.includes('exec-42'),
      'the commands to run',
    );
    manager.terminate(session.id, 'test done');
    await until(
      async () =>
        (await store.listExecs(session.id)).some(e => e.argv[0] === 'uname'),
      'the exec records',
      30_000,
    );
    const execs = await store.listExecs(session.id);
    const argvs = execs.map(e => e.argv.join(' '));
    expect(argvs).toContain('python3 -c import os; os.system("uname -r")');
    expect(argvs).toContain('sh -c uname -r');
    expect(argvs).toContain('uname -r');
    const uname = execs.find(e => e.argv[0] === 'uname')!;
    expect(uname.exe).toBe('/usr/bin/uname');
    expect(uname.uid).toBeGreaterThan(0);
    // the typed command is in the command log; the exec beside it
    const typed = await store.searchCommands({ sessionId: session.id });
    expect(typed.map(c => c.command)).toContain(
      `python3 -c 'import os; os.system("uname -r")'`,
    );
    // the rules went with the session
    await until(
      async () => !(await auditRules()).includes(`opsdeck-${session.id}`),
      'the rules to be removed',
    );
  });

  it('refuses a session on a host whose logins have no audit session when audit is required', async () => {
    const { manager } = await setup();
    await expect(
      manager.open({ ...frank, hostName: 'nopam-01' }, new RecordingClient()),
    ).rejects.toThrow(/no audit session id/);
  });

  it('opens it without exec audit when the setting allows, saying why', async () => {
    const { manager } = await setup({ required: false });
    const session = await manager.open(
      { ...frank, hostName: 'nopam-01' },
      new RecordingClient(),
    );
    expect(session.execAudit).toMatch(/^unavailable: .*no audit session id/);
    manager.terminate(session.id, 'test done');
  });
});
