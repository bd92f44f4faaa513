/*
 * Who may run where and where webhooks may go, through the HTTP API of a
 * test backend with real sshd hosts: production hosts need their own
 * permission; webhook URLs must be on the admin allow-list and may not reach
 * private addresses unless allowed (checked when saved).
 */
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import {
  eventually,
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import request from 'supertest';
import { hostEntity, startJobsBackend } from '../__testUtils__/jobsBackend';

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

async function startBackend(jobsConfig: object = {}) {
  const [p0, p1] = sshd.hosts.map(h => h.port);
  return startJobsBackend({
    knex: await databases.init('SQLITE_3'),
    sshd,
    entities: [
      hostEntity(sshd, 'test-01', p0, { system: 'shop' }),
      hostEntity(sshd, 'prod-01', p1, {
        system: 'shop',
        environment: 'prod',
      }),
    ],
    jobsConfig,
  });
}

const PROD_REFUSAL =
  'You are not allowed to run jobs on prod-01 (production hosts need opsdeck.jobs.run.prod)';

describe('jobs router: production hosts', () => {
  it('refuses runs, re-runs, cancels and schedules on prod hosts without opsdeck.jobs.run.prod', async () => {
    const { server, stop, audits } = await startBackend();
    try {
      await request(server)
        .post('/api/jobs/jobs')
        .set('Authorization', bob)
        .send({ name: 'hello', language: 'sh', script: 'echo hello' })
        .expect(201);
      // bob (ops) may run on the test host, not on the prod one
      const refused = await request(server)
        .post('/api/jobs/runs')
        .set('Authorization', bob)
        .send({ job: 'hello', selector: { system: 'shop' } });
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toBe(PROD_REFUSAL);
      expect(
        audits.find(a => a.eventId === 'job-run' && a.status === 'failed'),
      ).toBeDefined();
      const testOnly = await request(server)
        .post('/api/jobs/runs')
        .set('Authorization', bob)
        .send({ job: 'hello', selector: { names: ['test-01'] } });
      expect(testOnly.status).toBe(201);
      const schedule = await request(server)
        .post('/api/jobs/schedules')
        .set('Authorization', bob)
        .send({
          name: 'nightly',
          job: 'hello',
          cron: '0 3 * * *',
          selector: { environment: 'prod' },
        });
      expect(schedule.status).toBe(403);
      expect(schedule.body.error.message).toBe(PROD_REFUSAL);

      // alice holds it: her run on both hosts succeeds
      const run = await request(server)
        .post('/api/jobs/runs')
        .set('Authorization', alice)
        .send({ job: 'hello', selector: { system: 'shop' } });
      expect(run.status).toBe(201);
      await eventually(
        async () =>
          (
            await request(server)
              .get(`/api/jobs/runs/${run.body.id}`)
              .set('Authorization', alice)
          ).body.run.status === 'succeeded',
      );
      // bob may neither re-run nor cancel what ran on prod
      const rerun = await request(server)
        .post(`/api/jobs/runs/${run.body.id}/rerun`)
        .set('Authorization', bob)
        .send({ failedOnly: false });
      expect(rerun.status).toBe(403);
      expect(rerun.body.error.message).toBe(PROD_REFUSAL);
      const cancel = await request(server)
        .post(`/api/jobs/runs/${run.body.id}/cancel`)
        .set('Authorization', bob);
      expect(cancel.status).toBe(403);
    } finally {
      await stop();
    }
  });

  it('treats the configured environments as production', async () => {
    const { server, stop } = await startBackend({
      prodEnvironments: ['prod', 'test'],
    });
    try {
      await request(server)
        .post('/api/jobs/jobs')
        .set('Authorization', bob)
        .send({ name: 'hello', language: 'sh', script: 'echo hello' })
        .expect(201);
      const refused = await request(server)
        .post('/api/jobs/runs')
        .set('Authorization', bob)
        .send({ job: 'hello', selector: { names: ['test-01'] } });
      expect(refused.status).toBe(403);
    } finally {
      await stop();
    }
  });
});

describe('jobs router: webhook allow-list when a job is saved', () => {
  it.each([
    [
      'a URL not on the allow-list',
      'https://hooks.example.com/x',
      /not on the allow-list/,
    ],
    [
      'the cloud metadata address',
      'http://169.254.169.254/latest/meta-data/',
      /not on the allow-list/,
    ],
    [
      'a loopback name behind an allowed pattern',
      'http://localhost:8080/hooks',
      /private, loopback or link-local/,
    ],
    [
      'a private address behind an allowed pattern',
      'http://10.1.2.3/hooks',
      /private, loopback or link-local/,
    ],
    [
      'an IPv6 loopback behind an allowed pattern',
      'http://[::1]:8080/hooks',
      /private, loopback or link-local/,
    ],
    [
      'another path on an allowed host',
      'http://localhost:8080/admin',
      /not on the allow-list/,
    ],
  ])('refuses %s with 400', async (_, url, message) => {
    const { server, stop } = await startBackend({
      webhookAllowList: [
        'http://localhost:*/hooks',
        'http://10.1.2.3/hooks',
        'http://[::1]:*/hooks',
      ],
    });
    try {
      const res = await request(server)
        .post('/api/jobs/jobs')
        .set('Authorization', bob)
        .send({
          name: 'hooked',
          language: 'sh',
          script: 'true',
          webhook: { url, triggers: ['failure'] },
        });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
      // and a change to an existing job is checked the same way
      await request(server)
        .post('/api/jobs/jobs')
        .set('Authorization', bob)
        .send({ name: 'plain', language: 'sh', script: 'true' })
        .expect(201);
      const changed = await request(server)
        .put('/api/jobs/jobs/plain')
        .set('Authorization', bob)
        .send({ webhook: { url, triggers: ['failure'] } });
      expect(changed.status).toBe(400);
    } finally {
      await stop();
    }
  });

  it('saves a webhook on the allow-list, also on loopback when its entry allows private addresses', async () => {
    const { server, stop } = await startBackend({
      webhookAllowList: [
        { url: 'http://localhost:*/hooks', allowPrivate: true },
      ],
    });
    try {
      const res = await request(server)
        .post('/api/jobs/jobs')
        .set('Authorization', bob)
        .send({
          name: 'hooked',
          language: 'sh',
          script: 'true',
          webhook: {
            url: 'http://localhost:9/hooks/jobs',
            triggers: ['failure'],
          },
        });
      expect(res.status).toBe(201);
    } finally {
      await stop();
    }
  });
});
