import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { CompoundEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import {
  MkdocsSearchIndex,
  Runbook,
  runbooksFromSearchIndex,
} from '@opsdeck/plugin-knowledge-common';

function triplet(ref: CompoundEntityRef) {
  return [ref.namespace, ref.kind, ref.name]
    .map(p => encodeURIComponent(p.toLocaleLowerCase('en-US')))
    .join('/');
}

/** Reads runbooks from the TechDocs backend (the built sites' search indexes). */
export class RunbooksClient {
  constructor(
    private readonly discoveryApi: DiscoveryApi,
    private readonly fetchApi: FetchApi,
  ) {}

  /**
   * The runbooks in an entity's docs. Docs that were never built are built
   * now (TechDocs' sync, as opening them would), then read again.
   */
  async runbooksOf(ref: CompoundEntityRef): Promise<Runbook[]> {
    const index = await this.searchIndex(ref);
    if (index) return runbooksFromSearchIndex(ref, index);
    await this.sync(ref);
    const built = await this.searchIndex(ref);
    return built ? runbooksFromSearchIndex(ref, built) : [];
  }

  private async searchIndex(
    ref: CompoundEntityRef,
  ): Promise<MkdocsSearchIndex | undefined> {
    const base = await this.discoveryApi.getBaseUrl('techdocs');
    const res = await this.fetchApi.fetch(
      `${base}/static/docs/${triplet(ref)}/search/search_index.json`,
    );
    if (res.status === 404) return undefined;
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return (await res.json()) as MkdocsSearchIndex;
  }

  private async sync(ref: CompoundEntityRef): Promise<void> {
    const base = await this.discoveryApi.getBaseUrl('techdocs');
    const res = await this.fetchApi.fetch(`${base}/sync/${triplet(ref)}`);
    if (!res.ok) throw await ResponseError.fromResponse(res);
    const body = await res.text();
    const error = /^event: error\ndata: (.*)$/m.exec(body);
    if (error) throw new Error(JSON.parse(error[1]));
  }
}
