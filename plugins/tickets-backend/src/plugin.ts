import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { notificationService } from '@backstage/plugin-notifications-node';
import {
  ticketCommentPermission,
  ticketDecidePermission,
  ticketReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import { vaultServiceRef } from '@opsdeck/plugin-vault-node';
import { DatabaseTicketStore } from './database/DatabaseTicketStore';
import { createRouter } from './service/router';
import { TicketService } from './service/TicketService';

/**
 * The tickets plugin: tickets, approvers, decisions, comments and history in
 * its own database, the /api/tickets API and the expiry of approvals.
 *
 * @public
 */
export const ticketsPlugin = createBackendPlugin({
  pluginId: 'tickets',
  register(env) {
    env.registerInit({
      deps: {
        logger: coreServices.logger,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        userInfo: coreServices.userInfo,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        notifications: notificationService,
        // The account check reads the password of the account it tests.
        vault: vaultServiceRef,
      },
      async init(deps) {
        const store = await DatabaseTicketStore.create({
          database: deps.database,
        });
        const service = new TicketService({
          store,
          auditor: deps.auditor,
          notifications: deps.notifications,
          logger: deps.logger,
        });
        // Expired approvals are rejected even when no task polls them any more.
        await deps.scheduler.scheduleTask({
          id: 'tickets-expire-approvals',
          frequency: { seconds: 30 },
          timeout: { minutes: 1 },
          initialDelay: { seconds: 10 },
          fn: async () => {
            await service.expireDue();
          },
        });
        deps.permissionsRegistry.addPermissions([
          ticketReadPermission,
          ticketDecidePermission,
          ticketCommentPermission,
        ]);
        deps.httpRouter.use(
          await createRouter({
            service,
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            userInfo: deps.userInfo,
            auditor: deps.auditor,
            getSecret: (name, use) => deps.vault.getSecret(name, use),
          }),
        );
      },
    });
  },
});
