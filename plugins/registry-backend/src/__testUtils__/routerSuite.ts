import request from 'supertest';
import { as } from './testBackend';
import { REPOS, RouterFixture, startRouterFixture } from './routerFixture';

// What the registry router's suites (service/router.read.test.ts,
// service/router.delete.test.ts) share: one fixture per suite
// (startRouterFixture), the resources' API paths and the callers.

export const enc = encodeURIComponent;
export const api = '/api/registry/registries/default/local';
export const privateApi = '/api/registry/registries/default/private';
export const repos = REPOS;

// The parts of the running suite's fixture, set by useRouterFixture's
// beforeAll (imported bindings are live: read them inside a test).
export let registry: RouterFixture['registry'];
export let backend: RouterFixture['backend'];
export let proxy: RouterFixture['proxy'];
export let tags: RouterFixture['tags'];

/** Starts the fixture before the suite's tests and stops it after them. */
export function useRouterFixture() {
  let fixture: RouterFixture | undefined;
  beforeAll(async () => {
    fixture = await startRouterFixture();
    ({ registry, backend, proxy, tags } = fixture);
  });
  afterAll(async () => {
    await fixture?.stop();
  });
}

export const get = (path: string, user = 'erin') =>
  request(backend.server).get(path).set('Authorization', as(user));
export const post = (path: string, body: object, user = 'bob') =>
  request(backend.server).post(path).set('Authorization', as(user)).send(body);
