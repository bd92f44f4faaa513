import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { DEFAULT_RUN_OPTIONS, JobDefinition, TargetHost } from '../model';
import { DatabaseJobStore } from './DatabaseJobStore';
import {
  applyJobsMigrations,
  MIGRATIONS_DIRECTORY,
  MIGRATIONS_TABLE,
  rollbackJobsMigrations,
} from './migrations';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const def: JobDefinition = {
  name: 'disk-usage',
  description: 'df',
  language: 'sh',
  script: 'df -h',
  parameters: [{ name: 'PATH_ARG', type: 'string', default: '/' }],
  notifyOnFailure: true,
};

const host = (name: string): TargetHost => ({
  name,
  entityRef: `resource:default/${name}`,
  address: '127.0.0.1',
  port: 22,
  tags: [],
});

describe.each(databases.eachSupportedId())('DatabaseJobStore (%s)', id => {
  async function setup() {
    const knex = await databases.init(id);
    let now = 1_700_000_000_000;
    await DatabaseJobStore.create({
      database: mockServices.database({ knex }),
    });
    const store = new DatabaseJobStore(knex, () => now);
    return { knex, store, advance: (ms: number) => (now += ms) };
  }

  it('keeps every version of a job and refuses duplicate names', async () => {
    const { store, advance } = await setup();
    const job = await store.createJob(def, 'user:default/bob');
    expect(job).toMatchObject({ version: 1, createdBy: 'user:default/bob' });
    expect(await store.getJob('disk-usage')).toEqual(job);
    advance(1000);
    const same = await store.updateJob(
      job.id,
      { description: 'only text' },
      'user:default/alice',
    );
    expect(same!.version).toBe(1);
    const v2 = await store.updateJob(
      job.id,
      { script: 'df -h "$OPSDECK_PARAM_PATH_ARG"' },
      'user:default/alice',
    );
    expect(v2).toMatchObject({ version: 2, updatedBy: 'user:default/alice' });
    const versions = await store.listJobVersions(job.id);
    expect(versions.map(v => [v.version, v.script, v.createdBy])).toEqual([
      [2, 'df -h "$OPSDECK_PARAM_PATH_ARG"', 'user:default/alice'],
      [1, 'df -h', 'user:default/bob'],
    ]);
    expect((await store.getJobVersion(job.id, 1))!.script).toBe('df -h');
    await expect(store.createJob(def, 'user:default/bob')).rejects.toThrow(
      /already exists/,
    );
    expect(await store.deleteJob(job.id)).toBe(true);
    expect(await store.getJob(job.id)).toBeUndefined();
    // versions stay for the run history
    expect(await store.listJobVersions(job.id)).toHaveLength(2);
  });

  it('stores runs with per-host results, filters and summaries', async () => {
    const { store, advance } = await setup();
    const job = await store.createJob(def, 'user:default/bob');
    const other = await store.createJob(
      { ...def, name: 'other' },
      'user:default/bob',
    );
    const base = {
      trigger: 'manual' as const,
      selector: { system: 'payments' },
      params: { PATH_ARG: '/var' },
      options: DEFAULT_RUN_OPTIONS,
      runnerId: 'r1',
    };
    const r1 = await store.createRun({
      ...base,
      job,
      triggeredBy: 'user:default/bob',
      hosts: [host('a'), host('b')],
    });
    advance(1000);
    const r2 = await store.createRun({
      ...base,
      job: other,
      triggeredBy: 'user:default/alice',
      hosts: [host('c')],
    });
    expect(r1).toMatchObject({
      status: 'running',
      hostCount: 2,
      summary: { pending: 2 },
      params: { PATH_ARG: '/var' },
    });
    await store.updateRunHost(r1.id, 'a', {
      status: 'succeeded',
      exitCode: 0,
      stdout: 'out',
      attempts: 1,
      durationMs: 12,
    });
    await store.updateRunHost(r1.id, 'b', { status: 'failed', exitCode: 2 });
    await store.finishRun(r1.id, 'failed');
    const got = await store.getRun(r1.id);
    expect(got).toMatchObject({
      status: 'failed',
      summary: { succeeded: 1, failed: 1 },
    });
    expect(got!.finishedAt).toBeDefined();
    expect(await store.getRunHost(r1.id, 'a')).toMatchObject({
      stdout: 'out',
      exitCode: 0,
      durationMs: 12,
      attempts: 1,
    });
    const ids = async (f: Parameters<typeof store.listRuns>[0]) =>
      (await store.listRuns(f)).map(r => r.id);
    expect(await ids({})).toEqual([r2.id, r1.id]);
    expect(await ids({ jobId: job.id })).toEqual([r1.id]);
    expect(await ids({ status: 'running' })).toEqual([r2.id]);
    expect(await ids({ triggeredBy: 'user:default/alice' })).toEqual([r2.id]);
    expect(await ids({ host: 'b' })).toEqual([r1.id]);
    expect(await ids({ before: r2.id })).toEqual([r1.id]);
    // a finished run cannot be cancelled
    expect(await store.requestCancel(r1.id)).toBe(false);
    expect(await store.requestCancel(r2.id)).toBe(true);
    expect(await store.cancelRequested([r1.id, r2.id])).toEqual([r2.id]);
  });

  it('marks runs interrupted by runner, by instance at start-up, or by stale heartbeat', async () => {
    const { store, advance } = await setup();
    const job = await store.createJob(def, 'user:default/bob');
    const mk = (runnerId: string, instance?: string) =>
      store.createRun({
        job,
        trigger: 'manual',
        triggeredBy: 'user:default/bob',
        selector: { names: ['a'] },
        params: {},
        options: DEFAULT_RUN_OPTIONS,
        hosts: [host('a')],
        runnerId,
        instance,
      });
    const mine = await mk('r1');
    const alive = await mk('r2');
    const dead = await mk('r3');
    // instance web-1 restarted: its old process r4 is gone, r5 is the new one
    const before = await mk('r4', 'web-1:7007');
    const now = await mk('r5', 'web-1:7007');
    const other = await mk('r6', 'web-2:7007');
    expect(
      await store.markInterrupted({
        instance: 'web-1:7007',
        exceptRunner: 'r5',
      }),
    ).toEqual([before.id]);
    expect((await store.getRun(before.id))!.summary).toEqual({
      interrupted: 1,
    });
    expect((await store.getRun(now.id))!.status).toBe('running');
    expect((await store.getRun(other.id))!.status).toBe('running');
    advance(120_000);
    await store.heartbeat([alive.id, now.id, other.id]);
    expect(await store.markInterrupted({ runnerId: 'r1' })).toEqual([mine.id]);
    const stale = await store.markInterrupted({
      staleBefore: 1_700_000_000_000 + 60_000,
    });
    expect(stale).toEqual([dead.id]);
    expect((await store.getRun(alive.id))!.status).toBe('running');
    expect((await store.getRun(dead.id))!.summary).toEqual({ interrupted: 1 });
  });

  it('claims a tick in the transaction that inserts its run: one run per tick, also in parallel', async () => {
    const { store } = await setup();
    const job = await store.createJob(def, 'user:default/bob');
    const run = (runnerId: string) => ({
      job,
      trigger: 'schedule' as const,
      triggeredBy: 'user:default/bob',
      scheduleId: 's-1',
      selector: { names: ['a'] },
      params: {},
      options: DEFAULT_RUN_OPTIONS,
      hosts: [host('a')],
      runnerId,
    });
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        store.createRun(run(`r${i}`), { scheduleId: 's-1', tickAt: 5000 }),
      ),
    );
    const won = results.filter(r => r !== undefined);
    expect(won).toHaveLength(1);
    expect(await store.isTickClaimed('s-1', 5000)).toBe(true);
    expect(await store.isTickClaimed('s-1', 6000)).toBe(false);
    expect(await store.listTicks('s-1')).toEqual([
      { tickAt: 5000, claimedBy: expect.any(String), runId: won[0]!.id },
    ]);
    // the losers inserted no run
    expect(await store.listRuns({})).toHaveLength(1);
  });

  it('pauses an enabled schedule once, and an approved edit ends the pause', async () => {
    const { store } = await setup();
    const job = await store.createJob(def, 'user:default/bob');
    const s = await store.createSchedule(
      {
        name: 'nightly',
        jobId: job.id,
        cron: '0 3 * * *',
        timeZone: 'UTC',
        selector: { names: ['a'] },
        params: {},
        options: DEFAULT_RUN_OPTIONS,
        missedPolicy: 'skip',
        enabled: true,
      },
      'user:default/bob',
      { hosts: ['resource:default/a'], by: 'user:default/bob' },
    );
    const pauses = await Promise.all([
      store.pauseSchedule(s.id, 'bob lost the right'),
      store.pauseSchedule(s.id, 'bob lost the right'),
    ]);
    expect(pauses.filter(Boolean)).toHaveLength(1);
    expect(await store.getSchedule(s.id)).toMatchObject({
      enabled: false,
      pausedReason: 'bob lost the right',
      pausedAt: new Date(1_700_000_000_000).toISOString(),
    });
    // switching it on without an approval keeps the reason
    const on = await store.updateSchedule(s.id, { enabled: true });
    expect(on!.pausedReason).toBe('bob lost the right');
    const approved = await store.updateSchedule(
      s.id,
      { enabled: true },
      { hosts: ['resource:default/a'], by: 'user:default/alice' },
    );
    expect(approved!.pausedReason).toBeUndefined();
    expect(approved!.approvedBy).toBe('user:default/alice');
  });

  it('stores schedules and claims each tick once', async () => {
    const { store } = await setup();
    const job = await store.createJob(def, 'user:default/bob');
    const s = await store.createSchedule(
      {
        name: 'nightly',
        jobId: job.id,
        cron: '0 3 * * *',
        timeZone: 'Asia/Shanghai',
        selector: { environment: 'prod', tags: ['java'] },
        params: {},
        options: { ...DEFAULT_RUN_OPTIONS, retries: 2 },
        missedPolicy: 'run-once',
        enabled: true,
      },
      'user:default/bob',
    );
    expect(s).toMatchObject({
      timeZone: 'Asia/Shanghai',
      selector: { environment: 'prod', tags: ['java'] },
      options: { retries: 2 },
      lastTickAt: new Date(1_700_000_000_000).toISOString(),
    });
    const tickRun = await store.createRun(
      {
        job,
        trigger: 'schedule',
        triggeredBy: 'user:default/bob',
        scheduleId: s.id,
        selector: s.selector,
        params: {},
        options: s.options,
        hosts: [host('a')],
        runnerId: 'a',
      },
      { scheduleId: s.id, tickAt: 5000 },
    );
    expect(await store.listTicks(s.id)).toEqual([
      { tickAt: 5000, claimedBy: 'a', runId: tickRun!.id },
    ]);
    await store.setLastTick(s.id, 1_800_000_000_000);
    await store.setLastTick(s.id, 1_750_000_000_000); // never backwards
    expect((await store.getSchedule(s.id))!.lastTickAt).toBe(
      new Date(1_800_000_000_000).toISOString(),
    );
    const off = await store.updateSchedule(s.id, { enabled: false });
    expect(off!.enabled).toBe(false);
    expect(await store.listSchedules({ enabled: true })).toEqual([]);
    // deleting the job deletes its schedules and their ticks
    await store.deleteJob(job.id);
    expect(await store.listSchedules()).toEqual([]);
    expect(await store.listTicks(s.id)).toEqual([]);
  });

  it('keeps a job webhook, its delivery, pre-skipped hosts and schedule approvals', async () => {
    const { store } = await setup();
    const job = await store.createJob(
      {
        ...def,
        webhook: {
          url: 'https://hooks.example.com/ops',
          triggers: ['failure', 'cancel'],
          secretCredential: 'hook-key',
        },
      },
      'user:default/bob',
    );
    expect(job.webhook).toEqual({
      url: 'https://hooks.example.com/ops',
      triggers: ['failure', 'cancel'],
      secretCredential: 'hook-key',
    });
    const cleared = await store.updateJob(
      job.id,
      { webhook: null as any },
      'user:default/bob',
    );
    expect(cleared!.webhook).toBeUndefined();
    expect(cleared!.version).toBe(1);

    const run = await store.createRun({
      job,
      trigger: 'schedule',
      triggeredBy: 'user:default/bob',
      selector: { system: 'pay' },
      params: {},
      options: DEFAULT_RUN_OPTIONS,
      hosts: [host('a')],
      skipped: [{ host: host('b'), reason: 'not approved' }],
      runnerId: 'r',
    });
    expect(run.summary).toEqual({ pending: 1, skipped: 1 });
    const b = await store.getRunHost(run.id, 'b');
    expect(b).toMatchObject({ status: 'skipped', error: 'not approved' });
    expect(run.webhookDelivery).toBeUndefined();
    const delivery = {
      url: 'https://hooks.example.com/ops',
      status: 'failed' as const,
      trigger: 'cancel' as const,
      attempts: 3,
      error: 'HTTP 502',
      responseStatus: 502,
      deliveredAt: new Date(0).toISOString(),
    };
    await store.setWebhookDelivery(run.id, delivery);
    expect((await store.getRun(run.id))!.webhookDelivery).toEqual(delivery);

    const s = await store.createSchedule(
      {
        name: 'hourly',
        jobId: job.id,
        cron: '0 * * * *',
        timeZone: 'UTC',
        selector: { system: 'pay' },
        params: {},
        options: DEFAULT_RUN_OPTIONS,
        missedPolicy: 'skip',
        enabled: true,
      },
      'user:default/bob',
      { hosts: ['resource:default/a'], by: 'user:default/bob' },
    );
    expect(s).toMatchObject({
      approvedHosts: ['resource:default/a'],
      approvedBy: 'user:default/bob',
    });
    const renamed = await store.updateSchedule(s.id, { name: 'hourly-2' });
    expect(renamed!.approvedHosts).toEqual(['resource:default/a']);
    const approved = await store.updateSchedule(
      s.id,
      { enabled: true },
      {
        hosts: ['resource:default/a', 'resource:default/b'],
        by: 'user:default/alice',
      },
    );
    expect(approved).toMatchObject({
      approvedHosts: ['resource:default/a', 'resource:default/b'],
      approvedBy: 'user:default/alice',
    });
  });

  it('migrates up, down and up again', async () => {
    const { knex } = await setup();
    expect(await knex.schema.hasTable('runs')).toBe(true);
    await rollbackJobsMigrations(knex);
    expect(await knex.schema.hasTable('runs')).toBe(false);
    await applyJobsMigrations(knex);
    expect(await knex.schema.hasTable('schedule_ticks')).toBe(true);
    expect(await knex.schema.hasTable(MIGRATIONS_TABLE)).toBe(true);
  });

  it('maps a stored webhook `when` to triggers and back', async () => {
    const { knex, store } = await setup();
    const migrator = {
      directory: MIGRATIONS_DIRECTORY,
      tableName: MIGRATIONS_TABLE,
    };
    // back to before triggers: store webhooks the way that version did
    await knex.migrate.down({
      ...migrator,
      name: '20261126000000_webhook_triggers.js',
    });
    const row = (name: string, webhook: object | null) => ({
      id: name,
      name,
      description: '',
      language: 'sh',
      script: 'true',
      parameters: '[]',
      version: 1,
      notify_on_failure: true,
      webhook: webhook && JSON.stringify(webhook),
      created_by: 'user:default/bob',
      created_at: 1,
      updated_by: 'user:default/bob',
      updated_at: 1,
    });
    await knex('jobs').insert([
      row('always-hook', {
        url: 'https://hooks.example.com/a',
        when: 'always',
        secretCredential: 'hook-key',
      }),
      row('failure-hook', {
        url: 'https://hooks.example.com/f',
        when: 'failure',
      }),
      row('no-hook', null),
    ]);

    await applyJobsMigrations(knex);
    expect((await store.getJob('always-hook'))!.webhook).toEqual({
      url: 'https://hooks.example.com/a',
      triggers: ['success', 'failure', 'cancel'],
      secretCredential: 'hook-key',
    });
    expect((await store.getJob('failure-hook'))!.webhook).toEqual({
      url: 'https://hooks.example.com/f',
      triggers: ['failure'],
    });
    expect((await store.getJob('no-hook'))!.webhook).toBeUndefined();

    await store.updateJob(
      'failure-hook',
      {
        webhook: {
          url: 'https://hooks.example.com/f',
          triggers: ['cancel'],
        },
      },
      'user:default/bob',
    );
    await knex.migrate.down({
      ...migrator,
      name: '20261126000000_webhook_triggers.js',
    });
    const stored = Object.fromEntries(
      (await knex('jobs').select('id', 'webhook')).map(r => [
        r.id,
        r.webhook && JSON.parse(r.webhook),
      ]),
    );
    expect(stored).toEqual({
      'always-hook': {
        url: 'https://hooks.example.com/a',
        when: 'always',
        secretCredential: 'hook-key',
      },
      // a set that `when` cannot say becomes the wider `always`
      'failure-hook': { url: 'https://hooks.example.com/f', when: 'always' },
      'no-hook': null,
    });
  });
});
