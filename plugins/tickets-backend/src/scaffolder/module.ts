import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { vaultServiceRef } from '@opsdeck/plugin-vault-node';
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
        vault: vaultServiceRef,
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
            getSecret: (name, use) => vault.getSecret(name, use),
            putPassword: c => writer.putPassword(c),
          }),
          createServerAccessAction({ tickets, catalog, discovery, auth }),
          createCompleteAction({ tickets }),
        );
      },
    });
  },
});
