import { ResponseError } from '@backstage/errors';

/**
 * What a generated client is built from: Backstage's discoveryApi and
 * fetchApi (or anything of their shape).
 */
export type OpenApiClientOptions = {
  discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
  fetchApi: { fetch: typeof fetch };
};

/** One operation's request: path, query and header values, and its body. */
export type OpenApiRequest = {
  path?: Record<string, string | number | boolean>;
  query?: Record<string, unknown>;
  header?: Record<string, unknown>;
  body?: unknown;
};

/**
 * How an operation answers: `json` (the parsed body, undefined for a 204),
 * `raw` (the Response itself: CSV, downloads, event streams) or `none`.
 */
export type OpenApiAnswer = 'json' | 'raw' | 'none';

/**
 * The path with each `{name}` replaced by its value as one encoded segment.
 * `/`, `?` and `#` are encoded and stay inside the segment; an empty value
 * (or none), `.` and `..` are refused, since the URL parser drops or climbs
 * such a segment (also written as %2E) and the request would reach another
 * route.
 */
export function openApiPath(
  template: string,
  values: OpenApiRequest['path'],
): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values?.[name];
    const text = value === undefined || value === null ? '' : String(value);
    if (text === '' || text === '.' || text === '..') {
      throw new TypeError(
        `The path parameter ${name} is not one path segment: '${text}'`,
      );
    }
    return encodeURIComponent(text);
  });
}

/**
 * The one runtime of the clients scripts/openapi-generate.mjs writes into
 * each frontend (src/schema/openapi.client.generated.ts): a generated
 * `DefaultApiClient` extends it with one typed method per operation, each
 * calling {@link OpenApiClient.send}. Every non-2xx answer is thrown as
 * `@backstage/errors`' ResponseError, whose `body` is the server's JSON
 * (so `serverErrorMessage` reads its `error.code`).
 */
export class OpenApiClient {
  constructor(
    private readonly pluginId: string,
    private readonly options: OpenApiClientOptions,
  ) {}

  /**
   * Sends one operation to the plugin's backend (`/api/<pluginId>`).
   *
   * @param method - the HTTP method
   * @param template - the spec's path, with `{name}` for each path value
   * @param answer - how the operation answers (see {@link OpenApiAnswer})
   * @param request - the operation's path, query, header values and body
   * @param bodyType - the media type of the body (`application/json` is
   *   serialized), or none for an operation without a body
   */
  protected async send<T>(
    method: string,
    template: string,
    answer: OpenApiAnswer,
    request?: OpenApiRequest,
    bodyType?: string,
  ): Promise<T> {
    const path = openApiPath(template, request?.path);
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(request?.query ?? {})) {
      for (const one of Array.isArray(value) ? value : [value]) {
        if (one !== undefined && one !== null && one !== '') {
          query.append(name, String(one));
        }
      }
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request?.header ?? {})) {
      if (value !== undefined && value !== null) headers[name] = String(value);
    }
    let body: BodyInit | undefined;
    if (bodyType && request?.body !== undefined) {
      headers['Content-Type'] = bodyType;
      body =
        bodyType === 'application/json'
          ? JSON.stringify(request.body)
          : (request.body as BodyInit);
    }
    const base = await this.options.discoveryApi.getBaseUrl(this.pluginId);
    const search = query.toString();
    const response = await this.options.fetchApi.fetch(
      `${base}${path}${search ? `?${search}` : ''}`,
      {
        method,
        ...(Object.keys(headers).length ? { headers } : {}),
        ...(body !== undefined ? { body } : {}),
      },
    );
    if (!response.ok) throw await ResponseError.fromResponse(response);
    if (answer === 'raw') return response as T;
    if (answer === 'none' || response.status === 204) return undefined as T;
    return response.json();
  }
}
