import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  AlertRetryResult,
  GivenUpAlert,
  BuildDetail,
  BuildPage,
  CauseInput,
  ListedCause,
  Timeline,
} from '@opsdeck/plugin-cicd-common';

/** An entity as the CI/CD API addresses it. */
export interface EntityName {
  kind: string;
  namespace: string;
  name: string;
}

/** The CI/CD backend's API (/api/cicd). */
export class CicdClient {
  constructor(
    private readonly discoveryApi: DiscoveryApi,
    private readonly fetchApi: FetchApi,
  ) {}

  private base(e: EntityName) {
    return `/entities/${encodeURIComponent(
      e.kind.toLocaleLowerCase('en-US'),
    )}/${encodeURIComponent(e.namespace)}/${encodeURIComponent(e.name)}`;
  }

  builds(entity: EntityName, page: number, limit: number) {
    return this.call<BuildPage>(
      `${this.base(entity)}/builds?page=${page}&limit=${limit}`,
    );
  }

  build(entity: EntityName, job: string, number: number) {
    return this.call<BuildDetail>(
      `${this.base(entity)}/build?job=${encodeURIComponent(
        job,
      )}&number=${number}`,
    );
  }

  rebuild(entity: EntityName, job: string, number: number) {
    return this.call<{ job: string; queueId: number }>(
      `${this.base(entity)}/rebuild`,
      { method: 'POST', body: JSON.stringify({ job, number }) },
    );
  }

  /**
   * Downloads a Jenkins build's archived file through the backend (which
   * reads it with the vault credential on the person's behalf) and hands it
   * to the browser as a file.
   */
  async downloadArtifact(
    entity: EntityName,
    job: string,
    number: number,
    path: string,
  ): Promise<void> {
    const base = await this.discoveryApi.getBaseUrl('cicd');
    const res = await this.fetchApi.fetch(
      `${base}${this.base(entity)}/artifact?job=${encodeURIComponent(
        job,
      )}&number=${number}&path=${encodeURIComponent(path)}`,
    );
    if (!res.ok) throw await ResponseError.fromResponse(res);
    const url = URL.createObjectURL(await res.blob());
    try {
      const a = document.createElement('a');
      a.href = url;
      a.download = path.split('/').pop() ?? 'artifact';
      document.body.appendChild(a);
      a.click();
      a.remove();
    } finally {
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    }
  }

  /** Build alerts given up after their retries (every component's). */
  async givenUpAlerts(): Promise<GivenUpAlert[]> {
    return (await this.call<{ items: GivenUpAlert[] }>('/alerts/given-up'))
      .items;
  }

  /** Sends a given-up alert again now. */
  retryAlert(id: number) {
    return this.call<AlertRetryResult>(`/alerts/given-up/${id}/retry`, {
      method: 'POST',
    });
  }

  /** The entity's delivery timeline, oldest first. */
  timeline(e: EntityName) {
    const ref = `${e.kind.toLocaleLowerCase('en-US')}:${e.namespace}/${e.name}`;
    return this.call<Timeline>(`/timeline?entity=${encodeURIComponent(ref)}`);
  }

  /** The knowledge base: built-in causes, then stored ones. */
  async causes(): Promise<ListedCause[]> {
    return (await this.call<{ items: ListedCause[] }>('/causes')).items;
  }

  addCause(input: CauseInput) {
    return this.call<ListedCause>('/causes', {
      method: 'POST',
      body: JSON.stringify(input),
    });
  }

  deleteCause(id: string) {
    return this.call<ListedCause>(`/causes/${encodeURIComponent(id)}`, {
      method: 'DELETE',
    });
  }

  /** Where candidate patterns match in a log (1-based lines of `log`). */
  tryCause(patterns: string[], log: string) {
    return this.call<{ lines: number[]; tests: string[] }>('/causes/try', {
      method: 'POST',
      body: JSON.stringify({ cause: { patterns }, log }),
    });
  }

  private async call<T>(path: string, init?: RequestInit): Promise<T> {
    const base = await this.discoveryApi.getBaseUrl('cicd');
    const res = await this.fetchApi.fetch(`${base}${path}`, {
      ...init,
      headers: { 'Content-Type': 'application/json', ...init?.headers },
    });
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return (await res.json()) as T;
  }
}
