import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import {
  DefaultApiClient,
  type Operations,
} from './schema/openapi.client.generated';

/** An entity as the CI/CD API addresses it. */
export interface EntityName {
  kind: string;
  namespace: string;
  name: string;
}

/**
 * The CI/CD screens' view of the backend: the generated client
 * (schema/openapi.client.generated.ts) with entity paths and list answers
 * unwrapped. It builds no URL and sends no request itself.
 */
export class CicdClient {
  private readonly api: DefaultApiClient;

  constructor(discoveryApi: DiscoveryApi, fetchApi: FetchApi) {
    this.api = new DefaultApiClient({ discoveryApi, fetchApi });
  }

  private path(e: EntityName) {
    return {
      kind: e.kind.toLocaleLowerCase('en-US'),
      namespace: e.namespace,
      name: e.name,
    };
  }

  builds(entity: EntityName, page: number, limit: number) {
    return this.api.listBuilds({
      path: this.path(entity),
      query: { page, limit },
    });
  }

  build(entity: EntityName, job: string, number: number) {
    return this.api.getBuild({
      path: this.path(entity),
      query: { job, number },
    });
  }

  rebuild(entity: EntityName, job: string, number: number) {
    return this.api.rebuild({
      path: this.path(entity),
      body: { job, number },
    });
  }

  /** Fetches an archived artifact and saves it in the browser. */
  async downloadArtifact(
    entity: EntityName,
    job: string,
    number: number,
    path: string,
  ): Promise<void> {
    const res = await this.api.downloadArtifact({
      path: this.path(entity),
      query: { job, number, path },
    });
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

  async givenUpAlerts() {
    return (await this.api.listGivenUpAlerts()).items;
  }

  retryAlert(id: number) {
    return this.api.retryGivenUpAlert({ path: { id } });
  }

  timeline(e: EntityName) {
    const ref = `${e.kind.toLocaleLowerCase('en-US')}:${e.namespace}/${e.name}`;
    return this.api.getTimeline({ query: { entity: ref } });
  }

  async causes() {
    return (await this.api.listCauses()).items;
  }

  addCause(input: Operations['addCause']['request']['body']) {
    return this.api.addCause({ body: input });
  }

  deleteCause(id: string) {
    return this.api.deleteCause({ path: { id } });
  }

  tryCause(patterns: string[], log: string) {
    return this.api.tryCause({ body: { cause: { patterns }, log } });
  }
}
