import request from 'supertest';
import { safeArtifactPath } from '../jenkins/JenkinsGateway';
import { demoJenkinsMain, FixtureJenkins } from '../testUtils';
import { as, component, startCicdBackend } from '../__testUtils__/testBackend';

jest.setTimeout(60_000);

const TOKEN = '11f0c0ffee0123456789abcdef012345';

function binary(
  res: request.Response,
  cb: (e: Error | null, b: Buffer) => void,
) {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
}

describe('Jenkins artifacts', () => {
  let main: FixtureJenkins;
  let backend: Awaited<ReturnType<typeof startCicdBackend>>;
  const api = '/api/cicd/entities/component/default';
  const download = (path: string, job = 'main:shop/web', number = 44) =>
    `${api}/shop/artifact?job=${encodeURIComponent(
      job,
    )}&number=${number}&path=${encodeURIComponent(path)}`;

  beforeAll(async () => {
    main = demoJenkinsMain({ users: { ci: TOKEN } });
    await main.start();
    backend = await startCicdBackend({
      entities: [
        component('shop', 'main:shop/web, main:shop/api'),
        component('other', 'main:shop/api'),
      ],
      instances: [
        { name: 'main', baseUrl: main.url, credential: 'jenkins-main' },
      ],
      secrets: {
        'jenkins-main': { type: 'password', username: 'ci', password: TOKEN },
      },
      // the SBOM (160 bytes) is over this cap, the other files are not
      cicd: { artifacts: { maxBytes: 100 } },
    });
  });
  afterAll(async () => {
    await backend?.stop();
    await main?.stop();
  });
  beforeEach(() => {
    main.requests.length = 0;
    main.redirectWhen = undefined;
  });

  it('reads a build’s artifacts within the one request per job and lists them on the build and in the timeline', async () => {
    const list = await request(backend.server)
      .get(`${api}/shop/builds?limit=3`)
      .set('Authorization', as('erin'));
    expect(list.status).toBe(200);
    const jobReads = main.requests.filter(r => r.path.endsWith('/api/json'));
    expect(jobReads.map(r => r.path).sort()).toEqual([
      '/job/shop/job/api/api/json',
      '/job/shop/job/web/api/json',
    ]);
    expect(jobReads[0].query.tree).toContain(
      'artifacts[displayPath,fileName,relativePath]{0,20}',
    );
    const b44 = list.body.builds.find(
      (b: any) => b.job === 'main:shop/web' && b.number === 44,
    );
    // displayPath as Jenkins gives it: the file name, or enough of the path
    // to tell two junit.xml apart
    expect(b44.artifacts).toEqual([
      { name: 'web-1.4.0.tgz', path: 'dist/web-1.4.0.tgz' },
      { name: 'unit/junit.xml', path: 'reports/unit/junit.xml' },
      { name: 'e2e/junit.xml', path: 'reports/e2e/junit.xml' },
      { name: 'sbom.cdx.json', path: 'dist/sbom.cdx.json' },
      { name: 'index.html', path: 'coverage/index.html' },
    ]);
    expect(
      list.body.builds.find((b: any) => b.number === 45).artifacts,
    ).toBeUndefined();

    const detail = await request(backend.server)
      .get(`${api}/shop/build?job=main%3Ashop%2Fweb&number=44`)
      .set('Authorization', as('erin'));
    expect(detail.status).toBe(200);
    expect(detail.body.artifacts).toEqual(b44.artifacts);

    const timeline = await request(backend.server)
      .get('/api/cicd/timeline')
      .query({ entity: 'component:default/shop' })
      .set('Authorization', as('erin'));
    expect([timeline.status, timeline.body.error]).toEqual([200, undefined]);
    const artifacts = timeline.body.items.filter(
      (i: any) => i.kind === 'artifact',
    );
    expect(
      artifacts.map((a: any) => [a.job, a.number, a.name, a.path]),
    ).toEqual([
      ['main:shop/web', 44, 'web-1.4.0.tgz', 'dist/web-1.4.0.tgz'],
      ['main:shop/web', 44, 'unit/junit.xml', 'reports/unit/junit.xml'],
      ['main:shop/web', 44, 'e2e/junit.xml', 'reports/e2e/junit.xml'],
      ['main:shop/web', 44, 'sbom.cdx.json', 'dist/sbom.cdx.json'],
      ['main:shop/web', 44, 'index.html', 'coverage/index.html'],
    ]);
    // the browser gets no Jenkins address for them: it downloads through
    // the backend
    for (const a of artifacts) expect(a.url).toBeUndefined();
    const build = timeline.body.items.find(
      (i: any) =>
        i.kind === 'build' && i.number === 44 && i.job === 'main:shop/web',
    );
    expect(artifacts[0].timestamp).toBeGreaterThan(build.timestamp);
  });

  it('downloads through the backend with the vault credential on behalf of the person, as an attachment', async () => {
    const res = await request(backend.server)
      .get(download('dist/web-1.4.0.tgz'))
      .set('Authorization', as('erin'))
      .buffer(true)
      .parse(binary);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(
      Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x6f, 0x70, 0x73, 0x64]),
    );
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['content-disposition']).toBe(
      "attachment; filename*=UTF-8''web-1.4.0.tgz",
    );
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const read = main.requests.find(r => r.path.includes('/artifact/'))!;
    expect(read.path).toBe('/job/shop/job/web/44/artifact/dist/web-1.4.0.tgz');
    expect(read.authorization).toMatch(/^Basic /);
    expect(
      backend.vaultUses.filter(u => u.use.actor === 'user:default/erin').length,
    ).toBeGreaterThan(0);
    expect(JSON.stringify(res.headers)).not.toContain(TOKEN);
  });

  it('never serves a hostile artifact as a page of opsdeck’s origin', async () => {
    // Jenkins says text/html; opsdeck passes the bytes as an attachment of
    // no type, sandboxed, so the script cannot run with the portal's cookies
    const res = await request(backend.server)
      .get(download('coverage/index.html'))
      .set('Authorization', as('erin'))
      .buffer(true)
      .parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['content-disposition']).toMatch(/^attachment;/);
    expect(res.headers['content-security-policy']).toContain('sandbox');
    expect(res.body.toString()).toContain('<script>');
  });

  it('refuses what the person may not read or the build does not list, before reading a file', async () => {
    const cases: [string, string, number][] = [
      // no permission
      [download('dist/web-1.4.0.tgz'), 'mallory', 403],
      // not an artifact of the build (Jenkins is asked for the build only)
      [download('../../../../config.xml'), 'erin', 404],
      [download('dist/../../config.xml'), 'erin', 404],
      [download('reports/unit'), 'erin', 404],
      // a build without artifacts
      [download('dist/web-1.4.0.tgz', 'main:shop/web', 45), 'erin', 404],
      // a job the entity does not name
      [download('dist/web-1.4.0.tgz', 'main:billing'), 'erin', 404],
      // posted builds have no Jenkins archive
      [download('x', '@intake:gitlab/web', 1), 'erin', 404],
    ];
    for (const [url, user, status] of cases) {
      const res = await request(backend.server)
        .get(url)
        .set('Authorization', as(user));
      expect([url, res.status]).toEqual([url, status]);
    }
    expect(main.requests.filter(r => r.path.includes('/artifact/'))).toEqual(
      [],
    );
    // another entity that does not name shop/web cannot reach its files
    const other = await request(backend.server)
      .get(
        download('dist/web-1.4.0.tgz').replace(
          '/shop/artifact',
          '/other/artifact',
        ),
      )
      .set('Authorization', as('erin'));
    expect(other.status).toBe(404);
    // over the cap (Jenkins' Content-Length says so): refused before any byte
    const big = await request(backend.server)
      .get(download('dist/sbom.cdx.json'))
      .set('Authorization', as('erin'));
    expect(big.status).toBe(400);
  });

  it('does not follow a redirect from Jenkins', async () => {
    main.redirectWhen = r =>
      r.path.includes('/artifact/')
        ? 'http://169.254.169.254/latest'
        : undefined;
    const res = await request(backend.server)
      .get(download('dist/web-1.4.0.tgz'))
      .set('Authorization', as('erin'));
    expect(res.status).toBe(503);
  });

  it('drops artifact paths a hostile Jenkins could use to leave the archive', () => {
    expect(safeArtifactPath('target/app.jar')).toBe('target/app.jar');
    for (const bad of [
      '../secrets',
      'a/../../b',
      '/etc/passwd',
      'a//b',
      './a',
      'a\\..\\b',
      'a\nb',
      '',
      42,
      'x'.repeat(1025),
    ]) {
      expect(safeArtifactPath(bad)).toBeUndefined();
    }
  });
});
