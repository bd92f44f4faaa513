import request from 'supertest';
import { corpusLog, FixtureBuild, FixtureJenkins } from '../testUtils';
import { as, component, startCicdBackend } from '../__testUtils__/testBackend';

jest.setTimeout(60_000);

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

describe('build alerts against the fixture Jenkins', () => {
  let jenkins: FixtureJenkins;
  let backend: Awaited<ReturnType<typeof startCicdBackend>>;
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
    backend = await startCicdBackend({
      entities: [component('shop', 'main:shop/web, main:shop/api')],
      instances: [
        { name: 'main', baseUrl: jenkins.url, credential: 'jenkins-main' },
      ],
      secrets: {
        'jenkins-main': { type: 'password', username: 'ci', password: TOKEN },
      },
      cicd: { alerts: { pollSeconds: 30 } },
    });
  });
  afterAll(async () => {
    await backend?.stop();
    await jenkins?.stop();
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
    // the same failure seen again (the next poll, or a restart): nothing
    expect(await poll()).toEqual([]);
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
});
