import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type { ConfigVariables } from '@opsdeck/plugin-config-common';
import {
  DefaultApiClient,
  type ConfigSetInput,
} from './schema/openapi.client.generated';
import type { ApprovalAsk } from '@opsdeck/plugin-tickets-react';

/** A vault credential as the vault lists it (metadata only, never a secret). */
export type VaultCredentialInfo = {
  name: string;
  type: string;
  owner?: string;
  allowedUses?: string[];
};

/** The config backend's API (/api/config). */
export class ConfigClient {
  private readonly api: DefaultApiClient;

  constructor(
    private readonly discoveryApi: DiscoveryApi,
    private readonly fetchApi: FetchApi,
  ) {
    this.api = new DefaultApiClient({ discoveryApi, fetchApi });
  }

  listSets() {
    return this.api.listSets();
  }

  getSet(id: number) {
    return this.api.getSet({ path: { id } });
  }

  createSet(input: ConfigSetInput) {
    return this.api.createSet({ body: input });
  }

  updateSet(id: number, input: ConfigSetInput) {
    return this.api.updateSet({ path: { id }, body: input });
  }

  versions(id: number) {
    return this.api.listVersions({ path: { id } });
  }

  saveVersion(
    id: number,
    input: { template: string; variables: ConfigVariables; message: string },
  ) {
    return this.api.saveVersion({ path: { id }, body: input });
  }

  diff(id: number, from: number, to: number) {
    return this.api.diffVersions({ path: { id }, query: { from, to } });
  }

  preview(id: number, version: number) {
    return this.api.previewVersion({ path: { id, version } });
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
    return this.api.pushVersion({
      path: { id },
      body: { version, batchSize, ...pause, ...approval },
    });
  }

  rollback(
    id: number,
    toVersion: number,
    batchSize?: number,
    approval: ApprovalAsk = {},
    pause: ReleasePause = {},
  ) {
    return this.api.rollback({
      path: { id },
      body: { toVersion, batchSize, ...pause, ...approval },
    });
  }

  /**
   * Reloads a release pushed without reload; prod hosts without
   * config.push.prod: `approval` as for a push (answer `{ approvalTicket }`
   * when one was requested).
   */
  reloadRelease(id: number, approval: ApprovalAsk = {}) {
    return this.api.reloadRelease({ path: { id }, body: approval });
  }

  /** Goes on with a paused release (re-checked by the backend as a push is). */
  continueRelease(id: number) {
    return this.api.continueRelease({ path: { id } });
  }

  /**
   * Aborts a running or paused release: hosts not yet started are never
   * pushed; a running one answers `aborting` (its hosts mid-push end their
   * own step) and ends `aborted`.
   */
  abortRelease(id: number) {
    return this.api.abortRelease({ path: { id } });
  }

  releases(id: number) {
    return this.api.listReleases({ path: { id } });
  }

  release(id: number) {
    return this.api.getRelease({ path: { id } });
  }

  drift(id: number) {
    return this.api.getDrift({ path: { id } });
  }

  /** `liveSha256`: the live file as drift showed it (changed since: 409). */
  adopt(id: number, host: string, liveSha256?: string) {
    return this.api.adoptLive({
      path: { id },
      body: { host, ...(liveSha256 ? { liveSha256 } : {}) },
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
}

/** The pauses between a release's batches (part of what a ticket approves). */
export type ReleasePause = {
  pauseSeconds?: number;
  confirmFirstBatch?: boolean;
  /** false: push without reload (a push only; a later reload step loads it). */
  reload?: boolean;
};
