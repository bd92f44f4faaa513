import type {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';

/** A host as `POST /api/cmdb/hosts` takes it. */
export interface HostRegistration {
  name: string;
  address: string;
  port?: number;
  loginUser?: string;
  credential?: string;
  environment: string;
  owner: string;
  system?: string;
  tags?: string[];
  description?: string;
}

/**
 * Outcome for one host of `POST /api/cmdb/hosts`. The API contract says
 * `{ name, ok, error? }`; the cmdb backend (`@opsdeck/plugin-cmdb-common`)
 * answers `{ name, status: 'created' | 'invalid' | 'exists' | 'unreachable',
 * entityRef?, message? }`. Both are understood, see {@link normalizeResult}.
 */
export interface HostRegistrationResult {
  name: string;
  ok?: boolean;
  error?: string;
  status?: string;
  entityRef?: string;
  message?: string;
}

/** Whether a host was registered, why not, and its entity ref when known. */
export function normalizeResult(result: HostRegistrationResult): {
  ok: boolean;
  error?: string;
  entityRef?: string;
} {
  const ok = result.ok ?? result.status === 'created';
  if (ok) return { ok, entityRef: result.entityRef };
  const why = result.error ?? result.message;
  return {
    ok,
    error:
      [result.status, why].filter(Boolean).join(': ') ||
      'rejected without a reason',
  };
}

/**
 * Calls the CMDB API as the user who started the task, so that the CMDB's
 * permission checks apply to that user.
 */
export class CmdbActionClient {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly auth: AuthService,
  ) {}

  async registerHosts(
    credentials: BackstageCredentials,
    body: { hosts: HostRegistration[]; checkReachability?: boolean },
    signal?: AbortSignal,
  ): Promise<HostRegistrationResult[]> {
    const response = await this.request(credentials, '/hosts', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      signal,
    });
    const payload = (await response.json()) as {
      results?: HostRegistrationResult[];
    };
    if (!Array.isArray(payload.results)) {
      throw new Error('The CMDB returned no results for the registration');
    }
    return payload.results;
  }

  async decommissionHost(
    credentials: BackstageCredentials,
    name: string,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.request(credentials, `/hosts/${encodeURIComponent(name)}`, {
      method: 'DELETE',
      signal,
    });
  }

  private async request(
    credentials: BackstageCredentials,
    path: string,
    init: RequestInit,
  ): Promise<Response> {
    const [baseUrl, { token }] = await Promise.all([
      this.discovery.getBaseUrl('cmdb'),
      this.auth.getPluginRequestToken({
        onBehalfOf: credentials,
        targetPluginId: 'cmdb',
      }),
    ]);
    const response = await fetch(`${baseUrl}${path}`, {
      ...init,
      headers: { ...init.headers, Authorization: `Bearer ${token}` },
    });
    if (!response.ok) {
      const error = await ResponseError.fromResponse(response);
      throw new Error(
        `${init.method} ${path} failed: ${describeStatus(response.status)}: ${
          error.cause.message
        }`,
      );
    }
    return response;
  }
}

function describeStatus(status: number): string {
  switch (status) {
    case 401:
      return 'not signed in (401)';
    case 403:
      return 'permission denied (403)';
    case 404:
      return 'not found (404)';
    case 409:
      return 'conflict (409)';
    default:
      return `HTTP ${status}`;
  }
}
