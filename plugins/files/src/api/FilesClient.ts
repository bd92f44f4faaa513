import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  DefaultApiClient,
  type Distribution,
  type DistributionHost,
  type FileVersion,
  type NewDistribution,
} from '../schema/openapi.client.generated';

export type {
  Distribution,
  DistributionHost,
  FileVersion,
  NewDistribution,
} from '../schema/openapi.client.generated';

/** How a distribution moves the bytes (see docs/files.md). */
export type DistributionStrategy = Distribution['strategy'];

export type HostState = DistributionHost['state'];

/**
 * Talks to the files backend (`/api/files`) through the generated client
 * (schema/openapi.client.generated.ts). Only the tus upload protocol, which
 * the generator cannot express, is spoken here by hand.
 */
export class FilesClient {
  private readonly api: DefaultApiClient;

  constructor(
    private readonly discoveryApi: DiscoveryApi,
    private readonly fetchApi: FetchApi,
  ) {
    this.api = new DefaultApiClient({ discoveryApi, fetchApi });
  }

  /** The tus endpoint for uploads. */
  async uploadEndpoint(): Promise<string> {
    return `${await this.discoveryApi.getBaseUrl('files')}/uploads`;
  }

  /**
   * The library version of a finished tus upload, asked with a tus HEAD: the
   * server finishes a complete upload that has no version yet before it
   * answers. Undefined when the upload is not complete (or unknown).
   */
  async uploadedFileId(uploadUrl: string): Promise<string | undefined> {
    const response = await this.fetchApi.fetch(uploadUrl, {
      method: 'HEAD',
      headers: { 'Tus-Resumable': '1.0.0' },
    });
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return response.headers.get('Opsdeck-File-Id') ?? undefined;
  }

  async listFiles(): Promise<FileVersion[]> {
    return (await this.api.listFiles()).items;
  }

  getFile(id: string): Promise<FileVersion> {
    return this.api.getFile({ path: { id } });
  }

  async deleteFile(id: string): Promise<void> {
    await this.api.deleteFile({ path: { id } });
  }

  async listDistributions(): Promise<Distribution[]> {
    return (await this.api.listDistributions()).items;
  }

  getDistribution(id: string): Promise<Distribution> {
    return this.api.getDistribution({ path: { id } });
  }

  createDistribution(body: NewDistribution): Promise<Distribution> {
    return this.api.createDistribution({ body });
  }

  retryDistribution(id: string): Promise<{ requeued: number }> {
    return this.api.retryDistribution({ path: { id } });
  }
}
