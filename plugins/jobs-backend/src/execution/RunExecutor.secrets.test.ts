/*
 * Secret parameters printed by a job on a real OpenSSH host: masked in the
 * stored and the live output in their common encodings, also while a secret
 * is only half printed, and the run and host flagged.
 */
import { SshConnectionPool } from '@opsdeck/plugin-remote-node';
import {
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import {
  eventually,
  newExecutor,
  request,
  sqliteDatabases,
  storeOn,
  targetHosts,
  TEST_SECRET,
} from '../__testUtils__/jobsTestKit';
import { RunExecutor } from './RunExecutor';
import { secretVariants } from './secretMasker';

jest.setTimeout(120_000);

const databases = sqliteDatabases();
let sshd: SshdHosts;
const pools: SshConnectionPool[] = [];
const executors: RunExecutor[] = [];

beforeAll(async () => {
  sshd = await startSshdHosts(1);
});

afterAll(async () => {
  for (const e of executors) e.abandon();
  await Promise.all(pools.map(p => p.close()));
  await sshd?.stop();
});

/** Any 4-character piece of any form of the secret. */
function pieces(): string[] {
  const out = new Set<string>();
  for (const v of secretVariants(TEST_SECRET)) {
    for (let i = 0; i + 4 <= v.length; i++) out.add(v.slice(i, i + 4));
  }
  // pieces made only of what the script prints around them are not secret
  return [...out].filter(p => !/^[a-z ]*$/.test(p));
}

const SCRIPT = `
import base64, os, sys, time, urllib.parse
t = os.environ['OPSDECK_PARAM_TOKEN']
b = t.encode()
print('raw', t)
print('b64', base64.b64encode(b).decode())
print('b64x', base64.b64encode(b'x' + b).decode())
print('b64xy', base64.b64encode(b'xy' + b).decode())
print('url', base64.urlsafe_b64encode(b).decode())
print('hex', b.hex())
print('HEX', b.hex().upper())
print('quote', urllib.parse.quote(t, safe=''))
print('quote-plus', urllib.parse.quote_plus(t))
print('quote-default', urllib.parse.quote(t))
half = len(t) // 2
sys.stdout.write('split ' + t[:half])
sys.stdout.flush()
time.sleep(3)
sys.stdout.write(t[half:] + '\\n')
print('done')
`;

describe('secret parameters in output (real sshd)', () => {
  it('masks every encoding, never shows half a secret while it is printed, and flags the run', async () => {
    const store = await storeOn(await databases.init('SQLITE_3'));
    const flagged: string[] = [];
    const executor = newExecutor(store, sshd, pools, {
      onSecretPrinted: async (runId, host) => {
        flagged.push(`${runId}/${host}`);
      },
    });
    executors.push(executor);
    const [host] = targetHosts(sshd);
    const req = await request(store, [host], SCRIPT, {
      language: 'python',
      parameters: [{ name: 'TOKEN', type: 'secret', required: true }],
      params: { TOKEN: 'api-token' },
    });
    const run = await executor.start(req);

    // while the script sleeps with half the secret printed
    let live = '';
    await eventually(async () => {
      live = executor.liveOutput(run.id, host.name)?.stdout ?? '';
      return live.includes('split ');
    });
    let stored = '';
    await eventually(async () => {
      stored = (await store.getRunHost(run.id, host.name))?.stdout ?? '';
      return stored.includes('split ');
    });
    const secretPieces = pieces();
    for (const text of [live, stored]) {
      expect(secretPieces.filter(p => text.includes(p))).toEqual([]);
      expect(text.endsWith('split ')).toBe(true);
    }
    // flagged while the run goes on, as soon as a secret was stored
    expect((await store.getRun(run.id))!.secretPrinted).toBe(true);

    await executor.waitFor(run.id);
    const done = (await store.getRunHost(run.id, host.name))!;
    const lines = done.stdout.trimEnd().split('\n');
    expect(lines.map(l => l.split(' ')[0])).toEqual([
      'raw',
      'b64',
      'b64x',
      'b64xy',
      'url',
      'hex',
      'HEX',
      'quote',
      'quote-plus',
      'quote-default',
      'split',
      'done',
    ]);
    for (const line of lines.slice(0, -1)) expect(line).toContain('***');
    expect(lines).toContain('split ***');
    expect(secretPieces.filter(p => done.stdout.includes(p))).toEqual([]);
    expect(done.secretPrinted).toBe(true);
    const final = (await store.getRun(run.id))!;
    expect(final).toMatchObject({ status: 'succeeded', secretPrinted: true });
    // reported once for the host (for the audit)
    expect(flagged).toEqual([`${run.id}/${host.name}`]);
  });

  it('does not flag a run that prints no secret', async () => {
    const store = await storeOn(await databases.init('SQLITE_3'));
    const executor = newExecutor(store, sshd, pools);
    executors.push(executor);
    const [host] = targetHosts(sshd);
    const req = await request(
      store,
      [host],
      'echo "length ${#OPSDECK_PARAM_TOKEN}"',
      {
        parameters: [{ name: 'TOKEN', type: 'secret', required: true }],
        params: { TOKEN: 'api-token' },
      },
    );
    const run = await executor.start(req);
    await executor.waitFor(run.id);
    const h = (await store.getRunHost(run.id, host.name))!;
    expect(h.stdout).toBe(`length ${TEST_SECRET.length}\n`);
    expect(h.secretPrinted).toBe(false);
    expect((await store.getRun(run.id))!.secretPrinted).toBe(false);
  });
});
