import { corpusLog, FixtureBuild, FixtureJenkins } from '../testUtils';
import { component, startCicdBackend } from '../__testUtils__/testBackend';

jest.setTimeout(60_000);

const TASK = 'opsdeck-cicd-build-alerts';
const TOKEN = '11f0c0ffee0123456789abcdef012345';

function build(
  number: number,
  result: FixtureBuild['result'],
  log = 'Finished: SUCCESS\n',
): FixtureBuild {
  return {
    number,
    result,
    timestamp: Date.UTC(2026, 11, 1) + number * 3_600_000,
    duration: 60_000,
    console: log,
  };
}

// Anyone who registers a catalog entity can annotate it with another team's
// Jenkins job: its alerts must still reach the job's own entity's owner.
describe('build alerts of a Jenkins job two entities name', () => {
  let jenkins: FixtureJenkins;
  let backend: Awaited<ReturnType<typeof startCicdBackend>>;
  const web: FixtureBuild[] = [build(1, 'SUCCESS')];

  beforeAll(async () => {
    jenkins = new FixtureJenkins({ users: { ci: TOKEN } }).addJob({
      fullName: 'shop/web',
      kind: 'pipeline',
      builds: web,
    });
    await jenkins.start();
    const squatter = component('squatter', 'main:shop/web');
    backend = await startCicdBackend({
      entities: [
        // listed first: the poller sees it before the job's real entity
        {
          ...squatter,
          spec: { ...squatter.spec, owner: 'group:default/other' },
        },
        component('shop', 'main:shop/web'),
      ],
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

  it("does not let another entity naming the same job take the owner's failure alert", async () => {
    await backend.runTask(TASK); // first notice: silent
    backend.notifications.length = 0;
    web.push(build(2, 'FAILURE', corpusLog('tsc-type-error.log')));
    await backend.runTask(TASK);
    expect(
      backend.notifications
        .map(n => [
          n.recipients.type === 'entity' ? n.recipients.entityRef : 'broadcast',
          n.payload.title,
        ])
        .sort(),
    ).toEqual([
      [['group:default/dev'], 'Build failed: shop main:shop/web #2'],
      [['group:default/other'], 'Build failed: squatter main:shop/web #2'],
    ]);
  });
});
