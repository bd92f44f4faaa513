import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import {
  DefaultApiClient,
  type Account,
  type Session,
} from './schema/openapi.client.generated';

export type { Account, Session } from './schema/openapi.client.generated';

/**
 * Talks to the local-auth backend plugin (/api/local-auth) through the
 * generated client (schema/openapi.client.generated.ts); it builds no URL and
 * sends no request itself.
 */
export class AccountsClient {
  private readonly api: DefaultApiClient;

  constructor(discoveryApi: DiscoveryApi, fetchApi: FetchApi) {
    this.api = new DefaultApiClient({ discoveryApi, fetchApi });
  }

  list(): Promise<{ canManage: boolean; items: Account[] }> {
    return this.api.listAccounts();
  }

  async sessions(name: string): Promise<Session[]> {
    return (await this.api.listAccountSessions({ path: { name } })).items;
  }

  signOutEverywhere(name: string): Promise<{ sessionsEnded: number }> {
    return this.api.signOutEverywhere({ path: { name } });
  }

  setPassword(
    name: string,
    password: string,
  ): Promise<{ sessionsEnded: number }> {
    return this.api.setAccountPassword({ path: { name }, body: { password } });
  }

  async unlock(name: string): Promise<void> {
    await this.api.unlockAccount({ path: { name } });
  }
}
