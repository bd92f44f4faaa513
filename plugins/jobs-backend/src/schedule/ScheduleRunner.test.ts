/*
 * Two backend replicas (each its own knex pool, store, executor and schedule
 * loop) on one PostgreSQL database, running a job on a real sshd host.
 */
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { SshConnectionPool } from '@opsdeck/plugin-remote-node';
import {
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import { knex as createKnex, Knex } from 'knex';
import {
  newExecutor,
  storeOn,
  targetHosts,
} from '../__testUtils__/jobsTestKit';
import { DatabaseJobStore } from '../database/DatabaseJobStore';
import { RunExecutor } from '../execution/RunExecutor';
import { DEFAULT_RUN_OPTIONS, Schedule } from '../model';
import { ScheduleRunner } from './ScheduleRunner';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });
let sshd: SshdHosts;
const pools: SshConnectionPool[] = [];
const executors: RunExecutor[] = [];
const extraKnex: Knex[] = [];

beforeAll(async () => {
  sshd = await startSshdHosts(1);
});

afterAll(async () => {
  for (const e of executors) e.abandon();
  await Promise.all(pools.map(p => p.close()));
  await Promise.all(extraKnex.map(k => k.destroy()));
  await sshd?.stop();
});

async function replica(knex: Knex, name: string) {
  const store = await storeOn(knex);
  const executor = newExecutor(store, sshd, pools, { runnerId: name });
  executors.push(executor);
  const hosts = targetHosts(sshd);
  const runner = new ScheduleRunner({
    store,
    logger: mockServices.logger.mock(),
    runnerId: name,
    graceMs: 60_000,
    startRun: async (schedule: Schedule, tickAt: number) => {
      const job = (await store.getJob(schedule.jobId))!;
      const run = await executor.start(
        {
          job,
          hosts,
          selector: schedule.selector,
          params: schedule.params,
          options: schedule.options,
          trigger: 'schedule',
          triggeredBy: schedule.createdBy,
          scheduleId: schedule.id,
        },
        { scheduleId: schedule.id, tickAt },
      );
      return run?.id;
    },
  });
  return { store, executor, runner };
}

describe('schedules on PostgreSQL shared by two replicas', () => {
  it('runs each tick exactly once', async () => {
    const knexA = await databases.init('POSTGRES_15');
    // the second replica has its own connection pool to the same database
    const knexB = createKnex(knexA.client.config);
    extraKnex.push(knexB);
    const a = await replica(knexA, 'replica-a');
    const b = await replica(knexB, 'replica-b');

    const job = await a.store.createJob(
      {
        name: 'tick-job',
        description: '',
        language: 'sh',
        script: 'echo tick',
        parameters: [],
        notifyOnFailure: false,
      },
      'user:default/bob',
    );
    const schedule = await a.store.createSchedule(
      {
        name: 'every-second',
        jobId: job.id,
        cron: '* * * * * *',
        timeZone: 'UTC',
        selector: { names: ['host-0'] },
        params: {},
        options: DEFAULT_RUN_OPTIONS,
        missedPolicy: 'skip',
        enabled: true,
      },
      'user:default/bob',
    );

    // both loops race over about four seconds of ticks
    const end = Date.now() + 4200;
    while (Date.now() < end) {
      await Promise.all([a.runner.tick(), b.runner.tick()]);
      await new Promise(r => setTimeout(r, 50));
    }
    const runs = (await a.store.listRuns({ limit: 200 })).filter(
      r => r.scheduleId === schedule.id,
    );
    await Promise.all(runs.map(r => a.executor.waitFor(r.id)));
    await Promise.all(runs.map(r => b.executor.waitFor(r.id)));
    const ticks = await a.store.listTicks(schedule.id);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    // one run per tick, and every tick has its run
    expect(runs.length).toBe(ticks.length);
    expect(new Set(ticks.map(t => t.runId)).size).toBe(ticks.length);
    expect(new Set(ticks.map(t => t.tickAt)).size).toBe(ticks.length);
    for (const r of await a.store.listRuns({ limit: 200 })) {
      const final = await b.store.getRun(r.id);
      expect(final!.triggeredBy).toBe('user:default/bob');
      expect(final!.trigger).toBe('schedule');
    }
  });

  it('lets exactly one of two concurrent claims of a tick win, with its run', async () => {
    const knexA = await databases.init('POSTGRES_15');
    const knexB = createKnex(knexA.client.config);
    extraKnex.push(knexB);
    const a = await storeOn(knexA);
    const b = new DatabaseJobStore(knexB);
    const job = await a.createJob(
      {
        name: 'claim-job',
        description: '',
        language: 'sh',
        script: 'true',
        parameters: [],
        notifyOnFailure: false,
      },
      'user:default/bob',
    );
    const run = (store: DatabaseJobStore, runnerId: string, tickAt: number) =>
      store.createRun(
        {
          job,
          trigger: 'schedule',
          triggeredBy: 'user:default/bob',
          scheduleId: 'schedule-1',
          selector: { names: ['host-0'] },
          params: {},
          options: DEFAULT_RUN_OPTIONS,
          hosts: targetHosts(sshd),
          runnerId,
        },
        { scheduleId: 'schedule-1', tickAt },
      );
    for (let tick = 0; tick < 25; tick++) {
      const wins = await Promise.all([
        run(a, 'a', tick * 1000),
        run(b, 'b', tick * 1000),
      ]);
      expect(wins.filter(Boolean)).toHaveLength(1);
    }
    expect(await a.listTicks('schedule-1')).toHaveLength(25);
    // exactly one run per tick, each named by its tick
    const ticks = await a.listTicks('schedule-1');
    expect(new Set(ticks.map(t => t.runId)).size).toBe(25);
    expect(await a.listRuns({ limit: 100 })).toHaveLength(25);
  });

  it('runs a tick missed while down once under run-once, never under skip', async () => {
    const knex = await databases.init('POSTGRES_15');
    const r = await replica(knex, 'replica-c');
    const job = await r.store.createJob(
      {
        name: 'missed-job',
        description: '',
        language: 'sh',
        script: 'echo missed',
        parameters: [],
        notifyOnFailure: false,
      },
      'user:default/bob',
    );
    const twoHoursAgo = Date.now() - 2 * 3600_000;
    // hourly, at the minute of half an hour ago: the newest tick is missed
    const minute = new Date(Date.now() - 30 * 60_000).getUTCMinutes();
    const make = (name: string, missedPolicy: 'skip' | 'run-once') =>
      r.store.createSchedule(
        {
          name,
          jobId: job.id,
          cron: `${minute} * * * *`,
          timeZone: 'UTC',
          selector: { names: ['host-0'] },
          params: {},
          options: DEFAULT_RUN_OPTIONS,
          missedPolicy,
          enabled: true,
        },
        'user:default/bob',
        undefined,
        twoHoursAgo,
      );
    const skip = await make('skip', 'skip');
    const once = await make('once', 'run-once');
    await r.runner.tick();
    await r.runner.tick();
    const runs = await r.store.listRuns({});
    for (const run of runs) await r.executor.waitFor(run.id);
    expect(runs.map(x => x.scheduleId)).toEqual([once.id]);
    expect(await r.store.listTicks(skip.id)).toEqual([]);
    expect(await r.store.listTicks(once.id)).toHaveLength(1);
    const done = await r.store.getRun(runs[0].id);
    expect(done!.status).toBe('succeeded');
  });
});
