import {
  coreServices,
  createBackendModule,
  type ServiceRef,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
// vaultServiceRef is the vault's server-side service API for backend plugins.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import {
  vaultServiceRef,
  type VaultService,
} from '@opsdeck/plugin-vault-backend';
import { createApprovalAction } from './approvalAction';
import { createCompleteAction } from './completeAction';
import { createConfirmAction } from './confirmAction';
import { createDatabaseAccountAction } from './databaseAccountAction';
import { createServerAccessAction } from './serverAccessAction';
import { TicketsClient } from './TicketsClient';
import { VaultWriter } from './VaultWriter';

/**
 * The tickets' scaffolder actions: the approval and confirmation steps and
 * the fulfilment actions (database account, server access, complete).
 *
 * @public
 */
export const scaffolderModuleTickets = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'opsdeck-tickets',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        config: coreServices.rootConfig,
        catalog: catalogServiceRef,
        vault: vaultServiceRef as ServiceRef<
          VaultService,
          'plugin',
          'singleton'
        >,
      },
      async init({ scaffolder, discovery, auth, config, catalog, vault }) {
        const tickets = new TicketsClient(discovery, auth);
        const writer = new VaultWriter(discovery, auth);
        const pollSeconds = config.getOptionalNumber(
          'opsdeck.tickets.pollSeconds',
        );
        scaffolder.addActions(
          createApprovalAction({
            tickets,
            catalog,
            auth,
            pollIntervalMs: pollSeconds ? pollSeconds * 1000 : undefined,
          }),
          createConfirmAction({
            tickets,
            catalog,
            auth,
            pollIntervalMs: pollSeconds ? pollSeconds * 1000 : undefined,
          }),
          createDatabaseAccountAction({
            tickets,
            catalog,
            getSecret: name => vault.getSecret(name),
            putPassword: c => writer.putPassword(c),
          }),
          createServerAccessAction({ tickets, catalog, discovery, auth }),
          createCompleteAction({ tickets }),
        );
      },
    });
  },
});
