import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';

/** How a distribution moves the bytes (see docs/files.md). */
export type DistributionStrategy = 'direct' | 'relay' | 'relay-tree';

export type FileVersion = {
  id: string;
  name: string;
  version: number;
  size: number;
  sha256: string;
  uploader: string;
  ownerGroup?: string;
  createdAt: string;
};

export type HostState =
  | 'pending'
  | 'transferring'
  | 'verifying'
  | 'verified'
  | 'failed';

export type DistributionHost = {
  host: string;
  address: string;
  port: number;
  state: HostState;
  bytes: number;
  rate: number;
  attempts: number;
  error?: string;
  /** Stable code of a refused target (files-target-symlink …). */
  errorCode?: string;
  startedAt?: string;
  finishedAt?: string;
};

export type Distribution = {
  id: string;
  fileId: string;
  fileName: string;
  fileVersion: number;
  size: number;
  sha256: string;
  targetPath: string;
  fileMode?: number;
  fileOwner?: string;
  concurrency: number;
  strategy?: DistributionStrategy;
  status: 'running' | 'done';
  createdBy: string;
  createdAt: string;
  finishedAt?: string;
  counts?: Record<HostState, number>;
  hosts?: DistributionHost[];
};

export type NewDistribution = {
  fileId: string;
  targetPath: string;
  /** cmdb-common's host selector, field by field: every given field must match. */
  hosts?: string[];
  owner?: string;
  system?: string;
  environment?: string;
  tags?: string[];
  fileMode?: string;
  fileOwner?: string;
  concurrency?: number;
  strategy?: DistributionStrategy;
};

/** Talks to the files backend (`/api/files`). */
export class FilesClient {
  constructor(
    private readonly discoveryApi: DiscoveryApi,
    private readonly fetchApi: FetchApi,
  ) {}

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
    return (await this.request<{ items: FileVersion[] }>('/files')).items;
  }

  async getFile(id: string): Promise<FileVersion> {
    return this.request(`/files/${encodeURIComponent(id)}`);
  }

  async deleteFile(id: string): Promise<void> {
    await this.request(`/files/${encodeURIComponent(id)}`, {
      method: 'DELETE',
    });
  }

  async listDistributions(): Promise<Distribution[]> {
    return (await this.request<{ items: Distribution[] }>('/distributions'))
      .items;
  }

  async getDistribution(id: string): Promise<Distribution> {
    return this.request(`/distributions/${encodeURIComponent(id)}`);
  }

  async createDistribution(body: NewDistribution): Promise<Distribution> {
    return this.request('/distributions', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  async retryDistribution(id: string): Promise<{ requeued: number }> {
    return this.request(`/distributions/${encodeURIComponent(id)}/retry`, {
      method: 'POST',
    });
  }

  private async request<T>(path: string, init?: RequestInit): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('files');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, init);
    if (!response.ok) throw await ResponseError.fromResponse(response);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }
}
