/**
 * The production configuration at the edge: CORS allows only the app's own
 * origin, and error responses carry no stack trace or server path, with the
 * backend started as scripts/lib/run-backend.sh starts it (NODE_ENV=development).
 */
import { createSpecializedBackend } from '@backstage/backend-app-api';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { loadConfig } from '@backstage/config-loader';
import { opsdeckRootHttpRouterServiceFactory } from '@opsdeck/plugin-opsdeck-node';
import { Agent, get } from 'node:http';
import { resolve } from 'node:path';
import request from 'supertest';
import { freePort } from './__testUtils__/freePort';

jest.setTimeout(120_000);

const ROOT = resolve(__dirname, '../../..');
const BASE_URL = 'https://opsdeck.example.com';

async function productionConfig(port: number) {
  const env: Record<string, string> = {
    OPSDECK_BASE_URL: BASE_URL,
    POSTGRES_HOST: '127.0.0.1',
    POSTGRES_PORT: '5432',
    POSTGRES_USER: 'opsdeck',
    POSTGRES_PASSWORD: 'x'.repeat(32),
    OPSDECK_SESSION_SECRET: 's'.repeat(48),
    OPSDECK_VAULT_KEY: Buffer.alloc(32, 1).toString('base64'),
    OPSDECK_BASTION_MFA_KEY: Buffer.alloc(32, 2).toString('base64'),
  };
  const { appConfigs } = await loadConfig({
    configRoot: ROOT,
    configTargets: [
      { path: resolve(ROOT, 'app-config.yaml') },
      { path: resolve(ROOT, 'app-config.production.yaml') },
    ],
    experimentalEnvFunc: async name => env[name],
  });
  const data = ConfigReader.fromConfigs(appConfigs).get() as any;
  // this test's own port; everything else as production has it
  data.backend.listen = { host: '127.0.0.1', port };
  return data;
}

describe('production edge', () => {
  const nodeEnv = process.env.NODE_ENV;
  let url: string;
  let stop: () => Promise<void>;
  let config: any;

  beforeAll(async () => {
    process.env.NODE_ENV = 'development';
    const port = await freePort();
    config = await productionConfig(port);
    const backend = createSpecializedBackend({
      defaultServiceFactories: [
        opsdeckRootHttpRouterServiceFactory,
        mockServices.rootConfig.factory({ data: config }),
        mockServices.rootLogger.factory(),
        mockServices.rootLifecycle.factory(),
        mockServices.rootHealth.factory(),
        mockServices.lifecycle.factory(),
        mockServices.logger.factory(),
      ],
    });
    backend.add(
      createBackendPlugin({
        pluginId: 'probe',
        register(reg) {
          reg.registerInit({
            deps: { rootHttpRouter: coreServices.rootHttpRouter },
            async init({ rootHttpRouter }) {
              rootHttpRouter.use('/api/probe/fail', () => {
                throw new Error(
                  `ENOENT: no such file, open '${ROOT}/.data/files/x'`,
                );
              });
            },
          });
        },
      }),
    );
    await backend.start();
    url = `http://127.0.0.1:${port}`;
    stop = () => backend.stop();
  });

  afterAll(async () => {
    await stop?.();
    process.env.NODE_ENV = nodeEnv;
  });

  it('allows the app origin only, with credentials', async () => {
    expect(config.backend.cors.origin).toBe(config.app.baseUrl);
    expect(config.backend.cors.credentials).toBe(true);
    const preflight = (origin: string) =>
      request(url)
        .options('/api/probe/fail')
        .set('Origin', origin)
        .set('Access-Control-Request-Method', 'POST');
    const foreign = await preflight('http://localhost:3000');
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    const own = await preflight(BASE_URL);
    expect(own.headers['access-control-allow-origin']).toBe(BASE_URL);
    expect(own.headers['access-control-allow-credentials']).toBe('true');
  });

  it('answers a failure without stack trace or server path', async () => {
    const res = await request(url).get('/api/probe/fail');
    expect(res.status).toBe(500);
    expect(res.body.error.message).toMatch(
      /^An internal error occurred \(reference [0-9a-f]+\)$/,
    );
    expect(res.text).not.toContain(ROOT);
    expect(res.text).not.toMatch(/ENOENT|"stack"/);
  });

  it("keeps an idle keep-alive connection past Node's 5 s default", async () => {
    // Node closes an idle connection after 5 s; a client reusing it at that
    // instant gets ECONNRESET (a browser test failed so). Production keeps it
    // for longer than a proxy's idle timeout, so the second request reuses it.
    expect(config.backend.server.keepAliveTimeout).toBeGreaterThan(60_000);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const once = () =>
      new Promise<boolean>((done, fail) => {
        const req = get(`${url}/api/probe/fail`, { agent }, res => {
          res.resume();
          res.on('end', () => done(req.reusedSocket));
        });
        req.on('error', fail);
      });
    try {
      expect(await once()).toBe(false);
      await new Promise(r => setTimeout(r, 6_000));
      expect(await once()).toBe(true);
    } finally {
      agent.destroy();
    }
  });
});
