import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from '../database/migrations';
import { corpusLog, FixtureBuild, FixtureJenkins } from '../testUtils';
import { as, component, startCicdBackend } from '../__testUtils__/testBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const TASK = 'opsdeck-cicd-build-alerts';
const TOKEN = '11f0c0ffee0123456789abcdef012345';
const HOUR = 3_600_000;
const BASE = Date.UTC(2026, 11, 1);

function build(
  number: number,
  result: FixtureBuild['result'],
  log = 'Finished: SUCCESS\n',
): FixtureBuild {
  return {
    number,
    result,
    timestamp: BASE + number * HOUR,
    duration: 60_000,
    console: log,
  };
}

/** A loopback webhook receiver (a channel's robot); `failNext` answers 500 once. */
async function startWebhookReceiver() {
  const received: any[] = [];
  const state = { failNext: false };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      if (state.failNext) {
        state.failNext = false;
        res.writeHead(500).end();
        return;
      }
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    state,
    close: () => new Promise<void>(r => server.close(() => r())),
  };
}

/**
 * Stands in for monitoring-backend's POST /channels/send (tested for real in
 * monitoring-backend's router test; cicd may not import that plugin): takes
 * plugin-to-plugin tokens only and posts the message to each channel's URL.
 * cicd reaches it through monitoring-node's default client (discovery and
 * its own plugin token), not a fake service.
 */
function monitoringStandIn(
  channels: Record<string, string>,
  callers: string[],
) {
  return createBackendPlugin({
    pluginId: 'monitoring',
    register(env) {
      env.registerInit({
        deps: {
          httpRouter: coreServices.httpRouter,
          httpAuth: coreServices.httpAuth,
        },
        async init({ httpRouter, httpAuth }) {
          const router = express.Router();
          router.use(express.json());
          router.post('/channels/send', async (req, res) => {
            const credentials = await httpAuth.credentials(req, {
              allow: ['service'],
            });
            callers.push(credentials.principal.subject);
            const outcomes = [];
            for (const channel of req.body.channels as string[]) {
              const url = channels[channel];
              if (!url) {
                res.status(404).json({ error: { code: 'unknown' } });
                return;
              }
              const posted = await fetch(url, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify(req.body),
              });
              outcomes.push(
                posted.ok
                  ? { channel, ok: true }
                  : { channel, ok: false, error: `HTTP ${posted.status}` },
              );
            }
            res.json({ outcomes });
          });
          httpRouter.use(router);
        },
      });
    },
  });
}

