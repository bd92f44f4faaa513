import { mockApis } from '@backstage/frontend-test-utils';
import type { HostDetail } from '../api/types';

export const BASE = 'http://example.test';

export type FakeFetch = jest.Mock<
  Promise<Response>,
  [RequestInfo | URL, RequestInit?]
>;

export function json(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

export function errorBody(status: number, name: string, message: string) {
  // The body Backstage backends send for errors.
  return json(
    {
      error: { name, message },
      request: { method: 'GET', url: '/' },
      response: { statusCode: status },
    },
    status,
  );
}

export function host(name: string, overrides: Partial<HostDetail> = {}) {
  return {
    name,
    entityRef: `resource:default/${name}`,
    address: `192.0.2.${name.length}`,
    port: 22,
    environment: 'prod',
    owner: 'group:default/ops',
    tags: [],
    source: 'cmdb' as const,
    reachable: true,
    ...overrides,
  };
}

/** A fake backend: `handler` answers by method and URL; records every call. */
export function fakeBackend(
  handler: (url: URL, init?: RequestInit) => Response | Promise<Response>,
): FakeFetch {
  return jest.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    return handler(url, init);
  });
}

export function apis(fetch: FakeFetch) {
  return [
    mockApis.discovery({ baseUrl: BASE }),
    mockApis.fetch({ baseImplementation: fetch as typeof globalThis.fetch }),
  ] as const;
}

/** URLs of the calls made to a path. */
export function callsTo(fetch: FakeFetch, pathname: string) {
  return fetch.mock.calls
    .map(([input, init]) => ({
      url: new URL(String(input)),
      method: init?.method ?? 'GET',
    }))
    .filter(call => call.url.pathname === pathname);
}
