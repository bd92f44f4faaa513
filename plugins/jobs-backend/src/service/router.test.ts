import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import {
  eventually,
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import request from 'supertest';
import { createHmac } from 'node:crypto';
import {
  applyOutput,
  readEventStream,
  startReceiver,
  TEST_SECRET,
} from '../__testUtils__/jobsTestKit';
import { hostEntity, startJobsBackend } from '../__testUtils__/jobsBackend';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const bob = mockCredentials.user.header('user:default/bob');

let sshd: SshdHosts;
beforeAll(async () => {
  sshd = await startSshdHosts(2);
});
afterAll(async () => {
  await sshd?.stop();
});

/** The catalog's host entities; a test may add hosts while the backend runs. */
let entities: Entity[] = [];

async function startBackend(jobsConfig: object = {}) {
  const [p0, p1] = sshd.hosts.map(h => h.port);
  entities = [
    hostEntity(sshd, 'lab-01', p0),
    hostEntity(sshd, 'lab-02', p1),
    hostEntity(sshd, 'locked', p1, { system: 'vault-zone' }),
    hostEntity(sshd, 'no-address', p1, { address: undefined, system: 'x' }),
  ];
  return startJobsBackend({
    knex: await databases.init('SQLITE_3'),
    sshd,
    entities,
    jobsConfig,
  });
}

describe('jobs router', () => {
  it('saves versions, runs on resolved hosts, re-runs failed hosts and notifies', async () => {
    const { server, stop, send, audits } = await startBackend();
    try {
      const created = await request(server)
        .post('/api/jobs/jobs')
        .set('Authorization', bob)
        .send({
          name: 'check',
          language: 'sh',
          script: 'echo v1',
          parameters: [{ name: 'FAIL_PORT', type: 'number', required: true }],
        });
      expect(created.status).toBe(201);
      const updated = await request(server)
        .put('/api/jobs/jobs/check')
        .set('Authorization', bob)
        .send({
          script:
            'set -- $SSH_CONNECTION; echo "v2 $4"; [ "$4" != "$OPSDECK_PARAM_FAIL_PORT" ]',
        });
      expect(updated.body.version).toBe(2);
      const versions = await request(server)
        .get('/api/jobs/jobs/check/versions')
        .set('Authorization', bob);
      expect(versions.body.items.map((v: any) => v.version)).toEqual([2, 1]);

      const preview = await request(server)
        .post('/api/jobs/hosts/preview')
        .set('Authorization', bob)
        .send({ selector: { system: 'lab', tags: ['app'] } });
      expect(preview.body.items.map((h: any) => h.name)).toEqual([
        'lab-01',
        'lab-02',
      ]);

      const failPort = String(sshd.hosts[1].port);
      const started = await request(server)
        .post('/api/jobs/runs')
        .set('Authorization', bob)
        .send({
          job: 'check',
          selector: { system: 'lab' },
          params: { FAIL_PORT: failPort },
        });
      expect(started.status).toBe(201);
      expect(started.body).toMatchObject({
        jobVersion: 2,
        triggeredBy: 'user:default/bob',
        hostCount: 2,
      });
      const id = started.body.id;
      let run: any;
      await eventually(async () => {
        run = (
          await request(server)
            .get(`/api/jobs/runs/${id}`)
            .set('Authorization', bob)
        ).body;
        return run.run.status !== 'running';
      });
      expect(run.run.status).toBe('failed');
      expect(run.hosts.map((h: any) => [h.host, h.status])).toEqual([
        ['lab-01', 'succeeded'],
        ['lab-02', 'failed'],
      ]);
      const out = await request(server)
        .get(`/api/jobs/runs/${id}/hosts/lab-01`)
        .set('Authorization', bob);
      expect(out.body.stdout).toBe(`v2 ${sshd.hosts[0].port}\n`);
      // each host printed its own port: two groups of one, the success first
      const grouped = await request(server)
        .get(`/api/jobs/runs/${id}/groups`)
        .set('Authorization', bob);
      expect(grouped.status).toBe(200);
      expect(grouped.body.hosts).toBe(2);
      expect(
        grouped.body.groups.map((g: any) => [g.hosts, g.status, g.stdout]),
      ).toEqual([
        [['lab-01'], 'succeeded', `v2 ${sshd.hosts[0].port}\n`],
        [['lab-02'], 'failed', `v2 ${sshd.hosts[1].port}\n`],
      ]);
      await eventually(() => send.mock.calls.length === 1);
      expect(send).toHaveBeenCalledWith(
        expect.objectContaining({
          recipients: { type: 'entity', entityRef: 'user:default/bob' },
          payload: expect.objectContaining({
            title: 'Job check failed',
            link: `http://localhost:3000/jobs/runs/${id}`,
          }),
        }),
      );

      const rerun = await request(server)
        .post(`/api/jobs/runs/${id}/rerun`)
        .set('Authorization', bob)
        .send({});
      expect(rerun.status).toBe(201);
      expect(rerun.body).toMatchObject({
        trigger: 'rerun',
        rerunOf: id,
        hostCount: 1,
        selector: { names: ['lab-02'] },
      });

      const history = await request(server)
        .get('/api/jobs/runs?job=check&triggeredBy=bob')
        .set('Authorization', bob);
      expect(history.body.items).toHaveLength(2);
      expect(audits.map(a => `${a.eventId}:${a.status}`)).toEqual([
        'job-create:succeeded',
        'job-update:succeeded',
        'job-run:succeeded',
        'job-rerun:succeeded',
      ]);
    } finally {
      await stop();
    }
  });

  it('checks the run permission per host and validates requests', async () => {
    const { server, stop, audits } = await startBackend();
    try {
      await request(server)
        .post('/api/jobs/jobs')
        .set('Authorization', bob)
        .send({ name: 'noop', language: 'sh', script: 'true' })
        .expect(201);
      const denied = await request(server)
        .post('/api/jobs/runs')
        .set('Authorization', bob)
        .send({ job: 'noop', selector: { names: ['lab-01', 'locked'] } });
      expect(denied.status).toBe(403);
      expect(denied.body.error.message).toBe(
        'You are not allowed to run jobs on locked',
      );
      expect(audits.filter(a => a.eventId === 'job-run').at(-1)).toMatchObject({
        eventId: 'job-run',
        status: 'failed',
      });
      const runs = await request(server)
        .get('/api/jobs/runs')
        .set('Authorization', bob);
      expect(runs.body.items).toEqual([]);

      const noCriteria = await request(server)
        .post('/api/jobs/runs')
        .set('Authorization', bob)
        .send({ job: 'noop', selector: {} });
      expect(noCriteria.status).toBe(400);
      const unknownField = await request(server)
        .post('/api/jobs/runs')
        .set('Authorization', bob)
        .send({ job: 'noop', selector: { hostname: 'x' } });
      expect(unknownField.status).toBe(400);
      const badCron = await request(server)
        .post('/api/jobs/schedules')
        .set('Authorization', bob)
        .send({
          name: 'bad',
          job: 'noop',
          cron: 'every day',
          selector: { system: 'lab' },
        });
      expect(badCron.status).toBe(400);
      const schedule = await request(server)
        .post('/api/jobs/schedules')
        .set('Authorization', bob)
        .send({
          name: 'nightly',
          job: 'noop',
          cron: '0 3 * * *',
          timeZone: 'Asia/Shanghai',
          selector: { system: 'lab' },
          missedPolicy: 'run-once',
        });
      expect(schedule.status).toBe(201);
      expect(schedule.body.nextTickAt).toMatch(/T19:00:00.000Z$/);
      await request(server)
        .get('/api/jobs/jobs')
        .set('Authorization', mockCredentials.none.header())
        .expect(401);
    } finally {
      await stop();
    }
  });
});

describe('jobs router: webhooks, live stream, schedule approval', () => {
  it('POSTs a signed webhook when a run fails and shows the delivery on the run', async () => {
    const { server, stop } = await startBackend({ webhookRetries: 0 });
    const receiver = await startReceiver();
    try {
      const bad = await request(server)
        .post('/api/jobs/jobs')
        .set('Authorization', bob)
        .send({
          name: 'hooked',
          language: 'sh',
          script: 'exit 4',
          webhook: { url: 'file:///etc/passwd', triggers: ['failure'] },
        });
      expect(bad.status).toBe(400);
      await request(server)
        .post('/api/jobs/jobs')
        .set('Authorization', bob)
        .send({
          name: 'hooked',
          language: 'sh',
          script: 'exit 4',
          webhook: {
            url: receiver.url,
            triggers: ['failure'],
            secretCredential: 'api-token',
          },
        })
        .expect(201);
      const started = await request(server)
        .post('/api/jobs/runs')
        .set('Authorization', bob)
        .send({ job: 'hooked', selector: { names: ['lab-01'] } });
      const id = started.body.id;
      let run: any;
      await eventually(async () => {
        run = (
          await request(server)
            .get(`/api/jobs/runs/${id}`)
            .set('Authorization', bob)
        ).body.run;
        return Boolean(run.webhookDelivery);
      });
      expect(run.status).toBe('failed');
      expect(run.webhookDelivery).toMatchObject({
        url: receiver.url,
        status: 'delivered',
        attempts: 1,
        responseStatus: 200,
      });
      expect(receiver.received).toHaveLength(1);
      const [hit] = receiver.received;
      expect(JSON.parse(hit.body)).toEqual({
        event: 'job.run.finished',
        webhookTrigger: 'failure',
        runId: id,
        job: { id: run.jobId, name: 'hooked', version: 1 },
        status: 'failed',
        trigger: 'manual',
        triggeredBy: 'user:default/bob',
        hostCount: 1,
        summary: { failed: 1 },
        createdAt: run.createdAt,
        finishedAt: run.finishedAt,
        url: `http://localhost:3000/jobs/runs/${id}`,
      });
      expect(hit.headers['x-opsdeck-signature']).toBe(
        `sha256=${createHmac('sha256', TEST_SECRET)
          .update(hit.body)
          .digest('hex')}`,
      );
    } finally {
      await receiver.close();
      await stop();
    }
  });

  it('records a failed delivery without failing the run when the receiver is down', async () => {
    const { server, stop } = await startBackend({ webhookRetries: 1 });
    const receiver = await startReceiver();
    await receiver.close();
    try {
      await request(server)
        .post('/api/jobs/jobs')
        .set('Authorization', bob)
        .send({
          name: 'hooked-down',
          language: 'sh',
          script: 'echo fine',
          webhook: {
            url: receiver.url,
            triggers: ['success', 'failure', 'cancel'],
          },
        })
        .expect(201);
      const started = await request(server)
        .post('/api/jobs/runs')
        .set('Authorization', bob)
        .send({ job: 'hooked-down', selector: { names: ['lab-01'] } });
      let run: any;
      await eventually(async () => {
        run = (
          await request(server)
            .get(`/api/jobs/runs/${started.body.id}`)
            .set('Authorization', bob)
        ).body.run;
        return Boolean(run.webhookDelivery);
      });
      expect(run.status).toBe('succeeded');
      expect(run.webhookDelivery).toMatchObject({
        status: 'failed',
        attempts: 2,
        error: 'ECONNREFUSED',
      });
    } finally {
      await stop();
    }
  });

  it('POSTs the webhook for a cancelled run only when "on cancel" is ticked', async () => {
    const { server, stop } = await startBackend({ webhookRetries: 0 });
    const receiver = await startReceiver();
    const createJob = (name: string, webhook: object) =>
      request(server)
        .post('/api/jobs/jobs')
        .set('Authorization', bob)
        .send({ name, language: 'sh', script: 'echo up; sleep 60', webhook });
    const getRun = async (id: string) =>
      (
        await request(server)
          .get(`/api/jobs/runs/${id}`)
          .set('Authorization', bob)
      ).body.run;
    /** Starts a run of the job, cancels it once it prints and waits for the end. */
    const cancelRun = async (job: string) => {
      const started = await request(server)
        .post('/api/jobs/runs')
        .set('Authorization', bob)
        .send({ job, selector: { names: ['lab-01'] } })
        .expect(201);
      const id = started.body.id;
      await eventually(async () => {
        const host = await request(server)
          .get(`/api/jobs/runs/${id}/hosts/lab-01`)
          .set('Authorization', bob);
        return host.body.stdout === 'up\n';
      });
      await request(server)
        .post(`/api/jobs/runs/${id}/cancel`)
        .set('Authorization', bob)
        .expect(202);
      await eventually(async () => (await getRun(id)).status === 'cancelled');
      return id;
    };
    try {
      // the spec refuses a webhook without triggers, unknown or repeated ones
      // and the former single `when`
      for (const webhook of [
        { url: receiver.url, triggers: [] },
        { url: receiver.url, triggers: ['sometimes'] },
        { url: receiver.url, triggers: ['cancel', 'cancel'] },
        { url: receiver.url, when: 'always' },
      ]) {
        expect((await createJob('hook-bad', webhook)).status).toBe(400);
      }
      const ticked = await createJob('hook-cancel', {
        url: receiver.url,
        triggers: ['cancel'],
      });
      expect(ticked.status).toBe(201);
      expect(ticked.body.webhook).toEqual({
        url: receiver.url,
        triggers: ['cancel'],
      });
      await createJob('hook-no-cancel', {
        url: receiver.url,
        triggers: ['success', 'failure'],
      }).expect(201);

      const sent = await cancelRun('hook-cancel');
      await eventually(async () =>
        Boolean((await getRun(sent)).webhookDelivery),
      );
      expect((await getRun(sent)).webhookDelivery).toMatchObject({
        status: 'delivered',
        trigger: 'cancel',
        responseStatus: 200,
      });
      expect(receiver.received).toHaveLength(1);
      expect(JSON.parse(receiver.received[0].body)).toMatchObject({
        runId: sent,
        status: 'cancelled',
        webhookTrigger: 'cancel',
      });

      const silent = await cancelRun('hook-no-cancel');
      // the same job's next (failing) run is POSTed: once that arrived, the
      // cancelled run's decision, taken when it ended, is long over
      await request(server)
        .put('/api/jobs/jobs/hook-no-cancel')
        .set('Authorization', bob)
        .send({ script: 'exit 2' })
        .expect(200);
      const failed = await request(server)
        .post('/api/jobs/runs')
        .set('Authorization', bob)
        .send({ job: 'hook-no-cancel', selector: { names: ['lab-01'] } })
        .expect(201);
      await eventually(async () =>
        Boolean((await getRun(failed.body.id)).webhookDelivery),
      );
      expect(receiver.received.map(r => JSON.parse(r.body))).toEqual([
        expect.objectContaining({ runId: sent, webhookTrigger: 'cancel' }),
        expect.objectContaining({
          runId: failed.body.id,
          webhookTrigger: 'failure',
        }),
      ]);
      expect((await getRun(silent)).webhookDelivery).toBeUndefined();
    } finally {
      await receiver.close();
      await stop();
    }
  });

  it('streams output chunks over SSE while the run is still running', async () => {
    const { server, url, stop } = await startBackend();
    try {
      await request(server)
        .post('/api/jobs/jobs')
        .set('Authorization', bob)
        .send({
          name: 'slow',
          language: 'sh',
          script: 'echo before; sleep 3; echo after',
        })
        .expect(201);
      const started = await request(server)
        .post('/api/jobs/runs')
        .set('Authorization', bob)
        .send({ job: 'slow', selector: { system: 'lab' } });
      const id = started.body.id;
      await request(server)
        .get(`/api/jobs/runs/${id}/events`)
        .set('Authorization', mockCredentials.none.header())
        .expect(401);

      const texts = new Map<string, string>();
      const statusAtBefore = new Map<string, string>();
      const events = await readEventStream(
        `${url}/api/jobs/runs/${id}/events`,
        { Authorization: bob },
        async e => {
          applyOutput(texts, e);
          for (const host of ['lab-01', 'lab-02']) {
            if (
              !statusAtBefore.has(host) &&
              texts.get(`${host}/stdout`) === 'before\n'
            ) {
              const now = await request(server)
                .get(`/api/jobs/runs/${id}`)
                .set('Authorization', bob);
              statusAtBefore.set(host, now.body.run.status);
            }
          }
        },
      );
      // each host's first line arrived while the run was running
      expect(Object.fromEntries(statusAtBefore)).toEqual({
        'lab-01': 'running',
        'lab-02': 'running',
      });
      expect(texts.get('lab-01/stdout')).toBe('before\nafter\n');
      expect(texts.get('lab-02/stdout')).toBe('before\nafter\n');
      expect(events.at(-1)!.event).toBe('end');
      expect(events.filter(e => e.event === 'run').at(-1)!.data).toMatchObject({
        status: 'succeeded',
        summary: { succeeded: 2 },
      });

      // a finished run: its state and output at once, then the end
      const again = await readEventStream(
        `${url}/api/jobs/runs/${id}/events?host=lab-02`,
        { Authorization: bob },
      );
      expect(again.map(e => e.event)).toEqual([
        'host',
        'host',
        'output',
        'run',
        'end',
      ]);
      expect(again[2].data).toEqual({
        host: 'lab-02',
        stream: 'stdout',
        offset: 0,
        text: 'before\nafter\n',
      });
    } finally {
      await stop();
    }
  });
});
