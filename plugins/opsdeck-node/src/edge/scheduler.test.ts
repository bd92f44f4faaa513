/*
 * Backstage's per-plugin scheduler API let any signed-in user list, trigger and cancel every
 * task of every plugin (found while speeding up a crash test with it). Behind
 * opsdeckSchedulerServiceFactory only admins (opsdeck.scheduler.manage) and other backends
 * reach it; the refusal comes before the scheduler runs anything.
 */
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { opsdeckSchedulerServiceFactory } from './scheduler';

jest.setTimeout(60_000);

const ADMIN = 'user:default/alice';

async function start() {
  const runs: string[] = [];
  const plugin = createBackendPlugin({
    pluginId: 'chores',
    register(env) {
      env.registerInit({
        deps: { scheduler: coreServices.scheduler },
        async init({ scheduler }) {
          await scheduler.scheduleTask({
            id: 'send-everything',
            // next due on 1 January: it runs before then only when triggered
            frequency: { cron: '0 0 1 1 *' },
            timeout: { minutes: 1 },
            fn: async () => {
              runs.push('ran');
            },
          });
        },
      });
    },
  });
  const { server } = await startTestBackend({
    features: [
      plugin,
      opsdeckSchedulerServiceFactory,
      mockServices.permissions.mock({
        authorize: async (requests, options) =>
          requests.map(() => ({
            result:
              (options?.credentials.principal as { userEntityRef?: string })
                ?.userEntityRef === ADMIN
                ? AuthorizeResult.ALLOW
                : AuthorizeResult.DENY,
          })),
      }).factory,
    ],
  });
  return { server, runs };
}

const tasks = '/api/chores/.backstage/scheduler/v1/tasks';

describe('opsdeckSchedulerServiceFactory', () => {
  it('refuses the scheduler API to a user without opsdeck.scheduler.manage, before any task runs', async () => {
    const { server, runs } = await start();
    const erin = mockCredentials.user.header('user:default/erin');
    const list = await request(server).get(tasks).set('Authorization', erin);
    expect(list.status).toBe(403);
    expect(JSON.stringify(list.body)).not.toContain('send-everything');
    for (const action of ['trigger', 'cancel']) {
      const res = await request(server)
        .post(`${tasks}/send-everything/${action}`)
        .set('Authorization', erin);
      expect(res.status).toBe(403);
    }
    const anonymous = await request(server)
      .post(`${tasks}/send-everything/trigger`)
      .set('Authorization', mockCredentials.none.header());
    expect(anonymous.status).toBe(401);
    // a refused trigger started nothing
    await new Promise(r => setTimeout(r, 1500));
    expect(runs).toEqual([]);
  });

  it('lets an admin and another backend use it', async () => {
    const { server, runs } = await start();
    const list = await request(server)
      .get(tasks)
      .set('Authorization', mockCredentials.user.header(ADMIN));
    expect(list.status).toBe(200);
    expect(list.body.tasks.map((t: { taskId: string }) => t.taskId)).toEqual([
      'send-everything',
    ]);
    const trigger = await request(server)
      .post(`${tasks}/send-everything/trigger`)
      .set('Authorization', mockCredentials.service.header());
    expect(trigger.status).toBe(200);
    for (let i = 0; i < 300 && runs.length === 0; i++) {
      await new Promise(r => setTimeout(r, 100));
    }
    expect(runs).toEqual(['ran']);
  });
});
