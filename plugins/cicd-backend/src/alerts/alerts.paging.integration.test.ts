import { corpusLog, FixtureBuild, FixtureJenkins } from '../testUtils';
import { component, startCicdBackend } from '../__testUtils__/testBackend';

jest.setTimeout(60_000);

const TASK = 'opsdeck-cicd-build-alerts';
const TOKEN = '11f0c0ffee0123456789abcdef012345';
const MINUTE = 60_000;
const BASE = Date.UTC(2026, 11, 2);

/** Builds `from`..`to`: SUCCESS except the failures listed. */
function builds(from: number, to: number, failures: number[] = []) {
  const out: FixtureBuild[] = [];
  for (let n = from; n <= to; n++) {
    const failed = failures.includes(n);
    out.push({
      number: n,
      result: failed ? 'FAILURE' : 'SUCCESS',
      timestamp: BASE + n * MINUTE,
      duration: 30_000,
      console: failed
        ? corpusLog('jest-assertion.log')
        : 'Started by user Alice Admin\nFinished: SUCCESS\n',
    });
  }
  return out;
}

/** The `{from,to}` ranges the poller asked of a job's api/json. */
function ranges(jenkins: FixtureJenkins, jobPath: string): string[] {
  return (
    jenkins.requests
      .filter(r => r.path === `${jobPath}/api/json` && r.query.tree)
      // the range of allBuilds[...]{from,to} (after its nested artifacts[...]{0,20})
      .map(r => /\}\](\{\d+,\d+\})/.exec(r.query.tree)![1])
  );
}

describe('the build poller pages through the builds since the last poll', () => {
  let jenkins: FixtureJenkins;
  let backend: Awaited<ReturnType<typeof startCicdBackend>>;
  const busy: FixtureBuild[] = builds(1, 3);
  const mbMain: FixtureBuild[] = builds(1, 2);

  beforeAll(async () => {
    jenkins = new FixtureJenkins({ users: { ci: TOKEN } })
      .addJob({ fullName: 'shop/busy', kind: 'pipeline', builds: busy })
      .addJob({ fullName: 'shop/mb', kind: 'multibranch', builds: [] })
      .addJob({ fullName: 'shop/mb/main', kind: 'branch', builds: mbMain });
    await jenkins.start();
    backend = await startCicdBackend({
      entities: [component('shop', 'main:shop/busy, main:shop/mb')],
      instances: [
        { name: 'main', baseUrl: jenkins.url, credential: 'jenkins-main' },
      ],
      secrets: {
        'jenkins-main': { type: 'password', username: 'ci', password: TOKEN },
      },
      cicd: {
        alerts: {
          buildsPerJob: 5,
          maxBuildsPerPoll: 12,
          // retried at the next run of the delivery task
          delivery: { backoffSeconds: 0, maxAttempts: 3 },
        },
      },
    });
  });
  afterAll(async () => {
    await backend?.stop();
    await jenkins?.stop();
  });

  const poll = async () => {
    backend.notifications.length = 0;
    jenkins.requests.length = 0;
    await backend.runTask(TASK);
    return backend.notifications.map(n => n.payload.title);
  };

  it('records the first notice of each job without alerting', async () => {
    expect(await poll()).toEqual([]);
  });

  it('alerts builds older than the first page (15 new builds, 5 per page)', async () => {
    busy.push(...builds(4, 18, [5, 17]));
    mbMain.push(...builds(3, 10, [4]));
    expect(await poll()).toEqual([
      'Build failed: shop main:shop/busy #5',
      'Build fixed: shop main:shop/busy #6',
      'Build failed: shop main:shop/busy #17',
      'Build fixed: shop main:shop/busy #18',
      'Build failed: shop main:shop/mb/main #4 (main)',
      'Build fixed: shop main:shop/mb/main #5 (main)',
    ]);
    // newest page, then older pages until a build already seen (#3)
    expect(ranges(jenkins, '/job/shop/job/busy')).toEqual([
      '{0,5}',
      '{5,10}',
      '{10,15}',
      '{15,20}',
    ]);
    // a multibranch project: one request for every branch, then the branch alone
    expect(ranges(jenkins, '/job/shop/job/mb')).toEqual(['{0,5}']);
    expect(ranges(jenkins, '/job/shop/job/mb/job/main')).toEqual(['{5,10}']);
    expect(await poll()).toEqual([]);
  });

  it('reads at most maxBuildsPerPoll more per poll, oldest first, and goes on at the next poll', async () => {
    busy.push(...builds(19, 48, [20, 45]));
    // 30 new builds, cap 12: #19..#30 now
    expect(await poll()).toEqual([
      'Build failed: shop main:shop/busy #20',
      'Build fixed: shop main:shop/busy #21',
    ]);
    // build #19 is at most at index 48 - 18 - 1 = 29: the window before it
    expect(ranges(jenkins, '/job/shop/job/busy')).toEqual([
      '{0,5}',
      '{18,23}',
      '{23,28}',
      '{28,33}',
    ]);
    // #31..#42
    expect(await poll()).toEqual([]);
    // #43..#48
    expect(await poll()).toEqual([
      'Build failed: shop main:shop/busy #45',
      'Build fixed: shop main:shop/busy #46',
    ]);
    expect(await poll()).toEqual([]);
  });

  it('a page that fails leaves the cursor where it was: nothing is lost', async () => {
    busy.push(...builds(49, 60, [50]));
    jenkins.failWhen = r =>
      r.path === '/job/shop/job/busy/api/json' &&
      (r.query.tree ?? '').includes(']{5,10}');
    expect(await poll()).toEqual([]);
    // the first page (#56..#60) was read but not taken: taking it would skip #49..#55
    jenkins.failWhen = undefined;
    expect(await poll()).toEqual([
      'Build failed: shop main:shop/busy #50',
      'Build fixed: shop main:shop/busy #51',
    ]);
    expect(await poll()).toEqual([]);
  });

  it('keeps an alert whose send fails in the outbox and sends it at the next delivery run', async () => {
    busy.push(...builds(61, 61, [61]));
    backend.notificationFailures.count = 1;
    expect(await poll()).toEqual([]);
    // the poll's cursor moved on: the alert is in the outbox, not lost
    expect(await poll()).toEqual([]);
    backend.notifications.length = 0;
    await backend.runTask('opsdeck-cicd-alert-delivery');
    expect(backend.notifications.map(n => n.payload.title)).toEqual([
      'Build failed: shop main:shop/busy #61',
    ]);
    backend.notifications.length = 0;
    await backend.runTask('opsdeck-cicd-alert-delivery');
    expect(backend.notifications).toEqual([]);
  });
});
