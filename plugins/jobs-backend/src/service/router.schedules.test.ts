/*
 * Schedules through the HTTP API of a test backend (real sshd hosts): the
 * approved host set, and the owner's rights re-checked at every tick.
 */
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import {
  eventually,
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import request from 'supertest';
import {
  defaultDecider,
  hostEntity,
  startJobsBackend,
} from '../__testUtils__/jobsBackend';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const bob = mockCredentials.user.header('user:default/bob');
const alice = mockCredentials.user.header('user:default/alice');

let sshd: SshdHosts;
beforeAll(async () => {
  sshd = await startSshdHosts(2);
});
afterAll(async () => {
  await sshd?.stop();
});

/** The catalog's host entities; a test may change them while the backend runs. */
let entities: Entity[] = [];

async function startBackend() {
  const [p0, p1] = sshd.hosts.map(h => h.port);
  entities = [
    hostEntity(sshd, 'lab-01', p0),
    hostEntity(sshd, 'lab-02', p1),
    hostEntity(sshd, 'locked', p1, { system: 'vault-zone' }),
  ];
  return startJobsBackend({
    knex: await databases.init('SQLITE_3'),
    sshd,
    entities,
    jobsConfig: { scheduleIntervalSeconds: 0.5 },
  });
}

/** Creates job `tick` and an every-second schedule on system lab as bob. */
async function everySecond(server: any) {
  await request(server)
    .post('/api/jobs/jobs')
    .set('Authorization', bob)
    .send({ name: 'tick', language: 'sh', script: 'echo tick' })
    .expect(201);
  const created = await request(server)
    .post('/api/jobs/schedules')
    .set('Authorization', bob)
    .send({
      name: 'every-second',
      job: 'tick',
      cron: '* * * * * *',
      selector: { system: 'lab' },
    });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

async function runsOf(server: any, scheduleId: string): Promise<any[]> {
  // as alice: a test may take bob's rights away
  const res = await request(server)
    .get('/api/jobs/runs?limit=200')
    .set('Authorization', alice);
  return res.body.items.filter((r: any) => r.scheduleId === scheduleId);
}

describe('jobs router: schedules', () => {
  it('runs a schedule only on hosts approved at its last edit and skips hosts added later', async () => {
    const { server, stop, audits } = await startBackend();
    try {
      await request(server)
        .post('/api/jobs/jobs')
        .set('Authorization', bob)
        .send({ name: 'tick', language: 'sh', script: 'echo tick' })
        .expect(201);
      // the editor must be allowed on every host the selector resolves to
      const refused = await request(server)
        .post('/api/jobs/schedules')
        .set('Authorization', bob)
        .send({
          name: 'refused',
          job: 'tick',
          cron: '* * * * * *',
          selector: { system: 'vault-zone' },
        });
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toBe(
        'You are not allowed to run jobs on locked',
      );
      const created = await request(server)
        .post('/api/jobs/schedules')
        .set('Authorization', bob)
        .send({
          name: 'every-second',
          job: 'tick',
          cron: '* * * * * *',
          selector: { system: 'lab' },
        });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        approvedHosts: ['resource:default/lab-01', 'resource:default/lab-02'],
        approvedBy: 'user:default/bob',
      });
      const scheduleId = created.body.id;

      // a host joins the system after the schedule was approved
      entities.push(hostEntity(sshd, 'lab-03', sshd.hosts[0].port));
      let runId = '';
      await eventually(async () => {
        const runs = await request(server)
          .get('/api/jobs/runs?host=lab-03')
          .set('Authorization', bob);
        const run = runs.body.items.find(
          (r: any) => r.scheduleId === scheduleId && r.status !== 'running',
        );
        runId = run?.id ?? '';
        return Boolean(run);
      });
      const detail = await request(server)
        .get(`/api/jobs/runs/${runId}`)
        .set('Authorization', bob);
      expect(detail.body.run).toMatchObject({
        trigger: 'schedule',
        triggeredBy: 'user:default/bob',
        status: 'failed',
        summary: { succeeded: 2, skipped: 1 },
      });
      expect(
        detail.body.hosts.map((h: any) => [h.host, h.status, h.error]),
      ).toEqual([
        ['lab-01', 'succeeded', undefined],
        ['lab-02', 'succeeded', undefined],
        [
          'lab-03',
          'skipped',
          'not approved for this schedule; edit the schedule to approve',
        ],
      ]);
      const skippedAudit = audits.find(
        a => a.eventId === 'job-schedule-hosts-skipped',
      );
      expect(skippedAudit).toMatchObject({
        status: 'failed',
        meta: { scheduleId, hosts: ['resource:default/lab-03'] },
      });
      // the scheduled run itself is on the log, as its owner via the schedule
      expect(
        audits.find(
          a => a.eventId === 'job-run' && a.meta?.scheduleId === scheduleId,
        ),
      ).toMatchObject({
        status: 'succeeded',
        meta: {
          actor: 'user:default/bob',
          via: `schedule:${scheduleId}`,
          target: expect.stringMatching(/^job:/),
        },
      });

      // editing the schedule approves the new host for the editor
      const edited = await request(server)
        .patch(`/api/jobs/schedules/${scheduleId}`)
        .set('Authorization', bob)
        .send({ missedPolicy: 'skip' });
      expect(edited.body.approvedHosts).toEqual([
        'resource:default/lab-01',
        'resource:default/lab-02',
        'resource:default/lab-03',
      ]);
      // switching it off needs no approval and changes none
      const off = await request(server)
        .patch(`/api/jobs/schedules/${scheduleId}`)
        .set('Authorization', bob)
        .send({ enabled: false });
      expect(off.body).toMatchObject({
        enabled: false,
        approvedHosts: edited.body.approvedHosts,
      });
    } finally {
      await stop();
    }
  });

  it('pauses a schedule at the first tick after its owner lost the right, with a notification and an audit event', async () => {
    const { server, stop, audits, send, state } = await startBackend();
    try {
      const scheduleId = await everySecond(server);
      await eventually(
        async () => (await runsOf(server, scheduleId)).length > 0,
      );

      // bob leaves the ops group: the policy no longer lets him run anything
      state.decide = (user, permission, ref) =>
        user !== 'user:default/bob' && defaultDecider(user, permission, ref);
      let paused: any;
      await eventually(async () => {
        paused = (
          await request(server)
            .get('/api/jobs/schedules')
            .set('Authorization', alice)
        ).body.items.find((s: any) => s.id === scheduleId);
        return paused.enabled === false;
      });
      expect(paused.pausedReason).toBe(
        'user:default/bob may no longer run jobs on lab-01, lab-02',
      );
      expect(paused.pausedAt).toBeDefined();
      // no run was started after the pause
      const runs = await runsOf(server, scheduleId);
      expect(
        runs.filter(r => Date.parse(r.createdAt) > Date.parse(paused.pausedAt)),
      ).toEqual([]);
      await new Promise(r => setTimeout(r, 1500));
      expect(await runsOf(server, scheduleId)).toHaveLength(runs.length);
      // reported once, to the owner, and audited
      const events = audits.filter(a => a.eventId === 'job-schedule-paused');
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        status: 'succeeded',
        meta: { scheduleId, owner: 'user:default/bob' },
      });
      const notes = send.mock.calls.filter((c: any[]) =>
        c[0].payload.title.includes('paused'),
      );
      expect(notes).toHaveLength(1);
      expect(notes[0][0]).toMatchObject({
        recipients: { type: 'entity', entityRef: ['user:default/bob'] },
        payload: { title: 'Schedule every-second paused', severity: 'high' },
      });

      // bob cannot switch it back on; alice, allowed on its hosts, can
      const bobOn = await request(server)
        .patch(`/api/jobs/schedules/${scheduleId}`)
        .set('Authorization', bob)
        .send({ enabled: true });
      expect(bobOn.status).toBe(403);
      const aliceOn = await request(server)
        .patch(`/api/jobs/schedules/${scheduleId}`)
        .set('Authorization', alice)
        .send({ enabled: true });
      expect(aliceOn.status).toBe(200);
      expect(aliceOn.body).toMatchObject({
        enabled: true,
        approvedBy: 'user:default/alice',
      });
      expect(aliceOn.body.pausedReason).toBeUndefined();
      await eventually(async () =>
        (
          await runsOf(server, scheduleId)
        ).some(r => r.triggeredBy === 'user:default/alice'),
      );
    } finally {
      await stop();
    }
  });

  it('pauses a schedule whose host became a production host its owner may not run on', async () => {
    const { server, stop, audits } = await startBackend();
    try {
      const scheduleId = await everySecond(server);
      await eventually(
        async () => (await runsOf(server, scheduleId)).length > 0,
      );
      // lab-02 is moved to prod: bob (ops) has no opsdeck.jobs.run.prod
      entities[1] = hostEntity(sshd, 'lab-02', sshd.hosts[1].port, {
        environment: 'prod',
      });
      await eventually(async () =>
        audits.some(a => a.eventId === 'job-schedule-paused'),
      );
      const schedule = (
        await request(server)
          .get('/api/jobs/schedules')
          .set('Authorization', bob)
      ).body.items.find((s: any) => s.id === scheduleId);
      expect(schedule).toMatchObject({
        enabled: false,
        pausedReason:
          'user:default/bob may no longer run jobs on lab-02 (production hosts need opsdeck.jobs.run.prod)',
      });
    } finally {
      await stop();
    }
  });
});
