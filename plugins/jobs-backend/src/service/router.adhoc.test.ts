import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
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

// Ad-hoc commands (#16 item 6): a script typed on a host selection, run by the
// jobs engine without saving a job; it needs opsdeck.jobs.job.manage as well
// as the run permission on every host.
const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const bob = mockCredentials.user.header('user:default/bob');
const dave = mockCredentials.user.header('user:default/dave');

let sshd: SshdHosts;
beforeAll(async () => {
  sshd = await startSshdHosts(2);
});
afterAll(async () => {
  await sshd?.stop();
});

describe.each(databases.eachSupportedId())('ad-hoc commands (%s)', id => {
  async function start() {
    const [p0, p1] = sshd.hosts.map(h => h.port);
    const backend = await startJobsBackend({
      knex: await databases.init(id),
      sshd,
      entities: [
        hostEntity(sshd, 'lab-01', p0),
        hostEntity(sshd, 'lab-02', p1),
        hostEntity(sshd, 'locked', p1, { system: 'vault-zone' }),
      ],
    });
    // dave (a developer) may run saved jobs but not write scripts
    backend.state.decide = (user, permission, ref) =>
      !(
        user === 'user:default/dave' && permission === 'opsdeck.jobs.job.manage'
      ) && defaultDecider(user, permission, ref);
    return backend;
  }

  async function finished(server: any, runId: string) {
    let body: any;
    await eventually(async () => {
      body = (
        await request(server)
          .get(`/api/jobs/runs/${runId}`)
          .set('Authorization', bob)
      ).body;
      return body.run.status !== 'running';
    });
    return body;
  }

  it('runs a typed command on the selected hosts, keeps it with the run and in the audit, re-runs it', async () => {
    const { server, stop, audits } = await start();
    try {
      const script = `set -- $SSH_CONNECTION; echo "adhoc on $4"; [ "$4" != "${sshd.hosts[1].port}" ]`;
      const started = await request(server)
        .post('/api/jobs/runs')
        .set('Authorization', bob)
        .send({
          adhoc: { language: 'sh', script },
          selector: { names: ['lab-01', 'lab-02'] },
        });
      expect(started.status).toBe(201);
      expect(started.body).toMatchObject({
        jobId: 'adhoc',
        jobName: 'ad-hoc',
        jobVersion: 0,
        hostCount: 2,
        triggeredBy: 'user:default/bob',
        adhoc: { language: 'sh', script },
      });
      const done = await finished(server, started.body.id);
      expect(done.run.status).toBe('failed');
      expect(done.run.adhoc).toEqual({ language: 'sh', script });
      const out = await request(server)
        .get(`/api/jobs/runs/${started.body.id}/hosts/lab-01`)
        .set('Authorization', bob);
      expect(out.body.stdout).toBe(`adhoc on ${sshd.hosts[0].port}\n`);
      const audit = audits.find(a => a.eventId === 'job-run');
      expect(audit).toMatchObject({
        status: 'succeeded',
        meta: { adhoc: { language: 'sh', script } },
      });

      // the re-run runs the same command on the failed host only
      const rerun = await request(server)
        .post(`/api/jobs/runs/${started.body.id}/rerun`)
        .set('Authorization', bob)
        .send({});
      expect(rerun.status).toBe(201);
      expect(rerun.body).toMatchObject({
        jobId: 'adhoc',
        hostCount: 1,
        adhoc: { script },
      });
      await finished(server, rerun.body.id);
      const again = await request(server)
        .get(`/api/jobs/runs/${rerun.body.id}/hosts/lab-02`)
        .set('Authorization', bob);
      expect(again.body.stdout).toBe(`adhoc on ${sshd.hosts[1].port}\n`);
      // the ad-hoc runs are in the history under the job name "adhoc"
      const history = await request(server)
        .get('/api/jobs/runs?job=adhoc')
        .set('Authorization', bob);
      expect(history.body.items).toHaveLength(2);
    } finally {
      await stop();
    }
  });

  it('refuses a command to who may not write jobs, on a host the caller may not run on, and a body with both or neither', async () => {
    const { server, stop, audits } = await start();
    try {
      const adhoc = {
        language: 'sh',
        script: 'touch /tmp/opsdeck-adhoc-denied',
      };
      const denied = await request(server)
        .post('/api/jobs/runs')
        .set('Authorization', dave)
        .send({ adhoc, selector: { names: ['lab-01'] } });
      expect(denied.status).toBe(403);
      expect(denied.body.error.message).toBe(
        'You are not allowed to run ad-hoc commands (needs opsdeck.jobs.job.manage)',
      );
      const locked = await request(server)
        .post('/api/jobs/runs')
        .set('Authorization', bob)
        .send({ adhoc, selector: { names: ['lab-01', 'locked'] } });
      expect(locked.status).toBe(403);
      expect(locked.body.error.message).toBe(
        'You are not allowed to run jobs on locked',
      );
      expect(audits.filter(a => a.eventId === 'job-run')).toEqual([
        expect.objectContaining({
          status: 'failed',
          meta: expect.objectContaining({ adhoc }),
        }),
      ]);
      await request(server)
        .post('/api/jobs/jobs')
        .set('Authorization', bob)
        .send({ name: 'noop', language: 'sh', script: 'true' })
        .expect(201);
      const both = await request(server)
        .post('/api/jobs/runs')
        .set('Authorization', bob)
        .send({ job: 'noop', adhoc, selector: { names: ['lab-01'] } });
      expect(both.status).toBe(400);
      const neither = await request(server)
        .post('/api/jobs/runs')
        .set('Authorization', bob)
        .send({ selector: { names: ['lab-01'] } });
      expect(neither.status).toBe(400);
      const unknownLanguage = await request(server)
        .post('/api/jobs/runs')
        .set('Authorization', bob)
        .send({
          adhoc: { language: 'perl', script: 'print 1' },
          selector: { names: ['lab-01'] },
        });
      expect(unknownLanguage.status).toBe(400);
      // dave still runs saved jobs
      const saved = await request(server)
        .post('/api/jobs/runs')
        .set('Authorization', dave)
        .send({ job: 'noop', selector: { names: ['lab-01'] } });
      expect(saved.status).toBe(201);
      // and may not re-run someone's ad-hoc run either
      const bobs = await request(server)
        .post('/api/jobs/runs')
        .set('Authorization', bob)
        .send({
          adhoc: { language: 'sh', script: 'false' },
          selector: { names: ['lab-01'] },
        });
      expect(bobs.status).toBe(201);
      await finished(server, bobs.body.id);
      const rerun = await request(server)
        .post(`/api/jobs/runs/${bobs.body.id}/rerun`)
        .set('Authorization', dave)
        .send({});
      expect(rerun.status).toBe(403);
    } finally {
      await stop();
    }
  });
});
