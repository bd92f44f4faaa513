import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  ConfigSet,
  ConfigSetInput,
  ConfigVariables,
  ConfigVersion,
  HostDrift,
  HostPreview,
  Release,
} from '@opsdeck/plugin-config-common';
import type {
  ApprovalAsk,
  ApprovalRequested,
} from '@opsdeck/plugin-tickets-react';

/** A vault credential as the vault lists it (metadata only, never a secret). */
export type VaultCredentialInfo = {
  name: string;
  type: string;
  owner?: string;
  allowedUses?: string[];
};

/** The config backend's API (/api/config). */
export class ConfigClient {
  constructor(
    private readonly discoveryApi: DiscoveryApi,
    private readonly fetchApi: FetchApi,
  ) {}

  listSets() {
    return this.call<{ items: ConfigSet[] }>('/sets');
  }

  getSet(id: number) {
    return this.call<ConfigSet>(`/sets/${id}`);
  }

  createSet(input: ConfigSetInput) {
    return this.call<ConfigSet>('/sets', {
      method: 'POST',
      body: JSON.stringify(input),
    });
  }

  versions(id: number) {
    return this.call<{ items: ConfigVersion[] }>(`/sets/${id}/versions`);
  }

  saveVersion(
    id: number,
    input: { template: string; variables: ConfigVariables; message: string },
  ) {
    return this.call<ConfigVersion>(`/sets/${id}/versions`, {
      method: 'POST',
      body: JSON.stringify(input),
    });
  }

  diff(id: number, from: number, to: number) {
    return this.call<{ template: string; variables: string }>(
      `/sets/${id}/diff?from=${from}&to=${to}`,
    );
  }

  preview(id: number, version: number) {
    return this.call<{ items: HostPreview[] }>(
      `/sets/${id}/versions/${version}/preview`,
    );
  }

  /**
   * Pushes a version. A push to prod hosts by someone without
   * config.push.prod: `approval.requestApproval` opens a ticket (the answer
   * is `{ approvalTicket }`), `approval.approvalTicket` runs it with the
   * approved ticket.
   */
  push(
    id: number,
    version: number,
    batchSize?: number,
    approval: ApprovalAsk = {},
    pause: ReleasePause = {},
  ) {
    return this.call<Release | ApprovalRequested>(`/sets/${id}/releases`, {
      method: 'POST',
      body: JSON.stringify({ version, batchSize, ...pause, ...approval }),
    });
  }

  rollback(
    id: number,
    toVersion: number,
    batchSize?: number,
    approval: ApprovalAsk = {},
    pause: ReleasePause = {},
  ) {
    return this.call<
      { version: ConfigVersion; release: Release } | ApprovalRequested
    >(`/sets/${id}/rollback`, {
      method: 'POST',
      body: JSON.stringify({ toVersion, batchSize, ...pause, ...approval }),
    });
  }

  /** Goes on with a paused release (re-checked by the backend as a push is). */
  continueRelease(id: number) {
    return this.call<Release>(`/releases/${id}/continue`, { method: 'POST' });
  }

  /**
   * Aborts a running or paused release: hosts not yet started are never
   * pushed; a running one answers `aborting` (its hosts mid-push end their
   * own step) and ends `aborted`.
   */
  abortRelease(id: number) {
    return this.call<Release>(`/releases/${id}/abort`, { method: 'POST' });
  }

  releases(id: number) {
    return this.call<{ items: Release[] }>(`/sets/${id}/releases`);
  }

  release(id: number) {
    return this.call<Release>(`/releases/${id}`);
  }

  drift(id: number) {
    return this.call<{ items: HostDrift[] }>(`/sets/${id}/drift`);
  }

  /** `liveSha256`: the live file as drift showed it (changed since: 409). */
  adopt(id: number, host: string, liveSha256?: string) {
    return this.call<ConfigVersion>(`/sets/${id}/adopt`, {
      method: 'POST',
      body: JSON.stringify({ host, liveSha256 }),
    });
  }

  /**
   * The vault credentials the signed-in user can see (GET /api/vault/credentials,
   * the vault's own permission), for the variables' vault picker.
   */
  async listVaultCredentials(): Promise<VaultCredentialInfo[]> {
    const baseUrl = await this.discoveryApi.getBaseUrl('vault');
    const response = await this.fetchApi.fetch(`${baseUrl}/credentials`);
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return ((await response.json()) as { items: VaultCredentialInfo[] }).items;
  }

  private async call<T>(path: string, init?: RequestInit): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('config');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, {
      ...init,
      headers: init?.body ? { 'Content-Type': 'application/json' } : undefined,
    });
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return (await response.json()) as T;
  }
}

/** The pauses between a release's batches (part of what a ticket approves). */
export type ReleasePause = {
  pauseSeconds?: number;
  confirmFirstBatch?: boolean;
};
