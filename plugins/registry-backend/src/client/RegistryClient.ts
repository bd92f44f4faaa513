import {
  ConflictError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { coded } from '@opsdeck/plugin-opsdeck-node';
import { nextFromLink } from './grammar';
import { pageOfTags } from './pageOfTags';

/** Media types of the manifests the client reads (the Accept of every manifest request). */
export const MEDIA = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

const MANIFEST_ACCEPT = [
  MEDIA.ociIndex,
  MEDIA.ociManifest,
  MEDIA.dockerList,
  MEDIA.dockerManifest,
].join(', ');

/** Largest manifest the distribution spec asks registries to accept. */
const MAX_MANIFEST = 4 * 1024 * 1024;
/** Largest image config read (for its created time and platform). */
const MAX_CONFIG = 1024 * 1024;
const TIMEOUT_MS = 20_000;

/** How the client logs in: basic (username + password) or a bearer token (password alone). */
export interface RegistryLogin {
  username?: string;
  password: string;
}

/** A manifest as fetched: its bytes' digest, media type and parsed body. */
export interface FetchedManifest {
  digest: string;
  mediaType: string;
  body: any;
}

/** Parameters of a `WWW-Authenticate: Bearer` challenge. */
export function parseBearerChallenge(
  header: string | null,
): Record<string, string> | undefined {
  if (!header || !/^bearer\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/([a-zA-Z_]+)="([^"]*)"/g)) {
    params[m[1].toLowerCase()] = m[2];
  }
  return params.realm ? params : undefined;
}

/**
 * A small client of the Docker Registry HTTP API v2 / OCI distribution spec,
 * on fetch. The login is held for one operation only (the service takes it
 * out of the vault for each request) and never appears in an error.
 */
export class RegistryClient {
  private readonly base: URL;
  private readonly tokens = new Map<string, string>();

  constructor(baseUrl: string, private readonly login?: RegistryLogin) {
    this.base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  }

  /** One page of `_catalog`: `n` names after `last`. */
  async catalog(limit: number, last?: string) {
    const query = new URLSearchParams({ n: String(limit) });
    if (last) query.set('last', last);
    const res = await this.request('GET', `v2/_catalog?${query}`, {
      scope: 'registry:catalog:*',
    });
    const body = (await readJson(res, MAX_MANIFEST)) as any;
    const items = stringList(body?.repositories);
    return { items, next: pageNext(res, items, limit) };
  }

  /** One page of a repository's tags. */
  async tags(repository: string, limit: number, last?: string) {
    const { items, next } = await this.tagsAnswer(repository, limit, last);
    return { items, next };
  }

  /**
   * One page of a repository's tags and, when the registry answered every
   * tag at once (no tag paging: it ignored `n`, and `last` if given), that
   * whole sorted answer as `all`.
   */
  async tagsAnswer(
    repository: string,
    limit: number,
    last?: string,
  ): Promise<{ items: string[]; next?: string; all?: string[] }> {
    const query = new URLSearchParams({ n: String(limit) });
    if (last) query.set('last', last);
    const res = await this.request(
      'GET',
      `v2/${repository}/tags/list?${query}`,
      { scope: pullScope(repository) },
    );
    const body = (await readJson(res, MAX_MANIFEST)) as any;
    const items = stringList(body?.tags);
    const ignoredLast = last !== undefined && items.some(tag => tag <= last);
    if (items.length > limit || ignoredLast) {
      // A registry without tag paging (older distribution) answers every
      // tag, whatever n and last say: page them here, in the same lexical
      // order (trusting its answer to `last` would page forever when a
      // repository has exactly `limit` tags).
      const sorted = items.sort();
      const complete =
        last === undefined || (sorted.length > 0 && sorted[0] <= last);
      return {
        ...pageOfTags(sorted, limit, last),
        ...(complete ? { all: sorted } : {}),
      };
    }
    // Lexical order, as the spec asks (docker-registry 2.8 answers a
    // repository's tags in storage order once a tag was deleted).
    items.sort();
    return { items, next: pageNext(res, items, limit) };
  }

