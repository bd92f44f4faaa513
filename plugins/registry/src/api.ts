import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  DeletedTag,
  ManifestSummary,
  RegistrySummary,
  RepositoryPage,
  TagPage,
} from '@opsdeck/plugin-registry-common';

/** Path of a registry resource ref (`resource:default/harbor` → `default/harbor`). */
function registryPath(ref: string) {
  const [, rest] = ref.split(':');
  const [namespace, name] = rest.split('/');
  return `/registries/${encodeURIComponent(namespace)}/${encodeURIComponent(
    name,
  )}`;
}

function query(params: Record<string, string | number | undefined>) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== '') q.set(k, String(v));
  }
  return q.toString();
}

/** The registry backend's API (/api/registry). */
export class RegistryClient {
  constructor(
    private readonly discoveryApi: DiscoveryApi,
    private readonly fetchApi: FetchApi,
  ) {}

  registries() {
    return this.call<{ items: RegistrySummary[] }>('/registries');
  }

  repositories(registry: string, limit: number, last?: string) {
    return this.call<RepositoryPage>(
      `${registryPath(registry)}/repositories?${query({ limit, last })}`,
    );
  }

  tags(registry: string, repository: string, limit: number, last?: string) {
    return this.call<TagPage>(
      `${registryPath(registry)}/tags?${query({ repository, limit, last })}`,
    );
  }

  manifest(registry: string, repository: string, reference: string) {
    return this.call<ManifestSummary>(
      `${registryPath(registry)}/manifest?${query({ repository, reference })}`,
    );
  }

  deleteTag(
    registry: string,
    body: { repository: string; tag: string; confirmDigest?: string },
  ) {
    return this.call<DeletedTag>(`${registryPath(registry)}/tags/delete`, {
      method: 'POST',
      body: JSON.stringify(body),
    });
  }

  private async call<T>(path: string, init?: RequestInit): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('registry');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, {
      ...init,
      headers: init?.body ? { 'Content-Type': 'application/json' } : undefined,
    });
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return (await response.json()) as T;
  }
}
