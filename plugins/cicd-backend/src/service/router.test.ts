import request from 'supertest';
import {
  demoJenkinsLegacy,
  demoJenkinsMain,
  FixtureJenkins,
} from '../testUtils';
import { as, component, startCicdBackend } from '../__testUtils__/testBackend';

jest.setTimeout(60_000);

const TOKEN = '11f0c0ffee0123456789abcdef012345';

describe('cicd router against the fixture Jenkins', () => {
  let main: FixtureJenkins;
  let legacy: FixtureJenkins;
  let backend: Awaited<ReturnType<typeof startCicdBackend>>;
  const api = '/api/cicd/entities/component/default';

  beforeAll(async () => {
    main = demoJenkinsMain({ users: { ci: TOKEN } });
    legacy = demoJenkinsLegacy();
    await main.start();
    await legacy.start();
    backend = await startCicdBackend({
      entities: [
        component('shop', 'main:shop/web, main:shop/api,legacy:billing'),
        component('bare'),
        component('broken', 'main:shop/../etc'),
        component('gone', 'main:shop/removed'),
      ],
      instances: [
        { name: 'main', baseUrl: main.url, credential: 'jenkins-main' },
        { name: 'legacy', baseUrl: legacy.url },
      ],
      secrets: {
        'jenkins-main': { type: 'password', username: 'ci', password: TOKEN },
      },
    });
  });
  afterAll(async () => {
    await backend?.stop();
    await main?.stop();
    await legacy?.stop();
  });
  beforeEach(() => {
    main.requests.length = 0;
    legacy.requests.length = 0;
  });

  it('asks for credentials and the permission before anything else', async () => {
    const { server } = backend;
    expect((await request(server).get(`${api}/shop/builds`)).status).toBe(401);
    for (const path of [
      '/shop/builds',
      '/shop/build?job=main%3Ashop%2Fweb&number=45',
      '/nope/builds',
    ]) {
      const res = await request(server)
        .get(`${api}${path}`)
        .set('Authorization', as('mallory'));
      expect([path, res.status]).toEqual([path, 403]);
    }
    const rebuild = await request(server)
      .post(`${api}/shop/rebuild`)
      .set('Authorization', as('erin'))
      .send({ job: 'main:shop/web', number: 45 });
    expect(rebuild.status).toBe(403);
    expect(main.started).toEqual([]);
    expect(main.requests).toEqual([]);
  });

  it('lists builds of every job, instance and branch newest first, one request per job', async () => {
    const res = await request(backend.server)
      .get(`${api}/shop/builds?limit=5`)
      .set('Authorization', as('erin'));
    expect(res.status).toBe(200);
    expect(res.body.errors).toEqual([]);
    expect(res.body.more).toBe(true);
    expect(res.body.builds.map((b: any) => `${b.job}#${b.number}`)).toEqual([
      'main:shop/web#45',
      'main:shop/web#44',
      'main:shop/web#43',
      'main:shop/web#42',
      'main:shop/web#41',
    ]);
    const jobCalls = main.requests.filter(
      r => r.path.endsWith('/api/json') && !r.path.startsWith('/crumb'),
    );
    expect(jobCalls.map(r => r.path).sort()).toEqual([
      '/job/shop/job/api/api/json',
      '/job/shop/job/web/api/json',
    ]);
    for (const r of jobCalls) {
      expect(r.query.tree).toContain('allBuilds[number,result');
      expect(r.query.tree).toContain('{0,6}');
    }
    expect(legacy.requests.map(r => r.path)).toEqual(['/job/billing/api/json']);
    // credentials from the vault, on behalf of the person
    expect(
      main.requests.every(
        r =>
          r.authorization ===
          `Basic ${Buffer.from(`ci:${TOKEN}`).toString('base64')}`,
      ),
    ).toBe(true);
    expect(backend.vaultUses.at(-1)).toEqual({
      name: 'jenkins-main',
      use: {
        use: 'job-secret',
        for: { ref: 'job:jenkins/main' },
        actor: 'user:default/erin',
      },
    });
    expect(JSON.stringify(res.body)).not.toContain(TOKEN);
  });

  it('pages through a long history and shows multibranch branches', async () => {
    const page = async (p: number) =>
      (
        await request(backend.server)
          .get(`${api}/shop/builds?limit=20&page=${p}`)
          .set('Authorization', as('erin'))
      ).body;
    const [p0, p1, p2] = [await page(0), await page(1), await page(2)];
    const all = [...p0.builds, ...p1.builds, ...p2.builds];
    expect(all).toHaveLength(45 + 3 + 1 + 2);
    expect(p2.more).toBe(false);
    expect(new Set(all.map((b: any) => `${b.job}#${b.number}`)).size).toBe(
      all.length,
    );
    const timestamps = all.map((b: any) => b.timestamp);
    expect([...timestamps].sort((a, b) => b - a)).toEqual(timestamps);
    const branches = all
      .filter((b: any) => b.branch)
      .map((b: any) => `${b.jobPath}:${b.branch}`);
    expect(new Set(branches)).toEqual(
      new Set(['shop/api/main:main', 'shop/api/feature%2Flogin:feature/login']),
    );
    expect(
      all.find((b: any) => b.job === 'legacy:billing' && b.number === 8),
    ).toMatchObject({
      result: 'FAILURE',
    });
  });

  it('locates the cause of a failed build: failing stage, lines and excerpt', async () => {
    const res = await request(backend.server)
      .get(
        `${api}/shop/build?job=${encodeURIComponent(
          'main:shop/web',
        )}&number=45`,
      )
      .set('Authorization', as('erin'));
    expect([res.status, res.body.error]).toEqual([200, undefined]);
    expect(res.body.result).toBe('FAILURE');
    expect(res.body.stages.map((s: any) => `${s.name}:${s.status}`)).toEqual([
      'Checkout:SUCCESS',
      'Install:SUCCESS',
      'Build:FAILED',
      'Deploy:NOT_EXECUTED',
    ]);
    const top = res.body.located.causes[0];
    expect(top).toMatchObject({
      id: 'typescript-compile',
      category: 'compile',
      stage: 'Build',
    });
    expect(res.body.located.failingStage).toBe('Build');
    const byLine = new Map(res.body.excerpt.map((e: any) => [e.line, e.text]));
    expect(top.lines.map((n: number) => byLine.get(n))).toEqual([
      "index.ts(2,3): error TS2322: Type 'string' is not assignable to type 'number'.",
      "index.ts(4,7): error TS2322: Type 'string' is not assignable to type 'number'.",
    ]);
    expect(
      main.requests.some(r => r.path.endsWith('/45/logText/progressiveText')),
    ).toBe(true);
    expect(main.requests.some(r => r.path.endsWith('/45/wfapi/describe'))).toBe(
      true,
    );
  });

  it('names the failing test of a multibranch build and of another instance', async () => {
    const jest = await request(backend.server)
      .get(
        `${api}/shop/build?job=${encodeURIComponent(
          'main:shop/api/main',
        )}&number=3`,
      )
      .set('Authorization', as('erin'));
    expect(jest.body.located.causes[0]).toMatchObject({
      id: 'jest-test-failure',
      tests: ['sum › adds two numbers'],
    });
    const maven = await request(backend.server)
      .get(
        `${api}/shop/build?job=${encodeURIComponent(
          'legacy:billing',
        )}&number=8`,
      )
      .set('Authorization', as('erin'));
    expect(maven.body.located.causes[0]).toMatchObject({
      id: 'maven-test-failure',
      tests: ['com.example.FeeTest.tenPercentRoundsUp'],
    });
  });

  it('refuses jobs the entity does not name, and annotations it cannot parse', async () => {
    const get = (name: string, job: string) =>
      request(backend.server)
        .get(`${api}/${name}/build?job=${encodeURIComponent(job)}&number=1`)
        .set('Authorization', as('alice'));
    expect((await get('shop', 'main:other/job')).status).toBe(404);
    expect((await get('shop', 'legacy:shop/web')).status).toBe(404);
    expect((await get('shop', 'main:shop/web/../../admin')).status).toBe(400);
    expect((await get('bare', 'main:shop/web')).status).toBe(404);
    expect((await get('nope', 'main:shop/web')).status).toBe(404);
    const broken = await request(backend.server)
      .get(`${api}/broken/builds`)
      .set('Authorization', as('alice'));
    expect(broken.status).toBe(400);
    expect(main.requests).toEqual([]);
    const gone = await request(backend.server)
      .get(`${api}/gone/builds`)
      .set('Authorization', as('alice'));
    expect(gone.body).toEqual({
      builds: [],
      errors: [
        {
          job: 'main:shop/removed',
          message: 'main:shop/removed was not found on Jenkins',
        },
      ],
      more: false,
    });
  });

  it('rebuilds with the build parameters, the crumb, and an audit event naming the person', async () => {
    const res = await request(backend.server)
      .post(`${api}/shop/rebuild`)
      .set('Authorization', as('dave'))
      .send({ job: 'main:shop/web', number: 45 });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      job: 'main:shop/web',
      queueId: expect.any(Number),
    });
    expect(main.started).toEqual([
      { job: 'shop/web', parameters: { TARGET: 'staging' } },
    ]);
    const post = main.requests.find(r => r.method === 'POST')!;
    expect(post.path).toBe('/job/shop/job/web/buildWithParameters');
    const event = backend.events.find(e => e.eventId === 'build-rebuild')!;
    expect(event).toMatchObject({
      status: 'succeeded',
      actor: { actorId: 'user:default/dave' },
      meta: {
        target: 'component:default/shop',
        job: 'main:shop/web',
        number: 45,
      },
    });
  });

  it("refuses to rebuild another team's component: only its owners, or ops, start its jobs", async () => {
    // frank may rebuild, but shop is owned by group:default/dev, not his group
    const started = main.started.length;
    const refused = await request(backend.server)
      .post(`${api}/shop/rebuild`)
      .set('Authorization', as('frank'))
      .send({ job: 'main:shop/web', number: 45 });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe(
      'component:default/shop is owned by group:default/dev, not by one of your groups',
    );
    expect(main.started.length).toBe(started);
    expect(main.requests.filter(r => r.method === 'POST')).toEqual([]);
    expect(
      backend.events.filter(
        e =>
          e.eventId === 'build-rebuild' &&
          e.actor.actorId === 'user:default/frank',
      ),
    ).toEqual([expect.objectContaining({ status: 'failed' })]);
    // alice (ops) is in none of shop's groups and may
    const ops = await request(backend.server)
      .post(`${api}/shop/rebuild`)
      .set('Authorization', as('alice'))
      .send({ job: 'main:shop/web', number: 45 });
    expect(ops.status).toBe(202);
  });

  it('tries a candidate cause against a log, refusing what RE2 cannot run in linear time', async () => {
    const post = (body: object, user = 'erin') =>
      request(backend.server)
        .post('/api/cicd/causes/try')
        .set('Authorization', as(user))
        .send(body);
    const log =
      'Started by user alice\nERROR: license server lic-01 unreachable\nFinished: FAILURE\n';
    const ok = await post({
      cause: { patterns: ['license server \\S+ unreachable'] },
      log,
    });
    expect([ok.status, ok.body]).toEqual([200, { lines: [2], tests: [] }]);
    const none = await post({
      cause: { patterns: ['nothing like this'] },
      log,
    });
    expect(none.body).toEqual({ lines: [], tests: [] });
    const lookahead = await post({
      cause: { patterns: ['license(?= server)'] },
      log,
    });
    expect(lookahead.status).toBe(400);
    expect(lookahead.body.error.message).toContain('Invalid pattern');
    const hostile = await post({
      cause: { patterns: ['^(a+)+$'] },
      // under the 4096-character line cap (longer lines are matched on their head)
      log: `${'a'.repeat(4000)}!\n`,
    });
    expect(hostile.body).toEqual({ lines: [], tests: [] });
    expect(
      (await post({ cause: { patterns: ['x'] }, log }, 'mallory')).status,
    ).toBe(403);
  });

  it('serves the knowledge base', async () => {
    const res = await request(backend.server)
      .get('/api/cicd/causes')
      .set('Authorization', as('erin'));
    expect(res.status).toBe(200);
    expect(res.body.items.map((c: any) => c.id)).toContain('out-of-memory');
  });
});