  /**
   * Every tag of a repository (pages of 1,000; one request when the registry
   * answers every tag at once).
   */
  async allTags(repository: string): Promise<string[]> {
    const all: string[] = [];
    let last: string | undefined;
    for (;;) {
      const page = await this.tagsAnswer(repository, 1000, last);
      if (page.all && last === undefined) return page.all;
      all.push(...page.items);
      if (!page.next || page.items.length === 0) return all;
      last = page.next;
    }
  }

  /** A manifest by tag or digest, with the digest the registry reports. */
  async manifest(
    repository: string,
    reference: string,
  ): Promise<FetchedManifest> {
    const res = await this.request(
      'GET',
      `v2/${repository}/manifests/${reference}`,
      { scope: pullScope(repository), accept: MANIFEST_ACCEPT },
    );
    const text = await readText(res, MAX_MANIFEST);
    const body = JSON.parse(text);
    const digest =
      res.headers.get('docker-content-digest') ??
      (reference.includes(':') ? reference : '');
    return {
      digest,
      mediaType:
        body?.mediaType ?? res.headers.get('content-type')?.split(';')[0] ?? '',
      body,
    };
  }

  /** The digest a tag points at (HEAD with the manifest Accept; Docker-Content-Digest). */
  async resolve(repository: string, reference: string): Promise<string> {
    const res = await this.request(
      'HEAD',
      `v2/${repository}/manifests/${reference}`,
      { scope: pullScope(repository), accept: MANIFEST_ACCEPT },
    );
    const digest = res.headers.get('docker-content-digest');
    if (!digest) {
      throw new ServiceUnavailableError(
        `The registry gave no Docker-Content-Digest for ${repository}:${reference}`,
      );
    }
    return digest;
  }

  /** An image config blob (JSON), for its created time and platform. */
  async config(repository: string, digest: string): Promise<any> {
    const res = await this.request('GET', `v2/${repository}/blobs/${digest}`, {
      scope: pullScope(repository),
      followRedirect: true,
    });
    try {
      return JSON.parse(await readText(res, MAX_CONFIG));
    } catch {
      return undefined;
    }
  }

  /** Deletes a manifest by digest (every tag pointing at it goes with it). */
  async deleteManifest(repository: string, digest: string): Promise<void> {
    const res = await this.request(
      'DELETE',
      `v2/${repository}/manifests/${digest}`,
      { scope: `repository:${repository}:delete` },
    );
    await res.arrayBuffer().catch(() => undefined);
  }

  private async request(
    method: string,
    path: string,
    options: { scope: string; accept?: string; followRedirect?: boolean },
  ): Promise<Response> {
    const url = new URL(path, this.base);
    const send = (authorization?: string) =>
      fetch(url, {
        method,
        headers: {
          ...(options.accept ? { accept: options.accept } : {}),
          ...(authorization ? { authorization } : {}),
        },
        // Only blobs may live elsewhere (object storage); fetch drops the
        // Authorization header when a redirect leaves the registry's origin.
        redirect: options.followRedirect ? 'follow' : 'manual',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      }).catch(error => {
        throw notAnswered(this.base.host, 'Registry', error);
      });
    let res = await send(this.authorization(options.scope));
    if (res.status === 401) {
      const challenge = parseBearerChallenge(
        res.headers.get('www-authenticate'),
      );
      if (challenge) {
        await res.arrayBuffer().catch(() => undefined);
        const token = await this.token(challenge, options.scope);
        res = await send(`Bearer ${token}`);
      }
    }
    if (res.ok || res.status === 202) return res;
    await res.arrayBuffer().catch(() => undefined);
    const what = `${method} ${url.pathname}`;
    if (res.status === 404)
      throw new NotFoundError(`Registry: not found (${what})`);
    if (res.status === 401 || res.status === 403) {
      throw coded(
        new ServiceUnavailableError(
          `The registry refused opsdeck's login (${res.status} on ${what})`,
        ),
        'registry-login-refused',
        { registry: this.base.host, answered: res.status },
      );
    }
    if (res.status === 405) {
      throw new ConflictError(
        `The registry does not allow ${method} here (${what}); deleting needs storage.delete.enabled`,
      );
    }
    throw coded(
      new ServiceUnavailableError(`Registry answered ${res.status} on ${what}`),
      'registry-failed',
      { registry: this.base.host, answered: res.status },
    );
  }

