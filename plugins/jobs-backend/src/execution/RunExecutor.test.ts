/*
 * Runs against real OpenSSH servers started by scripts/services/sshd-hosts.sh;
 * fails (never skips) when sshd is missing.
 */
import { SshConnectionPool } from '@opsdeck/plugin-remote-node';
import {
  findFreePortRange,
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import {
  eventually,
  newExecutor,
  request,
  sqliteDatabases,
  startReceiver,
  storeOn,
  targetHosts,
  TEST_SECRET,
  testSecrets,
} from '../__testUtils__/jobsTestKit';
import type { SecretUse } from '@opsdeck/plugin-vault-node';
import { DatabaseJobStore } from '../database/DatabaseJobStore';
import { JobWebhook, Run, TargetHost, WebhookTrigger } from '../model';
import { deliverWebhook, webhookBody } from '../notify/webhook';
import { ScheduleRunner } from '../schedule/ScheduleRunner';
import { RunExecutor } from './RunExecutor';
import { mockServices } from '@backstage/backend-test-utils';
import { TRUNCATION_MARKER } from './OutputBuffer';

jest.setTimeout(120_000);

const databases = sqliteDatabases();
let sshd: SshdHosts;
let hosts: TargetHost[];
const pools: SshConnectionPool[] = [];
const executors: RunExecutor[] = [];

beforeAll(async () => {
  sshd = await startSshdHosts(3);
  hosts = targetHosts(sshd);
});

afterAll(async () => {
  for (const e of executors) e.abandon();
  await Promise.all(pools.map(p => p.close()));
  await sshd?.stop();
});

async function setup(extra: Parameters<typeof newExecutor>[3] = {}) {
  const store = await storeOn(await databases.init('SQLITE_3'));
  const executor = newExecutor(store, sshd, pools, extra);
  executors.push(executor);
  return { store, executor };
}

async function runToEnd(
  store: DatabaseJobStore,
  executor: RunExecutor,
  req: Awaited<ReturnType<typeof request>>,
) {
  const run = await executor.start(req);
  await executor.waitFor(run.id);
  const hostsOut = await Promise.all(
    req.hosts.map(h => store.getRunHost(run.id, h.name)),
  );
  return { run: (await store.getRun(run.id))!, hosts: hostsOut.map(h => h!) };
}

const NASTY = [
  `'; rm -rf / $(id) "`,
  '`id` && echo pwned; $HOME ${PATH} \\ \\n %s %%',
  'line one\nline two\n\n',
  '  leading and trailing spaces  ',
  'ünïcödé 中文 🚀',
  '-n',
  '',
];

describe('RunExecutor against real sshd hosts', () => {
  it('records hosts skipped from the start and still runs the others; webhook after the end', async () => {
    const deliveries: { runId: string; status: string }[] = [];
    const { store, executor } = await setup({
      deliverWebhook: async (run, webhook) => {
        deliveries.push({ runId: run.id, status: run.status });
        return {
          url: webhook.url,
          status: 'failed',
          attempts: 3,
          error: 'HTTP 503',
          deliveredAt: new Date().toISOString(),
        };
      },
    });
    const req = await request(store, [hosts[0]], 'echo ran');
    req.job.webhook = { url: 'http://127.0.0.1:9/hook', triggers: ['failure'] };
    req.skipped = [{ host: hosts[1], reason: 'not approved' }];
    const { run, hosts: out } = await runToEnd(store, executor, req);
    expect(run.status).toBe('failed');
    expect(run.summary).toEqual({ succeeded: 1, skipped: 1 });
    expect(out[0].stdout).toBe('ran\n');
    expect(await store.getRunHost(run.id, hosts[1].name)).toMatchObject({
      status: 'skipped',
      error: 'not approved',
      attempts: 0,
    });
    // the webhook saw the final run; its failure is recorded, the run unchanged
    expect(deliveries).toEqual([{ runId: run.id, status: 'failed' }]);
    expect(run.webhookDelivery).toMatchObject({
      status: 'failed',
      attempts: 3,
    });

    // nothing approved at all: the run is stored with every host skipped
    const none = await request(store, [], 'echo never');
    none.skipped = [{ host: hosts[2], reason: 'not approved' }];
    const empty = await runToEnd(store, executor, none);
    expect(empty.run).toMatchObject({
      status: 'failed',
      summary: { skipped: 1 },
    });
  });

  it('passes parameters with shell metacharacters verbatim as environment variables', async () => {
    const { store, executor } = await setup();
    for (const value of NASTY) {
      const req = await request(
        store,
        hosts.slice(0, 1),
        `printf '%s' "$OPSDECK_PARAM_VALUE"`,
        {
          parameters: [{ name: 'VALUE', type: 'string' }],
          params: { VALUE: value },
        },
      );
      const { run, hosts: out } = await runToEnd(store, executor, req);
      expect(run.status).toBe('succeeded');
      expect(out[0].stdout).toBe(value);
      expect(out[0].exitCode).toBe(0);
    }
  });

  it('runs bash and python scripts with the same environment', async () => {
    const { store, executor } = await setup();
    const value = NASTY[0];
    const py = await request(
      store,
      hosts.slice(0, 1),
      'import os, sys\nsys.stdout.write(os.environ["OPSDECK_PARAM_VALUE"])\n',
      {
        language: 'python',
        parameters: [{ name: 'VALUE', type: 'string' }],
        params: { VALUE: value },
      },
    );
    const a = await runToEnd(store, executor, py);
    expect(a.hosts[0].stdout).toBe(value);
    const bash = await request(
      store,
      hosts.slice(0, 1),
      'arr=(a b); printf "%s|%s" "${#arr[@]}" "$OPSDECK_PARAM_VALUE"',
      {
        language: 'bash',
        parameters: [{ name: 'VALUE', type: 'string' }],
        params: { VALUE: value },
      },
    );
    const b = await runToEnd(store, executor, bash);
    expect(b.hosts[0].stdout).toBe(`2|${value}`);
  });

  it('reads secret parameters from the vault and masks them in stored output', async () => {
    const taken: { name: string; use: SecretUse }[] = [];
    const { store, executor } = await setup({
      vault: {
        getSecret: async (name, use) => {
          taken.push({ name, use });
          return testSecrets(sshd)(name);
        },
      },
    });
    const host = {
      ...hosts[0],
      owner: 'group:default/ops',
      system: 'system:default/shop',
      environment: 'test',
    };
    const req = await request(
      store,
      [host],
      [
        '[ "$OPSDECK_PARAM_TOKEN" = "$(cat <<\'EOF\'',
        TEST_SECRET,
        'EOF',
        ')" ] && echo same',
        'echo "leak: $OPSDECK_PARAM_TOKEN"',
      ].join('\n'),
      {
        parameters: [{ name: 'TOKEN', type: 'secret', required: true }],
        params: { TOKEN: 'api-token' },
      },
    );
    const { run, hosts: out } = await runToEnd(store, executor, req);
    expect(run.status).toBe('succeeded');
    expect(run.params).toEqual({ TOKEN: 'api-token' });
    expect(out[0].stdout).toBe('same\nleak: ***\n');
    // each secret is taken out for its use, the job or host it serves (with
    // the owner, system and environment the catalog gave) and the person
    const target = {
      owner: 'group:default/ops',
      system: 'system:default/shop',
      environment: 'test',
    };
    expect(taken).toEqual([
      {
        name: 'api-token',
        use: {
          use: 'job-secret',
          for: { ref: `job:${req.job.id}`, ...target },
          actor: 'user:default/tester',
        },
      },
      {
        name: 'test-ssh',
        use: {
          use: 'ssh-login',
          for: { ref: 'resource:default/host-0', ...target },
          actor: 'user:default/tester',
        },
      },
    ]);
  });

  it('rejects values that do not fit the parameter types', async () => {
    const { store, executor } = await setup();
    const parameters = [
      { name: 'COUNT', type: 'number' as const },
      { name: 'MODE', type: 'choice' as const, choices: ['a', 'b'] },
      { name: 'NEEDED', type: 'string' as const, required: true },
    ];
    const bad: Record<string, string>[] = [
      { COUNT: '1; id', NEEDED: 'x' },
      { MODE: 'c', NEEDED: 'x' },
      {},
      { NEEDED: 'x', OTHER: 'y' },
    ];
    for (const params of bad) {
      const req = await request(store, hosts, 'true', { parameters, params });
      await expect(executor.start(req)).rejects.toThrow(/Parameter|parameter/);
    }
    expect(await store.listRuns({})).toEqual([]);
  });

  it('records per-host exit codes with a partial failure, and stop-on-first-failure skips the rest', async () => {
    const { store, executor } = await setup();
    // $4 of SSH_CONNECTION is the server port: host-1 fails
    const script = `set -- $SSH_CONNECTION; echo "on $4"; [ "$4" = "${hosts[1].port}" ] && { echo boom >&2; exit 7; }; exit 0`;
    const req = await request(store, hosts, script, {
      run: { concurrency: 3 },
    });
    const { run, hosts: out } = await runToEnd(store, executor, req);
    expect(run.status).toBe('failed');
    expect(run.summary).toEqual({ succeeded: 2, failed: 1 });
    expect(out.map(h => [h.status, h.exitCode])).toEqual([
      ['succeeded', 0],
      ['failed', 7],
      ['succeeded', 0],
    ]);
    expect(out[1].stderr).toBe('boom\n');
    expect(out[0].stdout).toBe(`on ${hosts[0].port}\n`);

    const ordered = [hosts[1], hosts[0], hosts[2]];
    const stop = await request(store, ordered, script, {
      run: { concurrency: 1, stopOnFirstFailure: true },
    });
    const r2 = await runToEnd(store, executor, stop);
    expect(r2.run.status).toBe('failed');
    expect(r2.hosts.map(h => h.status)).toEqual([
      'failed',
      'skipped',
      'skipped',
    ]);
  });

  it('times out a host and retries failed attempts', async () => {
    const { store, executor } = await setup();
    const timeout = await request(
      store,
      hosts.slice(0, 1),
      'echo before; sleep 30',
      {
        // the timeout counts from the SSH connection's set-up: long enough
        // for a loaded machine to reach the echo, far short of the sleep
        run: { timeoutSeconds: 6 },
      },
    );
    const t = await runToEnd(store, executor, timeout);
    expect(t.hosts[0].status).toBe('timed_out');
    expect(t.hosts[0].stdout).toBe('before\n');
    expect(t.run.status).toBe('failed');

    const marker = `/tmp/opsdeck-jobs-retry-${process.pid}-${Date.now()}`;
    const flaky = `if [ -e "$OPSDECK_PARAM_F" ]; then echo second; rm -f "$OPSDECK_PARAM_F"; else : > "$OPSDECK_PARAM_F"; echo first; exit 3; fi`;
    const withRetry = await request(store, hosts.slice(0, 1), flaky, {
      parameters: [{ name: 'F', type: 'string' }],
      params: { F: marker },
      run: { retries: 2 },
    });
    const r = await runToEnd(store, executor, withRetry);
    expect(r.hosts[0]).toMatchObject({
      status: 'succeeded',
      attempts: 2,
      exitCode: 0,
      stdout: 'second\n',
    });

    const noRetry = await request(store, hosts.slice(0, 1), 'exit 4', {
      run: { retries: 2 },
    });
    const n = await runToEnd(store, executor, noRetry);
    expect(n.hosts[0]).toMatchObject({
      status: 'failed',
      attempts: 3,
      exitCode: 4,
    });
  });

  it('reports a host that is down as an error and still runs the others', async () => {
    const { store, executor } = await setup();
    const downPort = await findFreePortRange(1);
    const down: TargetHost = { ...hosts[0], name: 'down', port: downPort };
    const req = await request(store, [down, hosts[1]], 'echo up', {
      run: { retries: 1 },
    });
    const { run, hosts: out } = await runToEnd(store, executor, req);
    expect(run.status).toBe('failed');
    expect(out[0].status).toBe('error');
    expect(out[0].error).toMatch(/ECONNREFUSED|connect/i);
    expect(out[0].attempts).toBe(2);
    expect(out[1]).toMatchObject({ status: 'succeeded', stdout: 'up\n' });
  });

  it('streams output to the store while running, and cancel stops every host', async () => {
    const { store, executor } = await setup();
    const req = await request(
      store,
      hosts,
      'echo started; sleep 60; echo never',
      {
        run: { concurrency: 2 },
      },
    );
    const run = await executor.start(req);
    await eventually(async () => {
      const h = await store.getRunHost(run.id, hosts[0].name);
      return h?.status === 'running' && h.stdout === 'started\n';
    });
    expect((await store.getRun(run.id))!.status).toBe('running');
    await executor.cancel(run.id);
    await executor.waitFor(run.id);
    const after = (await store.getRun(run.id))!;
    expect(after.status).toBe('cancelled');
    const out = await store.listRunHosts(run.id);
    // two were running and were stopped; the third never started
    expect(out.map(h => h.status)).toEqual([
      'cancelled',
      'cancelled',
      'cancelled',
    ]);
    const first = await store.getRunHost(run.id, hosts[0].name);
    expect(first!.stdout).toBe('started\n');
  });

  it('POSTs the webhook only on ticked triggers: cancel, interrupt, failure, success', async () => {
    const receiver = await startReceiver();
    const deliver = (run: Run, webhook: JobWebhook, trigger: WebhookTrigger) =>
      deliverWebhook({
        url: webhook.url,
        body: webhookBody(
          run,
          `http://opsdeck.test/jobs/runs/${run.id}`,
          trigger,
        ),
        trigger,
        retries: 0,
      });
    const { store, executor } = await setup({ deliverWebhook: deliver });
    const hooked = async (script: string, triggers: WebhookTrigger[]) => {
      const req = await request(store, hosts.slice(0, 1), script);
      req.job.webhook = { url: receiver.url, triggers };
      return req;
    };
    /** Starts a run that prints, then cancels it and waits for its end. */
    const cancelled = async (
      exec: RunExecutor,
      triggers: WebhookTrigger[],
      stop: (runId: string) => Promise<unknown>,
    ) => {
      const run = await exec.start(
        await hooked('echo started; sleep 60', triggers),
      );
      await eventually(async () => {
        const h = await store.getRunHost(run.id, hosts[0].name);
        return h?.stdout === 'started\n';
      });
      await stop(run.id);
      await exec.waitFor(run.id);
      return (await store.getRun(run.id))!;
    };
    const bodies = () => receiver.received.map(r => JSON.parse(r.body));
    try {
      // "on cancel" only: a success sends nothing, a user's cancel does
      const ok = await runToEnd(
        store,
        executor,
        await hooked('true', ['cancel']),
      );
      expect(ok.run).toMatchObject({ status: 'succeeded' });
      expect(ok.run.webhookDelivery).toBeUndefined();
      expect(receiver.received).toHaveLength(0);
      const c1 = await cancelled(executor, ['cancel'], id =>
        executor.cancel(id),
      );
      expect(c1.status).toBe('cancelled');
      expect(c1.webhookDelivery).toMatchObject({
        status: 'delivered',
        trigger: 'cancel',
      });
      expect(bodies()).toEqual([
        expect.objectContaining({
          runId: c1.id,
          status: 'cancelled',
          webhookTrigger: 'cancel',
        }),
      ]);
      expect(receiver.received[0].headers['x-opsdeck-webhook-trigger']).toBe(
        'cancel',
      );

      // success and failure ticked, not cancel: a cancelled run sends nothing
      const c2 = await cancelled(executor, ['success', 'failure'], id =>
        executor.cancel(id),
      );
      expect(c2.status).toBe('cancelled');
      expect(c2.webhookDelivery).toBeUndefined();
      expect(receiver.received).toHaveLength(1);
      const failed = await runToEnd(
        store,
        executor,
        await hooked('echo no >&2; exit 3', ['success', 'failure']),
      );
      expect(failed.run.status).toBe('failed');
      expect(failed.run.webhookDelivery?.trigger).toBe('failure');
      expect(bodies()[1]).toMatchObject({
        runId: failed.run.id,
        status: 'failed',
        webhookTrigger: 'failure',
      });

      // a run its backend stopped (shutdown) is a failure, not a cancel
      const replica = newExecutor(store, sshd, pools, {
        deliverWebhook: deliver,
      });
      executors.push(replica);
      const c3 = await cancelled(replica, ['failure'], () =>
        replica.shutdown(),
      );
      expect(c3.status).toBe('interrupted');
      expect(c3.webhookDelivery?.trigger).toBe('failure');
      expect(bodies()[2]).toMatchObject({
        runId: c3.id,
        status: 'interrupted',
        webhookTrigger: 'failure',
      });
      expect(receiver.received).toHaveLength(3);
    } finally {
      await receiver.close();
    }
  });

  it('a cancel through another replica (the store) reaches the executor', async () => {
    const { store, executor } = await setup();
    const req = await request(
      store,
      hosts.slice(0, 1),
      'echo started; sleep 60',
    );
    const run = await executor.start(req);
    await eventually(async () => {
      const h = await store.getRunHost(run.id, hosts[0].name);
      return h?.stdout === 'started\n';
    });
    expect(await store.requestCancel(run.id)).toBe(true);
    await executor.waitFor(run.id);
    expect((await store.getRun(run.id))!.status).toBe('cancelled');
  });

  it('caps stored output with a truncation marker', async () => {
    const { store, executor } = await setup({ maxOutputBytes: 1000 });
    const req = await request(
      store,
      hosts.slice(0, 1),
      "head -c 5000 /dev/zero | tr '\\0' a; echo tail",
    );
    const { hosts: out } = await runToEnd(store, executor, req);
    expect(out[0].status).toBe('succeeded');
    expect(out[0].truncated).toBe(true);
    expect(out[0].stdout).toBe(`${'a'.repeat(1000)}${TRUNCATION_MARKER}`);
  });

  it('a restart mid-run marks the run interrupted', async () => {
    const knex = await databases.init('SQLITE_3');
    const store = await storeOn(knex);
    const crashed = newExecutor(store, sshd, pools);
    const req = await request(
      store,
      hosts.slice(0, 2),
      'echo started; sleep 60',
    );
    const run = await crashed.start(req);
    await eventually(async () => {
      const h = await store.getRunHost(run.id, hosts[0].name);
      return h?.stdout === 'started\n';
    });
    crashed.abandon(); // the process dies: no more heartbeats, nothing written

    // the next backend's first schedule pass finds the run's heartbeat stale
    const restarted = newExecutor(store, sshd, pools);
    executors.push(restarted);
    const runner = new ScheduleRunner({
      store,
      logger: mockServices.logger.mock(),
      runnerId: restarted.runnerId,
      startRun: async () => 'unused',
      staleMs: 1,
    });
    await new Promise(r => setTimeout(r, 20));
    await runner.tick();
    const after = (await store.getRun(run.id))!;
    expect(after.status).toBe('interrupted');
    expect((await store.listRunHosts(run.id)).map(h => h.status)).toEqual([
      'interrupted',
      'interrupted',
    ]);

    // an orderly shutdown marks its own runs interrupted at once
    const graceful = newExecutor(store, sshd, pools);
    const req2 = await request(
      store,
      hosts.slice(0, 1),
      'echo started; sleep 60',
    );
    const run2 = await graceful.start(req2);
    await eventually(async () => {
      const h = await store.getRunHost(run2.id, hosts[0].name);
      return h?.stdout === 'started\n';
    });
    await graceful.shutdown();
    expect((await store.getRun(run2.id))!.status).toBe('interrupted');
    expect((await store.listRunHosts(run2.id))[0].status).toBe('interrupted');
  });
});
