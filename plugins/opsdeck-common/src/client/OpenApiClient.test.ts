import { ResponseError } from '@backstage/errors';
import { serverErrorMessage } from '../errorCodes';
import { OpenApiClient, OpenApiRequest, openApiPath } from './OpenApiClient';

// A client as the generator writes one: a thin subclass calling send().
class TestClient extends OpenApiClient {
  get(template: string, request?: OpenApiRequest) {
    return this.send<unknown>('GET', template, 'json', request);
  }
  post(template: string, request: OpenApiRequest, bodyType: string) {
    return this.send<unknown>('POST', template, 'json', request, bodyType);
  }
  raw(template: string) {
    return this.send<Response>('GET', template, 'raw');
  }
  none(template: string) {
    return this.send<void>('DELETE', template, 'none');
  }
}

describe('OpenApiClient', () => {
  const calls: Array<{ url: string; init?: RequestInit }> = [];
  const bases: string[] = [];
  const answer = (status: number, body?: unknown) =>
    new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { 'Content-Type': 'application/json' },
    });
  const client = (response: Response) =>
    new TestClient('things', {
      discoveryApi: {
        getBaseUrl: async id => {
          bases.push(id);
          return `http://opsdeck/api/${id}`;
        },
      },
      fetchApi: {
        fetch: (async (url: string, init?: RequestInit) => {
          calls.push({ url, init });
          return response;
        }) as typeof fetch,
      },
    });
  beforeEach(() => {
    calls.splice(0);
    bases.splice(0);
  });

  it("asks discovery for its plugin's base URL and parses the JSON answer", async () => {
    await expect(client(answer(200, { a: 1 })).get('/things')).resolves.toEqual(
      { a: 1 },
    );
    expect(bases).toEqual(['things']);
    expect(calls).toEqual([
      { url: 'http://opsdeck/api/things/things', init: { method: 'GET' } },
    ]);
  });

  it('encodes each path value as one segment', async () => {
    await client(answer(200, {})).get('/a/{x}/b/{y}', {
      path: { x: 'har bor/x?y#z', y: 7 },
    });
    expect(calls[0].url).toBe(
      'http://opsdeck/api/things/a/har%20bor%2Fx%3Fy%23z/b/7',
    );
    expect(new URL(calls[0].url).pathname).toBe(
      '/api/things/a/har%20bor%2Fx%3Fy%23z/b/7',
    );
  });

  // `.` or `..` would be resolved away by the URL parser (also as %2E%2E) and
  // the request would reach another route; empty or missing would name
  // another one too
  it.each(['..', '.', '', undefined, null])(
    'refuses the path value %p without sending anything',
    async value => {
      await expect(
        client(answer(200, {})).get('/a/{name}/b', {
          path: { name: value as any },
        }),
      ).rejects.toThrow(
        new TypeError(
          `The path parameter name is not one path segment: '${value ?? ''}'`,
        ),
      );
      expect(calls).toEqual([]);
      expect(() => openApiPath('/a/{name}', { name: value as any })).toThrow(
        TypeError,
      );
    },
  );

  it('keeps dots inside a longer segment', () => {
    expect(openApiPath('/a/{n}/{m}', { n: '../x', m: '...' })).toBe(
      '/a/..%2Fx/...',
    );
  });

  it('repeats array query values and leaves out empty ones', async () => {
    await client(answer(200, {})).get('/things', {
      query: {
        kind: ['a b', 'c&d', '', null],
        limit: 0,
        last: '',
        gone: undefined,
        on: false,
      },
    });
    expect(calls[0].url).toBe(
      'http://opsdeck/api/things/things?kind=a+b&kind=c%26d&limit=0&on=false',
    );
  });

  it('sends headers and a JSON body with its content type', async () => {
    await client(answer(200, {})).post(
      '/things',
      { header: { 'X-Confirm': 3, 'X-None': undefined }, body: { a: [1] } },
      'application/json',
    );
    expect(calls[0].init).toEqual({
      method: 'POST',
      headers: { 'X-Confirm': '3', 'Content-Type': 'application/json' },
      body: '{"a":[1]}',
    });
  });

  it('sends any other body as it is, with its media type', async () => {
    const bytes = new Uint8Array([1, 2, 3]);
    await client(answer(200, {})).post(
      '/things',
      { body: bytes },
      'application/octet-stream',
    );
    expect(calls[0].init).toEqual({
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: bytes,
    });
  });

  it('answers undefined for 204 and for an operation without content, and the Response for raw', async () => {
    await expect(
      client(new Response(null, { status: 204 })).get('/things'),
    ).resolves.toBeUndefined();
    await expect(
      client(answer(200, { ignored: true })).none('/things'),
    ).resolves.toBeUndefined();
    const csv = new Response('a,b\n', { status: 200 });
    await expect(client(csv).raw('/export.csv')).resolves.toBe(csv);
  });

  it('throws a failed answer as a ResponseError carrying the JSON body, so its code is said', async () => {
    const body = {
      error: {
        name: 'ConflictError',
        message: 'tag moved',
        code: 'registry-tag-moved',
      },
      request: { method: 'POST', url: '/tags/delete' },
      response: { statusCode: 409 },
    };
    const failing = client(answer(409, body)).get('/things');
    await expect(failing).rejects.toBeInstanceOf(ResponseError);
    const error = await failing.catch(e => e);
    expect(error).toMatchObject({ statusCode: 409, body });
    expect(
      serverErrorMessage(error, {
        texts: { 'registry-tag-moved': 'The tag moved' },
      }),
    ).toBe('The tag moved');
  });

  it('throws a failed raw answer too', async () => {
    await expect(
      client(answer(500, { error: { name: 'Error', message: 'x' } })).raw(
        '/export.csv',
      ),
    ).rejects.toMatchObject({ statusCode: 500 });
  });
});
