/*
 * Crash-point tests of jobs: a real opsdeck backend process (jobs) killed at
 * named points and started again on the same data, on SQLite and on
 * PostgreSQL, running a job on a real sshd host. See docs/architecture.md.
 *
 * One chain per database (each restart is the next point's armed start):
 *   1. the schedule loop claims a tick and dies before the tick's run exists
 *      (`jobs.schedule.claimed`);
 *   2. after the restart the tick is claimed again and its run starts; the
 *      run dies once its first output is stored (`jobs.run.output-stored`);
 *   3. after the restart the tick has exactly one run, interrupted at once,
 *      with its output kept and its remote process gone.
 */
import { existsSync, rmSync } from 'node:fs';
// The sshd test helpers of the SSH core (not part of its public API).
import {
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import { CrashBackend, crashDatabases, waitFor } from './CrashBackend';
import { hostEntity } from './fixtures';

jest.setTimeout(600_000);

let sshd: SshdHosts;

beforeAll(async () => {
  sshd = await startSshdHosts(1);
});

afterAll(async () => {
  await sshd?.stop();
});

/** A 6-field UTC cron expression firing once a day at `at` (whole second). */
function dailyAt(at: Date): string {
  return `${at.getUTCSeconds()} ${at.getUTCMinutes()} ${at.getUTCHours()} * * *`;
}

describe.each(crashDatabases())('jobs crash points on %s', database => {
  let backend: CrashBackend;
  const marker = `/tmp/opsdeck-crash-marker-${database}-${process.pid}`;
  let jobName = '';
  let scheduleId = '';

  beforeAll(async () => {
    rmSync(marker, { force: true });
    backend = await CrashBackend.create({
      database,
      plugins: ['jobs'],
      entities: [
        hostEntity('crash-j1', sshd.hosts[0].port, { loginUser: sshd.user }),
      ],
      config: { opsdeck: { jobs: { scheduleIntervalSeconds: 1 } } },
    });
  });

  afterAll(async () => {
    rmSync(marker, { force: true });
    await backend?.dispose();
  });

  it('a tick whose claim dies before its run exists is claimed again after the restart', async () => {
    await backend.start({ crashPoint: 'jobs.schedule.claimed' });
    const credential = await backend.api('alice', 'POST', 'vault/credentials', {
      name: 'crash-ssh',
      type: 'ssh-key',
      username: sshd.user,
      owner: 'ops',
      allowedUses: ['ssh-login'],
      secret: sshd.privateKeyText,
    });
    expect(credential.status).toBe(201);
    jobName = `crash-job-${database}`;
    const job = await backend.api('bob', 'POST', 'jobs/jobs', {
      name: jobName,
      language: 'sh',
      // prints, is stopped by the crash, and would leave the marker if it
      // went on running on the host after its backend died
      script:
        'echo before-crash; sleep 4; echo after-crash; touch "$OPSDECK_PARAM_MARKER"',
      parameters: [{ name: 'MARKER', type: 'string', required: true }],
      notifyOnFailure: false,
    });
    expect(job.status).toBe(201);
    const tickAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 8000);
    const schedule = await backend.api('bob', 'POST', 'jobs/schedules', {
      name: 'crash-once',
      job: jobName,
      cron: dailyAt(tickAt),
      timeZone: 'UTC',
      selector: { system: 'crash-lab' },
      params: { MARKER: marker },
      missedPolicy: 'run-once',
    });
    expect(schedule.status).toBe(201);
    expect(schedule.body.approvedHosts).toEqual(['resource:default/crash-j1']);
    scheduleId = schedule.body.id;
    await backend.waitForCrash('jobs.schedule.claimed');
    // the restarted backend runs the tick; its run dies once output is stored
    await backend.start({ crashPoint: 'jobs.run.output-stored' });
    await backend.waitForCrash('jobs.run.output-stored');
  });

  it('the tick has exactly one run: interrupted at once after the restart, output kept, remote process gone', async () => {
    await backend.start();
    // right after start-up, not after the 60 s heartbeat rule
    const { body } = await backend.api(
      'bob',
      'GET',
      `jobs/runs?job=${jobName}`,
    );
    expect(body.items).toHaveLength(1);
    const [run] = body.items;
    expect(run).toMatchObject({
      scheduleId,
      trigger: 'schedule',
      triggeredBy: 'user:default/bob',
      status: 'interrupted',
      summary: { interrupted: 1 },
    });
    const host = await backend.api(
      'bob',
      'GET',
      `jobs/runs/${run.id}/hosts/crash-j1`,
    );
    expect(host.body.status).toBe('interrupted');
    expect(host.body.stdout).toContain('before-crash');
    // the script's sleep is long over: it did not go on without its backend
    expect(existsSync(marker)).toBe(false);
    expect(host.body.stdout).not.toContain('after-crash');
    // and the schedule loop does not run the tick a second time
    await new Promise(r => setTimeout(r, 3000));
    const again = await waitFor(
      'the runs',
      async () =>
        (
          await backend.api('bob', 'GET', `jobs/runs?job=${jobName}`)
        ).body.items,
    );
    expect(again.map((r: any) => r.id)).toEqual([run.id]);
  });
});
