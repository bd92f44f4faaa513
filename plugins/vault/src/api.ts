import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';

/** Kinds of secret the vault holds. */
export type CredentialType = 'ssh-key' | 'password';

/** What a secret may be taken out for (the vault checks it at every use). */
export type CredentialUse =
  | 'ssh-login'
  | 'db-admin'
  | 'db-change'
  | 'db-read'
  | 'job-secret'
  | 'alert-channel'
  | 'registry'
  | 'ci-poll'
  | 'ci-intake'
  | 'kubernetes-token'
  | 'kubernetes-poll'
  | 'config-secret';

/** Every use, in display order. */
export const CREDENTIAL_USES: CredentialUse[] = [
  'ssh-login',
  'db-admin',
  'db-change',
  'db-read',
  'job-secret',
  'alert-channel',
  'registry',
  'ci-poll',
  'ci-intake',
  'kubernetes-token',
  'kubernetes-poll',
  'config-secret',
];

/** Whom and what a credential serves. */
export interface CredentialPolicy {
  /** Owning group entity ref. */
  owner: string;
  allowedUses: CredentialUse[];
  /** System entity refs; empty: any. */
  allowedSystems: string[];
  /** Environments; empty: any. */
  allowedEnvironments: string[];
}

/** A credential as the vault API returns it: metadata only, never the secret. */
export interface Credential {
  name: string;
  type: CredentialType;
  username?: string;
  description: string;
  owner?: string;
  allowedUses: CredentialUse[];
  allowedSystems: string[];
  allowedEnvironments: string[];
  fingerprint?: string;
  keyAlgorithm?: string;
  keyId: string;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
  secretUpdatedAt: string;
}

/** What the Add credential dialog sends: the secret and its policy. */
export interface NewCredential extends CredentialPolicy {
  name: string;
  type: CredentialType;
  username?: string;
  description?: string;
  secret: string;
}

/** Talks to the vault backend plugin (/api/vault). */
export class VaultClient {
  constructor(
    private readonly discoveryApi: DiscoveryApi,
    private readonly fetchApi: FetchApi,
  ) {}

  async list(): Promise<Credential[]> {
    const body = await this.request<{ items: Credential[] }>('/credentials');
    return body.items;
  }

  create(credential: NewCredential): Promise<Credential> {
    return this.request('/credentials', { method: 'POST', body: credential });
  }

  replaceSecret(name: string, secret: string): Promise<Credential> {
    return this.request(`/credentials/${encodeURIComponent(name)}/secret`, {
      method: 'PUT',
      body: { secret },
    });
  }

  setPolicy(name: string, policy: CredentialPolicy): Promise<Credential> {
    return this.request(`/credentials/${encodeURIComponent(name)}/policy`, {
      method: 'PUT',
      body: policy,
    });
  }

  async remove(name: string): Promise<void> {
    await this.request(`/credentials/${encodeURIComponent(name)}`, {
      method: 'DELETE',
    });
  }

  private async request<T>(
    path: string,
    options: { method?: string; body?: unknown } = {},
  ): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('vault');
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
