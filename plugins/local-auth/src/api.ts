import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';

/** A local account as GET /api/local-auth/accounts returns it. */
export interface Account {
  name: string;
  /** Locked for every address (its sessions ended). */
  locked: boolean;
  lockedUntil?: string;
  /** Addresses it is locked for. */
  lockedAddresses: Array<{ address: string; until: string }>;
  failedAttempts: number;
  sessions: number;
  lastLoginAt?: string;
  createdAt: string;
  updatedAt: string;
}

/** A live session (never its token). */
export interface Session {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  address?: string;
  lastAddress?: string;
  userAgent?: string;
}

/** Talks to the local-auth backend plugin (/api/local-auth). */
export class AccountsClient {
  constructor(
    private readonly discoveryApi: DiscoveryApi,
    private readonly fetchApi: FetchApi,
  ) {}

  list(): Promise<{ canManage: boolean; items: Account[] }> {
    return this.request('/accounts');
  }

  async sessions(name: string): Promise<Session[]> {
    const body = await this.request<{ items: Session[] }>(
      `/accounts/${encodeURIComponent(name)}/sessions`,
    );
    return body.items;
  }

  signOutEverywhere(name: string): Promise<{ sessionsEnded: number }> {
    return this.request(
      `/accounts/${encodeURIComponent(name)}/sign-out-everywhere`,
      { method: 'POST' },
    );
  }

  setPassword(
    name: string,
    password: string,
  ): Promise<{ sessionsEnded: number }> {
    return this.request(`/accounts/${encodeURIComponent(name)}/password`, {
      method: 'PUT',
      body: { password },
    });
  }

  async unlock(name: string): Promise<void> {
    await this.request(`/accounts/${encodeURIComponent(name)}/unlock`, {
      method: 'POST',
    });
  }

  private async request<T>(
    path: string,
    options: { method?: string; body?: unknown } = {},
  ): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('local-auth');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, {
      method: options.method ?? 'GET',
      headers:
        options.body === undefined
          ? undefined
          : { 'Content-Type': 'application/json' },
      body:
        options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (response.status === 204 ? undefined : await response.json()) as T;
  }
}
