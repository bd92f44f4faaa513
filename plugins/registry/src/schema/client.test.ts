import { ResponseError } from '@backstage/errors';
import { DefaultApiClient } from './openapi.client.generated';

// The generated client (scripts/openapi-client.mjs), through one frontend's copy:
// what it sends for path, query and body, and what a caller gets back.
describe('generated DefaultApiClient', () => {
  const calls: Array<{ url: string; init?: RequestInit }> = [];
  const answer = (status: number, body?: unknown) =>
    new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { 'Content-Type': 'application/json' },
    });
  const client = (response: Response) =>
    new DefaultApiClient({
      discoveryApi: { getBaseUrl: async id => `http://opsdeck/api/${id}` },
      fetchApi: {
        fetch: (async (url: string, init?: RequestInit) => {
          calls.push({ url, init });
          return response;
        }) as typeof fetch,
      },
    });
  beforeEach(() => calls.splice(0));

  it('encodes path parameters and leaves out empty query values', async () => {
    const page = await client(answer(200, { items: ['a/b'] })).listRepositories(
      {
        path: { namespace: 'default', name: 'har bor/x' },
        query: { limit: 0, last: '' },
      },
    );
    expect(page).toEqual({ items: ['a/b'] });
    expect(calls[0].url).toBe(
      'http://opsdeck/api/registry/registries/default/har%20bor%2Fx/repositories?limit=0',
    );
    expect(calls[0].init).toEqual({ method: 'GET' });
  });

  it('sends a JSON body with its content type', async () => {
    await client(
      answer(200, {
        repository: 'shop/web',
        tag: 'v1',
        digest: 'sha256:1',
        removedTags: ['v1'],
        garbageCollection: 'run',
      }),
    ).deleteTag({
      path: { namespace: 'default', name: 'harbor' },
      body: { repository: 'shop/web', tag: 'v1' },
    });
    expect(calls[0].init).toEqual({
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ repository: 'shop/web', tag: 'v1' }),
    });
  });

  it('throws the backend error as a ResponseError with its status and name', async () => {
    const failing = client(
      // the body Backstage's error handler sends
      answer(409, {
        error: { name: 'ConflictError', message: 'confirmDigest sha256:1' },
        request: { method: 'POST', url: '/tags/delete' },
        response: { statusCode: 409 },
      }),
    ).deleteTag({
      path: { namespace: 'default', name: 'harbor' },
      body: { repository: 'shop/web', tag: 'v1' },
    });
    await expect(failing).rejects.toBeInstanceOf(ResponseError);
    await expect(failing).rejects.toMatchObject({
      statusCode: 409,
      body: {
        error: { name: 'ConflictError', message: 'confirmDigest sha256:1' },
      },
    });
  });

  // a path value is one segment: `..` or `.` would be resolved away by the
  // URL parser (also as %2E%2E) and reach another route; empty or missing
  // would name another one too
  it.each(['..', '.', '', undefined])(
    'refuses the path value %p without sending anything',
    async value => {
      await expect(
        client(answer(200, { items: [] })).listRepositories({
          path: { namespace: 'default', name: value as any },
        }),
      ).rejects.toThrow(/path parameter name/);
      expect(calls).toEqual([]);
    },
  );

  it('keeps `/`, `?`, `#` and dots inside one segment', async () => {
    await client(answer(200, { items: [] })).listRepositories({
      path: { namespace: 'default', name: '../x?y#z' },
    });
    expect(calls[0].url).toBe(
      'http://opsdeck/api/registry/registries/default/..%2Fx%3Fy%23z/repositories',
    );
    expect(new URL(calls[0].url).pathname).toBe(
      '/api/registry/registries/default/..%2Fx%3Fy%23z/repositories',
    );
  });
});
