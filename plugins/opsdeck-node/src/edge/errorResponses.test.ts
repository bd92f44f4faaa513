import { createSpecializedBackend } from '@backstage/backend-app-api';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { ForwardedError, InputError } from '@backstage/errors';
import express from 'express';
import { createServer } from 'node:net';
import request from 'supertest';
import {
  coded,
  createErrorHandler,
  isDevelopment,
  opsdeckRootHttpRouterServiceFactory,
} from './errorResponses';

const SERVER_PATH = '/srv/opsdeck/plugins/files-backend/src/storage.ts';

/** Routes that fail the ways a plugin's routes do. */
function failingRoutes(router: express.Router) {
  router.get('/crash', () => {
    throw new ForwardedError(
      'Could not open the upload',
      Object.assign(new Error(`ENOENT: no such file, open '${SERVER_PATH}'`), {
        code: 'ENOENT',
      }),
    );
  });
  router.get('/bad', () => {
    throw new InputError('Parameter name must be a string');
  });
  router.get('/big', () => {
    throw coded(
      new InputError('The file is too large'),
      'files-upload-too-large',
      {
        maxBytes: 10,
      },
    );
  });
  router.get('/registry-down', () => {
    throw coded(
      Object.assign(new Error(`connect ECONNREFUSED at ${SERVER_PATH}`), {
        statusCode: 503,
      }),
      'registry-unreachable',
      { registry: 'registry.example:5000' },
    );
  });
  router.get('/teapot', () => {
    throw Object.assign(new Error(`upstream said no at ${SERVER_PATH}`), {
      statusCode: 502,
    });
  });
}

function app(development: boolean) {
  const logger = mockServices.logger.mock();
  const middleware = MiddlewareFactory.create({
    config: mockServices.rootConfig(),
    logger,
  });
  const server = express();
  const router = express.Router();
  failingRoutes(router);
  server.use(router);
  server.use(createErrorHandler({ middleware, logger, development }));
  return { server, logger };
}

describe('createErrorHandler', () => {
  it('answers server errors outside development with a reference, no stack, no message of their own', async () => {
    const { server, logger } = app(false);
    for (const [path, status] of [
      ['/crash', 500],
      ['/teapot', 502],
    ] as const) {
      const res = await request(server).get(path);
      expect(res.status).toBe(status);
      expect(res.body.error).toEqual({
        name: 'Error',
        message: expect.stringMatching(
          /^An internal error occurred \(reference [0-9a-f]{16}\)$/,
        ),
        statusCode: status,
        code: 'internal',
        reference: expect.stringMatching(/^[0-9a-f]{16}$/),
      });
      expect(res.text).not.toMatch(/srv\/opsdeck|ENOENT|stack|at /);
      // the log has it all, under the same reference
      const reference = /reference ([0-9a-f]+)/.exec(
        res.body.error.message,
      )![1];
      expect(logger.error).toHaveBeenCalledWith(
        expect.stringContaining(`reference ${reference}`),
        expect.objectContaining({ message: expect.any(String) }),
      );
    }
  });

  it('keeps client errors as they are, without a stack, with their code', async () => {
    const { server } = app(false);
    const res = await request(server).get('/bad');
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      name: 'InputError',
      message: 'Parameter name must be a string',
      code: 'invalid-input',
    });
  });

  it("keeps a refusal's own code and details", async () => {
    const { server } = app(false);
    const res = await request(server).get('/big');
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      name: 'InputError',
      message: 'The file is too large',
      code: 'files-upload-too-large',
      maxBytes: 10,
    });
    expect(() => coded(new Error('x'), 'Too Large')).toThrow();
    // a detail named like a field of the answer would change its status or
    // its words (a ConflictError whose name became a config set's name
    // answered 500)
    for (const details of [
      { name: 'web' },
      { status: 401 },
      { message: 'x' },
    ] as Array<Record<string, string | number>>) {
      expect(() => coded(new Error('x'), 'config-set-exists', details)).toThrow(
        /Not a detail name/,
      );
    }
    expect(
      coded(new Error('x'), 'config-release-busy', { status: 'running' }),
    ).toMatchObject({ status: 'running' });
  });

  it("keeps a coded server error's code and details outside development, not its message", async () => {
    const { server } = app(false);
    const res = await request(server).get('/registry-down');
    expect(res.status).toBe(503);
    expect(res.body.error).toEqual({
      name: 'Error',
      message: expect.stringMatching(/^An internal error occurred/),
      statusCode: 503,
      code: 'registry-unreachable',
      registry: 'registry.example:5000',
      reference: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    expect(res.text).not.toMatch(/srv\/opsdeck|ECONNREFUSED/);
  });

  it('shows stack traces in development', async () => {
    const { server } = app(true);
    const res = await request(server).get('/crash');
    expect(res.status).toBe(500);
    expect(res.body.error.message).toContain('Could not open the upload');
    expect(res.body.error.stack).toEqual(expect.any(String));
    expect(res.body.error.code).toBe('internal');
  });
});

describe('isDevelopment', () => {
  const env = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = env;
  });

  it('is production with auth.environment production or NODE_ENV production', () => {
    process.env.NODE_ENV = 'development';
    expect(isDevelopment(mockServices.rootConfig())).toBe(true);
    expect(
      isDevelopment(
        mockServices.rootConfig({
          data: { auth: { environment: 'production' } },
        }),
      ),
    ).toBe(false);
    process.env.NODE_ENV = 'production';
    expect(isDevelopment(mockServices.rootConfig())).toBe(false);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

describe('opsdeckRootHttpRouterServiceFactory', () => {
  it('serves a production backend whose 500s carry no stack trace or server path', async () => {
    const env = process.env.NODE_ENV;
    // as scripts/lib/run-backend.sh starts every backend
    process.env.NODE_ENV = 'development';
    const port = await freePort();
    const backend = createSpecializedBackend({
      defaultServiceFactories: [
        opsdeckRootHttpRouterServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            auth: { environment: 'production' },
            backend: {
              baseUrl: `http://127.0.0.1:${port}`,
              listen: { host: '127.0.0.1', port },
            },
          },
        }),
        mockServices.rootLogger.factory(),
        mockServices.rootLifecycle.factory(),
        mockServices.rootHealth.factory(),
        mockServices.lifecycle.factory(),
        mockServices.logger.factory(),
      ],
    });
    backend.add(
      createBackendPlugin({
        pluginId: 'crashy',
        register(env2) {
          env2.registerInit({
            deps: { rootHttpRouter: coreServices.rootHttpRouter },
            async init({ rootHttpRouter }) {
              const router = express.Router();
              failingRoutes(router);
              rootHttpRouter.use('/api/crashy', router);
            },
          });
        },
      }),
    );
    await backend.start();
    try {
      const res = await request(`http://127.0.0.1:${port}`).get(
        '/api/crashy/crash',
      );
      expect(res.status).toBe(500);
      expect(res.body.error.message).toMatch(/^An internal error occurred/);
      expect(res.text).not.toMatch(/srv\/opsdeck|ENOENT|"stack"/);
    } finally {
      await backend.stop();
      process.env.NODE_ENV = env;
    }
  });
});