describe('build alerts against the fixture Jenkins', () => {
  let jenkins: FixtureJenkins;
  let backend: Awaited<ReturnType<typeof startCicdBackend>>;
  let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
  const callers: string[] = [];
  let knex: Knex;
  /** An outbox row as stored: its state and what of it went out. */
  const outboxRow = async (number: number) => {
    const r = await knex('cicd_alert_outbox').where({ number }).first();
    return {
      status: r.status,
      lastError: r.last_error,
      delivered: JSON.parse(r.delivered ?? '[]'),
      channels: JSON.parse(r.channels ?? '[]'),
    };
  };
  const web: FixtureBuild[] = [build(1, 'SUCCESS')];
  const apiMain: FixtureBuild[] = [build(1, 'SUCCESS')];
  const apiFeature: FixtureBuild[] = [build(1, 'SUCCESS')];

  beforeAll(async () => {
    jenkins = new FixtureJenkins({ users: { ci: TOKEN } })
      .addJob({ fullName: 'shop/web', kind: 'pipeline', builds: web })
      .addJob({ fullName: 'shop/api', kind: 'multibranch', builds: [] })
      .addJob({ fullName: 'shop/api/main', kind: 'branch', builds: apiMain })
      .addJob({
        fullName: 'shop/api/feature%2Flogin',
        kind: 'branch',
        builds: apiFeature,
      });
    await jenkins.start();
    hook = await startWebhookReceiver();
    knex = await databases.init('SQLITE_3');
    backend = await startCicdBackend({
      knex,
      features: [monitoringStandIn({ 'ci-hook': hook.url }, callers)],
      entities: [component('shop', 'main:shop/web, main:shop/api')],
      instances: [
        { name: 'main', baseUrl: jenkins.url, credential: 'jenkins-main' },
      ],
      secrets: {
        'jenkins-main': { type: 'password', username: 'ci', password: TOKEN },
      },
      cicd: {
        alerts: {
          pollSeconds: 30,
          // every alert also goes to monitoring's webhook channel
          channels: ['ci-hook'],
          delivery: { backoffSeconds: 0 },
        },
      },
    });
  });
  afterAll(async () => {
    await backend?.stop();
    await jenkins?.stop();
    await hook?.close();
  });

  const poll = async () => {
    backend.notifications.length = 0;
    await backend.runTask(TASK);
    return backend.notifications;
  };

  it('records the first notice of each job without alerting', async () => {
    // a job that is failing already when opsdeck first sees it: history, not news
    web.push(build(2, 'FAILURE', corpusLog('tsc-type-error.log')));
    expect(await poll()).toEqual([]);
    // the poller has no person: the Jenkins token is taken out for ci-poll
    expect(backend.vaultUses.map(u => u.use)).toContainEqual({
      use: 'ci-poll',
      for: { ref: 'job:jenkins/main' },
      actor: undefined,
    });
  });

  it('alerts the owner once for a failed main-branch build, with the located cause', async () => {
    apiMain.push({
      ...build(2, 'FAILURE', corpusLog('jest-assertion.log')),
      commit: '9f1c2e3d4b5a69788796a5b4c3d2e1f0a9b8c7d6',
    });
    const sent = await poll();
    expect(sent).toHaveLength(1);
    const [n] = sent;
    expect(n.recipients).toEqual({
      type: 'entity',
      entityRef: ['group:default/dev'],
    });
    expect(n.payload.title).toBe(
      'Build failed: shop main:shop/api/main #2 (main)',
    );
    expect(n.payload.severity).toBe('high');
    expect(n.payload.link).toBe(
      'http://portal.example.com/catalog/default/component/shop/ci-cd',
    );
    const lines = n.payload.description!.split('\n');
    expect(lines[0]).toMatch(/^Cause: .+ \[test\]$/);
    expect(lines[1]).toMatch(/^Line \d+: .*\S/);
    expect(lines[lines.length - 1]).toBe(
      `Build: ${jenkins.url}/job/shop/job/api/job/main/2/`,
    );
    // and through monitoring's webhook channel (a real POST), asked with
    // cicd's own plugin token: the same title and located cause
    expect(callers).toEqual(['plugin:cicd']);
    expect(hook.received).toEqual([
      {
        channels: ['ci-hook'],
        title: n.payload.title,
        text: n.payload.description,
        severity: 'high',
        link: n.payload.link,
        scope: n.payload.scope,
      },
    ]);
    // the same failure seen again (the next poll, or a restart): nothing
    expect(await poll()).toEqual([]);
    expect(hook.received).toHaveLength(1);
  });

  it('alerts nothing for a branch that is not a main branch', async () => {
    apiFeature.push(build(2, 'FAILURE', corpusLog('jest-assertion.log')));
    expect(await poll()).toEqual([]);
  });

  it('sends one recovery when the main branch builds again, and counts the flaky cause', async () => {
    // rebuilt on the same commit (nothing changed) and passed: flaky
    apiMain.push({
      ...build(3, 'SUCCESS'),
      commit: '9f1c2e3d4b5a69788796a5b4c3d2e1f0a9b8c7d6',
    });
    const sent = await poll();
    expect(sent.map(n => n.payload.title)).toEqual([
      'Build fixed: shop main:shop/api/main #3 (main)',
    ]);
    expect(sent[0].payload.severity).toBe('normal');
    expect(hook.received.map(m => [m.title, m.severity])).toEqual([
      ['Build failed: shop main:shop/api/main #2 (main)', 'high'],
      ['Build fixed: shop main:shop/api/main #3 (main)', 'normal'],
    ]);
    expect(await poll()).toEqual([]);
    const flaky = await request(backend.server)
      .get('/api/cicd/entities/component/default/shop/flaky')
      .set('Authorization', as('erin'));
    expect(flaky.status).toBe(200);
    expect(flaky.body.items).toEqual([
      expect.objectContaining({
        cause: 'jest-test-failure',
        count: 1,
        category: 'test',
      }),
    ]);
  });

  it('alerts a failure of a single-branch job after its first notice, then its recovery', async () => {
    web.push(build(3, 'FAILURE', corpusLog('tsc-type-error.log')));
    web.push(build(4, 'ABORTED'));
    const failed = await poll();
    expect(failed.map(n => n.payload.title)).toEqual([
      'Build failed: shop main:shop/web #3',
    ]);
    expect(failed[0].payload.description).toMatch(/\[compile\]/);
    web.push(build(5, 'SUCCESS'));
    expect((await poll()).map(n => n.payload.title)).toEqual([
      'Build fixed: shop main:shop/web #5',
    ]);
  });

  it('retries a channel that failed without notifying the owner again', async () => {
    hook.received.length = 0;
    hook.state.failNext = true;
    web.push(build(6, 'FAILURE', corpusLog('tsc-type-error.log')));
    const sent = await poll();
    expect(sent.map(n => n.payload.title)).toEqual([
      'Build failed: shop main:shop/web #6',
    ]);
    expect(hook.received).toEqual([]);
    // the row waits for the channel only
    expect(await outboxRow(6)).toEqual({
      status: 'pending',
      channels: ['ci-hook'],
      lastError: 'channel ci-hook: HTTP 500',
      delivered: ['notifications'],
    });
    backend.notifications.length = 0;
    await backend.runTask('opsdeck-cicd-alert-delivery');
    expect(backend.notifications).toEqual([]);
    expect(hook.received.map(m => m.title)).toEqual([
      'Build failed: shop main:shop/web #6',
    ]);
    expect(await outboxRow(6)).toEqual({
      status: 'sent',
      lastError: null,
      channels: ['ci-hook'],
      delivered: ['notifications', 'channel:ci-hook'],
    });
  });
});