  private authorization(scope: string): string | undefined {
    const token = this.tokens.get(scope);
    if (token) return `Bearer ${token}`;
    if (!this.login) return undefined;
    if (this.login.username === undefined)
      return `Bearer ${this.login.password}`;
    return `Basic ${Buffer.from(
      `${this.login.username}:${this.login.password}`,
    ).toString('base64')}`;
  }

  /**
   * A token from the challenge's realm (the registry token protocol). The
   * login goes to the realm only over https or to the registry's own origin.
   */
  private async token(challenge: Record<string, string>, scope: string) {
    let realm: URL;
    try {
      realm = new URL(challenge.realm);
    } catch {
      throw new ServiceUnavailableError(
        'The registry named an invalid token realm',
      );
    }
    if (realm.protocol !== 'https:' && realm.origin !== this.base.origin) {
      throw new ServiceUnavailableError(
        `The registry's token realm ${realm.origin} is neither https nor the registry itself`,
      );
    }
    if (challenge.service) realm.searchParams.set('service', challenge.service);
    realm.searchParams.set('scope', challenge.scope ?? scope);
    const login = this.login?.username !== undefined ? this.login : undefined;
    const res = await fetch(realm, {
      headers: login
        ? {
            authorization: `Basic ${Buffer.from(
              `${login.username}:${login.password}`,
            ).toString('base64')}`,
          }
        : {},
      signal: AbortSignal.timeout(TIMEOUT_MS),
    }).catch(error => {
      throw notAnswered(realm.host, 'Token realm', error);
    });
    if (!res.ok) {
      await res.arrayBuffer().catch(() => undefined);
      throw coded(
        new ServiceUnavailableError(
          `The registry's token realm refused opsdeck's login (${res.status})`,
        ),
        'registry-login-refused',
        { registry: realm.host, answered: res.status },
      );
    }
    const body = (await readJson(res, 64 * 1024)) as any;
    const token = body?.token ?? body?.access_token;
    if (typeof token !== 'string' || !token) {
      throw new ServiceUnavailableError('The token realm gave no token');
    }
    this.tokens.set(scope, token);
    return token;
  }
}

/**
 * Why `host` did not answer, coded: `registry-tls` when the TLS handshake
 * failed (an expired, self-signed or mismatched certificate, or no TLS at
 * all), else `registry-unreachable` (refused, no such name, timed out). The
 * reason is the system's code (`CERT_HAS_EXPIRED`, `ECONNREFUSED`, `timeout`).
 */
function notAnswered(host: string, who: string, error: unknown) {
  const cause = (error as { cause?: { code?: unknown } })?.cause;
  let reason = typeof cause?.code === 'string' ? cause.code : 'unknown';
  if ((error as Error)?.name === 'TimeoutError') reason = 'timeout';
  const tls = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(reason);
  return coded(
    new ServiceUnavailableError(
      `${who} ${host} did not answer: ${
        tls ? 'TLS handshake failed' : 'unreachable'
      } (${reason})`,
    ),
    tls ? 'registry-tls' : 'registry-unreachable',
    { registry: host, reason },
  );
}

function pullScope(repository: string) {
  return `repository:${repository}:pull`;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string')
    : [];
}

/** The next page's `last`: from the Link header, never past a short page. */
function pageNext(res: Response, items: string[], limit: number) {
  const next = nextFromLink(res.headers.get('link'));
  if (next) return next;
  return items.length >= limit ? items[items.length - 1] : undefined;
}

async function readText(res: Response, max: number): Promise<string> {
  const length = Number(res.headers.get('content-length') ?? 0);
  if (length > max) {
    await res.body?.cancel();
    throw new ServiceUnavailableError(`Registry answer over ${max} bytes`);
  }
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > max) {
      await reader.cancel();
      throw new ServiceUnavailableError(`Registry answer over ${max} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readJson(res: Response, max: number): Promise<unknown> {
  try {
    return JSON.parse(await readText(res, max));
  } catch (error) {
    if (error instanceof ServiceUnavailableError) throw error;
    throw new ServiceUnavailableError(
      'The registry answered with invalid JSON',
    );
  }
}
