import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { demoJenkinsMain, FixtureJenkins } from '../testUtils';
import { as, component, startCicdBackend } from '../__testUtils__/testBackend';

jest.setTimeout(60_000);

const TOKEN = '7a0c0ffee0123456789abcdef0hostile';
const INTERNAL_SECRET = 'AKIA-internal-metadata-9f8e7d';

/**
 * A Jenkins (or whatever answers at its URL) that redirects opsdeck's reads
 * elsewhere: the backend would fetch an address of its own network (a cloud
 * metadata endpoint, an internal service) and show the answer as the
 * console log or the stages.
 */
describe('cicd router against a Jenkins that redirects', () => {
  let main: FixtureJenkins;
  let internal: http.Server;
  let internalUrl: string;
  const internalSeen: Array<{ path?: string; authorization?: string }> = [];
  let backend: Awaited<ReturnType<typeof startCicdBackend>>;
  const api = '/api/cicd/entities/component/default';

  beforeAll(async () => {
    internal = http.createServer((req, res) => {
      internalSeen.push({
        path: req.url,
        authorization: req.headers.authorization,
      });
      res.setHeader('Content-Type', 'text/plain');
      res.end(
        `error TS2322: ${INTERNAL_SECRET}\n{"stages":[{"name":"${INTERNAL_SECRET}"}]}\n`,
      );
    });
    await new Promise<void>(resolve =>
      internal.listen(0, '127.0.0.1', resolve),
    );
    internalUrl = `http://127.0.0.1:${
      (internal.address() as AddressInfo).port
    }/latest/meta-data/iam/security-credentials/opsdeck`;
    main = demoJenkinsMain({ users: { ci: TOKEN } });
    await main.start();
    backend = await startCicdBackend({
      entities: [component('shop', 'main:shop/web')],
      instances: [
        { name: 'main', baseUrl: main.url, credential: 'jenkins-main' },
      ],
      secrets: {
        'jenkins-main': { type: 'password', username: 'ci', password: TOKEN },
      },
    });
  });
  afterAll(async () => {
    await backend?.stop();
    await main?.stop();
    await new Promise(resolve => internal?.close(resolve));
  });

  it('does not follow a redirect of the console log or the stages', async () => {
    main.redirectWhen = r =>
      /\/45\/(logText\/progressiveText|wfapi\/describe)$/.test(r.path)
        ? internalUrl
        : undefined;
    const res = await request(backend.server)
      .get(
        `${api}/shop/build?job=${encodeURIComponent(
          'main:shop/web',
        )}&number=45`,
      )
      .set('Authorization', as('erin'));
    // Jenkins was asked, and answered with the redirects
    expect(
      main.requests.some(r => r.path.endsWith('/45/logText/progressiveText')),
    ).toBe(true);
    expect(main.requests.some(r => r.path.endsWith('/45/wfapi/describe'))).toBe(
      true,
    );
    expect(internalSeen).toEqual([]);
    // the read fails as a Jenkins answering an error does
    expect([res.status, res.body.error?.message]).toEqual([
      500,
      'console log: HTTP 302',
    ]);
    expect(res.text).not.toContain(INTERNAL_SECRET);
    expect(res.text).not.toContain(TOKEN);
  });
});
