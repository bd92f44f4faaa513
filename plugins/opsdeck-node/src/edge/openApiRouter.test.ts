import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { mockServices } from '@backstage/backend-test-utils';
import express from 'express';
import request from 'supertest';
import { createLazyValidatedOpenApiRouter } from './openApiRouter';

const built = jest.fn();
jest.mock('express-openapi-validator', () => {
  const actual = jest.requireActual('express-openapi-validator');
  return {
    ...actual,
    middleware: (...args: unknown[]) => {
      built();
      return actual.middleware(...args);
    },
  };
});

const spec = {
  openapi: '3.1.0',
  info: { title: 'things', version: '1' },
  servers: [{ url: '/' }],
  paths: {
    '/things': {
      post: {
        operationId: 'CreateThing',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                required: ['name'],
                properties: { name: { type: 'string', minLength: 1 } },
              },
            },
          },
        },
        responses: { '201': { description: 'made' } },
      },
    },
  },
} as const;

function app() {
  const router = createLazyValidatedOpenApiRouter(spec, {
    middleware: [express.json()],
  }) as unknown as express.Router;
  router.post('/things', (req, res) => {
    res.status(201).json(req.body);
  });
  const errors = MiddlewareFactory.create({
    config: mockServices.rootConfig(),
    logger: mockServices.logger.mock(),
  });
  return express().use('/api/things', router).use(errors.error());
}

describe('createLazyValidatedOpenApiRouter', () => {
  beforeEach(() => built.mockClear());

  it('builds the validator at the first request, once, not when the router is made', async () => {
    const server = app();
    expect(built).not.toHaveBeenCalled();
    const first = await Promise.all([
      request(server).post('/api/things/things').send({ name: 'a' }),
      request(server).post('/api/things/things').send({ name: '' }),
    ]);
    const later = await request(server)
      .post('/api/things/things')
      .send({ name: 'c' });
    expect([...first, later].map(r => r.status)).toEqual([201, 400, 201]);
    expect(built).toHaveBeenCalledTimes(1);
  });

  it('validates requests against the spec: a bad body is a 400 InputError, a good one reaches the route', async () => {
    const server = app();
    const ok = await request(server)
      .post('/api/things/things')
      .send({ name: 'a' });
    expect([ok.status, ok.body]).toEqual([201, { name: 'a' }]);
    for (const body of [{}, { name: '' }, { name: 'a', extra: 1 }]) {
      const res = await request(server).post('/api/things/things').send(body);
      expect([res.status, res.body.error.name]).toEqual([400, 'InputError']);
    }
  });

  it('serves the spec with its paths under the mount path', async () => {
    const res = await request(app()).get('/api/things/openapi.json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toEqual(['/api/things/things']);
    expect(res.body.info).toEqual(spec.info);
  });
});
