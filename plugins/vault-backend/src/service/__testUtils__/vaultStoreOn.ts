import { createServiceFactory } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { vaultStoreServiceRef } from '@opsdeck/plugin-vault-node';
import { Knex } from 'knex';
import { DatabaseVaultStore } from '../../database/DatabaseVaultStore';

/**
 * The backend's vault store on a test database (tests that seed or read the
 * rows through the same knex as the plugin).
 */
export function vaultStoreOn(knex: Knex) {
  return createServiceFactory({
    service: vaultStoreServiceRef,
    deps: {},
    factory: () => {
      const store = DatabaseVaultStore.create({
        database: mockServices.database({ knex }),
      });
      return { store: () => store };
    },
  });
}
