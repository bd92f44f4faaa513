import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import {
  eventually,
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/src/__testUtils__/sshdHosts';
// vaultServiceRef is the vault's server-side service API, meant for other backend plugins.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import { vaultServiceRef } from '@opsdeck/plugin-vault-backend';
import request from 'supertest';
import { testSecrets } from '../__testUtils__/jobsTestKit';
import { jobsPlugin } from '../plugin';

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

function hostEntity(name: string, port: number, extra: object = {}): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name, namespace: 'default', tags: ['app'] },
    spec: {
      type: 'host',
      address: '127.0.0.1',
      port,
      loginUser: sshd.user,
      credential: 'test-ssh',
      environment: 'test',
      owner: 'ops',
      system: 'lab',
      ...extra,
    },
  };
}

async function startBackend() {
  const authorize = jest.fn(
    async (requests: { resourceRef?: string }[]): Promise<PolicyDecision[]> =>
      requests.map(r => ({
        result:
          r.resourceRef === 'resource:default/locked'
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
      })),
  );
  const send = jest.fn(async () => {});
  const audits: { eventId: string; status: string }[] = [];
  const auditor = mockServices.auditor.mock({
    createEvent: jest.fn(async opts => {
      const record = { eventId: opts.eventId, status: 'initiated' };
      audits.push(record);
      return {
        success: async () => {
          record.status = 'succeeded';
        },
        fail: async () => {
          record.status = 'failed';
        },
      };
    }) as any,
  });
  const [p0, p1] = sshd.hosts.map(h => h.port);
  const backend = await startTestBackend({
    features: [
      jobsPlugin,
      mockServices.database.factory({
        knex: await databases.init('SQLITE_3'),
      }),
      mockServices.permissions.mock({ authorize: authorize as any }).factory,
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          opsdeck: { jobs: { scheduleIntervalSeconds: 3600 } },
        },
      }),
      auditor.factory,
      catalogServiceMock.factory({
        entities: [
          hostEntity('lab-01', p0),
          hostEntity('lab-02', p1),
          hostEntity('locked', p1, { system: 'vault-zone' }),
          hostEntity('no-address', p1, { address: undefined, system: 'x' }),
        ],
      }),
      createServiceFactory({
        service: vaultServiceRef,
        deps: {},
        factory: () => ({ getSecret: testSecrets(sshd) }),
      }),
      createServiceFactory({
        service: notificationService,
        deps: {},
        factory: () => ({ send }),
      }),
    ],
  });
  return { server: backend.server, stop: () => backend.stop(), send, audits };
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
      expect(audits.at(-1)).toEqual({ eventId: 'job-run', status: 'failed' });
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
