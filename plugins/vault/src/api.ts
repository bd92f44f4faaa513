import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import {
  DefaultApiClient,
  type Credential,
  type CredentialPolicy,
  type CredentialUse,
  type NewCredential,
} from './schema/openapi.client.generated';

export type {
  Credential,
  CredentialPolicy,
  CredentialType,
  CredentialUse,
  NewCredential,
} from './schema/openapi.client.generated';

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

/**
 * Talks to the vault backend plugin (/api/vault) through the generated client
 * (schema/openapi.client.generated.ts); it builds no URL and sends no request
 * itself.
 */
export class VaultClient {
  private readonly api: DefaultApiClient;

  constructor(discoveryApi: DiscoveryApi, fetchApi: FetchApi) {
    this.api = new DefaultApiClient({ discoveryApi, fetchApi });
  }

  async list(): Promise<Credential[]> {
    return (await this.api.listCredentials()).items;
  }

  create(credential: NewCredential): Promise<Credential> {
    return this.api.createCredential({ body: credential });
  }

  replaceSecret(name: string, secret: string): Promise<Credential> {
    return this.api.replaceCredentialSecret({
      path: { name },
      body: { secret },
    });
  }

  setPolicy(name: string, policy: CredentialPolicy): Promise<Credential> {
    return this.api.setCredentialPolicy({ path: { name }, body: policy });
  }

  async remove(name: string): Promise<void> {
    await this.api.deleteCredential({ path: { name } });
  }
}
